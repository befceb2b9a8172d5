"""The one place that wires the stages together, top to bottom.

    calendar ─► fetch (RSS, or API back-fill) ─► store ─► select ─► translate ─► digest ─► files

Every stage's collaborators arrive in ``Deps``; nothing here reads the environment or the clock
directly. Each stage commits its own work, so a run killed at any point resumes where it stopped:
a stored listing is not fetched again, cached translations are not paid for again.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from paperfeed.archive.sqlite import Store
from paperfeed.config import Settings
from paperfeed.core import taxonomy
from paperfeed.core.calendar import ArxivCalendar, load_holidays
from paperfeed.core.errors import DeliveryError, PaperfeedError, UsageError
from paperfeed.core.records import (
    Digest,
    DigestEntry,
    DigestSection,
    Listing,
    ListingItem,
    Match,
    Paper,
    RunReport,
    StageResult,
    Translation,
    TranslationCost,
)
from paperfeed.core.topics.select import select_matches
from paperfeed.engines.translate import Engine
from paperfeed.publish.formats import digest_filename, render_digest
from paperfeed.publish.seed_text import seed_header
from paperfeed.sources.arxiv_api import ArxivApiClient
from paperfeed.sources.arxiv_rss import fetch_feed, fetch_listing
from paperfeed.sources.http import PoliteClient
from paperfeed.stages.translate.service import TranslationRun, summarize_papers, translate_papers

if TYPE_CHECKING:
    from paperfeed.core.scoring import Score
    from paperfeed.stages.deliver.dispatch import DeliveryReport
    from paperfeed.stages.relevance.stage import RelevanceStage

log = logging.getLogger(__name__)

# Back-filling a whole day through the API: big pages, fewer 3-second waits.
BACKFILL_PAGE_SIZE = 500


class Progress(Protocol):
    """Where long stages report progress (the CLI draws bars on stderr; tests pass a no-op)."""

    def start(self, stage: str, total: int | None) -> Callable[[int], None]: ...

    def finish(self, stage: str) -> None: ...


class SilentProgress:
    def start(self, stage: str, total: int | None) -> Callable[[int], None]:
        return lambda n: None

    def finish(self, stage: str) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Deps:
    http: PoliteClient
    now: Callable[[], datetime]  # aware
    engine: Engine
    progress: Progress = field(default_factory=SilentProgress)
    # The "deliver" stage (e-mail, webhooks, feeds, site); None: digests are only written.
    deliver: Callable[[Digest], DeliveryReport] | None = None
    # The "signals" stage (community signals from Hugging Face for the listing date); None: off.
    # It reports its own failures as a failed stage and never raises: the digest is done.
    signals: Callable[[date], StageResult] | None = None
    # The "relevance" stage (embed, score, sort, cut); None: off or the extra is not installed.
    # A failure is a failed stage, not a failed run: the digest goes out without scores.
    relevance: RelevanceStage | None = None


def make_calendar(settings: Settings) -> ArxivCalendar:
    return ArxivCalendar(load_holidays(settings.extra_holidays, settings.removed_holidays))


def run(
    settings: Settings, store: Store, deps: Deps, listing_date: date | None = None
) -> RunReport:
    """Fetch, store, select, translate, render and write the digest of one listing."""
    calendar = make_calendar(settings)
    now = deps.now()
    target = listing_date or calendar.latest_listing(now)
    reason = calendar.no_listing_reason(target)
    if reason:
        return RunReport(listing_date=target, status="no-listing", reason=reason)
    announced = calendar.announced_at(target)
    if announced > now:
        raise UsageError(
            f"the listing dated {target} is not announced yet: arXiv announces it at "
            f"{announced:%Y-%m-%d %H:%M} {announced.tzname()}",
            hint="drop --date to get the latest announced listing",
        )

    run_id = store.start_run(target)
    stages: list[StageResult] = []
    try:
        report = _run_stages(settings, store, deps, calendar, target, now, stages)
    except PaperfeedError as exc:
        stages.append(StageResult(stage=_failed_stage(stages), status="failed", detail=exc.message))
        failed = RunReport(
            listing_date=target, status="failed", reason=exc.message, stages=tuple(stages)
        )
        store.finish_run(run_id, "failed", exc.message, _report_json(failed))
        raise
    store.finish_run(run_id, report.status, report.reason, _report_json(report))
    return report


_STAGE_ORDER = (
    "fetch",
    "select",
    "relevance",
    "translate",
    "digest",
    "write",
    "deliver",
    "signals",
)


def _failed_stage(done: Sequence[StageResult]) -> str:
    finished = {s.stage for s in done}
    return next((s for s in _STAGE_ORDER if s not in finished), "write")


def _run_stages(
    settings: Settings,
    store: Store,
    deps: Deps,
    calendar: ArxivCalendar,
    target: date,
    now: datetime,
    stages: list[StageResult],
) -> RunReport:
    listing = store.listing(target)
    if listing is not None:
        stages.append(StageResult("fetch", "skipped", "listing already in the archive"))
    else:
        listing = fetch_listing_for(target, settings, deps, calendar)
        if listing is None:
            return RunReport(
                listing_date=target,
                status="no-listing",
                stages=tuple(stages),
                reason="arXiv published an empty listing for this date",
            )
        store.save_listing(listing)
        stages.append(
            StageResult(
                "fetch",
                "ok",
                f"{len(listing.items)} papers from {len(listing.feeds)} feeds ({listing.source})",
            )
        )

    topics = settings.topics
    delivered = store.delivered([t.name for t in topics], before=target)
    matches = select_matches(listing.items, topics, delivered=delivered)
    store.save_matches(target, matches)
    stages.append(
        StageResult("select", "ok", ", ".join(f"{t}: {len(m)}" for t, m in matches.items()))
    )
    scores: dict[str, Score] | None = None
    if deps.relevance is not None:
        # Before translation: papers cut by the score threshold are never translated.
        from paperfeed.core.errors import RelevanceError

        try:
            ranked = deps.relevance(store, target, listing, matches, deps.progress.start)
        except RelevanceError as exc:
            stages.append(StageResult("relevance", "failed", exc.message))
        else:
            matches, scores = ranked.matches, ranked.scores
            stages.append(StageResult("relevance", "ok", ranked.detail))
        deps.progress.finish("embed")

    papers = _distinct_papers(matches)
    advance = deps.progress.start("translate", len(papers) * 2 if deps.engine.calls_model else None)
    translated = translate_papers(
        papers,
        deps.engine,
        store,
        on_progress=advance,
        token_budget=settings.translate.token_budget,
    )
    deps.progress.finish("translate")
    with store.transaction():
        for paper in papers:
            tr = translated.translations[paper.versioned_id]
            row_id = store.paper_row_id(paper.arxiv_id, paper.version)
            if row_id is not None and (tr.title or tr.abstract):
                store.set_paper_translation(row_id, tr.title, tr.abstract)
    stages.append(
        StageResult(
            "translate",
            "ok" if not translated.failed or not deps.engine.calls_model else "failed",
            translation_detail(translated, deps.engine.name),
        )
    )
    tldrs = summarize_papers(papers, deps.engine, store, generate=settings.translate.tldr)

    digest = build_digest(
        target,
        topics=[t.name for t in topics],
        matches=matches,
        translations=translated.translations,
        generated_at=now,
        announced_at=calendar.announced_at(target),
        zone=settings.zone,
        timezone=settings.timezone,
    )
    existing = store.digest(target)
    if existing is not None and existing.sections == digest.sections:
        digest = existing  # same content: keep the first run's header, so reruns are byte-identical
        stages.append(StageResult("digest", "skipped", "unchanged since the last run"))
    else:
        store.save_digest(digest)
        stages.append(StageResult("digest", "ok", f"{digest.paper_count} papers"))

    files = write_digest_files(
        digest,
        settings.output_dir,
        settings.formats,
        store.subject_names(),
        tldrs=tldrs,
        scores=scores,
    )
    stages.append(StageResult("write", "ok", f"{len(files)} files"))
    failures = (
        tuple(f"{pid}: not translated" for pid in translated.failed)
        if deps.engine.calls_model
        else ()
    )
    if translated.error:
        failures += (f"translation stopped: {translated.error}",)
    if deps.deliver is not None:
        # After the files: a delivery problem never costs the day's digest files.
        delivery = deps.deliver(digest)
        stages.append(
            StageResult("deliver", "failed" if delivery.failures else "ok", delivery.summary)
        )
        failures += delivery.failures
    if deps.signals is not None:
        # Last: optional enrichment never delays or costs the digest. A failure is shown as a
        # failed stage, not a failed run (the next run refreshes those days again).
        stages.append(deps.signals(target))
    return RunReport(
        listing_date=target,
        status="partial" if failures else "done",
        stages=tuple(stages),
        listing_size=len(listing.items),
        topic_counts=tuple((t, len(m)) for t, m in matches.items()),
        paper_count=digest.paper_count,
        untranslated=sum(1 for e in digest.papers if not e.translated),
        files=tuple(str(f) for f in files),
        failures=failures,
        translation=translation_cost(translated, deps.engine),
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
        f"{len(run.failed)} papers untranslated ({engine})"
    )
    if run.usage.requests:
        detail += (
            f"; {run.usage.total_tokens} tokens ({run.usage.prompt_tokens} prompt + "
            f"{run.usage.completion_tokens} completion) in {run.usage.requests} requests"
        )
    if run.deferred:
        detail += f"; token budget reached, {len(run.deferred)} papers left for the next run"
    if run.error:
        detail += f"; stopped: {run.error}"
    return detail


def fetch_listing_for(
    target: date, settings: Settings, deps: Deps, calendar: ArxivCalendar
) -> Listing | None:
    """The listing dated ``target``: from the RSS feeds while they show it, otherwise back-filled
    through the API. One feed is probed first: the feeds show a single day (switching at
    midnight US Eastern, four hours after the announcement), and asking every archive for a day
    they no longer show would cost a minute of polite waiting for nothing."""
    categories = settings.arxiv.categories
    probe = fetch_feed(deps.http, settings.arxiv.rss_url, categories[0])
    if probe.listing_date == target:
        advance = deps.progress.start("fetch", len(categories))
        result = fetch_listing(
            deps.http,
            settings.arxiv.rss_url,
            categories,
            split_feed=taxonomy.archive_categories,
            on_feed=lambda feed, n: advance(1),
        )
        deps.progress.finish("fetch")
        if not result.items and result.listing_date in (target, None):
            return None  # the feeds are dated today and empty: arXiv announced nothing
        if result.listing_date == target:
            return Listing(
                listing_date=target, items=result.items, feeds=result.feeds, source="rss"
            )
    log.info(
        "the RSS feeds show the listing of %s, not %s: back-filling through the API",
        probe.listing_date,
        target,
    )
    return backfill_listing(target, settings, deps, calendar)


def backfill_listing(
    target: date, settings: Settings, deps: Deps, calendar: ArxivCalendar
) -> Listing | None:
    """A past listing rebuilt from the API: new submissions in its submission window.

    The API knows submission times, not announcements, so replacements are not included and
    papers held in moderation may land a day off; the RSS listing is exact, this is the fallback.
    """
    start, end = calendar.submission_window(target)
    categories = _expand(settings.arxiv.categories)
    api = ArxivApiClient(deps.http, settings.arxiv.api_url, page_size=BACKFILL_PAGE_SIZE)
    deps.progress.start("back-fill", None)
    papers = api.submitted_between(categories, start, end)
    deps.progress.finish("back-fill")
    if not papers:
        return None
    watched = set(categories)
    items = tuple(
        ListingItem(paper=p, announce_type="new" if p.primary_category in watched else "cross")
        for p in papers
    )
    return Listing(
        listing_date=target, items=items, feeds=tuple(settings.arxiv.categories), source="api"
    )


def _expand(specs: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for spec in specs:
        for code in taxonomy.archive_categories(spec) if "." not in spec else (spec,):
            if code not in out:
                out.append(code)
    return tuple(out)


def _distinct_papers(matches: dict[str, tuple[Match, ...]]) -> list[Paper]:
    seen: dict[str, Paper] = {}
    for found in matches.values():
        for match in found:
            seen.setdefault(match.paper.versioned_id, match.paper)
    return list(seen.values())


def build_digest(
    target: date,
    *,
    topics: Sequence[str],
    matches: dict[str, tuple[Match, ...]],
    translations: dict[str, Translation],
    generated_at: datetime,
    announced_at: datetime,
    zone: ZoneInfo,
    timezone: str,
) -> Digest:
    sections = []
    for topic in topics:
        entries = []
        for match in matches.get(topic, ()):
            tr = translations.get(match.paper.versioned_id)
            entries.append(
                DigestEntry(
                    paper=match.paper,
                    title_zh=tr.title if tr else None,
                    abstract_zh=tr.abstract if tr else None,
                    announce_type=match.announce_type,
                    terms=match.terms,
                )
            )
        sections.append(DigestSection(topic=topic, entries=tuple(entries)))
    generated_local = generated_at.astimezone(zone).replace(microsecond=0)
    return Digest(
        listing_date=target,
        header=seed_header(generated_local, announced_at, zone),
        generated_at=generated_local,
        announced_at=announced_at,
        timezone=timezone,
        sections=tuple(sections),
        source="run",
    )


def write_digest_files(
    digest: Digest,
    folder: Path,
    formats: Sequence[str],
    subject_names: dict[str, str],
    *,
    tldrs: dict[str, str] | None = None,
    scores: dict[str, Score] | None = None,
) -> list[Path]:
    """Write each format atomically (temp file + rename): a crash never leaves half a file."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DeliveryError(
            f"{folder}: cannot create the output folder: {exc.strerror}",
            hint="set [output] dir or PAPERFEED_OUTPUT_DIR to a writable folder",
        ) from None
    written = []
    for fmt in formats:
        target = folder / digest_filename(fmt, digest.listing_date)
        text = render_digest(digest, fmt, subject_names=subject_names, tldrs=tldrs, scores=scores)
        write_atomically(target, text)
        written.append(target)
    return written


def write_atomically(target: Path, text: str) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(target)
    except OSError as exc:
        raise DeliveryError(
            f"{target}: cannot write the digest: {exc.strerror}",
            hint="check free space and permissions of the output folder",
        ) from None


def _report_json(report: RunReport) -> dict[str, object]:
    return {
        "listing_date": report.listing_date.isoformat(),
        "status": report.status,
        "reason": report.reason,
        "stages": [
            {"stage": s.stage, "status": s.status, "detail": s.detail} for s in report.stages
        ],
        "listing_size": report.listing_size,
        "topic_counts": dict(report.topic_counts),
        "paper_count": report.paper_count,
        "untranslated": report.untranslated,
        "files": list(report.files),
        "failures": list(report.failures),
        "translation": None if report.translation is None else asdict(report.translation),
    }
