"""The seed text format (``digest-YYYY-MM-DD.txt``): the established layout, byte for byte.

Layout (FORMAT-digest.md section 1): the header line, the count line, then per topic a
``Keyword:`` line followed by eleven-line paper blocks or ``There is no result``. ``\\n`` line
ends and no newline after the last line. Paper text is printed verbatim: sources fold white
space at ingest, and imported digests (one real abstract spans two lines) must round-trip.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from paperfeed.core.calendar import NEW_YORK, utc_offset_label
from paperfeed.core.records import Digest, DigestEntry
from paperfeed.core.seed_layout import (
    ABSTRACT,
    ABSTRACT_ZH,
    ARXIV_LINK,
    AUTHORS,
    KEYWORD,
    NO_RESULT,
    PDF_LINK,
    SUBJECTS_LABEL,
)
from paperfeed.core.taxonomy import subject_label


def seed_header(generated_at: datetime, announced_at: datetime | None, tz: ZoneInfo) -> str:
    """The first line: generation time in the reader's zone, then arXiv's announcement.

    ``生成时间: 2026-06-04 19:18:50 (UTC+8); Arxiv 发布时间: 2026-06-03 20:00 EDT``
    ``(2026-06-04 08:00 UTC+8)`` (one line).
    The announcement is printed on arXiv's clock (America/New_York, EST or EDT) and again in the
    reader's zone. Without a known announcement the line stops after the generation time.
    """
    local = generated_at.astimezone(tz)
    header = f"生成时间: {local:%Y-%m-%d %H:%M:%S} ({utc_offset_label(local)})"
    if announced_at is None:
        return header
    eastern = announced_at.astimezone(NEW_YORK)
    announced_local = announced_at.astimezone(tz)
    return (
        f"{header}; Arxiv 发布时间: {eastern:%Y-%m-%d %H:%M} {eastern.tzname()} "
        f"({announced_local:%Y-%m-%d %H:%M} {utc_offset_label(announced_local)})"
    )


def count_line(paper_count: int) -> str:
    return f"今天共有 {paper_count} 篇相关文章"


def _one_line(text: str) -> str:
    # Titles and author lists have exactly one line in a block; a stray line break would shift
    # every following line of the file. (Abstracts may span lines: the parser finds their end.)
    return text.replace("\r", " ").replace("\n", " ")


def paper_block(entry: DigestEntry, subject_names: Mapping[str, str] | None = None) -> list[str]:
    """The eleven lines of one paper (more when an abstract spans several lines)."""
    paper = entry.paper
    return [
        _one_line(paper.title),
        _one_line(entry.title_zh if entry.title_zh is not None else paper.title),
        AUTHORS + _one_line(", ".join(paper.authors)),
        SUBJECTS_LABEL,
        "; ".join(subject_label(code, subject_names) for code in paper.categories),
        ARXIV_LINK + paper.abs_url,
        PDF_LINK + paper.pdf_url,
        ABSTRACT,
        paper.abstract,
        ABSTRACT_ZH,
        entry.abstract_zh if entry.abstract_zh is not None else paper.abstract,
    ]


def render_seed_text(digest: Digest, subject_names: Mapping[str, str] | None = None) -> str:
    """The whole file. Entries print in section order (select sorts them by ascending id)."""
    lines = [digest.header, count_line(digest.paper_count)]
    for section in digest.sections:
        lines.append(KEYWORD + section.topic)
        if not section.entries:
            lines.append(NO_RESULT)
        for entry in section.entries:
            lines.extend(paper_block(entry, subject_names))
    return "\n".join(lines)
