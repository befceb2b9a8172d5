"""The JSON API: the pages' data as documents, described by the OpenAPI schema at
``/api/openapi.json``. Reads need nothing; writes need the reader cookie and its CSRF token in
``X-CSRF-Token`` (``GET /api/session`` gives both), plus the server's token when it is not on
loopback (``Authorization: Bearer ...``)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator

from paperfeed.app.web.page_data import (
    DayOutOfRange,
    Reaction,
    Site,
    UnknownPaper,
    Window,
    check_day,
    split_version,
)
from paperfeed.app.web.schemas import (
    DigestDatesOut,
    DigestOut,
    HealthOut,
    PaperDetailOut,
    Problem,
    ReactionOut,
    SearchOut,
    SessionOut,
    StarsOut,
    TrendingOut,
    digest_out,
    escape_json,
    health_out,
    json_response,
    paper_detail_out,
    reaction_out,
    search_out,
    stars_out,
    trending_out,
)
from paperfeed.app.web.security import Reader, write_problem
from paperfeed.app.web.state import WebState, current_reader, current_site, web_state
from paperfeed.archive.records import SearchQuery

router = APIRouter(prefix="/api", tags=["api"])

SiteDep = Annotated[Site, Depends(current_site)]
ReaderDep = Annotated[Reader, Depends(current_reader)]
StateDep = Annotated[WebState, Depends(web_state)]
ArxivId = Annotated[
    str, Path(description="arXiv id, e.g. 2606.04029 or hep-th/9901001", max_length=100)
]
CsrfHeader = Annotated[
    str | None, Header(alias="X-CSRF-Token", description="From GET /api/session.")
]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    """Only YYYY-MM-DD: pydantic alone would also take "0" (a Unix time) for a date."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("write the date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "The server's token is needed (Authorization: Bearer)."},
    403: {"model": Problem, "description": "CSRF token missing or wrong, or writes are off."},
    404: {"model": Problem},
}
MAX_PAGE = 50


# Documents go out through schemas.json_response (markup characters escaped), so routes return
# a Response and name their document in ``responses`` for the OpenAPI schema.


def _documents(
    model: type[BaseModel], errors: dict[int | str, dict[str, Any]] | None = None
) -> Any:
    return {"response_model": None, "responses": {200: {"model": model}, **(errors or {})}}


@router.get(
    "/session",
    summary="This reader's CSRF token and whether it may write",
    **_documents(SessionOut),
)
async def session(state: StateDep, reader: ReaderDep) -> Response:
    return json_response(
        SessionOut(
            csrf_token=reader.csrf,
            can_write=not state.options.needs_token
            or (reader.authorized and state.options.write_token is not None),
            login_required=state.options.needs_token and not reader.authorized,
        )
    )


@router.get(
    "/digests", summary="The listing dates that have a digest", **_documents(DigestDatesOut)
)
def digest_dates(site: SiteDep) -> Response:
    dates = sorted(site.store.digest_dates(), reverse=True)
    return json_response(DigestDatesOut(latest=dates[0] if dates else None, dates=dates))


@router.get(
    "/digests/{listing_date}",
    summary="One listing date's digest, grouped by topic",
    **_documents(DigestOut, NOT_FOUND),
)
async def digest(listing_date: IsoDate, state: StateDep, site: SiteDep) -> Response:
    try:
        check_day(listing_date)
    except DayOutOfRange as exc:
        raise HTTPException(404, f"no arXiv listing: {exc}") from None
    stamps = site.stamps()

    def make() -> bytes | str:
        view = site.day_page(listing_date)
        if view.digest is None:
            return view.reason or "no digest"
        names = site.store.subject_names()
        return escape_json(digest_out(view, names).model_dump_json())

    key = ("api-digest", listing_date, stamps.archive, stamps.reactions, site.latest_listing())
    found = await state.cache.get(key, make)
    if isinstance(found, str):
        raise HTTPException(404, found)
    return Response(found, media_type="application/json")


@router.get(
    "/papers/{arxiv_id:path}",
    summary="One paper: metadata in both languages, versions, digests, related papers",
    **_documents(PaperDetailOut, NOT_FOUND),
)
async def paper(arxiv_id: ArxivId, state: StateDep, site: SiteDep) -> Response:
    base = split_version(arxiv_id)[0]
    stamps = site.stamps()

    def make() -> bytes | None:
        try:
            view = site.paper_page(base)
        except UnknownPaper:
            return None
        return escape_json(paper_detail_out(view, site.store.subject_names()).model_dump_json())

    found = await state.cache.get(("api-paper", base, stamps.archive, stamps.reactions), make)
    if found is None:
        raise HTTPException(404, f"The archive has no paper {arxiv_id}.")
    return Response(found, media_type="application/json")


@router.get(
    "/search",
    summary="Full-text search (English and Chinese) with filters",
    **_documents(SearchOut),
)
def search(
    site: SiteDep,
    q: Annotated[str, Query(max_length=500, description='Words; "phrases"; AND/OR/NOT; 中文')] = "",
    topic: Annotated[str | None, Query(max_length=200)] = None,
    date_from: Annotated[
        IsoDate | None, Query(alias="from", description="First listing date")
    ] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to", description="Last listing date")] = None,
    category: Annotated[
        str | None, Query(max_length=50, description="cs.LG, or an archive: cs")
    ] = None,
    author: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    query = SearchQuery(
        text=q,
        topic=topic or None,
        date_from=date_from,
        date_to=date_to,
        category=(category or "").strip() or None,
        author=(author or "").strip() or None,
    )
    return json_response(search_out(site.search(query, page, per_page), site.store.subject_names()))


@router.get(
    "/trending", summary="Papers ranked by upvotes within a window", **_documents(TrendingOut)
)
def trending(
    site: SiteDep,
    window: Window = "week",
    topic: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> Response:
    result = site.trending(window, topic or None, limit)
    return json_response(trending_out(result, site.store.subject_names()))


@router.get(
    "/health",
    summary="The archive's and the daemon's health (200 either way: see ok)",
    **_documents(HealthOut),
)
def health(state: StateDep, site: SiteDep) -> Response:
    return json_response(health_out(site.health(state.options.status_path)))


@router.get(
    "/stars", summary="This reader's starred papers (the reading list)", **_documents(StarsOut)
)
def stars(site: SiteDep, reader: ReaderDep) -> Response:
    if reader.new:
        return json_response(StarsOut(results=[]))
    return json_response(stars_out(site.reading_list(reader.id), site.store.subject_names()))


def _write(
    kind: Reaction,
    on: bool,
    arxiv_id: str,
    state: WebState,
    site: Site,
    reader: Reader,
    csrf: str | None,
) -> Response:
    problem = write_problem(
        reader,
        csrf,
        needs_token=state.options.needs_token,
        token_set=state.options.write_token is not None,
    )
    if problem == "csrf":
        raise HTTPException(
            403,
            "X-CSRF-Token is missing or does not belong to this reader's cookie: "
            "GET /api/session for both",
        )
    if problem == "disabled":
        raise HTTPException(403, "writes are off: the server is not on loopback and has no token")
    if problem == "login":
        raise HTTPException(
            401,
            "this server needs its token for writes: send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        state_now = site.react(kind, reader.id, split_version(arxiv_id)[0], on)
    except UnknownPaper:
        raise HTTPException(404, f"The archive has no paper {arxiv_id}.") from None
    return json_response(reaction_out(state_now))


@router.post(
    "/stars/{arxiv_id:path}", summary="Star a paper", **_documents(ReactionOut, WRITE_ERRORS)
)
def star(
    arxiv_id: ArxivId, state: StateDep, site: SiteDep, reader: ReaderDep, csrf: CsrfHeader = None
) -> Response:
    return _write("star", True, arxiv_id, state, site, reader, csrf)


@router.delete(
    "/stars/{arxiv_id:path}", summary="Remove a star", **_documents(ReactionOut, WRITE_ERRORS)
)
def unstar(
    arxiv_id: ArxivId, state: StateDep, site: SiteDep, reader: ReaderDep, csrf: CsrfHeader = None
) -> Response:
    return _write("star", False, arxiv_id, state, site, reader, csrf)


@router.post(
    "/upvotes/{arxiv_id:path}",
    summary="Upvote a paper (once per reader; again is a no-op)",
    **_documents(ReactionOut, WRITE_ERRORS),
)
def upvote(
    arxiv_id: ArxivId, state: StateDep, site: SiteDep, reader: ReaderDep, csrf: CsrfHeader = None
) -> Response:
    return _write("upvote", True, arxiv_id, state, site, reader, csrf)


@router.delete(
    "/upvotes/{arxiv_id:path}",
    summary="Withdraw an upvote",
    **_documents(ReactionOut, WRITE_ERRORS),
)
def withdraw_upvote(
    arxiv_id: ArxivId, state: StateDep, site: SiteDep, reader: ReaderDep, csrf: CsrfHeader = None
) -> Response:
    return _write("upvote", False, arxiv_id, state, site, reader, csrf)
