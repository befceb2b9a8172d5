"""What the renderings show of a digest and its papers, computed once: the one view model.

``DigestView`` (with its ``TopicView``s and ``PaperView``s) feeds the Markdown and HTML digests,
the e-mail parts and the static site's day pages; ``PaperView`` alone feeds the Atom feeds' and
the web app's paper cards. Subject names, announce labels, links, the Chinese-or-English
fallbacks, the matched-term description and the announcement time are derived here and nowhere
else, so the renderings cannot drift apart in content, only in markup.

The seed text and compact formats are byte contracts and read the records directly; so does
the JSON rendering, whose schema is the records' own fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from paperfeed.core.calendar import NEW_YORK, utc_offset_label, zone_from_name
from paperfeed.core.records import AnnounceType, Digest, DigestEntry, MatchedTerm
from paperfeed.core.scoring import Score
from paperfeed.core.taxonomy import subject_label
from paperfeed.publish.anchors import topic_anchor

# arXiv's listing pages file replacements of cross-lists under "Replacements" too.
ANNOUNCE_LABELS: dict[AnnounceType, str] = {
    "new": "new",
    "cross": "cross-list",
    "replace": "replacement",
    "replace-cross": "replacement",
}

_NEW_STYLE_ID = re.compile(r"(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<number>\d{4,5})")
_OLD_STYLE_ID = re.compile(
    r"(?P<archive>[a-z-]+(?:\.[A-Z]{2})?)/(?P<yy>\d{2})(?P<mm>\d{2})(?P<number>\d{3})"
)


def arxiv_id_order(arxiv_id: str) -> tuple[int, int, int, str]:
    """Sort key that orders arXiv ids by age: (year, month, number, archive).

    Plain string order works within one id scheme only: "hep-th/9901001" (1999) would sort
    after "2606.04029" (2026). Old-style ids carry a two-digit year from 1991 to 2007.
    Unrecognised ids sort before every real one, in string order.
    """
    new = _NEW_STYLE_ID.fullmatch(arxiv_id)
    if new is not None:
        return (2000 + int(new["yy"]), int(new["mm"]), int(new["number"]), "")
    old = _OLD_STYLE_ID.fullmatch(arxiv_id)
    if old is not None:
        yy = int(old["yy"])
        return (
            1900 + yy if yy >= 91 else 2000 + yy,
            int(old["mm"]),
            int(old["number"]),
            old["archive"],
        )
    return (0, 0, 0, arxiv_id)


def format_generated(generated_at: datetime, zone: tzinfo) -> str:
    """ "2026-06-04 19:18:50 UTC+8": the generation time in the reader's zone."""
    local = generated_at.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M:%S} {utc_offset_label(local)}"


def format_announced(announced_at: datetime, zone: tzinfo) -> str:
    """ "2026-06-03 20:00 EDT (2026-06-04 08:00 UTC+8)": arXiv's clock, then the reader's."""
    eastern = announced_at.astimezone(NEW_YORK)
    local = announced_at.astimezone(zone)
    return (
        f"{eastern:%Y-%m-%d %H:%M} {eastern.tzname()} "
        f"({local:%Y-%m-%d %H:%M} {utc_offset_label(local)})"
    )


def digest_announced(digest: Digest) -> str | None:
    """``format_announced`` in the digest's reader zone; None when the instant is unknown."""
    if digest.announced_at is None:
        return None
    return format_announced(digest.announced_at, zone_from_name(digest.timezone))


def matched_terms(terms: Iterable[MatchedTerm]) -> tuple[str, ...]:
    """The distinct terms that matched, as the topic query wrote them, in first-seen order."""
    return tuple(dict.fromkeys(matched.term for matched in terms))


def describe_matches(terms: tuple[MatchedTerm, ...]) -> str:
    """ "reinforcement learning in title, abstract; cs.RO in categories" (first-seen order)."""
    fields: dict[str, list[str]] = {}
    for matched in terms:
        where = fields.setdefault(matched.term, [])
        if matched.field not in where:
            where.append(matched.field)
    return "; ".join(f"{term} in {', '.join(where)}" for term, where in fields.items())


@dataclass(frozen=True, slots=True)
class PaperView:
    arxiv_id: str
    versioned_id: str
    title: str
    title_zh: str  # the English title when untranslated
    abstract: str
    abstract_zh: str  # the English abstract when untranslated
    translated: bool
    authors: tuple[str, ...]
    categories: tuple[str, ...]  # "cs.LG", primary first
    subjects: tuple[str, ...]  # "Machine Learning (cs.LG)", one per category
    announce_type: str | None  # "new", "cross-list", "replacement"
    matched: str  # describe_matches(); "" when the digest does not know why
    matched_terms: tuple[str, ...]  # matched_terms(): "reinforcement learning", "cs.RO"
    abs_url: str
    pdf_url: str
    html_url: str
    comment: str | None
    journal_ref: str | None
    doi: str | None
    tldr: str | None = None  # one-sentence Chinese TL;DR, when [translate] tldr made one
    score: Score | None = None  # relevance score and breakdown, when the relevance stage ran


@dataclass(frozen=True, slots=True)
class TopicView:
    name: str
    anchor: str  # anchors.topic_anchor(): "topic-1", stable and safe whatever the name
    papers: tuple[PaperView, ...]

    @property
    def count(self) -> int:
        return len(self.papers)


@dataclass(frozen=True, slots=True)
class DigestView:
    listing_date: str  # "2026-06-04"
    announced: str | None  # format_announced(), None when unknown
    generated: str  # format_generated()
    timezone: str
    paper_count: int
    untranslated_count: int
    topics: tuple[TopicView, ...]


def paper_view(
    entry: DigestEntry,
    subject_names: Mapping[str, str] | None,
    tldrs: Mapping[str, str] | None = None,
    scores: Mapping[str, Score] | None = None,
) -> PaperView:
    """What every rendering shows of one entry; ``tldrs`` by versioned id, ``scores`` by id."""
    paper = entry.paper
    return PaperView(
        arxiv_id=paper.arxiv_id,
        versioned_id=paper.versioned_id,
        title=paper.title,
        title_zh=entry.title_zh if entry.title_zh is not None else paper.title,
        abstract=paper.abstract,
        abstract_zh=entry.abstract_zh if entry.abstract_zh is not None else paper.abstract,
        translated=entry.translated,
        authors=paper.authors,
        categories=paper.categories,
        subjects=tuple(subject_label(code, subject_names) for code in paper.categories),
        announce_type=ANNOUNCE_LABELS[entry.announce_type] if entry.announce_type else None,
        matched=describe_matches(entry.terms),
        matched_terms=matched_terms(entry.terms),
        abs_url=paper.abs_url,
        pdf_url=paper.pdf_url,
        html_url=paper.html_url,
        comment=paper.comment,
        journal_ref=paper.journal_ref,
        doi=paper.doi,
        tldr=(tldrs or {}).get(paper.versioned_id),
        score=(scores or {}).get(paper.arxiv_id),
    )


def digest_view(
    digest: Digest,
    subject_names: Mapping[str, str] | None = None,
    tldrs: Mapping[str, str] | None = None,
    scores: Mapping[str, Score] | None = None,
) -> DigestView:
    return DigestView(
        listing_date=digest.listing_date.isoformat(),
        announced=digest_announced(digest),
        generated=format_generated(digest.generated_at, zone_from_name(digest.timezone)),
        timezone=digest.timezone,
        paper_count=digest.paper_count,
        untranslated_count=sum(1 for entry in digest.papers if not entry.translated),
        topics=tuple(
            TopicView(
                name=section.topic,
                anchor=topic_anchor(number),
                papers=tuple(
                    paper_view(entry, subject_names, tldrs, scores) for entry in section.entries
                ),
            )
            for number, section in enumerate(digest.sections, start=1)
        ),
    )
