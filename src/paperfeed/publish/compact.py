"""The compact format (``compact-YYYY-MM-DD.txt``): three lines per paper, newest first.

Each distinct paper prints its English abstract, its Chinese abstract (the English one when
untranslated) and ``https://arxiv.org/abs/<id>``; no header, no blank lines, no newline after
the last line.
"""

from __future__ import annotations

from datetime import UTC, datetime

from paperfeed.core.records import Digest, Paper
from paperfeed.publish.view import arxiv_id_order


def newest_first_key(paper: Paper) -> tuple[datetime, tuple[int, int, int, str]]:
    """Sort key (use with ``reverse=True``): when the shown version was submitted, then the id.

    The time is ``paper.updated`` (submission of this version: for a replaced paper that is the
    new version, which is what "newest" means in a listing), else ``paper.published``, else the
    first instant of the month the id encodes (an id is handed out at submission, so
    "2604.19737" was submitted in April 2026). Ties break on the id's (year, month, number).

    Papers without any timestamp (imported digests) therefore sort exactly by id, descending;
    within a month, a paper with a known time sorts before those whose time is unknown.
    """
    order = arxiv_id_order(paper.arxiv_id)
    stamp = paper.updated or paper.published
    if stamp is None:
        year, month = order[0], order[1]
        stamp = datetime(year, month, 1, tzinfo=UTC) if year else datetime.min.replace(tzinfo=UTC)
    return (stamp, order)


def _one_line(text: str) -> str:
    # The format has exactly one line per field; imported abstracts may span several.
    return " ".join(text.splitlines()) if "\n" in text or "\r" in text else text


def render_compact(digest: Digest) -> str:
    entries = sorted(digest.papers, key=lambda entry: newest_first_key(entry.paper), reverse=True)
    lines: list[str] = []
    for entry in entries:
        paper = entry.paper
        lines.append(_one_line(paper.abstract))
        lines.append(
            _one_line(entry.abstract_zh if entry.abstract_zh is not None else paper.abstract)
        )
        lines.append(paper.abs_url)
    return "\n".join(lines)
