"""The health view: is the archive readable and current, what did the last runs do, and is the
daemon alive (its status file, ``<home>/daemon-status.json``, read with
``paperfeed.app.daemon_status``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from paperfeed.app.daemon_status import read_status
from paperfeed.archive import Archive
from paperfeed.core.calendar import ArxivCalendar

RUNS_SHOWN = 5
# The daemon rewrites its status file after every tick and wakes at ``next_run_at``; this long
# past it without a new status, it is not running (or hangs).
OVERDUE_AFTER = timedelta(hours=1)
_FAILED_RUNS = {"failed", "partial", "interrupted"}
# A listing announced this long ago and still not in the archive makes it "behind" (not OK):
# a day covers a daily run at any hour; less is a run that simply has not happened yet.
BEHIND_AFTER = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class RunSummary:
    listing_date: str
    status: str  # running | done | no-listing | failed | partial | interrupted
    reason: str
    started_at: str
    finished_at: str | None


@dataclass(frozen=True, slots=True)
class DaemonStatus:
    """What the daemon's status file says, read defensively (it is a file anyone may edit)."""

    state: str
    pid: int | None
    updated_at: datetime | None
    next_run_at: datetime | None
    next_listing: str | None
    last_tick_at: datetime | None
    delivery: str
    failures: tuple[str, ...]
    overdue: bool  # past its wake-up time by more than OVERDUE_AFTER


@dataclass(frozen=True, slots=True)
class Health:
    checked_at: datetime
    papers: int  # paper versions in the archive
    digests: int
    latest_digest: date | None
    latest_listing: date  # arXiv's latest announced listing, by the calendar
    runs: tuple[RunSummary, ...]  # newest first
    daemon: DaemonStatus | None  # None: no status file (the daemon never ran here)
    daemon_file: str | None
    problems: tuple[str, ...]  # sentences; empty when all is well
    overdue_listing: date | None = None  # announced over BEHIND_AFTER ago, not in the archive
    lag: str = ""  # the sentence saying so (also one of ``problems``)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def status(self) -> str:
        """ "ok", "behind" (arXiv's listings are missing beyond the grace period) or
        "problems" (anything else)."""
        if self.ok:
            return "ok"
        return (
            "behind" if self.overdue_listing is not None and len(self.problems) == 1 else "problems"
        )

    @property
    def behind(self) -> bool:
        """arXiv has announced a listing newer than the archive's latest digest."""
        return self.latest_digest is None or self.latest_digest < self.latest_listing


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def daemon_status(document: Mapping[str, Any], now: datetime) -> DaemonStatus:
    tick = document.get("last_tick")
    tick = tick if isinstance(tick, Mapping) else {}
    failures = tick.get("failures")
    next_run = _moment(document.get("next_run_at"))
    state = _text(document.get("state")) or "unknown"
    pid = document.get("pid")
    return DaemonStatus(
        state=state,
        pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
        updated_at=_moment(document.get("updated_at")),
        next_run_at=next_run,
        next_listing=_text(document.get("next_listing")) or None,
        last_tick_at=_moment(tick.get("at")),
        delivery=_text(tick.get("delivery")),
        failures=tuple(str(f) for f in failures) if isinstance(failures, list) else (),
        overdue=next_run is not None and now - next_run > OVERDUE_AFTER,
    )


def check_health(
    store: Archive, calendar: ArxivCalendar, now: datetime, status_path: Path | None
) -> Health:
    runs = tuple(
        RunSummary(
            listing_date=r.listing_date.isoformat(),
            status=r.status,
            reason=r.reason,
            started_at=r.started_at.isoformat(),
            finished_at=r.finished_at.isoformat() if r.finished_at else None,
        )
        for r in store.runs(RUNS_SHOWN)
    )
    document = read_status(status_path) if status_path is not None else None
    daemon = daemon_status(document, now) if document is not None else None
    latest = store.latest_digest_date()
    problems: list[str] = []
    if latest is None:
        problems.append("The archive has no digests yet: run `paperfeed run`.")
    if runs and runs[0].status in _FAILED_RUNS:
        problems.append(
            f"The last run (listing {runs[0].listing_date}) ended {runs[0].status}"
            + (f": {runs[0].reason}" if runs[0].reason else ".")
        )
    overdue = overdue_listing(store, calendar, now, latest)
    lag = ""
    if overdue is not None:
        announced = calendar.announced_at(overdue)
        newest = f"the newest digest is of {latest}" if latest else "it has no digest yet"
        lag = (
            f"The archive is behind arXiv: the listing of {overdue} (announced "
            f"{announced:%Y-%m-%d %H:%M %Z}) is not in it, and {newest}. Run `paperfeed run` "
            "(is `paperfeed daemon` running?)."
        )
        problems.append(lag)
    if daemon is not None:
        if daemon.overdue and daemon.next_run_at is not None:
            problems.append(
                f"The daemon should have woken at {daemon.next_run_at:%Y-%m-%d %H:%M %Z} and has "
                "not written its status since: is `paperfeed daemon` still running?"
            )
        problems.extend(f"Daemon: {failure}" for failure in daemon.failures)
    return Health(
        checked_at=now,
        papers=store.count("papers"),
        digests=len(store.digest_dates()),
        latest_digest=latest,
        latest_listing=calendar.latest_listing(now),
        runs=runs,
        daemon=daemon,
        daemon_file=str(status_path) if status_path is not None else None,
        problems=tuple(problems),
        overdue_listing=overdue,
        lag=lag,
    )


def overdue_listing(
    store: Archive, calendar: ArxivCalendar, now: datetime, latest_digest: date | None
) -> date | None:
    """The newest listing announced more than ``BEHIND_AFTER`` ago that the archive has no
    digest of, when the archive's newest digest is older than it; None when up to date. (A
    listing arXiv published empty is recorded as a "no-listing" run, which counts as done.)"""
    due = calendar.latest_listing(now - BEHIND_AFTER)
    if latest_digest is not None and latest_digest >= due:
        return None
    if any(r.listing_date == due and r.status == "no-listing" for r in store.runs(50)):
        return None
    return due
