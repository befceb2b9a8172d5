"""The day, top to bottom: the one place that runs the stages in order.

    calendar ─► fetch ─► select ─► relevance ─► translate ─► digest ─► write ─► deliver ─► signals

Each stage commits its own work, so a run killed at any point resumes where it stopped: a stored
listing is not fetched again, cached translations are not paid for again. A failed required
stage ends the run (exit 1); a failed optional stage (relevance, deliver, signals) is recorded
and the day goes on. Collaborators arrive in ``Deps``; nothing here reads the environment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from paperfeed.archive import Archive
from paperfeed.config import Settings
from paperfeed.core.calendar import ArxivCalendar
from paperfeed.core.errors import PaperfeedError, UsageError
from paperfeed.core.records import Digest, Listing, RunReport
from paperfeed.core.scoring import Score
from paperfeed.engines.translate import Engine
from paperfeed.sources.http import PoliteClient
from paperfeed.stages.contract import OptionalStage, Progress, SilentProgress, StageLog
from paperfeed.stages.digest import make_digest
from paperfeed.stages.fetch import fetch
from paperfeed.stages.select import Matches, distinct_papers, select
from paperfeed.stages.translate.stage import translate
from paperfeed.stages.write import write

if TYPE_CHECKING:
    from paperfeed.stages.deliver.dispatch import DeliveryReport
    from paperfeed.stages.relevance.stage import RelevanceResult
    from paperfeed.stages.signals import SignalsRefresh


@dataclass(frozen=True, slots=True)
class Deps:
    http: PoliteClient
    now: Callable[[], datetime]  # aware
    engine: Engine
    progress: Progress = field(default_factory=SilentProgress)
    # The optional stages; None: turned off (or their extra is not installed).
    rank: OptionalStage[[Archive, Listing, Matches, Progress], RelevanceResult] | None = None
    deliver: OptionalStage[[Digest], DeliveryReport] | None = None
    signals: OptionalStage[[date], SignalsRefresh] | None = None


def run(
    settings: Settings, store: Archive, deps: Deps, listing_date: date | None = None
) -> RunReport:
    """Fetch, store, select, rank, translate and write the digest of one listing, deliver it."""
    calendar = settings.calendar()
    now = deps.now()
    target = listing_date or calendar.latest_listing(now)
    if reason := calendar.no_listing_reason(target):
        return RunReport(listing_date=target, status="no-listing", reason=reason)
    announced = calendar.announced_at(target)
    if announced > now:
        raise UsageError(
            f"the listing dated {target} is not announced yet: arXiv announces it at "
            f"{announced:%Y-%m-%d %H:%M} {announced.tzname()}",
            hint="drop --date to get the latest announced listing",
        )
    stages = StageLog()
    run_id = store.start_run(target)
    try:
        report = _day(settings, store, deps, calendar, target, now, stages)
    except PaperfeedError as exc:
        failed = RunReport(target, "failed", reason=exc.message, stages=stages.stages)
        store.finish_run(run_id, failed)
        raise
    store.finish_run(run_id, report)
    return report


def _day(
    settings: Settings,
    store: Archive,
    deps: Deps,
    calendar: ArxivCalendar,
    target: date,
    now: datetime,
    stages: StageLog,
) -> RunReport:
    listing = stages.run(fetch, target, store, deps.http, settings.arxiv, calendar, deps.progress)
    if listing is None:
        return RunReport(
            target, "no-listing", "arXiv published an empty listing for this date", stages.stages
        )
    matches = stages.run(select, listing, settings.topics, store)
    scores: dict[str, Score] = {}
    # Before translation: papers cut by the score threshold are never translated.
    if deps.rank and (ranked := stages.run(deps.rank, store, listing, matches, deps.progress)):
        matches, scores = ranked.matches, ranked.scores
    papers = distinct_papers(matches)
    translated = stages.run(
        translate, papers, deps.engine, store, settings.translate, deps.progress
    )
    digest = stages.run(
        make_digest,
        target,
        matches,
        translated.run.translations,
        store,
        topics=[t.name for t in settings.topics],
        generated_at=now,
        announced_at=calendar.announced_at(target),
        zone=settings.zone,
        timezone=settings.timezone,
    )
    files = stages.run(
        write,
        digest,
        settings.output_dir,
        settings.formats,
        store.subject_names(),
        tldrs=translated.tldrs,
        scores=scores,
    )
    if deps.deliver:  # after the files: a delivery problem never costs the day's digest files
        stages.run(deps.deliver, digest)
    if deps.signals:  # last: optional enrichment never delays or costs the digest
        stages.run(deps.signals, target)
    return RunReport(
        listing_date=target,
        status="partial" if stages.failures else "done",
        stages=stages.stages,
        listing_size=len(listing.items),
        topic_counts=tuple((t, len(m)) for t, m in matches.items()),
        paper_count=digest.paper_count,
        untranslated=sum(1 for e in digest.papers if not e.translated),
        files=tuple(str(f) for f in files),
        failures=tuple(stages.failures),
        translation=translated.cost,
    )
