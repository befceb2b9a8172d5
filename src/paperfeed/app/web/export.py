"""The reading list as files: BibTeX entries, and the compact digest format (three lines per
paper: English abstract, Chinese abstract, abs link)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime

from paperfeed.app.web.page_data import PaperItem
from paperfeed.core.records import Digest, DigestEntry, DigestSection, Paper
from paperfeed.publish.formats import render_digest
from paperfeed.publish.view import arxiv_id_order

_BIBTEX_SPECIAL = re.compile(r"([&%$#_])")
_KEY_WORD = re.compile(r"[A-Za-z]+")
_STOP_WORDS = {"a", "an", "the", "on", "of", "for", "and", "in", "to", "with", "towards", "via"}


def _year(paper: Paper) -> int | None:
    if paper.published is not None:
        return paper.published.year
    return arxiv_id_order(paper.arxiv_id)[0] or None  # an id says when it was handed out


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _braced(text: str) -> str:
    """A field value safe between BibTeX braces: specials escaped, braces balanced, TeX math
    (``$...$``) kept as written."""
    pieces = re.split(r"(\$[^$]*\$)", " ".join(text.split()))
    out = []
    for piece in pieces:
        if piece.startswith("$") and piece.endswith("$") and len(piece) > 1:
            out.append(piece)
        else:
            out.append(_BIBTEX_SPECIAL.sub(r"\\\1", piece))
    value = "".join(out)
    # An unbalanced brace would end the field early (or never): drop braces if unbalanced.
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0:
        value = value.replace("{", "").replace("}", "")
    return value


def bibtex_key(paper: Paper, taken: set[str]) -> str:
    """ "lovelace2026deployed": first author's last name, year, first real title word."""
    surname = _KEY_WORD.findall(_ascii(paper.authors[0].split()[-1])) if paper.authors else []
    words = [w.lower() for w in _KEY_WORD.findall(_ascii(paper.title))]
    first = next((w for w in words if w not in _STOP_WORDS), "paper")
    key = f"{(surname[0] if surname else 'anon').lower()}{_year(paper) or ''}{first}"
    candidate, n = key, 1
    while candidate in taken:
        n += 1
        candidate = f"{key}{chr(ord('a') + n - 2) if n <= 27 else n}"
    taken.add(candidate)
    return candidate


def to_bibtex(items: Sequence[PaperItem]) -> str:
    taken: set[str] = set()
    entries = []
    for item in items:
        paper = item.paper
        fields = [
            ("title", "{" + _braced(paper.title) + "}"),
            ("author", " and ".join(_braced(a) for a in paper.authors) or "Anonymous"),
            ("year", str(_year(paper) or "")),
            ("eprint", paper.arxiv_id),
            ("archivePrefix", "arXiv"),
            ("primaryClass", paper.primary_category),
            ("url", paper.abs_url),
        ]
        if paper.doi:
            fields.append(("doi", _braced(paper.doi)))
        if paper.journal_ref:
            fields.append(("journal", _braced(paper.journal_ref)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        entries.append(f"@misc{{{bibtex_key(paper, taken)},\n{body}\n}}\n")
    return "\n".join(entries)


def to_compact(items: Sequence[PaperItem]) -> str:
    """The compact format, newest first, exactly as ``paperfeed digest --format compact``."""
    entries = tuple(
        DigestEntry(
            paper=item.paper,
            title_zh=item.title_zh,
            abstract_zh=item.abstract_zh,
            announce_type=item.announce_type,
        )
        for item in items
    )
    reading_list = Digest(
        listing_date=date(1970, 1, 1),  # the compact format prints no date or header
        header="",
        generated_at=datetime(1970, 1, 1, tzinfo=UTC),
        announced_at=None,
        timezone="UTC",
        sections=(DigestSection(topic="reading list", entries=entries),),
    )
    return render_digest(reading_list, "compact")
