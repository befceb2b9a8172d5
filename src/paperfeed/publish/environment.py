"""The one place paperfeed makes a Jinja environment, and the one way it renders a template.

Templates live in ``publish/templates/<target>/`` and are named with their folder:
``digest/digest.html.j2``, ``digest/digest.md.j2``, ``email/email.txt.j2``, ``site/day.html.j2``,
``web/layout.html.j2``. One ``PackageLoader`` reads them all; every filter is registered here:

    math        HTML with ``$...$`` in ``<span class="math">``: ``math`` as written (KaTeX, the
                HTML digest's style sheet), ``math(readable=true)`` as Unicode (static site),
                ``math(readable=true, style=...)`` with inline styles (e-mail)
    plain_math  plain text with TeX as Unicode (e-mail text part)
    md, md_prose, md_heading   Markdown escaping of a line, of prose, of a heading
    code_spans  a message escaped, its `commands` as ``<code>``
    anchor      a paper's element id: ``anchor`` on the web pages, ``anchor(slug)`` on the site
    urlpart     a slug or id percent-encoded for an ``href``

Autoescaping follows the file name: on for ``.html.j2`` (and anything not named as Markdown or
plain text), off for ``.md.j2`` and ``.txt.j2``, whose data goes through the filters above.
Undefined names are errors, and no template is ever built from data, so a title such as
``{{7*7}}`` stays text. Blocks trim their own line (``trim_blocks``, ``lstrip_blocks``).

Files (digests, e-mail parts, site pages) end with their template's last newline; web pages are
fragments placed inside the layout and have always ended at their last tag, so the ``web``
target is rendered by a second environment from the same factory that drops that newline.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import jinja2

from paperfeed.publish.anchors import paper_anchor, url_part
from paperfeed.publish.escaping import code_spans, escape_heading, escape_inline, escape_prose
from paperfeed.publish.mathtext import math_html, plain_math

TARGETS = ("digest", "email", "site", "web")
_KEEPS_TRAILING_NEWLINE = {"digest": True, "email": True, "site": True, "web": False}

FILTERS: dict[str, Callable[..., Any]] = {
    "math": math_html,
    "plain_math": plain_math,
    "md": escape_inline,
    "md_prose": escape_prose,
    "md_heading": escape_heading,
    "code_spans": code_spans,
    "anchor": paper_anchor,
    "urlpart": url_part,
}


@cache
def _environment(keep_trailing_newline: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("paperfeed.publish", "templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2",),
            disabled_extensions=("md.j2", "txt.j2"),
            default=True,
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # templates are package data: they do not change while running
    )
    env.filters.update(FILTERS)
    return env


def environment(target: str) -> jinja2.Environment:
    """The environment that renders the templates of ``target`` (one of ``TARGETS``)."""
    if target not in _KEEPS_TRAILING_NEWLINE:
        raise ValueError(f"no template target {target!r}; the targets are {', '.join(TARGETS)}")
    return _environment(_KEEPS_TRAILING_NEWLINE[target])


def render_template(name: str, /, **context: Any) -> str:
    """Render the template ``name`` ("site/day.html.j2": its target folder first)."""
    return environment(name.partition("/")[0]).get_template(name).render(**context)
