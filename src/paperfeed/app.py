"""The composition root: builds the real collaborators (HTTP client, clock, engine, store) from
settings and hands them to the pipeline. The CLI, the demo and the web app call these."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from paperfeed.config import Settings
from paperfeed.models import RunReport
from paperfeed.pipeline import Deps, Progress, SilentProgress, run
from paperfeed.sources.http import PoliteClient, make_http_client, user_agent
from paperfeed.store import Store
from paperfeed.store.http_cache import StoreValidatorCache
from paperfeed.translate import Engine, NoneEngine

ARXIV_MIN_INTERVAL = 3.0  # arXiv's terms: no more than one request every three seconds


@contextmanager
def open_store(settings: Settings) -> Iterator[Store]:
    store = Store.open(settings.database_path)
    try:
        yield store
    finally:
        store.close()


def polite_interval(settings: Settings) -> float:
    """The configured gap, but never below arXiv's 3 s when talking to arxiv.org itself."""
    hosts = {urlsplit(u).hostname or "" for u in (settings.arxiv.rss_url, settings.arxiv.api_url)}
    if any(h == "arxiv.org" or h.endswith(".arxiv.org") for h in hosts):
        return max(settings.arxiv.min_interval, ARXIV_MIN_INTERVAL)
    return settings.arxiv.min_interval


def make_engine(settings: Settings) -> Engine:
    """The configured translation engine. ``auto`` falls back to ``none`` until an engine is set up."""
    return NoneEngine()


def run_pipeline(
    settings: Settings,
    store: Store,
    listing_date: date | None,
    *,
    progress: Progress | None = None,
    now: Callable[[], datetime] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RunReport:
    client = make_http_client(user_agent(settings.arxiv.contact_email), settings.arxiv.timeout)
    with client:
        http = PoliteClient(
            client,
            min_interval=polite_interval(settings),
            retries=settings.arxiv.retries,
            sleep=sleep,
            cache=StoreValidatorCache(store),
        )
        deps = Deps(
            http=http,
            now=now or (lambda: datetime.now(UTC)),
            engine=make_engine(settings),
            progress=progress or SilentProgress(),
        )
        return run(settings, store, deps, listing_date)
