"""The JSON API's documents (pydantic models: they make the OpenAPI schema) and the
conversions from ``site`` records."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from paperfeed.app.health import Health
from paperfeed.app.web.page_data import (
    DayPage,
    PaperItem,
    PaperPage,
    ReactionState,
    ReadingList,
    SearchResult,
    TrendingResult,
)
from paperfeed.core.records import MatchedTerm
from paperfeed.core.taxonomy import subject_label

# <, > and & only ever occur inside JSON strings, where \u escapes mean the same characters to
# every JSON parser; escaped, a document holds no markup even for a browser that sniffs it.
_MARKUP_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))


def escape_json(text: str) -> bytes:
    for char, escape in _MARKUP_ESCAPES:
        text = text.replace(char, escape)
    return text.encode("utf-8")


def json_response(document: BaseModel, status_code: int = 200) -> Response:
    return Response(
        escape_json(document.model_dump_json()),
        status_code=status_code,
        media_type="application/json",
    )


class SafeJSONResponse(JSONResponse):
    """JSONResponse with markup characters escaped (error documents echo what was asked)."""

    def render(self, content: Any) -> bytes:
        return escape_json(
            json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        )


class Problem(BaseModel):
    """An error: what failed, and what to do about it."""

    detail: str
    hint: str | None = None


class MatchedTermOut(BaseModel):
    term: str = Field(description="The term as the topic query wrote it.")
    field: Literal["title", "abstract", "authors", "categories"]
    text: str = Field(description="The text it matched, as the paper wrote it.")


class PaperOut(BaseModel):
    id: str = Field(description="arXiv id without version, e.g. 2606.04029")
    version: int = Field(description="Latest version the archive holds; 0 = unknown (imported).")
    title: str
    title_zh: str | None = Field(description="Chinese title; null when not translated.")
    abstract: str
    abstract_zh: str | None
    authors: list[str]
    categories: list[str] = Field(description="Primary category first.")
    subjects: list[str] = Field(
        description='Category names as digests print them: "Machine Learning (cs.LG)".'
    )
    announce_type: Literal["new", "cross", "replace", "replace-cross"] | None
    listing_date: date | None = Field(description="The latest listing or digest it appeared in.")
    published: datetime | None = Field(description="Submission of version 1 (UTC).")
    updated: datetime | None = Field(description="Submission of this version (UTC).")
    comment: str | None
    journal_ref: str | None
    doi: str | None
    matched_terms: list[MatchedTermOut] = Field(description="Why a digest selected it, when known.")
    stars: int
    upvotes: int
    abs_url: str
    pdf_url: str
    html_url: str
    page_url: str = Field(description="This paper's page on this site.")


class TopicOut(BaseModel):
    name: str
    count: int
    papers: list[PaperOut]


class DigestOut(BaseModel):
    listing_date: date
    announced_at: datetime | None
    generated_at: datetime
    timezone: str
    paper_count: int = Field(description="Distinct papers; a paper may sit under several topics.")
    topics: list[TopicOut]
    previous_listing: date = Field(
        description="arXiv's previous listing date (may not be archived)."
    )
    next_listing: date | None = Field(description="arXiv's next listing date, once announced.")
    previous_digest: date | None
    next_digest: date | None


class DigestDatesOut(BaseModel):
    latest: date | None
    dates: list[date] = Field(description="Every listing date with a digest, newest first.")


class VersionOut(BaseModel):
    version: int
    source: str
    first_seen: str
    updated: str | None


class ListingAppearanceOut(BaseModel):
    listing_date: date
    announce_type: Literal["new", "cross", "replace", "replace-cross"]


class DigestAppearanceOut(BaseModel):
    listing_date: date
    topic: str
    matched_terms: list[MatchedTermOut]


class RelatedOut(BaseModel):
    paper: PaperOut
    shared_terms: list[str]
    shared_topics: list[str]
    similarity: float | None = None  # cosine of the embeddings, when found by embedding


class PaperDetailOut(BaseModel):
    paper: PaperOut
    versions: list[VersionOut]
    listings: list[ListingAppearanceOut]
    digests: list[DigestAppearanceOut]
    related: list[RelatedOut]


class SearchOut(BaseModel):
    q: str
    topic: str | None
    date_from: date | None
    date_to: date | None
    category: str | None
    author: str | None
    page: int
    per_page: int
    has_more: bool
    results: list[PaperOut]


class TrendingItemOut(BaseModel):
    paper: PaperOut
    votes: int = Field(description="Upvotes inside the window.")


class CommunityItemOut(BaseModel):
    """A paper of Hugging Face Daily Papers; ``paper`` is null until the archive has it."""

    id: str
    title: str
    title_zh: str | None
    upvotes: int
    gained: int  # upvotes gained since paperfeed first saw the paper
    comments: int | None
    github_repo: str | None
    github_stars: int | None
    project_page: str | None
    paper: PaperOut | None


class TrendingOut(BaseModel):
    window: Literal["day", "week", "month"]
    topic: str | None
    since: datetime
    results: list[TrendingItemOut]
    community: list[CommunityItemOut] = []


class StarredOut(BaseModel):
    paper: PaperOut
    starred_at: datetime


class StarsOut(BaseModel):
    results: list[StarredOut]


class ReactionOut(BaseModel):
    id: str
    stars: int
    upvotes: int
    starred: bool = Field(description="This reader has starred it.")
    upvoted: bool = Field(description="This reader has upvoted it.")


class SessionOut(BaseModel):
    csrf_token: str = Field(description="Send it as X-CSRF-Token with every write.")
    can_write: bool
    login_required: bool = Field(description="Writes need the server's token (Bearer) first.")


class RunOut(BaseModel):
    listing_date: str
    status: str = Field(description="running, done, no-listing, failed, partial or interrupted")
    reason: str
    started_at: str
    finished_at: str | None


class DaemonOut(BaseModel):
    state: str
    pid: int | None
    updated_at: datetime | None = Field(description="When the daemon last wrote its status.")
    next_run_at: datetime | None
    next_listing: str | None
    last_tick_at: datetime | None
    delivery: str
    failures: list[str]
    overdue: bool = Field(description="Past its wake-up time by more than an hour.")


class HealthOut(BaseModel):
    ok: bool = Field(description="No problems; the server answers 200 either way.")
    problems: list[str]
    checked_at: datetime
    papers: int = Field(description="Paper versions in the archive.")
    digests: int
    latest_digest: date | None
    latest_listing: date = Field(description="arXiv's latest announced listing date.")
    behind: bool = Field(description="arXiv has announced a listing the archive has no digest of.")
    runs: list[RunOut] = Field(description="The latest runs, newest first.")
    daemon: DaemonOut | None = Field(description="The daemon's status file; null: never ran.")
    daemon_file: str | None


def health_out(health: Health) -> HealthOut:
    d = health.daemon
    return HealthOut(
        ok=health.ok,
        problems=list(health.problems),
        checked_at=health.checked_at,
        papers=health.papers,
        digests=health.digests,
        latest_digest=health.latest_digest,
        latest_listing=health.latest_listing,
        behind=health.behind,
        runs=[
            RunOut(
                listing_date=r.listing_date,
                status=r.status,
                reason=r.reason,
                started_at=r.started_at,
                finished_at=r.finished_at,
            )
            for r in health.runs
        ],
        daemon=None
        if d is None
        else DaemonOut(
            state=d.state,
            pid=d.pid,
            updated_at=d.updated_at,
            next_run_at=d.next_run_at,
            next_listing=d.next_listing,
            last_tick_at=d.last_tick_at,
            delivery=d.delivery,
            failures=list(d.failures),
            overdue=d.overdue,
        ),
        daemon_file=health.daemon_file,
    )


def _terms(terms: tuple[MatchedTerm, ...]) -> list[MatchedTermOut]:
    return [MatchedTermOut(term=t.term, field=t.field, text=t.text) for t in terms]


def paper_out(item: PaperItem, subject_names: dict[str, str] | None = None) -> PaperOut:
    p = item.paper
    return PaperOut(
        id=p.arxiv_id,
        version=p.version,
        title=p.title,
        title_zh=item.title_zh,
        abstract=p.abstract,
        abstract_zh=item.abstract_zh,
        authors=list(p.authors),
        categories=list(p.categories),
        subjects=[subject_label(c, subject_names) for c in p.categories],
        announce_type=item.announce_type,
        listing_date=item.listing_date,
        published=p.published,
        updated=p.updated,
        comment=p.comment,
        journal_ref=p.journal_ref,
        doi=p.doi,
        matched_terms=_terms(item.terms),
        stars=item.counts.stars,
        upvotes=item.counts.upvotes,
        abs_url=p.abs_url,
        pdf_url=p.pdf_url,
        html_url=p.html_url,
        page_url=f"/papers/{p.arxiv_id}",
    )


def digest_out(view: DayPage, names: dict[str, str]) -> DigestOut:
    digest = view.digest
    assert digest is not None
    return DigestOut(
        listing_date=view.day,
        announced_at=digest.announced_at,
        generated_at=digest.generated_at,
        timezone=digest.timezone,
        paper_count=digest.paper_count,
        topics=[
            TopicOut(name=g.name, count=len(g.items), papers=[paper_out(i, names) for i in g.items])
            for g in view.groups
        ],
        previous_listing=view.previous_listing,
        next_listing=view.next_listing,
        previous_digest=view.previous_digest,
        next_digest=view.next_digest,
    )


def paper_detail_out(view: PaperPage, names: dict[str, str]) -> PaperDetailOut:
    return PaperDetailOut(
        paper=paper_out(view.item, names),
        versions=[
            VersionOut(
                version=v.version, source=v.source, first_seen=v.first_seen, updated=v.updated
            )
            for v in view.versions
        ],
        listings=[
            ListingAppearanceOut(listing_date=a.listing_date, announce_type=a.announce_type)
            for a in view.listings
        ],
        digests=[
            DigestAppearanceOut(
                listing_date=d.listing_date, topic=d.topic, matched_terms=_terms(d.terms)
            )
            for d in view.digests
        ],
        related=[
            RelatedOut(
                paper=paper_out(r.item, names),
                shared_terms=list(r.shared_terms),
                shared_topics=list(r.shared_topics),
                similarity=r.similarity,
            )
            for r in view.related
        ],
    )


def search_out(result: SearchResult, names: dict[str, str]) -> SearchOut:
    q = result.query
    return SearchOut(
        q=q.text,
        topic=q.topic,
        date_from=q.date_from,
        date_to=q.date_to,
        category=q.category,
        author=q.author,
        page=result.page,
        per_page=result.per_page,
        has_more=result.has_more,
        results=[paper_out(i, names) for i in result.items],
    )


def trending_out(result: TrendingResult, names: dict[str, str]) -> TrendingOut:
    return TrendingOut(
        window=result.window,
        topic=result.topic,
        since=result.since,
        results=[TrendingItemOut(paper=paper_out(i, names), votes=v) for i, v in result.items],
        community=[
            CommunityItemOut(
                id=row.trending.arxiv_id,
                title=row.trending.title,
                title_zh=row.trending.title_zh,
                upvotes=row.trending.upvotes,
                gained=row.trending.gained,
                comments=row.trending.signals.comments,
                github_repo=row.trending.signals.github_repo,
                github_stars=row.trending.signals.github_stars,
                project_page=row.trending.signals.project_page,
                paper=paper_out(row.item, names) if row.item is not None else None,
            )
            for row in result.community
        ],
    )


def stars_out(reading: ReadingList, names: dict[str, str]) -> StarsOut:
    return StarsOut(
        results=[
            StarredOut(paper=paper_out(i, names), starred_at=datetime.fromisoformat(when))
            for i, when in reading.items
        ]
    )


def reaction_out(state: ReactionState) -> ReactionOut:
    return ReactionOut(
        id=state.arxiv_id,
        stars=state.counts.stars,
        upvotes=state.counts.upvotes,
        starred=state.starred,
        upvoted=state.upvoted,
    )
