"""What an archive backend provides: one Protocol per aggregate, and ``Archive``, all of them.

Stages and the app depend on these, never on a backend: a function names the narrowest
aggregate it needs (the translation service takes a ``TranslationCache``, the dispatcher a
``Deliveries``). Only a backend knows SQL; no driver type or row id crosses this interface.
What "a backend works" means is the contract test suite in ``tests/archive/``, run once per
backend.

Writes that belong together run in one transaction (``with archive.transaction():``), so a run
killed at any point leaves the archive consistent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Protocol

from paperfeed.archive.records import (
    ArchivedPaper,
    Counts,
    DeliveryRecord,
    DigestAppearance,
    ListingAppearance,
    Neighbour,
    PaperVersion,
    Reaction,
    ReaderMarks,
    RunId,
    RunRecord,
    SavedSignals,
    SearchPage,
    SearchQuery,
    Stamps,
    StoredResponse,
    StoredVector,
    TermNeighbour,
    TranslationKey,
    TrendingRow,
    VectorSearch,
)
from paperfeed.core.records import Digest, Listing, Match, Paper, RunReport
from paperfeed.core.scoring import Score
from paperfeed.core.signals import CommunitySignals, StoredSignals, TrendingPaper
from paperfeed.core.topics import Topic


class Lifecycle(Protocol):
    def transaction(self) -> AbstractContextManager[None]:
        """Everything inside commits together or not at all; nested calls join the outer one."""
        ...

    def close(self) -> None: ...

    def integrity_ok(self) -> bool: ...

    def count(self, table: str) -> int:
        """Rows in one of the archive's record kinds ("papers", "digests", ...)."""
        ...


class Papers(Protocol):
    def upsert_paper(self, paper: Paper, source: str) -> None:
        """Store one paper version; a richer source ("api" > "rss" > "import") refreshes it."""
        ...

    def paper(self, arxiv_id: str, version: int | None = None) -> Paper | None:
        """A stored paper: the given version, or the latest one."""
        ...

    def stored_versions(self, papers: Sequence[Paper]) -> set[str]:
        """The versioned ids of those of ``papers`` whose version the archive has."""
        ...

    def set_paper_translation(
        self, paper: Paper, title_zh: str | None, abstract_zh: str | None
    ) -> None:
        """The current Chinese text of a stored paper version (what search and pages show);
        None keeps what was there. A paper version not in the archive is left alone."""
        ...

    def archived_papers(self, arxiv_ids: Sequence[str]) -> dict[str, ArchivedPaper]: ...

    def paper_versions(self, arxiv_id: str) -> list[PaperVersion]: ...

    def listing_appearances(self, arxiv_id: str) -> list[ListingAppearance]: ...

    def digest_appearances(self, arxiv_id: str) -> list[DigestAppearance]: ...

    def missing_from_archive(self, arxiv_ids: Sequence[str]) -> tuple[str, ...]: ...

    def save_subject_names(self, names: Mapping[str, str]) -> None: ...

    def subject_names(self) -> dict[str, str]: ...


class Listings(Protocol):
    def has_listing(self, listing_date: date) -> bool: ...

    def save_listing(self, listing: Listing) -> None:
        """Store a listing and its papers in one transaction, replacing an earlier copy."""
        ...

    def listing(self, listing_date: date) -> Listing | None: ...

    def listing_dates(self) -> list[date]: ...


class TranslationCache(Protocol):
    def cached_translation(self, source_text: str, kind: str, key: TranslationKey) -> str | None:
        """This engine's own translation first, then imported translation memory, then any
        other engine's newest; white space in ``source_text`` does not matter."""
        ...

    def save_translation(
        self, source_text: str, kind: str, text: str, key: TranslationKey
    ) -> None: ...

    def save_tldr(self, paper: Paper, tldr: str, *, engine: str, model: str) -> None: ...

    def tldrs_for(self, papers: Sequence[Paper]) -> dict[str, str]:
        """The stored TL;DRs of ``papers``, keyed by ``Paper.versioned_id``."""
        ...


class Digests(Protocol):
    def save_matches(self, listing_date: date, matches: Mapping[str, Sequence[Match]]) -> None: ...

    def delivered(self, topics: Sequence[str], before: date) -> dict[str, set[str]]:
        """arXiv ids already delivered under each topic in digests dated before ``before``."""
        ...

    def save_digest(self, digest: Digest, *, source_for_papers: str = "rss") -> None: ...

    def digest(self, listing_date: date) -> Digest | None: ...

    def digest_dates(self) -> list[date]: ...

    def latest_digest_date(self) -> date | None: ...

    def neighbouring_digests(self, day: date) -> tuple[date | None, date | None]: ...

    def digest_sizes(self, start: date, end: date) -> dict[date, int]: ...

    def topic_names(self) -> list[str]: ...

    def digest_dates_with(self, arxiv_ids: Sequence[str]) -> list[date]: ...

    def term_neighbours(self, arxiv_id: str, *, limit: int = 8) -> list[TermNeighbour]: ...


class Search(Protocol):
    def search(self, query: SearchQuery, *, limit: int = 20, offset: int = 0) -> SearchPage:
        """One page of papers (latest versions) matching the words and every filter. Papers
        with the words in their title first, then the rest; newest first within each."""
        ...


class Signals(Protocol):
    def save_signals(
        self, found: Sequence[CommunitySignals], *, observed_at: datetime
    ) -> SavedSignals: ...

    def stored_signals(self, arxiv_ids: Sequence[str]) -> dict[str, StoredSignals]: ...

    def upvote_history(self, arxiv_id: str) -> list[tuple[datetime, int]]: ...

    def has_community_signals(self) -> bool: ...

    def community_trending(
        self,
        *,
        window: str,
        end_date: date,
        topic: Topic | str | None = None,
        limit: int = 30,
    ) -> tuple[TrendingPaper, ...]: ...


class Reactions(Protocol):
    def set_reaction(
        self, kind: Reaction, reader: str, arxiv_id: str, on: bool, at: datetime
    ) -> bool: ...

    def reaction_counts(self, arxiv_ids: Sequence[str]) -> dict[str, Counts]: ...

    def reader_marks(self, reader: str) -> ReaderMarks: ...

    def starred(self, reader: str, *, limit: int = 500) -> list[tuple[str, str]]: ...

    def all_starred(self) -> list[str]: ...

    def upvote_trending(
        self, since: datetime, *, topic: str | None = None, limit: int = 30, offset: int = 0
    ) -> list[TrendingRow]: ...

    def stamps(self) -> Stamps: ...

    def signing_secret(self) -> str: ...


class Embeddings(Protocol):
    def embedded_hashes(self, model: str, papers: Sequence[Paper]) -> dict[str, str]:
        """The text hash each stored paper version is embedded under, by versioned id."""
        ...

    def vectors_by_hash(self, model: str, hashes: Sequence[str]) -> dict[str, bytes]: ...

    def save_vectors(self, model: str, dim: int, vectors: Iterable[tuple[str, bytes]]) -> None: ...

    def link_embeddings(self, model: str, links: Iterable[tuple[Paper, str]]) -> None:
        """Point paper versions at the stored vector of a text hash."""
        ...

    def paper_vectors(self, model: str, papers: Sequence[Paper]) -> dict[str, bytes]:
        """The vectors of those paper versions that have one, by versioned id."""
        ...

    def latest_paper_vector(self, model: str, arxiv_id: str) -> StoredVector | None: ...

    def nearest_papers(
        self,
        model: str,
        vector: bytes,
        *,
        limit: int,
        exclude: Sequence[str] = (),
        method: VectorSearch = "auto",
    ) -> list[Neighbour]:
        """The ``limit`` papers (newest embedded version each) nearest to ``vector`` by cosine,
        leaving out ``exclude``. ``exact`` searches every vector; ``approximate`` an index."""
        ...

    def refresh_vector_index(
        self, model: str, dim: int, on_progress: Callable[[int], None] | None = None
    ) -> int:
        """Bring the approximate index up to date; returns how many vectors it added."""
        ...

    def papers_without_embedding(self, model: str, *, limit: int | None = None) -> list[Paper]: ...

    def embedding_count(self, model: str) -> int: ...


class Scores(Protocol):
    def save_scores(self, listing_date: date, scores: Mapping[str, Score]) -> None: ...

    def scores_for(self, listing_date: date) -> dict[str, Score]: ...


class Deliveries(Protocol):
    """The delivery ledger: each (listing, channel, recipient) goes out once.

    ``begin_delivery`` is durable (on disk when it returns) before anything leaves the machine;
    a row still "sending" when the next deliverer takes ``delivery_lock`` belonged to a process
    that died, and ``recover_interrupted_deliveries`` makes it "uncertain"."""

    def delivery_lock(self) -> AbstractContextManager[None]: ...

    def delivery_record(
        self, listing_date: date, channel: str, recipient: str
    ) -> DeliveryRecord | None: ...

    def delivery_records(self, listing_date: date | None = None) -> list[DeliveryRecord]: ...

    def retryable_deliveries(self) -> list[DeliveryRecord]: ...

    def delivery_group(self, message_key: str) -> list[DeliveryRecord]: ...

    def recover_interrupted_deliveries(self) -> list[DeliveryRecord]: ...

    def begin_delivery(
        self,
        dates: Sequence[date],
        channel: str,
        recipient: str,
        message_key: str,
        parts_total: int,
    ) -> int: ...

    def delivery_part_sent(self, message_key: str, parts_sent: int) -> None: ...

    def finish_delivery(self, message_key: str, detail: str = "") -> None: ...

    def fail_delivery(self, message_key: str, error: str, *, uncertain: bool = False) -> None: ...

    def skip_delivery(
        self, dates: Sequence[date], channel: str, recipient: str, message_key: str, reason: str
    ) -> None: ...


class Runs(Protocol):
    def start_run(self, listing_date: date) -> RunId:
        """Record a new run; earlier runs of the date still "running" were killed: say so."""
        ...

    def finish_run(self, run_id: RunId, report: RunReport) -> None: ...

    def runs(self, limit: int = 20) -> list[RunRecord]: ...


class HttpCache(Protocol):
    def http_cache_get(self, url: str) -> StoredResponse | None: ...

    def http_cache_put(self, url: str, response: StoredResponse) -> None: ...


class Archive(
    Lifecycle,
    Papers,
    Listings,
    TranslationCache,
    Digests,
    Search,
    Signals,
    Reactions,
    Embeddings,
    Scores,
    Deliveries,
    Runs,
    HttpCache,
    Protocol,
):
    """Every aggregate: what ``paperfeed.archive.open_archive`` returns."""

    def __enter__(self) -> Archive: ...

    def __exit__(self, *exc: object) -> None: ...
