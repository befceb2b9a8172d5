"""The HTML pages: today's digest, any date, the calendar, a paper, search, trending, the
reading list (and its exports), the star and upvote forms, login.

Each page renders its main fragment (a ``publish/templates/web/`` template, through
``publish.environment.render_template``) from ``page_data`` records and ``cards``, then wraps
it in the layout with the reader's token and marks. Fragments of the day and paper pages hold
nothing reader-specific, so they are cached, keyed by the archive's change stamps.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from paperfeed.app.web.cards import card, query_needles
from paperfeed.app.web.export import to_bibtex, to_compact
from paperfeed.app.web.page_data import (
    WINDOWS,
    DayOutOfRange,
    Reaction,
    Site,
    UnknownPaper,
    Window,
    check_day,
    split_version,
)
from paperfeed.app.web.security import (
    AUTH_COOKIE,
    COOKIE_MAX_AGE,
    Reader,
    safe_next,
    tokens_equal,
    write_problem,
)
from paperfeed.app.web.state import WebState, current_reader, current_site, web_state
from paperfeed.archive.records import ReaderMarks, SearchQuery
from paperfeed.publish.anchors import paper_anchor, topic_anchor
from paperfeed.publish.environment import render_template
from paperfeed.publish.view import digest_announced

router = APIRouter(include_in_schema=False)

SiteDep = Annotated[Site, Depends(current_site)]
ReaderDep = Annotated[Reader, Depends(current_reader)]
StateDep = Annotated[WebState, Depends(web_state)]

SEARCH_PAGE_SIZE = 20
MAX_SEARCH_PAGE = 50
WINDOW_LABELS = (("day", "Today 今日"), ("week", "This week 本周"), ("month", "This month 本月"))


def current_path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def page(
    request: Request,
    state: WebState,
    reader: Reader,
    site: Site | None,
    *,
    title: str,
    main: str,
    active: str = "",
    status: int = 200,
    search_text: str = "",
) -> HTMLResponse:
    """``main`` wrapped in the layout, with this reader's CSRF token and marks."""
    marks = site.reader_marks(reader.id) if site is not None and not reader.new else ReaderMarks()
    html = render_template(
        "web/layout.html.j2",
        title=title,
        active=active,
        main=Markup(main),
        csrf=reader.csrf,
        marks=marks,
        next_path=current_path(request),
        search_text=search_text,
        login_needed=state.options.needs_token and not reader.authorized,
    )
    return HTMLResponse(html, status_code=status)


def parse_day(text: str, what: str = "date") -> date:
    try:
        return check_day(date.fromisoformat(text))
    except DayOutOfRange as exc:
        raise HTTPException(404, f"There is no arXiv listing to show: {exc}.") from None
    except ValueError:
        raise HTTPException(
            404, f"{what} {text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-06-04"
        ) from None


# -- digests by date --------------------------------------------------------------------------


async def _day_fragment(state: WebState, site: Site, day: date, latest: bool) -> tuple[str, bool]:
    """The day's main fragment, and whether the day has a digest."""
    stamps = site.stamps()
    key = ("day", day, latest, stamps.archive, stamps.reactions, site.latest_listing())

    def make() -> tuple[str, bool]:
        view = site.day_page(day)
        today = site.now().date()
        names = site.store.subject_names()
        # A paper under two topics is on the page twice: its first card has the paper's own
        # anchor (links and the star form come back to it), the second one an id of its own.
        seen: set[str] = set()
        groups = []
        for n, group in enumerate(view.groups, start=1):
            cards = []
            for item in group.items:
                own = paper_anchor(item.paper.arxiv_id)
                cards.append((card(item, today, names), own if own not in seen else f"{own}-{n}"))
                seen.add(own)
            groups.append((group.name, topic_anchor(n), cards))
        announced = digest_announced(view.digest) if view.digest is not None else None
        html = render_template(
            "web/day.html.j2",
            page=view,
            groups=groups,
            month=site.calendar_month(day),
            announced=announced,
            latest=latest,
        )
        return html, view.digest is not None

    return await state.cache.get(key, make)


# Day and paper pages are async: a cached page is answered on the event loop, without a
# thread hop; a miss renders in the thread pool (PageCache.get).
@router.get("/")
async def home(request: Request, state: StateDep, site: SiteDep, reader: ReaderDep) -> HTMLResponse:
    latest = site.latest_day()
    if latest is None:
        main = render_template(
            "web/empty.html.j2",
            month=site.calendar_month(site.latest_listing()),
            message="The archive has no digests yet: run `paperfeed run` to fetch the latest "
            "listing, or `paperfeed import FILE` to bring in digests you already have.",
        )
        return page(request, state, reader, site, title="No digests yet", main=main, active="home")
    main, _ = await _day_fragment(state, site, latest, latest=True)
    return page(request, state, reader, site, title=f"arXiv {latest}", main=main, active="home")


@router.get("/day/{day}")
async def day_page(
    day: str, request: Request, state: StateDep, site: SiteDep, reader: ReaderDep
) -> HTMLResponse:
    wanted = parse_day(day)
    main, found = await _day_fragment(state, site, wanted, latest=wanted == site.latest_day())
    return page(
        request,
        state,
        reader,
        site,
        title=f"arXiv {wanted}",
        main=main,
        status=200 if found else 404,
    )


@router.get("/calendar")
def calendar_page(
    request: Request,
    state: StateDep,
    site: SiteDep,
    reader: ReaderDep,
    month: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    if month:
        first = parse_day(f"{month}-01", "month")
    else:
        first = site.latest_day() or site.latest_listing()
    main = render_template("web/calendar.html.j2", month=site.calendar_month(first))
    return page(request, state, reader, site, title="Calendar", main=main, active="calendar")


# -- one paper --------------------------------------------------------------------------------


@router.get("/papers/{arxiv_id:path}", response_model=None)
async def paper_page(
    arxiv_id: str, request: Request, state: StateDep, site: SiteDep, reader: ReaderDep
) -> Response:
    base, version = split_version(arxiv_id)
    if version is not None:
        return RedirectResponse(f"/papers/{base}", status_code=301)
    stamps = site.stamps()

    def make() -> tuple[str, str] | None:
        try:
            view = site.paper_page(base)
        except UnknownPaper:
            return None
        today = site.now().date()
        names = site.store.subject_names()
        main = render_template(
            "web/paper.html.j2",
            page=view,
            c=card(view.item, today, names),
            related=[
                (card(r.item, today, names), r.shared_terms, r.shared_topics, r.similarity)
                for r in view.related
            ],
        )
        return main, view.item.paper.title

    found = await state.cache.get(("paper", base, stamps.archive, stamps.reactions), make)
    if found is None:
        raise HTTPException(
            404,
            f"The archive has no paper {base}. It holds the papers of the listings and digests "
            "you fetched or imported; search for it, or open it on arxiv.org.",
        )
    main, title = found
    return page(request, state, reader, site, title=title, main=main)


# -- search, trending, reading list -----------------------------------------------------------


def _optional_day(text: str, name: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise HTTPException(
            400, f"{name}: {text!r} is not a date; write it as YYYY-MM-DD"
        ) from None


@router.get("/search")
def search_page(
    request: Request,
    state: StateDep,
    site: SiteDep,
    reader: ReaderDep,
    q: Annotated[str, Query(max_length=500)] = "",
    topic: Annotated[str, Query(max_length=200)] = "",
    date_from: Annotated[str, Query(alias="from", max_length=20)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=20)] = "",
    category: Annotated[str, Query(max_length=50)] = "",
    author: Annotated[str, Query(max_length=200)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_SEARCH_PAGE)] = 1,
) -> HTMLResponse:
    query = SearchQuery(
        text=q,
        topic=topic or None,
        date_from=_optional_day(date_from, "from"),
        date_to=_optional_day(date_to, "to"),
        category=category.strip() or None,
        author=author.strip() or None,
    )
    result = site.search(query, page_number, SEARCH_PAGE_SIZE)
    today = site.now().date()
    names = site.store.subject_names()
    needles = query_needles(q)
    form = {
        "q": q,
        "topic": topic,
        "date_from": date_from,
        "date_to": date_to,
        "category": category,
        "author": author,
    }
    kept = {
        k: v
        for k, v in (
            ("q", q),
            ("topic", topic),
            ("from", date_from),
            ("to", date_to),
            ("category", category),
            ("author", author),
        )
        if v
    }

    def link(number: int) -> str:
        return "/search?" + urlencode({**kept, "page": number})

    main = render_template(
        "web/search.html.j2",
        result=result,
        cards=[card(item, today, names, needles) for item in result.items],
        topics=site.topics(),
        form=form,
        prev_url=link(page_number - 1) if page_number > 1 else None,
        next_url=link(page_number + 1)
        if result.has_more and page_number < MAX_SEARCH_PAGE
        else None,
    )
    title = f"Search: {q}" if q else "Search"
    return page(request, state, reader, site, title=title, main=main, search_text=q)


@router.get("/trending")
def trending_page(
    request: Request,
    state: StateDep,
    site: SiteDep,
    reader: ReaderDep,
    window: Annotated[str, Query(max_length=10)] = "week",
    topic: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    if window not in WINDOWS:
        raise HTTPException(400, f"window must be day, week or month; got {window!r}")
    chosen: Window = "day" if window == "day" else "week" if window == "week" else "month"
    result = site.trending(chosen, topic or None)
    today = site.now().date()
    names = site.store.subject_names()
    main = render_template(
        "web/trending.html.j2",
        result=result,
        cards=[(card(item, today, names), votes) for item, votes in result.items],
        community=[
            (row.trending, card(row.item, today, names) if row.item is not None else None)
            for row in result.community
        ],
        topics=site.topics(),
        windows=WINDOW_LABELS,
    )
    return page(request, state, reader, site, title="Trending", main=main, active="trending")


@router.get("/stars")
def stars_page(request: Request, state: StateDep, site: SiteDep, reader: ReaderDep) -> HTMLResponse:
    reading = site.reading_list(reader.id) if not reader.new else None
    today = site.now().date()
    names = site.store.subject_names()
    cards = [(card(item, today, names), when) for item, when in (reading.items if reading else ())]
    main = render_template("web/stars.html.j2", cards=cards)
    return page(request, state, reader, site, title="Reading list", main=main, active="stars")


@router.get("/stars.bib")
def stars_bibtex(site: SiteDep, reader: ReaderDep) -> Response:
    items = [item for item, _ in site.reading_list(reader.id).items] if not reader.new else []
    return Response(
        to_bibtex(items),
        media_type="application/x-bibtex; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="paperfeed-stars.bib"'},
    )


@router.get("/stars.txt")
def stars_compact(site: SiteDep, reader: ReaderDep) -> Response:
    items = [item for item, _ in site.reading_list(reader.id).items] if not reader.new else []
    return Response(
        to_compact(items),
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="paperfeed-stars.txt"'},
    )


# -- writes -----------------------------------------------------------------------------------


def _react(
    kind: Reaction,
    arxiv_id: str,
    request: Request,
    state: WebState,
    site: Site,
    reader: Reader,
    csrf: str | None,
    next_path: str | None,
) -> RedirectResponse:
    back = safe_next(next_path)
    problem = write_problem(
        reader,
        csrf,
        needs_token=state.options.needs_token,
        token_set=state.options.write_token is not None,
    )
    if problem == "login":
        return RedirectResponse("/login?" + urlencode({"next": back}), status_code=303)
    if problem == "disabled":
        raise HTTPException(
            403,
            "Starring and upvoting are off: this server listens on "
            f"{state.options.bind_host}, and no PAPERFEED_WEB_TOKEN was set when it started.",
        )
    if problem == "csrf":
        raise HTTPException(
            403, "The form's security token is missing or stale: reload the page and try again."
        )
    try:
        site.react(kind, reader.id, split_version(arxiv_id)[0], None)
    except UnknownPaper:
        raise HTTPException(404, f"The archive has no paper {arxiv_id}.") from None
    target = back if "#" in back else f"{back}#{paper_anchor(split_version(arxiv_id)[0])}"
    return RedirectResponse(target, status_code=303)


@router.post("/star/{arxiv_id:path}")
def star_form(
    arxiv_id: str,
    request: Request,
    state: StateDep,
    site: SiteDep,
    reader: ReaderDep,
    csrf: Annotated[str | None, Form()] = None,
    next_path: Annotated[str | None, Form(alias="next")] = None,
) -> RedirectResponse:
    return _react("star", arxiv_id, request, state, site, reader, csrf, next_path)


@router.post("/upvote/{arxiv_id:path}")
def upvote_form(
    arxiv_id: str,
    request: Request,
    state: StateDep,
    site: SiteDep,
    reader: ReaderDep,
    csrf: Annotated[str | None, Form()] = None,
    next_path: Annotated[str | None, Form(alias="next")] = None,
) -> RedirectResponse:
    return _react("upvote", arxiv_id, request, state, site, reader, csrf, next_path)


@router.get("/login")
def login_page(
    request: Request,
    state: StateDep,
    reader: ReaderDep,
    next_path: Annotated[str, Query(alias="next", max_length=2000)] = "/",
) -> HTMLResponse:
    main = render_template(
        "web/login.html.j2", next_path=safe_next(next_path), csrf=reader.csrf, failed=False
    )
    return page(request, state, reader, None, title="Log in", main=main)


@router.post("/login", response_model=None)
def login(
    request: Request,
    state: StateDep,
    reader: ReaderDep,
    token: Annotated[str, Form(max_length=1000)] = "",
    csrf: Annotated[str | None, Form()] = None,
    next_path: Annotated[str | None, Form(alias="next")] = None,
) -> Response:
    if reader.new or not tokens_equal(csrf, reader.csrf):
        raise HTTPException(403, "The form's security token is missing or stale: reload the page.")
    expected = state.options.write_token
    if expected is None or not tokens_equal(token, expected):
        main = render_template(
            "web/login.html.j2", next_path=safe_next(next_path), csrf=reader.csrf, failed=True
        )
        return page(request, state, reader, None, title="Log in", main=main, status=403)
    response = RedirectResponse(safe_next(next_path), status_code=303)
    response.set_cookie(
        AUTH_COOKIE,
        state.signer.auth_cookie(expected),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/health")
def health_page(
    request: Request, state: StateDep, site: SiteDep, reader: ReaderDep
) -> HTMLResponse:
    report = site.health(state.options.status_path)
    main = render_template("web/health.html.j2", health=report)
    return page(request, state, reader, site, title="Health", main=main, active="health")


@router.get("/api")
def api_index(request: Request, state: StateDep, reader: ReaderDep) -> HTMLResponse:
    operations = []
    for path, methods in request.app.openapi().get("paths", {}).items():
        for method, spec in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": spec.get("summary", ""),
                    "params": [p["name"] for p in spec.get("parameters", []) if p["in"] == "query"],
                }
            )
    main = render_template("web/api.html.j2", operations=operations)
    return page(request, state, reader, None, title="JSON API", main=main, active="api")
