"""What each page shows, as records: the data layer shared by the HTML pages and the JSON API.

``Site`` reads the archive (``Archive`` plus the store's ``browse`` and ``reactions`` queries) and
the arXiv calendar, with the clock passed in. It knows nothing of HTML or HTTP.
"""

from __future__ import annotations

import calendar as month_calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

from paperfeed.app.health import Health, check_health
from paperfeed.app.web.similar import SimilarPapers
from paperfeed.archive import Archive
from paperfeed.archive.records import (
    Counts,
    DigestAppearance,
    ListingAppearance,
    PaperVersion,
    ReaderMarks,
    SearchQuery,
    Stamps,
)
from paperfeed.core.calendar import FIRST_DAY, LAST_DAY, ArxivCalendar
from paperfeed.core.errors import QueryError
from paperfeed.core.records import AnnounceType, Digest, MatchedTerm, Paper
from paperfeed.core.signals import WINDOW_DAYS, TrendingPaper

Window = Literal["day", "week", "month"]
# The web page's windows are the community list's (one definition: core.signals).
WINDOWS: dict[str, timedelta] = {name: timedelta(days=n) for name, n in WINDOW_DAYS.items()}
Reaction = Literal["star", "upvote"]
_VERSIONED_ID = re.compile(
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Za-z]{2})?/\d{7})v(?P<version>\d+)"
)


def split_version(arxiv_id: str) -> tuple[str, int | None]:
    """("2606.04029", 2) from "2606.04029v2"; ids without a version come back unchanged."""
    found = _VERSIONED_ID.fullmatch(arxiv_id)
    if found is None:
        return arxiv_id, None
    return found["id"], int(found["version"])


NO_REACTIONS = Counts()


class UnknownPaper(LookupError):
    """The archive has no paper with this id."""


class DayOutOfRange(ValueError):
    """A date before arXiv's first listing or too far ahead for the calendar."""


def check_day(day: date) -> date:
    """``day``, when the site can show it; else DayOutOfRange saying why."""
    if day < FIRST_DAY:
        raise DayOutOfRange(
            f"{day.isoformat()} is before arXiv's first listing ({FIRST_DAY.isoformat()})"
        )
    if day > LAST_DAY:
        raise DayOutOfRange(f"{day.isoformat()} is too far in the future for arXiv's calendar")
    return day


@dataclass(frozen=True, slots=True)
class PaperItem:
    """A paper as a page lists it: metadata, Chinese text, how it was announced, why it
    matched (digest pages), and its star and upvote counts."""

    paper: Paper
    title_zh: str | None
    abstract_zh: str | None
    announce_type: AnnounceType | None
    listing_date: date | None
    terms: tuple[MatchedTerm, ...] = ()
    counts: Counts = NO_REACTIONS


@dataclass(frozen=True, slots=True)
class TopicGroup:
    name: str
    items: tuple[PaperItem, ...]


@dataclass(frozen=True, slots=True)
class DayPage:
    day: date
    digest: Digest | None
    groups: tuple[TopicGroup, ...]
    reason: str | None  # why there is no digest to show, in one sentence
    previous_listing: date  # by arXiv's calendar, whether or not the archive has it
    next_listing: date | None  # None when it is not announced yet
    previous_digest: date | None  # the archive's nearest digests
    next_digest: date | None

    @property
    def paper_count(self) -> int:
        return self.digest.paper_count if self.digest else 0


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    in_month: bool
    papers: int | None  # the digest's size; None when the archive has no digest that day
    reason: str | None  # why arXiv has no listing that day; None on listing days
    future: bool  # not announced yet


@dataclass(frozen=True, slots=True)
class CalendarMonth:
    month: date  # the first of the month
    weeks: tuple[tuple[CalendarDay, ...], ...]  # Monday first
    previous: date
    next: date | None  # None when the next month has not started


@dataclass(frozen=True, slots=True)
class RelatedItem:
    item: PaperItem
    shared_terms: tuple[str, ...]
    shared_topics: tuple[str, ...]
    similarity: float | None = None  # cosine of the embeddings, when found by embedding


@dataclass(frozen=True, slots=True)
class PaperPage:
    item: PaperItem
    versions: tuple[PaperVersion, ...]
    listings: tuple[ListingAppearance, ...]
    digests: tuple[DigestAppearance, ...]
    related: tuple[RelatedItem, ...]


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: SearchQuery
    page: int
    per_page: int
    items: tuple[PaperItem, ...]
    has_more: bool


@dataclass(frozen=True, slots=True)
class CommunityRow:
    """One paper of the Hugging Face Daily Papers ranking; ``item`` is None until the
    archive has the paper's arXiv metadata."""

    trending: TrendingPaper
    item: PaperItem | None


@dataclass(frozen=True, slots=True)
class TrendingResult:
    window: Window
    topic: str | None
    since: datetime
    items: tuple[tuple[PaperItem, int], ...]  # the paper, upvotes inside the window
    community: tuple[CommunityRow, ...] = ()  # Hugging Face Daily Papers in the same window


@dataclass(frozen=True, slots=True)
class ReadingList:
    items: tuple[tuple[PaperItem, str], ...]  # the paper, when it was starred (ISO 8601 UTC)


@dataclass(frozen=True, slots=True)
class ReactionState:
    arxiv_id: str
    counts: Counts
    starred: bool
    upvoted: bool


class Site:
    def __init__(
        self,
        store: Archive | Callable[[], Archive],
        calendar: ArxivCalendar,
        now: Callable[[], datetime],
        similar: SimilarPapers | None = None,
    ) -> None:
        # A getter: each thread that uses the site then queries through its own connection.
        self._store = store if callable(store) else (lambda: store)
        self.calendar = calendar
        self._now = now
        self._similar = similar

    @property
    def store(self) -> Archive:
        return self._store()

    def now(self) -> datetime:
        return self._now()

    def stamps(self) -> Stamps:
        return self.store.stamps()

    def topics(self) -> list[str]:
        return self.store.topic_names()

    def latest_day(self) -> date | None:
        return self.store.latest_digest_date()

    def latest_listing(self) -> date:
        return self.calendar.latest_listing(self.now())

    # -- one day's digest -----------------------------------------------------------------

    def day_page(self, day: date) -> DayPage:
        check_day(day)
        digest = self.store.digest(day)
        groups: tuple[TopicGroup, ...] = ()
        reason = None
        if digest is None:
            reason = self.why_no_digest(day)
        else:
            ids = [e.paper.arxiv_id for e in digest.papers]
            counts = self.store.reaction_counts(ids)
            groups = tuple(
                TopicGroup(
                    name=section.topic,
                    items=tuple(
                        PaperItem(
                            paper=entry.paper,
                            title_zh=entry.title_zh,
                            abstract_zh=entry.abstract_zh,
                            announce_type=entry.announce_type,
                            listing_date=day,
                            terms=entry.terms,
                            counts=counts.get(entry.paper.arxiv_id, NO_REACTIONS),
                        )
                        for entry in section.entries
                    ),
                )
                for section in digest.sections
            )
        following = self.calendar.next_listing(day)
        announced = self.calendar.announced_at(following) <= self.now()
        before, after = self.store.neighbouring_digests(day)
        return DayPage(
            day=day,
            digest=digest,
            groups=groups,
            reason=reason,
            previous_listing=self.calendar.previous_listing(day),
            next_listing=following if announced else None,
            previous_digest=before,
            next_digest=after,
        )

    def why_no_digest(self, day: date) -> str:
        """One sentence: why the archive shows nothing for ``day``, and what to do about it."""
        reason = self.calendar.no_listing_reason(day)
        if reason is not None:
            return f"arXiv has no listing dated {day.isoformat()}: {reason}."
        announced = self.calendar.announced_at(day)
        if announced > self.now():
            return (
                f"The listing dated {day.isoformat()} is not announced yet: arXiv announces it "
                f"at {announced:%Y-%m-%d %H:%M} {announced.tzname()}."
            )
        if self.store.has_listing(day):
            return (
                f"The listing dated {day.isoformat()} is in the archive but has no digest yet: "
                f"run `paperfeed run --date {day.isoformat()}`."
            )
        return (
            f"The archive has no listing dated {day.isoformat()}: "
            f"run `paperfeed run --date {day.isoformat()}` to fetch it."
        )

    def calendar_month(self, month: date) -> CalendarMonth:
        first = check_day(month.replace(day=1))
        last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
        start = first - timedelta(days=first.weekday())
        end = last + timedelta(days=6 - last.weekday())
        sizes = self.store.digest_sizes(start, end)
        now = self.now()
        days = []
        for offset in range((end - start).days + 1):
            day = start + timedelta(days=offset)
            reason = self.calendar.no_listing_reason(day)
            days.append(
                CalendarDay(
                    day=day,
                    in_month=day.month == first.month,
                    papers=sizes.get(day),
                    reason=reason,
                    future=reason is None and self.calendar.announced_at(day) > now,
                )
            )
        weeks = tuple(tuple(days[i : i + 7]) for i in range(0, len(days), 7))
        following = last + timedelta(days=1)
        return CalendarMonth(
            month=first,
            weeks=weeks,
            previous=(first - timedelta(days=1)).replace(day=1),
            next=following if following <= now.astimezone(UTC).date() + timedelta(days=1) else None,
        )

    # -- papers ---------------------------------------------------------------------------

    def items(self, arxiv_ids: Sequence[str]) -> list[PaperItem]:
        """The archived papers among ``arxiv_ids``, in that order, with counts."""
        found = self.store.archived_papers(arxiv_ids)
        counts = self.store.reaction_counts(list(found))
        return [
            PaperItem(
                paper=a.paper,
                title_zh=a.title_zh,
                abstract_zh=a.abstract_zh,
                announce_type=a.announce_type,
                listing_date=a.listing_date,
                counts=counts.get(arxiv_id, NO_REACTIONS),
            )
            for arxiv_id in arxiv_ids
            if (a := found.get(arxiv_id)) is not None
        ]

    def paper_page(self, arxiv_id: str) -> PaperPage:
        found = self.items([arxiv_id])
        if not found:
            raise UnknownPaper(arxiv_id)
        digests = tuple(self.store.digest_appearances(arxiv_id))
        item = found[0]
        if digests:  # the page highlights what the latest digest matched
            item = PaperItem(
                paper=item.paper,
                title_zh=item.title_zh,
                abstract_zh=item.abstract_zh,
                announce_type=item.announce_type,
                listing_date=item.listing_date,
                terms=digests[0].terms,
                counts=item.counts,
            )
        related = self.store.term_neighbours(arxiv_id)
        # Embedding neighbours first (when papers were embedded), then papers of the same
        # topics and terms; a paper found both ways shows its shared terms too.
        similar = dict(self._similar(self.store, arxiv_id, 8)) if self._similar else {}
        by_terms = {r.arxiv_id: r for r in related}
        order = list(similar) + [r.arxiv_id for r in related if r.arxiv_id not in similar]
        order = order[: max(8, len(related))]
        related_items = {i.paper.arxiv_id: i for i in self.items(order)}
        return PaperPage(
            item=item,
            versions=tuple(self.store.paper_versions(arxiv_id)),
            listings=tuple(self.store.listing_appearances(arxiv_id)),
            digests=digests,
            related=tuple(
                RelatedItem(
                    related_items[other],
                    by_terms[other].shared_terms if other in by_terms else (),
                    by_terms[other].shared_topics if other in by_terms else (),
                    similar.get(other),
                )
                for other in order
                if other in related_items
            ),
        )

    def search(self, query: SearchQuery, page: int = 1, per_page: int = 20) -> SearchResult:
        if query.empty:
            return SearchResult(query, page, per_page, (), False)
        found = self.store.search(query, limit=per_page, offset=(page - 1) * per_page)
        return SearchResult(
            query=query,
            page=page,
            per_page=per_page,
            items=tuple(self.items(found.arxiv_ids)),
            has_more=found.has_more,
        )

    def trending(self, window: Window, topic: str | None = None, limit: int = 30) -> TrendingResult:
        since = self.now() - WINDOWS[window]
        rows = self.store.upvote_trending(since, topic=topic, limit=limit)
        try:
            community = self.store.community_trending(
                window=window, end_date=self.now().date(), topic=topic, limit=limit
            )
        except QueryError:  # a topic name that is not a valid query: no community list
            community = ()
        ids = [r.arxiv_id for r in rows] + [c.arxiv_id for c in community]
        items = {i.paper.arxiv_id: i for i in self.items(ids)}
        return TrendingResult(
            window=window,
            topic=topic,
            since=since,
            items=tuple((items[r.arxiv_id], r.votes) for r in rows if r.arxiv_id in items),
            community=tuple(CommunityRow(c, items.get(c.arxiv_id)) for c in community),
        )

    def reading_list(self, reader: str) -> ReadingList:
        starred = self.store.starred(reader)
        items = {i.paper.arxiv_id: i for i in self.items([a for a, _ in starred])}
        return ReadingList(items=tuple((items[a], when) for a, when in starred if a in items))

    def health(self, status_path: Path | None) -> Health:
        return check_health(self.store, self.calendar, self.now(), status_path)

    # -- reactions ------------------------------------------------------------------------

    def reader_marks(self, reader: str) -> ReaderMarks:
        return self.store.reader_marks(reader)

    def reaction_state(self, reader: str, arxiv_id: str) -> ReactionState:
        marks = self.store.reader_marks(reader)
        return ReactionState(
            arxiv_id=arxiv_id,
            counts=self.store.reaction_counts([arxiv_id]).get(arxiv_id, NO_REACTIONS),
            starred=arxiv_id in marks.starred,
            upvoted=arxiv_id in marks.upvoted,
        )

    def react(self, kind: Reaction, reader: str, arxiv_id: str, on: bool | None) -> ReactionState:
        """Star/unstar or upvote/withdraw (``on``; None flips the reader's current state)."""
        if self.store.paper(arxiv_id) is None:
            raise UnknownPaper(arxiv_id)
        if on is None:
            state = self.reaction_state(reader, arxiv_id)
            on = not (state.starred if kind == "star" else state.upvoted)
        self.store.set_reaction(kind, reader, arxiv_id, on, self.now())
        return self.reaction_state(reader, arxiv_id)
