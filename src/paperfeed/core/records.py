"""Records that flow between the stages.

One frozen, slotted dataclass per concept; tuples instead of lists so records hash and
compare. Derived data gets its own record: nothing is ever assigned onto a ``Paper``.
Only ``store`` converts these to and from rows; only ``sources`` converts upstream bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

AnnounceType = Literal["new", "cross", "replace", "replace-cross"]
ANNOUNCE_TYPES: tuple[AnnounceType, ...] = ("new", "cross", "replace", "replace-cross")

Field = Literal["title", "abstract", "authors", "categories"]

# Version 0 marks a paper whose version is unknown: it came from an imported digest,
# which names papers without a version. Real versions start at 1.
UNKNOWN_VERSION = 0

# What needs folding: a run of spaces, or any white space other than a space. White space is
# what str.isspace() says (and the regex \s, and str.split()): ASCII's, then the rest of Unicode's.
_ASCII_FOLDS = ("  ", "\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")
_UNICODE_SPACES = (
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_SHORT = 64  # below this, splitting is cheaper than looking first


def text_hash(text: str) -> str:
    """The key a text is cached under (translations, embeddings): SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fold_whitespace(text: str) -> str:
    """One line: line breaks and runs of white space folded to one space, ends trimmed."""
    # Most long texts (abstracts) are one line already: looking for something to fold with
    # `in` (a C memchr each) is several times faster than splitting them into words.
    if len(text) < _SHORT or _needs_folding(text):
        return " ".join(text.split())
    return text.strip()


def _needs_folding(text: str) -> bool:
    for mark in _ASCII_FOLDS:
        if mark in text:
            return True
    if text.isascii():
        return False
    for space in _UNICODE_SPACES:  # noqa: SIM110  (a plain loop: any() over a generator is slower)
        if space in text:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Paper:
    """One version of one arXiv paper, as metadata."""

    arxiv_id: str  # without version: "2606.04029", "hep-th/9901001"
    version: int  # 1.., or UNKNOWN_VERSION for imported papers
    title: str
    authors: tuple[str, ...]
    abstract: str
    categories: tuple[str, ...]  # primary first, then the rest as arXiv lists them
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    published: datetime | None = None  # submission of v1 (aware, UTC)
    updated: datetime | None = None  # submission of this version (aware, UTC)

    @property
    def primary_category(self) -> str:
        return self.categories[0] if self.categories else ""

    @property
    def versioned_id(self) -> str:
        return f"{self.arxiv_id}v{self.version}" if self.version else self.arxiv_id

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}"

    @property
    def html_url(self) -> str:
        return f"https://arxiv.org/html/{self.versioned_id}"


@dataclass(frozen=True, slots=True)
class ListingItem:
    """A paper as it appeared in one day's listing."""

    paper: Paper
    announce_type: AnnounceType


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One fetched RSS feed (one category or archive, one day)."""

    feed: str  # what was requested: "cs", "cs.LG", "cs.LG+stat.ML"
    listing_date: date | None  # the channel pubDate's day; None when the channel has none
    items: tuple[ListingItem, ...]


@dataclass(frozen=True, slots=True)
class Listing:
    """One announcement's listing: papers de-duplicated across feeds."""

    listing_date: date
    items: tuple[ListingItem, ...]
    feeds: tuple[str, ...] = ()  # the feeds it was assembled from
    source: str = "rss"  # "rss", "api" (back-filled), "import"


@dataclass(frozen=True, slots=True)
class MatchedTerm:
    """One query term that matched, and where."""

    term: str  # the term as the query wrote it: "reinforcement learning", "cs.RO"
    field: Field
    text: str  # the text it matched as the paper wrote it: "Reinforcement-Learning"


@dataclass(frozen=True, slots=True)
class Match:
    """A paper selected for a topic, and why."""

    topic: str
    paper: Paper
    announce_type: AnnounceType | None
    terms: tuple[MatchedTerm, ...]


@dataclass(frozen=True, slots=True)
class Translation:
    """A paper's title and abstract in another language; None where not translated."""

    arxiv_id: str
    version: int
    lang: str  # "zh"
    engine: str  # "none", "import", "openai", "local", ...
    model: str
    title: str | None
    abstract: str | None

    @property
    def complete(self) -> bool:
        return self.title is not None and self.abstract is not None


@dataclass(frozen=True, slots=True)
class DigestEntry:
    paper: Paper
    title_zh: str | None  # None: not translated (renderings show the English, marked)
    abstract_zh: str | None
    announce_type: AnnounceType | None
    terms: tuple[MatchedTerm, ...] = ()

    @property
    def translated(self) -> bool:
        return self.title_zh is not None and self.abstract_zh is not None


@dataclass(frozen=True, slots=True)
class DigestSection:
    topic: str
    entries: tuple[DigestEntry, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    listing_date: date
    header: str  # the first line of the seed text format, verbatim
    generated_at: datetime  # aware
    announced_at: datetime | None  # aware; None when unknown (some imports)
    timezone: str  # IANA name of the reader's zone: "Asia/Shanghai"
    sections: tuple[DigestSection, ...]
    source: str = "run"  # "run" or "import"

    @property
    def paper_count(self) -> int:
        return len({e.paper.arxiv_id for s in self.sections for e in s.entries})

    @property
    def papers(self) -> tuple[DigestEntry, ...]:
        """Distinct entries, first occurrence wins, in section order."""
        seen: set[str] = set()
        out: list[DigestEntry] = []
        for section in self.sections:
            for entry in section.entries:
                if entry.paper.arxiv_id not in seen:
                    seen.add(entry.paper.arxiv_id)
                    out.append(entry)
        return tuple(out)


RunStatus = Literal["done", "no-listing", "failed", "partial"]


@dataclass(frozen=True, slots=True)
class TranslationCost:
    """What a run's translating cost: stored with the run, shown by ``paperfeed runs``."""

    engine: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0  # model calls (HTTP requests, or local decoding calls)
    deferred: int = 0  # papers the token budget left for the next run

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class StageName(StrEnum):
    """The one list of the day's stages, in the order a run goes through them."""

    FETCH = "fetch"
    SELECT = "select"
    RELEVANCE = "relevance"
    TRANSLATE = "translate"
    DIGEST = "digest"
    WRITE = "write"
    DELIVER = "deliver"
    SIGNALS = "signals"

    @property
    def label(self) -> str:
        """How a run's summary names the stage ("translation: 3 cached, 5 new")."""
        return _STAGE_LABELS.get(self, self.value)


_STAGE_LABELS = {
    StageName.TRANSLATE: "translation",
    StageName.DELIVER: "delivery",
    StageName.SIGNALS: "community signals",
}

StageStatus = Literal["ok", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class StageResult:
    stage: StageName
    status: StageStatus
    detail: str = ""


@dataclass(frozen=True, slots=True)
class RunReport:
    listing_date: date
    status: RunStatus
    reason: str = ""  # why there is no listing, or what failed
    stages: tuple[StageResult, ...] = ()
    listing_size: int = 0
    topic_counts: tuple[tuple[str, int], ...] = ()
    paper_count: int = 0
    untranslated: int = 0
    files: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()
    translation: TranslationCost | None = None  # None: nothing was sent to a model
