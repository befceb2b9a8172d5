"""The daemon's schedule with an injected clock: DST changes, holidays, catch-up after downtime
(each listing, or one merged message), retries, and no double send after a crash."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from paperfeed.app.daemon import (
    STATUS_FILE,
    PipelineJobs,
    due_listings,
    next_due,
    read_status,
    run_daemon,
)
from paperfeed.archive import open_archive
from paperfeed.config import load_settings
from paperfeed.config.delivery import DaemonSettings
from paperfeed.core.calendar import ArxivCalendar, load_holidays
from paperfeed.core.errors import SourceError
from paperfeed.core.records import RunReport
from paperfeed.publish.webhooks import WebhookSender
from paperfeed.stages.deliver.dispatch import DeliveryOutcome, DeliveryReport
from paperfeed.stages.deliver.targets import Target
from tests.support.delivery_samples import NEW_YORK, digest_for
from tests.support.webhook_receiver import Receiver, install

CALENDAR = ArxivCalendar(load_holidays())
HALF_HOUR = timedelta(minutes=30)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Clock:
    """The daemon's clock and sleep: sleeping moves the clock, nothing waits."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.naps: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeJobs:
    """Records what the daemon asked for; ``done`` grows as runs succeed."""

    clock: Clock
    done: set[date] = field(default_factory=set)
    runs: list[tuple[date, bool, datetime]] = field(default_factory=list)
    merged: list[tuple[date, ...]] = field(default_factory=list)
    retries: int = 0
    fail_once: set[date] = field(default_factory=set)

    def done_listings(self) -> set[date]:
        return set(self.done)

    def run(self, listing_date: date, *, deliver: bool) -> RunReport:
        self.runs.append((listing_date, deliver, self.clock()))
        if listing_date in self.fail_once:
            self.fail_once.discard(listing_date)
            raise SourceError("rss.arxiv.org: HTTP 503", url="https://rss.arxiv.org/rss/cs")
        self.done.add(listing_date)
        return RunReport(listing_date=listing_date, status="done", paper_count=5)

    def deliver(self, dates: Sequence[date], *, merge: bool) -> DeliveryReport:
        assert merge
        self.merged.append(tuple(dates))
        return DeliveryReport(
            outcomes=(DeliveryOutcome(Target("email", "a@example.org", ()), tuple(dates), "sent"),)
        )

    def retry_deliveries(self) -> DeliveryReport:
        self.retries += 1
        return DeliveryReport()


def daemon_settings(**changes: object) -> DaemonSettings:
    base = DaemonSettings(delay=HALF_HOUR)
    return DaemonSettings(**{**{f: getattr(base, f) for f in base.__slots__}, **changes})  # type: ignore[arg-type]


# -- the calendar arithmetic -----------------------------------------------------------------


def test_due_time_follows_new_york_across_the_spring_dst_change() -> None:
    # Thursday 5 March 2026, 20:00 EST = 01:00 UTC; Sunday 8 March (EDT since 02:00) = 00:00 UTC.
    wake, listing = next_due(CALENDAR, utc(2026, 3, 5, 12, 0), HALF_HOUR)
    assert (wake, listing) == (utc(2026, 3, 6, 1, 30), date(2026, 3, 6))
    wake, listing = next_due(CALENDAR, utc(2026, 3, 6, 12, 0), HALF_HOUR)
    assert (wake, listing) == (utc(2026, 3, 9, 0, 30), date(2026, 3, 9))
    assert wake.astimezone(NEW_YORK).hour == 20 and wake.astimezone(NEW_YORK).minute == 30


def test_due_time_follows_new_york_across_the_autumn_dst_change() -> None:
    # Thursday 29 October (EDT) 00:00 UTC; Sunday 1 November (EST since 02:00) 01:00 UTC.
    wake, _ = next_due(CALENDAR, utc(2026, 10, 29, 12, 0), HALF_HOUR)
    assert wake == utc(2026, 10, 30, 0, 30)
    wake, listing = next_due(CALENDAR, utc(2026, 10, 30, 12, 0), HALF_HOUR)
    assert (wake, listing) == (utc(2026, 11, 2, 1, 30), date(2026, 11, 2))


def test_holidays_and_weekends_are_skipped() -> None:
    # After Wednesday's announcement: no Thanksgiving (Thursday) announcement, none Friday or
    # Saturday; the next is Sunday evening.
    wake, listing = next_due(CALENDAR, utc(2026, 11, 26, 3, 0), HALF_HOUR)
    assert (wake, listing) == (utc(2026, 11, 30, 1, 30), date(2026, 11, 30))


def test_not_due_until_the_delay_has_passed() -> None:
    announced = datetime(2026, 6, 3, 20, 0, tzinfo=NEW_YORK)
    plan = due_listings(
        CALENDAR,
        announced + timedelta(minutes=10),
        delay=HALF_HOUR,
        done={date(2026, 6, 3)},
        max_catch_up=5,
    )
    assert plan.due == ()
    plan = due_listings(
        CALENDAR, announced + HALF_HOUR, delay=HALF_HOUR, done={date(2026, 6, 3)}, max_catch_up=5
    )
    assert plan.due == (date(2026, 6, 4),)


def test_a_fresh_install_takes_only_the_latest_listing() -> None:
    plan = due_listings(
        CALENDAR, utc(2026, 6, 10, 12), delay=HALF_HOUR, done=set(), max_catch_up=10
    )
    assert plan.due == (date(2026, 6, 10),)


def test_catch_up_is_bounded_and_never_reaches_before_the_first_listing() -> None:
    done = {date(2026, 5, 26)}
    plan = due_listings(CALENDAR, utc(2026, 6, 10, 12), delay=HALF_HOUR, done=done, max_catch_up=3)
    assert plan.due == (date(2026, 6, 8), date(2026, 6, 9), date(2026, 6, 10))
    assert plan.skipped_older
    done = {date(2026, 6, 8)}
    plan = due_listings(CALENDAR, utc(2026, 6, 10, 12), delay=HALF_HOUR, done=done, max_catch_up=10)
    assert plan.due == (date(2026, 6, 9), date(2026, 6, 10))
    assert not plan.skipped_older


# -- the loop --------------------------------------------------------------------------------


def test_the_daemon_runs_each_listing_shortly_after_its_announcement() -> None:
    clock = Clock(utc(2026, 6, 1, 12, 0))  # Monday
    jobs = FakeJobs(clock, done={date(2026, 6, 1)})
    run_daemon(jobs, CALENDAR, daemon_settings(), clock=clock, sleep=clock.sleep, max_ticks=4)
    assert [(d, deliver) for d, deliver, _ in jobs.runs] == [
        (date(2026, 6, 2), True),
        (date(2026, 6, 3), True),
        (date(2026, 6, 4), True),
    ]
    # Each ran at 20:30 New York time the evening before its listing date.
    for day, _, at in jobs.runs:
        local = at.astimezone(NEW_YORK)
        assert (local.date(), local.hour, local.minute) == (day - timedelta(days=1), 20, 30)
    assert max(clock.naps) <= 600  # sleeps in naps, so a suspended machine wakes up on time


def test_downtime_is_caught_up_one_listing_at_a_time() -> None:
    clock = Clock(utc(2026, 6, 10, 14, 0))  # down since the listing of 4 June was processed
    jobs = FakeJobs(clock, done={date(2026, 6, 4)})
    run_daemon(
        jobs,
        CALENDAR,
        daemon_settings(catch_up="each"),
        clock=clock,
        sleep=clock.sleep,
        max_ticks=1,
    )
    assert [(d, deliver) for d, deliver, _ in jobs.runs] == [
        (date(2026, 6, 5), True),
        (date(2026, 6, 8), True),
        (date(2026, 6, 9), True),
        (date(2026, 6, 10), True),
    ]
    assert jobs.merged == []


def test_downtime_is_caught_up_as_one_merged_message() -> None:
    clock = Clock(utc(2026, 6, 10, 14, 0))
    jobs = FakeJobs(clock, done={date(2026, 6, 4)})
    run_daemon(
        jobs,
        CALENDAR,
        daemon_settings(catch_up="merged"),
        clock=clock,
        sleep=clock.sleep,
        max_ticks=1,
    )
    assert [(d, deliver) for d, deliver, _ in jobs.runs] == [
        (date(2026, 6, 5), False),
        (date(2026, 6, 8), False),
        (date(2026, 6, 9), False),
        (date(2026, 6, 10), False),
    ]
    assert jobs.merged == [
        (date(2026, 6, 5), date(2026, 6, 8), date(2026, 6, 9), date(2026, 6, 10))
    ]


def test_a_failed_run_is_retried_after_the_retry_interval(tmp_path: Path) -> None:
    clock = Clock(utc(2026, 6, 4, 0, 30))  # the listing of 4 June is due now
    jobs = FakeJobs(clock, done={date(2026, 6, 3)}, fail_once={date(2026, 6, 4)})
    status = tmp_path / STATUS_FILE
    results = run_daemon(
        jobs,
        CALENDAR,
        daemon_settings(retry_interval=timedelta(minutes=15)),
        clock=clock,
        sleep=clock.sleep,
        status_path=status,
        max_ticks=1,
    )
    assert results[0].errors == ("2026-06-04: rss.arxiv.org: HTTP 503",)
    written = read_status(status)
    assert written is not None
    assert written["next_run_at"] == "2026-06-04T00:45:00+00:00"
    assert written["last_tick"]["failures"] == ["2026-06-04: rss.arxiv.org: HTTP 503"]
    run_daemon(jobs, CALENDAR, daemon_settings(), clock=clock, sleep=clock.sleep, max_ticks=1)
    assert [(d, at) for d, _, at in jobs.runs] == [
        (date(2026, 6, 4), utc(2026, 6, 4, 0, 30)),
        (date(2026, 6, 4), utc(2026, 6, 4, 0, 30)),
    ]
    assert date(2026, 6, 4) in jobs.done


def test_quiet_ticks_retry_failed_deliveries() -> None:
    clock = Clock(utc(2026, 6, 4, 12, 0))
    jobs = FakeJobs(clock, done={date(2026, 6, 4)})
    run_daemon(jobs, CALENDAR, daemon_settings(), clock=clock, sleep=clock.sleep, max_ticks=1)
    assert jobs.runs == [] and jobs.retries == 1


# -- a crash while sending, with the real archive, ledger and delivery ------------------------


class SimulatedCrash(BaseException):
    pass


class DigestJobs(PipelineJobs):
    """The real jobs, except that "running the pipeline" stores a prepared digest (no arXiv)."""

    def run(self, listing_date: date, *, deliver: bool) -> RunReport:
        from paperfeed.app.wiring import open_store
        from paperfeed.stages.deliver.service import open_delivery

        with open_store(self.settings) as store:
            store.save_digest(digest_for(listing_date))
            with open_delivery(self.settings, store, now=self.clock, sleep=self.sleep) as delivery:
                assert delivery is not None
                report = delivery.deliver([listing_date]) if deliver else DeliveryReport()
        return RunReport(
            listing_date=listing_date,
            status="partial" if report.failures else "done",
            paper_count=5,
            failures=report.failures,
        )


def test_no_double_send_after_a_crash_between_sending_and_recording(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver: Receiver = install(httpserver)
    config = tmp_path / "paperfeed.toml"
    config.write_text(
        f'[[webhooks]]\nname = "team"\nkind = "wecom"\nurl = "{receiver.url("wecom")}"\n',
        encoding="utf-8",
    )
    settings = load_settings(config, {"PAPERFEED_HOME": str(tmp_path / "home")})
    clock = Clock(utc(2026, 6, 4, 0, 30))
    real_post = WebhookSender.post

    def post_then_die(self: WebhookSender, *args: object, **kwargs: object) -> str:
        real_post(self, *args, **kwargs)  # type: ignore[arg-type]
        raise SimulatedCrash  # the message is in the chat; the ledger still says "sending"

    monkeypatch.setattr(WebhookSender, "post", post_then_die)
    jobs = DigestJobs(settings, clock, clock.sleep)
    with pytest.raises(SimulatedCrash):
        run_daemon(jobs, CALENDAR, daemon_settings(), clock=clock, sleep=clock.sleep, max_ticks=1)
    assert len(receiver.of("wecom")) == 1

    monkeypatch.setattr(WebhookSender, "post", real_post)  # the restarted process
    results = run_daemon(
        DigestJobs(settings, clock, clock.sleep),
        CALENDAR,
        daemon_settings(),
        clock=clock,
        sleep=clock.sleep,
        max_ticks=3,
    )
    june_4 = [p for p in receiver.of("wecom") if "速递 2026-06-04" in p.body["markdown"]["content"]]
    assert len(june_4) == 1  # never sent twice
    first = results[0]
    assert first.reports == ()  # the digest of 4 June exists: nothing to rerun
    assert first.delivery is not None
    assert [o.status for o in first.delivery.outcomes] == ["uncertain"]
    assert first.failures  # reported
    # A failure brings the next tick forward (retry_interval): still nothing resent.
    assert results[1].at == utc(2026, 6, 4, 0, 45) and results[1].reports == ()
    assert results[1].delivery is not None
    assert [o.status for o in results[1].delivery.outcomes] == []
    # The next evening's listing is delivered normally.
    assert [r.listing_date for r in results[2].reports] == [date(2026, 6, 5)]
    assert len(receiver.of("wecom")) == 2
    with open_archive(settings.database_path) as store:
        states = {r.listing_date: r.status for r in store.delivery_records()}
    assert states == {date(2026, 6, 4): "uncertain", date(2026, 6, 5): "sent"}
