"""The HTML rendering: one standalone page (email body, web page, static site).

Inline CSS only: no remote assets, no scripts, readable on a phone. Autoescaping is on, so
every string from a paper is text, never markup. TeX between dollar signs stays as written but
is wrapped in ``<span class="math">`` so it stands out (and a math library can find it later).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import jinja2
from markupsafe import Markup, escape

from paperfeed.core.records import Digest
from paperfeed.core.scoring import Score
from paperfeed.publish.view import digest_view, split_math


def with_math(text: str) -> Markup:
    """``text`` escaped, its ``$...$`` pieces wrapped in ``<span class="math">``."""
    return Markup("").join(
        Markup('<span class="math">{}</span>').format(piece) if is_math else escape(piece)
        for is_math, piece in split_math(text)
    )


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("paperfeed.publish", "templates/digest"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["math"] = with_math
    return env


def render_html(
    digest: Digest,
    subject_names: Mapping[str, str] | None = None,
    tldrs: Mapping[str, str] | None = None,
    scores: Mapping[str, Score] | None = None,
) -> str:
    template = _environment().get_template("digest.html.j2")
    return template.render(digest=digest_view(digest, subject_names, tldrs, scores))
