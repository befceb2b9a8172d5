"""Render a ``Digest`` in each output format: pure functions from records to text.

``text`` (seed layout) and ``compact`` are byte contracts (FORMAT-digest.md); ``markdown``,
``html`` and ``json`` show the same content, richer. ``subject_names`` supplies names for
category codes the bundled taxonomy does not know (learnt from imported digests).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from paperfeed.core.errors import RenderError
from paperfeed.core.records import Digest
from paperfeed.core.scoring import Score
from paperfeed.publish.compact import render_compact
from paperfeed.publish.html import render_html
from paperfeed.publish.json_format import render_json
from paperfeed.publish.markdown import render_markdown
from paperfeed.publish.seed_text import render_seed_text

FORMATS = ("text", "compact", "markdown", "html", "json")
FILE_SUFFIX = {"text": "txt", "compact": "txt", "markdown": "md", "html": "html", "json": "json"}


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise RenderError(
            f"unknown digest format {fmt!r}",
            hint=f"use one of: {', '.join(FORMATS)}",
        )


def digest_filename(fmt: str, listing_date: date) -> str:
    """ "digest-2026-06-04.txt", "compact-2026-06-04.txt", "digest-2026-06-04.md", ..."""
    _check_format(fmt)
    stem = "compact" if fmt == "compact" else "digest"
    return f"{stem}-{listing_date.isoformat()}.{FILE_SUFFIX[fmt]}"


def render_digest(
    digest: Digest,
    fmt: str,
    *,
    subject_names: Mapping[str, str] | None = None,
    tldrs: Mapping[str, str] | None = None,
    scores: Mapping[str, Score] | None = None,
) -> str:
    """``digest`` as text in format ``fmt`` (one of ``FORMATS``). ``tldrs`` (Chinese TL;DRs by
    ``Paper.versioned_id``) show in the Markdown and HTML renderings; ``scores`` (relevance
    scores by arXiv id) in the HTML and JSON ones."""
    _check_format(fmt)
    if fmt == "compact":
        return render_compact(digest)
    if fmt == "markdown":
        return render_markdown(digest, subject_names, tldrs)
    if fmt == "html":
        return render_html(digest, subject_names, tldrs, scores)
    if fmt == "json":
        return render_json(digest, subject_names, scores)
    renderer = {
        "text": render_seed_text,
        "markdown": render_markdown,
        "html": render_html,
        "json": render_json,
    }[fmt]
    return renderer(digest, subject_names)
