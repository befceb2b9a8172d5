"""The Jinja2 environment of the web pages: autoescape always on, undefined names are errors.

Templates never see HTML-bearing strings except ``Markup`` built by ``cards`` (escaped there),
and no template is ever built from data, so a title like ``{{7*7}}`` stays text.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

_BACKTICKS = re.compile(r"`([^`]+)`")


def code_spans(text: str) -> Markup:
    """``text`` escaped, with `backticked` parts (commands in messages) as ``<code>``."""
    out: list[Markup] = []
    position = 0
    for found in _BACKTICKS.finditer(text):
        out.append(escape(text[position : found.start()]))
        out.append(Markup("<code>{}</code>").format(found.group(1)))
        position = found.end()
    out.append(escape(text[position:]))
    return Markup("").join(out)


def anchor(arxiv_id: str) -> str:
    """An HTML id for a paper card ("hep-th/9901001" -> "p-hep-th-9901001")."""
    return "p-" + re.sub(r"[^A-Za-z0-9.\-]", "-", arxiv_id)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("paperfeed.publish", "templates/web"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
    )
    env.filters["code_spans"] = code_spans
    env.filters["anchor"] = anchor
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)
