"""Community signals: what readers elsewhere (Hugging Face Daily Papers) say about a paper.

Records only. ``sources.huggingface`` builds ``CommunitySignals`` from the upstream JSON,
``store.signals`` keeps them per arXiv id (newest values win, a short history shows growth) and
ranks them into ``TrendingPaper`` rows, ``community`` wires the refresh into a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from paperfeed.core.records import UNKNOWN_VERSION, MatchedTerm, Paper

TrendingWindow = Literal["day", "week", "month"]
# Days a window spans, ending with (and including) its last day. The web app's trending page
# uses the same lengths for its own upvotes.
WINDOW_DAYS: dict[str, int] = {"day": 1, "week": 7, "month": 30}


@dataclass(frozen=True, slots=True)
class CommunitySignals:
    """One arXiv paper as one Hugging Face payload described it.

    ``None`` means "this payload did not say": the daily list carries comments but not the
    linked models, the single-paper endpoint the other way round, and the stored record keeps
    the last known value of whatever a newer payload leaves out.
    """

    arxiv_id: str  # without version, as on arXiv
    title: str
    summary: str
    upvotes: int
    authors: tuple[str, ...] = ()
    comments: int | None = None
    daily_date: date | None = None  # the Daily Papers page it was featured on
    published: datetime | None = None  # arXiv publication, as Hugging Face has it
    submitted_by: str | None = None  # Hugging Face user name of whoever featured it
    organization: str | None = None  # the organization's account name ("MHUGLab")
    organization_name: str | None = None  # its full name
    github_repo: str | None = None  # full URL
    github_stars: int | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    models: tuple[str, ...] | None = None  # linked model repo ids ("org/name")
    datasets: tuple[str, ...] | None = None
    spaces: tuple[str, ...] | None = None
    models_total: int | None = None  # all linked models (the payload may list fewer)
    datasets_total: int | None = None
    spaces_total: int | None = None

    @property
    def hf_url(self) -> str:
        return f"https://huggingface.co/papers/{self.arxiv_id}"


@dataclass(frozen=True, slots=True)
class StoredSignals:
    """The archive's latest signals for one paper, and when it first and last saw them."""

    signals: CommunitySignals
    first_seen: datetime
    updated: datetime
    first_upvotes: int  # upvotes at the first observation: growth is ``upvotes - first_upvotes``


@dataclass(frozen=True, slots=True)
class TrendingPaper:
    """One row of the community trending list: signals, and the archive's copy when it has one."""

    signals: CommunitySignals
    paper: Paper | None  # the archive's latest version; None until its arXiv metadata is stored
    title_zh: str | None
    abstract_zh: str | None
    listing_date: date | None  # the latest arXiv listing the archive saw it in
    gained: int  # upvotes gained since paperfeed first saw the paper
    terms: tuple[MatchedTerm, ...] = ()  # why it matched the topic asked for

    @property
    def arxiv_id(self) -> str:
        return self.signals.arxiv_id

    @property
    def title(self) -> str:
        return self.paper.title if self.paper is not None else self.signals.title

    @property
    def abstract(self) -> str:
        return self.paper.abstract if self.paper is not None else self.signals.summary

    @property
    def upvotes(self) -> int:
        return self.signals.upvotes

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"


def hf_paper(signals: CommunitySignals) -> Paper:
    """A stand-in ``Paper`` from Hugging Face's copy, for papers the archive lacks (no
    categories, version unknown): enough to match topic queries and to translate."""
    return Paper(
        arxiv_id=signals.arxiv_id,
        version=UNKNOWN_VERSION,
        title=signals.title,
        authors=signals.authors,
        abstract=signals.summary,
        categories=(),
        published=signals.published,
    )
