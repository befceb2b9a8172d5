"""Translate papers through an engine, with the archive's cache in front of it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from paperfeed.models import Paper, Translation
from paperfeed.store import Store, TranslationKey
from paperfeed.translate.engine import Engine, Segment

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TranslationRun:
    translations: dict[str, Translation]  # keyed by Paper.versioned_id
    cached: int  # segments served from the cache or translation memory
    translated: int  # segments the engine produced
    failed: tuple[str, ...]  # versioned ids left (partly) in English


def translate_papers(
    papers: Sequence[Paper],
    engine: Engine,
    store: Store,
    *,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = 16,
) -> TranslationRun:
    """Chinese title and abstract for each paper: cache first, then the engine, stored as it goes
    (a run killed half-way keeps what it paid for)."""
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
            hit = store.cached_translation(segment.text, segment.kind, key)
            found[(segment.kind, segment.text)] = hit
            if hit is not None:
                cached += 1
            elif engine.calls_model:
                pending.append(segment)
    translated = 0
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        results = engine.translate(batch)
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
            failed.append(paper.versioned_id)
    if failed and engine.calls_model:
        log.warning("%d papers left (partly) untranslated", len(failed))
    return TranslationRun(
        translations=out, cached=cached, translated=translated, failed=tuple(failed)
    )
