"""The translate stage of a run: the digest papers' Chinese titles and abstracts (cache first,
then the engine, within the token budget), recorded on the archive's papers, and their TL;DRs.

Papers the engine could not translate stay English, marked, and make the run partial; they are
tried again on the next run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from paperfeed.archive import Archive
from paperfeed.config.sections import TranslateSettings
from paperfeed.core.records import Paper, StageName, TranslationCost
from paperfeed.core.wording import counted
from paperfeed.engines.translate import Engine
from paperfeed.stages.contract import Done, Progress, required
from paperfeed.stages.translate.service import (
    TranslationRun,
    record_translations,
    summarize_papers,
    translate_papers,
)


@dataclass(frozen=True, slots=True)
class Translated:
    run: TranslationRun
    tldrs: dict[str, str]  # by Paper.versioned_id
    cost: TranslationCost | None  # None: nothing was sent to a model


@required(StageName.TRANSLATE)
def translate(
    papers: Sequence[Paper],
    engine: Engine,
    store: Archive,
    settings: TranslateSettings,
    progress: Progress,
) -> Done[Translated]:
    advance = progress.start("translate", len(papers) * 2 if engine.calls_model else None)
    run = translate_papers(
        papers, engine, store, on_progress=advance, token_budget=settings.token_budget
    )
    progress.finish("translate")
    record_translations(store, papers, run)
    tldrs = summarize_papers(papers, engine, store, generate=settings.tldr)
    failures = tuple(f"{pid}: not translated" for pid in run.failed) if engine.calls_model else ()
    if run.error:
        failures += (f"translation stopped: {run.error}",)
    return Done(
        Translated(run, tldrs, translation_cost(run, engine)),
        translation_detail(run, engine.name),
        "ok" if not run.failed or not engine.calls_model else "failed",
        failures,
    )


def translation_cost(run: TranslationRun, engine: Engine) -> TranslationCost | None:
    if not engine.calls_model:
        return None
    usage = run.usage
    return TranslationCost(
        engine=engine.name,
        model=engine.model,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        requests=usage.requests,
        deferred=len(run.deferred),
    )


def translation_detail(run: TranslationRun, engine: str) -> str:
    """The translate stage's line in the run report: counts, tokens spent, what was left."""
    detail = (
        f"{run.cached} cached, {run.translated} new, "
        f"{counted(len(run.failed), 'paper')} untranslated ({engine})"
    )
    if run.usage.requests:
        detail += (
            f"; {run.usage.total_tokens} tokens ({run.usage.prompt_tokens} prompt + "
            f"{run.usage.completion_tokens} completion) in {run.usage.requests} requests"
        )
    if run.deferred:
        detail += (
            f"; token budget reached, {counted(len(run.deferred), 'paper')} left for the next run"
        )
    if run.error:
        detail += f"; stopped: {run.error}"
    return detail
