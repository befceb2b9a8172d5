"""``paperfeed daemon``: run the pipeline shortly after every arXiv announcement, deliver, sleep.

Each tick: work out which listings are due (announced more than ``[daemon] delay`` ago and
not processed yet), run the pipeline for each and deliver; then sleep until the next listing is
due (or ``retry_interval`` after a failure). After downtime the missed listings are caught up,
at most ``max_catch_up`` of them: one digest per listing (``catch_up = "each"``), or each
listing's files plus a single merged message (``"merged"``). Holidays and weekends come from
the calendar; EST/EDT from the tz database: the daemon only ever sleeps until an aware instant.

The loop's collaborators are injected: a clock, a ``sleep`` and the ``Jobs`` that do the work,
so tests drive months of schedule in milliseconds. ``PipelineJobs`` is the real one. A status
file (``<home>/daemon-status.json``) says what the daemon did last and when it runs next, for
the web app's health view and for humans.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from paperfeed.app.daemon_status import STATUS_FILE, read_status
from paperfeed.config import Settings
from paperfeed.config.delivery import DaemonSettings
from paperfeed.core.calendar import ArxivCalendar
from paperfeed.core.errors import DeliveryError, PaperfeedError
from paperfeed.core.records import RunReport
from paperfeed.core.wording import counted
from paperfeed.publish.files import write_atomically
from paperfeed.stages.deliver.dispatch import DeliveryReport

log = logging.getLogger(__name__)

__all__ = ["STATUS_FILE", "PipelineJobs", "read_status", "run_daemon"]

MAX_NAP = timedelta(minutes=10)  # sleep in naps: a suspended laptop wakes up to a fresh clock


class Jobs(Protocol):
    """The work the daemon schedules."""

    def done_listings(self) -> set[date]:
        """Listing dates already processed (a digest exists, or arXiv's listing was empty)."""
        ...

    def run(self, listing_date: date, *, deliver: bool) -> RunReport: ...

    def deliver(self, dates: Sequence[date], *, merge: bool) -> DeliveryReport: ...

    def retry_deliveries(self) -> DeliveryReport: ...


@dataclass(frozen=True, slots=True)
class Plan:
    due: tuple[date, ...]  # listings to process now, oldest first
    skipped_older: bool  # missed listings older than the catch-up window exist


def due_listings(
    calendar: ArxivCalendar,
    now: datetime,
    *,
    delay: timedelta,
    done: Collection[date],
    max_catch_up: int,
) -> Plan:
    """Listings whose announcement is at least ``delay`` old and that are not ``done``.

    With nothing done yet, only the latest listing (a new installation does not back-fill);
    otherwise the missed listings among the last ``max_catch_up``, never before the first
    listing ever processed.
    """
    latest = calendar.latest_listing(now - delay)
    if not done:
        return Plan(due=(latest,), skipped_older=False)
    window_start = latest
    for _ in range(max_catch_up - 1):
        window_start = calendar.previous_listing(window_start)
    first = min(done)
    start = max(window_start, first)
    due = tuple(d for d in calendar.listings_between(start, latest) if d not in done)
    before = calendar.previous_listing(window_start)
    skipped = window_start > first and before not in done
    return Plan(due=due, skipped_older=skipped)


def next_due(calendar: ArxivCalendar, now: datetime, delay: timedelta) -> tuple[datetime, date]:
    """When the next listing becomes due (its announcement + ``delay``), strictly after ``now``."""
    announced, listing = calendar.next_announcement(now - delay)
    return announced + delay, listing


@dataclass(frozen=True, slots=True)
class TickResult:
    at: datetime
    reports: tuple[RunReport, ...] = ()
    delivery: DeliveryReport | None = None
    errors: tuple[str, ...] = ()  # runs that raised (fetch failed, ...): retried next tick

    @property
    def failures(self) -> tuple[str, ...]:
        found = list(self.errors)
        for report in self.reports:
            found += [f"{report.listing_date}: {f}" for f in report.failures]
        if self.delivery is not None:
            found += self.delivery.failures
        return tuple(found)


def tick(
    jobs: Jobs, calendar: ArxivCalendar, settings: DaemonSettings, now: datetime
) -> TickResult:
    """Process every due listing once."""
    plan = due_listings(
        calendar,
        now,
        delay=settings.delay,
        done=jobs.done_listings(),
        max_catch_up=settings.max_catch_up,
    )
    if plan.skipped_older:
        log.warning(
            "more than %d listings were missed; catching up the last %d, older ones are skipped",
            settings.max_catch_up,
            settings.max_catch_up,
        )
    merge = settings.catch_up == "merged" and len(plan.due) > 1
    reports: list[RunReport] = []
    errors: list[str] = []
    for day in plan.due:
        try:
            report = jobs.run(day, deliver=not merge)
        except PaperfeedError as exc:
            log.error("listing %s failed: %s", day, exc.message)
            errors.append(f"{day}: {exc.message}")
            continue
        reports.append(report)
        log.info("listing %s: %s", day, _status_line(report))
    delivery: DeliveryReport | None = None
    try:
        if merge:
            with_digest = [r.listing_date for r in reports if r.status in ("done", "partial")]
            if with_digest:
                delivery = jobs.deliver(with_digest, merge=True)
                log.info("merged catch-up of %d listings: %s", len(with_digest), delivery.summary)
        elif not plan.due:
            delivery = jobs.retry_deliveries()
    except PaperfeedError as exc:
        errors.append(f"delivery: {exc.message}")
    return TickResult(at=now, reports=tuple(reports), delivery=delivery, errors=tuple(errors))


def _status_line(report: RunReport) -> str:
    if report.status == "no-listing":
        return f"no listing ({report.reason})"
    failures = f", {len(report.failures)} failures" if report.failures else ""
    return f"{report.status}, {counted(report.paper_count, 'paper')}{failures}"


def run_daemon(
    jobs: Jobs,
    calendar: ArxivCalendar,
    settings: DaemonSettings,
    *,
    clock: Callable[[], datetime],
    sleep: Callable[[float], object],
    status_path: Path | None = None,
    max_ticks: int | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> list[TickResult]:
    """Tick, sleep until the next listing is due, repeat (``max_ticks`` times, or forever)."""
    results: list[TickResult] = []
    while not stop():
        result = tick(jobs, calendar, settings, clock())
        results.append(result)
        now = clock()
        wake, listing = next_due(calendar, now, settings.delay)
        if result.failures:
            wake = min(wake, now + settings.retry_interval)
        log.info(
            "next run %s (listing %s)%s",
            wake.isoformat(timespec="minutes"),
            listing,
            f"; {len(result.failures)} failures will be retried" if result.failures else "",
        )
        if status_path is not None:
            write_status(status_path, result, wake, listing, now)
        if max_ticks is not None and len(results) >= max_ticks:
            break
        while (remaining := wake - clock()) > timedelta(0):
            if stop():
                return results
            sleep(min(remaining, MAX_NAP).total_seconds())
    return results


def status_document(
    result: TickResult, wake: datetime, listing: date, now: datetime
) -> dict[str, Any]:
    return {
        "state": "sleeping",
        "pid": os.getpid(),
        "updated_at": now.isoformat(timespec="seconds"),
        "next_run_at": wake.isoformat(timespec="seconds"),
        "next_listing": listing.isoformat(),
        "last_tick": {
            "at": result.at.isoformat(timespec="seconds"),
            "listings": [
                {
                    "listing_date": r.listing_date.isoformat(),
                    "status": r.status,
                    "papers": r.paper_count,
                    "failures": list(r.failures),
                }
                for r in result.reports
            ],
            "delivery": result.delivery.summary if result.delivery else "",
            "failures": list(result.failures),
        },
    }


def write_status(
    path: Path, result: TickResult, wake: datetime, listing: date, now: datetime
) -> None:
    text = json.dumps(status_document(result, wake, listing, now), ensure_ascii=False, indent=2)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text + "\n")
    except (DeliveryError, OSError) as exc:
        log.warning("cannot write the daemon status file %s: %s", path, exc)


@dataclass
class PipelineJobs:
    """The real work: the pipeline and the delivery stage over the configured archive. The
    archive is opened per job, so the daemon holds no database connection while it sleeps."""

    settings: Settings
    clock: Callable[[], datetime]
    sleep: Callable[[float], None]
    _runs_seen: int = field(default=500, repr=False)

    def done_listings(self) -> set[date]:
        from paperfeed.app.wiring import open_store

        with open_store(self.settings) as store:
            done = set(store.digest_dates())
            for run in store.runs(self._runs_seen):
                if run.status == "no-listing":
                    done.add(run.listing_date)
        return done

    def run(self, listing_date: date, *, deliver: bool) -> RunReport:
        from paperfeed.app.wiring import open_store, run_pipeline

        with open_store(self.settings) as store:
            return run_pipeline(
                self.settings,
                store,
                listing_date,
                now=self.clock,
                sleep=self.sleep,
                deliver=deliver,
            )

    def deliver(self, dates: Sequence[date], *, merge: bool) -> DeliveryReport:
        from paperfeed.app.wiring import open_store
        from paperfeed.stages.deliver.service import open_delivery

        with (
            open_store(self.settings) as store,
            open_delivery(self.settings, store, now=self.clock, sleep=self.sleep) as delivery,
        ):
            return delivery.deliver(dates, merge=merge) if delivery else DeliveryReport()

    def retry_deliveries(self) -> DeliveryReport:
        from paperfeed.app.wiring import open_store
        from paperfeed.stages.deliver.service import open_delivery

        with (
            open_store(self.settings) as store,
            open_delivery(self.settings, store, now=self.clock, sleep=self.sleep) as delivery,
        ):
            return delivery.retry() if delivery else DeliveryReport()
