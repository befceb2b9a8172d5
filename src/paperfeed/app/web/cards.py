"""Paper cards for the HTML pages: every string escaped, TeX marked for KaTeX, matched terms
highlighted. Pure functions from ``page_data`` records to ``Markup``; the templates only lay out.

What a card shows of its paper (ids, authors, subject names, the announce label, matched terms,
links) is the digests' own view of it (``publish.view.PaperView``), and its TeX goes through the
same ``publish.mathtext.math_html``; only what is the web app's own is made here: the
highlighting of matched and searched words, the date label, the badge class, the counts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial

from markupsafe import Markup, escape

from paperfeed.app.web.page_data import PaperItem
from paperfeed.archive.records import Counts
from paperfeed.core.records import DigestEntry, MatchedTerm
from paperfeed.publish.mathtext import math_html
from paperfeed.publish.view import PaperView, paper_view

AUTHORS_SHOWN = 4  # more than this many authors collapse behind "+N more"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_QUERY_WORD = re.compile(r"[^\W_][\w.+-]*", re.UNICODE)
_OPERATORS = {"AND", "OR", "NOT"}
_BADGE_CLASS = {"new": "new", "cross": "cross", "replace": "replace", "replace-cross": "replace"}


@dataclass(frozen=True, slots=True)
class Card:
    paper: PaperView  # ids, authors, subjects, announce label, matched terms, links, ...
    title: Markup
    title_zh: Markup | None  # None: not translated
    abstract: Markup
    abstract_zh: Markup | None
    subjects: tuple[tuple[str, str], ...]  # ("cs.LG", "Machine Learning (cs.LG)")
    badge_class: str
    when: str  # "Jun 4" / "Jul 27, 2025": the listing date, else the submission date
    when_iso: str
    counts: Counts

    @property
    def authors_hidden(self) -> int:
        authors = self.paper.authors
        return max(0, len(authors) - AUTHORS_SHOWN) if len(authors) > AUTHORS_SHOWN + 1 else 0


@lru_cache(maxsize=512)
def _pattern(needles: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    for needle in sorted({n.strip() for n in needles if n.strip()}, key=len, reverse=True):
        # A term matched across a line break or a hyphen in the paper ("reinforcement\nlearning").
        words = [re.escape(w) for w in re.split(r"[\s\-]+", needle) if w]
        if words:
            parts.append(r"(?<!\w)" + r"[\s\-]+".join(words) + r"\w*")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _highlighted(piece: str, pattern: re.Pattern[str]) -> Markup:
    out: list[Markup] = []
    position = 0
    for found in pattern.finditer(piece):
        out.append(escape(piece[position : found.start()]))
        out.append(Markup("<mark>{}</mark>").format(found.group()))
        position = found.end()
    out.append(escape(piece[position:]))
    return Markup("").join(out)


def marked(text: str, needles: Iterable[str] = ()) -> Markup:
    """``text`` escaped; ``$...$`` wrapped in ``<span class="math">`` for KaTeX; each needle
    (outside math) wrapped in ``<mark>``."""
    pattern = _pattern(tuple(needles))
    if pattern is None:
        return math_html(text)
    return math_html(text, prose=partial(_highlighted, pattern=pattern))


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
    view = paper_view(
        DigestEntry(paper, item.title_zh, item.abstract_zh, item.announce_type, item.terms),
        subject_names,
    )
    when = item.listing_date or (paper.published.date() if paper.published else None)
    title_needles = _needles(item.terms, "title", highlight)
    abstract_needles = _needles(item.terms, "abstract", highlight)
    translated_title = item.title_zh is not None and item.title_zh.strip() != ""
    translated_abstract = item.abstract_zh is not None and item.abstract_zh.strip() != ""
    return Card(
        paper=view,
        title=marked(paper.title, title_needles),
        title_zh=marked(item.title_zh, highlight) if translated_title and item.title_zh else None,
        abstract=marked(paper.abstract, abstract_needles),
        abstract_zh=(
            marked(item.abstract_zh, highlight)
            if translated_abstract and item.abstract_zh
            else None
        ),
        subjects=tuple(zip(view.categories, view.subjects, strict=True)),
        badge_class=_BADGE_CLASS[item.announce_type] if item.announce_type else "",
        when=short_date(when, today) if when else "",
        when_iso=when.isoformat() if when else "",
        counts=item.counts,
    )
