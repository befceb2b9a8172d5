"""Translate papers through an engine, with the archive's cache in front of it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from paperfeed.archive import Archive
from paperfeed.archive.records import TranslationKey
from paperfeed.core.errors import TranslateError
from paperfeed.core.records import Paper, Translation
from paperfeed.engines.translate.engine import Engine, Segment, TokenUsage, usage_of

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TranslationRun:
    translations: dict[str, Translation]  # keyed by Paper.versioned_id
    cached: int  # segments served from the cache or translation memory
    translated: int  # segments the engine produced
    failed: tuple[str, ...]  # versioned ids left (partly) in English
    usage: TokenUsage = field(default_factory=TokenUsage)  # what the engine spent on this run
    deferred: tuple[str, ...] = ()  # versioned ids not attempted: the token budget ran out
    error: str = ""  # why the engine stopped early (bad key, unreachable, quota), if it did

    @property
    def budget_exhausted(self) -> bool:
        return bool(self.deferred)


def batch_size_of(engine: Engine) -> int:
    """Segments per ``translate()`` call in a run: the engine's own ``batch_size`` when it has
    one (progress and the token budget are checked that often), else 16."""
    return int(getattr(engine, "batch_size", 16))


def translate_papers(
    papers: Sequence[Paper],
    engine: Engine,
    store: Archive,
    *,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int | None = None,
    token_budget: int = 0,
    force: bool = False,
) -> TranslationRun:
    """Chinese title and abstract for each paper: cache first, then the engine, stored as it goes
    (a run killed half-way keeps what it paid for).

    ``token_budget`` (0: none) is checked before each batch: once the engine has spent that many
    tokens, the remaining segments are not sent, and their papers are listed as ``deferred``.
    ``force`` skips this engine's own cache entries (translation memory from other engines too)
    and asks the engine again. A ``TranslateError`` from the engine (bad key, unreachable) stops
    translating; what was done is kept and the message is in ``error``.
    """
    if batch_size is None:
        batch_size = batch_size_of(engine)
    started = usage_of(engine)
    key = TranslationKey(
        engine=engine.name, model=engine.model, prompt_version=engine.prompt_version
    )
    found: dict[tuple[str, str], str | None] = {}
    pending: list[Segment] = []
    cached = 0
    for paper in papers:
        for segment in (Segment("title", paper.title), Segment("abstract", paper.abstract)):
            if (segment.kind, segment.text) in found:
                continue
            hit = None
            if not (force and engine.calls_model):
                hit = store.cached_translation(segment.text, segment.kind, key)
            found[(segment.kind, segment.text)] = hit
            if hit is not None:
                cached += 1
            elif engine.calls_model:
                pending.append(segment)
    translated = 0
    skipped: set[tuple[str, str]] = set()
    error = ""
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        spent = (usage_of(engine) - started).total_tokens
        if error or (token_budget and spent >= token_budget):
            skipped.update((s.kind, s.text) for s in batch)
            continue
        try:
            results = engine.translate(batch)
        except TranslateError as exc:
            log.error("translation stopped: %s", exc.message)
            error = exc.message
            skipped.update((s.kind, s.text) for s in batch)
            continue
        with store.transaction():
            for segment, text in zip(batch, results, strict=True):
                found[(segment.kind, segment.text)] = text
                if text is not None:
                    store.save_translation(segment.text, segment.kind, text, key)
                    translated += 1
        if on_progress:
            on_progress(len(batch))
    out: dict[str, Translation] = {}
    failed: list[str] = []
    deferred: list[str] = []
    for paper in papers:
        title = found.get(("title", paper.title))
        abstract = found.get(("abstract", paper.abstract))
        out[paper.versioned_id] = Translation(
            arxiv_id=paper.arxiv_id,
            version=paper.version,
            lang="zh",
            engine=engine.name,
            model=engine.model,
            title=title,
            abstract=abstract,
        )
        if title is None or abstract is None:
            untouched = {("title", paper.title), ("abstract", paper.abstract)} & skipped
            if untouched and not error:
                deferred.append(paper.versioned_id)
            else:
                failed.append(paper.versioned_id)
    if failed and engine.calls_model:
        log.warning("%d papers left (partly) untranslated", len(failed))
    if deferred:
        log.warning(
            "token budget of %d reached: %d papers left for the next run",
            token_budget,
            len(deferred),
        )
    return TranslationRun(
        translations=out,
        cached=cached,
        translated=translated,
        failed=tuple(failed),
        usage=usage_of(engine) - started,
        deferred=tuple(deferred),
        error=error,
    )


def record_translations(store: Archive, papers: Sequence[Paper], run: TranslationRun) -> None:
    """The papers' Chinese text, as translated, on the archive's papers (what search and the
    pages show), in one transaction."""
    with store.transaction():
        for paper in papers:
            tr = run.translations[paper.versioned_id]
            if tr.title or tr.abstract:
                store.set_paper_translation(paper, tr.title, tr.abstract)


@runtime_checkable
class Summarizes(Protocol):
    """Engines that can write a one-sentence Chinese TL;DR (the LLM engines)."""

    name: str
    model: str

    def summarize(self, papers: Sequence[tuple[str, str]]) -> list[str | None]: ...


def summarize_papers(
    papers: Sequence[Paper], engine: Engine, store: Archive, *, generate: bool
) -> dict[str, str]:
    """TL;DRs by ``Paper.versioned_id``: the stored ones, plus new ones for the rest when
    ``generate`` is on and the engine can write them. A failed TL;DR is simply left out."""
    found = store.tldrs_for(papers)
    if not generate or not isinstance(engine, Summarizes):
        return found
    todo = [p for p in papers if p.versioned_id not in found]
    if not todo:
        return found
    try:
        written = engine.summarize([(p.title, p.abstract) for p in todo])
    except TranslateError as exc:
        log.error("TL;DRs stopped: %s", exc.message)
        return found
    with store.transaction():
        for paper, tldr in zip(todo, written, strict=True):
            if tldr:
                store.save_tldr(paper, tldr, engine=engine.name, model=engine.model)
                found[paper.versioned_id] = tldr
    return found
