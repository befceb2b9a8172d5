"""What the routes share: options, one archive connection per worker thread, the page cache,
and the request's reader. Routes reach them through the FastAPI dependencies at the bottom."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from paperfeed.app.web.page_data import Site
from paperfeed.app.web.security import Reader, Signer, is_loopback
from paperfeed.app.web.similar import SimilarPapers, similar_papers_finder
from paperfeed.archive import Archive, ArchiveCaches, open_archive
from paperfeed.core.calendar import ArxivCalendar

T = TypeVar("T")
MISSING = object()


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class WebOptions:
    """How ``create_app`` builds the site. ``bind_host`` decides the write rules: on loopback
    any local browser may star and upvote; elsewhere writes need ``write_token``."""

    database: Path
    calendar: ArxivCalendar = field(default_factory=ArxivCalendar)
    now: Callable[[], datetime] = system_clock
    bind_host: str = "127.0.0.1"
    write_token: str | None = None
    # Host headers accepted; None: the loopback names when bound to loopback (so a web page
    # cannot reach this server by pointing its own domain name at 127.0.0.1), else any.
    allowed_hosts: tuple[str, ...] | None = None
    cache_size: int = 512
    # The daemon's status file (<home>/daemon-status.json), shown on /health; None: not shown.
    status_path: Path | None = None

    @property
    def needs_token(self) -> bool:
        return not is_loopback(self.bind_host)

    def hosts(self) -> tuple[str, ...]:
        if self.allowed_hosts is not None:
            return self.allowed_hosts
        if self.needs_token:
            return ("*",)
        return ("127.0.0.1", "localhost", "::1", "[::1]", self.bind_host)


class StorePool:
    """One open ``Archive`` per thread: a SQLite connection is not shared between threads that
    run queries at the same time, and opening one per request would cost more than the query.
    The connections share one set of caches (search extents, the exact vector index)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[Archive] = []
        self._caches = ArchiveCaches()

    def get(self) -> Archive:
        store: Archive | None = getattr(self._local, "store", None)
        if store is None:
            store = open_archive(self._path, caches=self._caches)
            self._local.store = store
            with self._lock:
                self._opened.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for store in self._opened:
                store.close()
            self._opened.clear()
        self._local = threading.local()


class PageCache:
    """Rendered pages and JSON documents, least recently used out. Keys carry the archive's
    change stamps, so an entry is never served after what it shows has changed."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def peek(self, key: Hashable) -> object:
        """The cached value, or ``MISSING``."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
            self.misses += 1
            return MISSING

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    async def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The cached value; on a miss ``make()`` runs in the thread pool (it queries and
        renders), so the event loop keeps serving hits meanwhile. Two requests missing at once
        both make it; both results are the same."""
        found = self.peek(key)
        if found is MISSING:
            found = await run_in_threadpool(make)
            self.put(key, found)
        return found  # type: ignore[return-value]


@dataclass(slots=True)
class WebState:
    options: WebOptions
    pool: StorePool
    signer: Signer
    cache: PageCache
    similar: SimilarPapers | None = field(default_factory=similar_papers_finder)

    def site(self) -> Site:
        return Site(self.pool.get, self.options.calendar, self.options.now, self.similar)


# -- FastAPI dependencies ---------------------------------------------------------------------


# Async, though they do no I/O: FastAPI runs plain functions in its thread pool, and three
# thread hops per request cost more than the whole answer of a cached page.


async def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


async def current_site(request: Request) -> Site:
    state: WebState = request.app.state.web
    return state.site()


async def current_reader(request: Request) -> Reader:
    reader: Reader | None = request.scope.get("state", {}).get("reader")
    if reader is None:  # the reader middleware sets it on every request
        raise HTTPException(500, "no reader on the request: the reader middleware is missing")
    return reader
