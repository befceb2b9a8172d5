"""The records that cross the archive interface, besides the core ones (``Paper``, ``Listing``,
``Digest``, ``CommunitySignals``, ``Score``, ``RunReport``). Frozen and slotted; no driver type
or database row id is ever part of one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, NewType

from paperfeed.core.records import AnnounceType, MatchedTerm, Paper, RunReport
from paperfeed.core.topics.search_query import clean_search_text

# -- translations -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TranslationKey:
    """What a cached translation is keyed by, besides its source text."""

    engine: str
    model: str
    prompt_version: str
    lang: str = "zh"


# -- browsing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArchivedPaper:
    """The latest version of a paper with what the archive knows around it."""

    paper: Paper
    title_zh: str | None
    abstract_zh: str | None
    listing_date: date | None  # the latest listing or digest it appeared in
    announce_type: AnnounceType | None  # how that listing announced it


@dataclass(frozen=True, slots=True)
class PaperVersion:
    version: int  # 0: unknown (an imported digest named the paper without a version)
    source: str  # rss | api | import | import-compact
    first_seen: str  # ISO 8601 UTC: when this archive first stored it
    updated: str | None  # ISO 8601 UTC: when arXiv received this version, if known


@dataclass(frozen=True, slots=True)
class ListingAppearance:
    listing_date: date
    announce_type: AnnounceType


@dataclass(frozen=True, slots=True)
class DigestAppearance:
    listing_date: date
    topic: str
    terms: tuple[MatchedTerm, ...]


@dataclass(frozen=True, slots=True)
class TermNeighbour:
    """A paper that digests listed under the same topics, for the same matched terms."""

    arxiv_id: str
    shared_terms: tuple[str, ...]
    shared_topics: tuple[str, ...]


# -- search -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """One search, as the CLI, the web pages and the API ask it."""

    text: str = ""
    topic: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    category: str | None = None  # a category ("cs.LG") or a whole archive ("cs")
    author: str | None = None

    @property
    def empty(self) -> bool:
        return not (
            clean_search_text(self.text)
            or self.topic
            or self.date_from
            or self.date_to
            or self.category
            or self.author
        )


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results, best first (see ``Search.search``), each paper once."""

    papers: tuple[ArchivedPaper, ...]
    has_more: bool

    @property
    def arxiv_ids(self) -> tuple[str, ...]:
        return tuple(p.paper.arxiv_id for p in self.papers)


# -- community signals ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SavedSignals:
    """What one ``save_signals`` call did."""

    new: int  # papers seen for the first time
    changed: int  # papers whose upvotes, comments or stars changed


# -- reactions --------------------------------------------------------------------------------

Reaction = Literal["star", "upvote"]


@dataclass(frozen=True, slots=True)
class Counts:
    stars: int = 0
    upvotes: int = 0


@dataclass(frozen=True, slots=True)
class ReaderMarks:
    """Which of some papers one reader has starred and upvoted."""

    starred: frozenset[str] = frozenset()
    upvoted: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Stamps:
    """Change counters: ``archive`` moves when digests, papers or translations change,
    ``reactions`` when anyone stars or upvotes. Cached pages are keyed by them."""

    archive: int
    reactions: int


@dataclass(frozen=True, slots=True)
class TrendingRow:
    arxiv_id: str
    votes: int  # upvotes inside the window
    last_vote: str  # ISO 8601 UTC of the newest of them


# -- embeddings -------------------------------------------------------------------------------

VectorSearch = Literal["auto", "exact", "approximate"]


@dataclass(frozen=True, slots=True)
class StoredVector:
    """A paper version's embedding: ``dim`` float32 values (little-endian), unit length."""

    paper: Paper
    vector: bytes


@dataclass(frozen=True, slots=True)
class Neighbour:
    paper: Paper
    similarity: float  # cosine of the two embeddings


# -- deliveries -------------------------------------------------------------------------------

DeliveryStatus = Literal["sending", "sent", "failed", "uncertain", "skipped"]
DELIVERY_STATUSES: tuple[DeliveryStatus, ...] = (
    "sending",
    "sent",
    "failed",
    "uncertain",
    "skipped",
)
DELIVERED: frozenset[str] = frozenset({"sent", "skipped"})
MAX_DELIVERY_ATTEMPTS = 10  # a delivery that failed this often is reported, no longer retried


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    listing_date: date
    channel: str
    recipient: str
    message_key: str
    status: DeliveryStatus
    attempts: int
    parts_sent: int
    parts_total: int
    error: str
    detail: str
    updated_at: datetime
    sent_at: datetime | None


# -- runs -------------------------------------------------------------------------------------

RunId = NewType("RunId", int)


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One recorded run: while it runs, ``status`` is "running" and ``report`` None; a run
    whose process died is "interrupted"."""

    id: RunId
    listing_date: date
    started_at: datetime
    finished_at: datetime | None
    status: str  # running | done | no-listing | failed | partial | interrupted
    reason: str
    report: RunReport | None


# -- HTTP cache -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A response body kept with its validators, for conditional GETs."""

    etag: str | None
    last_modified: str | None
    status: int
    body: bytes
