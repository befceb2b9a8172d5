"""Paper cards for the HTML pages: every string escaped, TeX marked for KaTeX, matched terms
highlighted. Pure functions from ``site`` records to ``Markup``; the templates only lay out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from markupsafe import Markup, escape

from paperfeed.app.web.page_data import PaperItem
from paperfeed.archive.records import Counts
from paperfeed.core.records import MatchedTerm
from paperfeed.core.taxonomy import subject_label
from paperfeed.publish.view import ANNOUNCE_LABELS, split_math

AUTHORS_SHOWN = 4  # more than this many authors collapse behind "+N more"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_QUERY_WORD = re.compile(r"[^\W_][\w.+-]*", re.UNICODE)
_OPERATORS = {"AND", "OR", "NOT"}
_BADGE_CLASS = {"new": "new", "cross": "cross", "replace": "replace", "replace-cross": "replace"}


@dataclass(frozen=True, slots=True)
class Card:
    arxiv_id: str
    versioned_id: str
    title: Markup
    title_zh: Markup | None  # None: not translated
    abstract: Markup
    abstract_zh: Markup | None
    authors: tuple[str, ...]
    subjects: tuple[tuple[str, str], ...]  # ("cs.LG", "Machine Learning (cs.LG)")
    badge: str | None  # "new", "cross-list", "replacement"
    badge_class: str
    terms: tuple[str, ...]  # the matched terms, as the topic query wrote them
    when: str  # "Jun 4" / "Jul 27, 2025": the listing date, else the submission date
    when_iso: str
    counts: Counts
    abs_url: str
    pdf_url: str
    html_url: str
    comment: str | None
    journal_ref: str | None
    doi: str | None

    @property
    def authors_hidden(self) -> int:
        return (
            max(0, len(self.authors) - AUTHORS_SHOWN)
            if len(self.authors) > AUTHORS_SHOWN + 1
            else 0
        )


@lru_cache(maxsize=512)
def _pattern(needles: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    for needle in sorted({n.strip() for n in needles if n.strip()}, key=len, reverse=True):
        # A term matched across a line break or a hyphen in the paper ("reinforcement\nlearning").
        words = [re.escape(w) for w in re.split(r"[\s\-]+", needle) if w]
        if words:
            parts.append(r"(?<!\w)" + r"[\s\-]+".join(words) + r"\w*")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def marked(text: str, needles: Iterable[str] = ()) -> Markup:
    """``text`` escaped; ``$...$`` wrapped in ``<span class="math">`` for KaTeX; each needle
    (outside math) wrapped in ``<mark>``."""
    pattern = _pattern(tuple(needles))
    out: list[Markup] = []
    # Most abstracts have no TeX: skip the math scan (a third of a card's cost) for them.
    pieces = split_math(text) if "$" in text else [(False, text)]
    for is_math, piece in pieces:
        if is_math:
            out.append(Markup('<span class="math">{}</span>').format(piece))
            continue
        if pattern is None:
            out.append(escape(piece))
            continue
        position = 0
        for found in pattern.finditer(piece):
            out.append(escape(piece[position : found.start()]))
            out.append(Markup("<mark>{}</mark>").format(found.group()))
            position = found.end()
        out.append(escape(piece[position:]))
    return Markup("").join(out)


def query_needles(text: str) -> tuple[str, ...]:
    """The words of a search to highlight in its results (operators and scopes left out)."""
    words = []
    for phrase in re.findall(r'"([^"]+)"', text):
        words.append(phrase)
    rest = re.sub(r'"[^"]*"', " ", text)
    for word in _QUERY_WORD.findall(rest):
        if word not in _OPERATORS and len(word) > 1:
            words.append(word.rstrip("*"))
    return tuple(words)


def short_date(day: date, today: date) -> str:
    """ "Jun 4" this year, "Jul 27, 2025" otherwise: how a daily-papers list dates a paper."""
    label = f"{_MONTHS[day.month - 1]} {day.day}"
    return label if day.year == today.year else f"{label}, {day.year}"


def _needles(terms: tuple[MatchedTerm, ...], field: str, extra: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t.text for t in terms if t.field == field) + extra


def card(
    item: PaperItem,
    today: date,
    subject_names: Mapping[str, str] | None = None,
    highlight: tuple[str, ...] = (),
) -> Card:
    paper = item.paper
    when = item.listing_date or (paper.published.date() if paper.published else None)
    title_needles = _needles(item.terms, "title", highlight)
    abstract_needles = _needles(item.terms, "abstract", highlight)
    translated_title = item.title_zh is not None and item.title_zh.strip() != ""
    translated_abstract = item.abstract_zh is not None and item.abstract_zh.strip() != ""
    return Card(
        arxiv_id=paper.arxiv_id,
        versioned_id=paper.versioned_id,
        title=marked(paper.title, title_needles),
        title_zh=marked(item.title_zh, highlight) if translated_title and item.title_zh else None,
        abstract=marked(paper.abstract, abstract_needles),
        abstract_zh=(
            marked(item.abstract_zh, highlight)
            if translated_abstract and item.abstract_zh
            else None
        ),
        authors=paper.authors,
        subjects=tuple((code, subject_label(code, subject_names)) for code in paper.categories),
        badge=ANNOUNCE_LABELS[item.announce_type] if item.announce_type else None,
        badge_class=_BADGE_CLASS[item.announce_type] if item.announce_type else "",
        terms=tuple(dict.fromkeys(t.term for t in item.terms)),
        when=short_date(when, today) if when else "",
        when_iso=when.isoformat() if when else "",
        counts=item.counts,
        abs_url=paper.abs_url,
        pdf_url=paper.pdf_url,
        html_url=paper.html_url,
        comment=paper.comment,
        journal_ref=paper.journal_ref,
        doi=paper.doi,
    )
