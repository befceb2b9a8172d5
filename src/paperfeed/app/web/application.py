"""Builds the web app: routes, static files (KaTeX bundled, nothing remote), the reader
middleware, security headers, and error pages (HTML for pages, JSON under /api)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import cookie_parser
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperfeed import __version__
from paperfeed.app.web.api import router as api_router
from paperfeed.app.web.pages import page
from paperfeed.app.web.pages import router as pages_router
from paperfeed.app.web.schemas import SafeJSONResponse
from paperfeed.app.web.security import (
    AUTH_COOKIE,
    COOKIE_MAX_AGE,
    READER_COOKIE,
    Reader,
    Signer,
    new_reader_id,
    tokens_equal,
)
from paperfeed.app.web.state import PageCache, StorePool, WebOptions, WebState
from paperfeed.archive import open_archive
from paperfeed.core.errors import PaperfeedError, StoreError
from paperfeed.publish.environment import render_template

log = logging.getLogger(__name__)

# Everything comes from this server: scripts and styles only from files (no inline code), so
# an injected tag could not run even if escaping ever failed.
SECURITY_HEADERS = (
    (
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
)
HEADINGS = {
    400: "Bad request",
    401: "Log in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    500: "Server error",
    503: "Archive unavailable",
}


class ReaderMiddleware:
    """Names the reader of every request (a signed cookie; a new id when there is none or it is
    forged), decides whether it may write, and adds the security headers to every response."""

    def __init__(self, app: ASGIApp, web: WebState) -> None:
        self.app = app
        self.web = web

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookies = cookie_parser(headers.get("cookie", ""))
        signer = self.web.signer
        reader_id = signer.reader_from_cookie(cookies.get(READER_COOKIE))
        new = reader_id is None
        if reader_id is None:
            reader_id = new_reader_id()
        scope.setdefault("state", {})["reader"] = Reader(
            id=reader_id,
            csrf=signer.csrf_token(reader_id),
            new=new,
            authorized=self._authorized(headers, cookies),
        )
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        cookie = (
            f"{READER_COOKIE}={signer.reader_cookie(reader_id)}; Path=/; "
            f"Max-Age={COOKIE_MAX_AGE}; HttpOnly; SameSite=Lax{secure}"
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    if name not in response_headers:
                        response_headers.append(name, value)
                if new:
                    response_headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _authorized(self, headers: Headers, cookies: dict[str, str]) -> bool:
        options = self.web.options
        if not options.needs_token:
            return True
        token = options.write_token
        if token is None:
            return False
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer ") and tokens_equal(bearer[7:].strip(), token):
            return True
        return tokens_equal(cookies.get(AUTH_COOKIE), self.web.signer.auth_cookie(token))


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_page(request: Request, status: int, message: str, hint: str = "") -> Response:
    web: WebState = request.app.state.web
    reader: Reader | None = request.scope.get("state", {}).get("reader")
    if reader is None:  # failed before the middleware named a reader: a throwaway one
        reader_id = new_reader_id()
        reader = Reader(reader_id, web.signer.csrf_token(reader_id), new=True, authorized=False)
    main = render_template(
        "web/error.html.j2",
        status=status,
        heading=HEADINGS.get(status, "Error"),
        message=message,
        hint=hint,
    )
    return page(
        request, web, reader, None, title=HEADINGS.get(status, "Error"), main=main, status=status
    )


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path. Starlette's 405 names only the first
    route's methods, and POST and DELETE of /api/stars/{id} are two routes."""
    methods: set[str] = set()
    for route in (*api_router.routes, *pages_router.routes):
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        exc.headers = {**(exc.headers or {}), "Allow": _allowed_methods(request)}
    if _wants_json(request):
        return SafeJSONResponse(
            {"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
        )
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = f"There is no page at {request.url.path}."
    else:
        message = str(exc.detail)
    response = _error_page(request, exc.status_code, message)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _wants_json(request):
        return SafeJSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in error.get('loc', ())[1:])}: {error.get('msg', '')}"
        for error in exc.errors()
    )
    return _error_page(request, 400, f"The address has a bad value: {problems}.")


async def _paperfeed_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PaperfeedError)
    status = 503 if isinstance(exc, StoreError) else 500
    log.error("%s: %s", request.url.path, exc)
    if _wants_json(request):
        return SafeJSONResponse(
            {"detail": exc.message, "hint": exc.hint or None}, status_code=status
        )
    return _error_page(request, status, exc.message, exc.hint)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path)
    if _wants_json(request):
        return SafeJSONResponse({"detail": "internal error; the server log has the details"}, 500)
    return _error_page(request, 500, "Something went wrong on the server; its log has the details.")


def create_app(options: WebOptions) -> FastAPI:
    """The web app over the archive at ``options.database`` (created and migrated if needed)."""
    with open_archive(options.database) as store:  # migrate once, before any request thread
        key = store.signing_secret()
    web = WebState(
        options=options,
        pool=StorePool(options.database),
        signer=Signer(key),
        cache=PageCache(options.cache_size),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        web.pool.close()

    app = FastAPI(
        title="paperfeed",
        version=__version__,
        description="Your arXiv digests, archive, stars and trending papers as JSON.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # FastAPI's docs pages load scripts from a CDN: /api lists the API instead
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.web = web
    app.include_router(api_router)
    app.include_router(pages_router)
    static = resources.files("paperfeed.app.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(PaperfeedError, _paperfeed_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_middleware(ReaderMiddleware, web=web)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(options.hosts()))
    return app
