"""Exactly once: the ledger and the dispatcher against a real SMTP server, a loopback webhook
receiver and a real SQLite archive, reopened between "runs" as a new process would."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from paperfeed.archive import open_archive
from paperfeed.config.delivery import DeliverySettings, Recipient, WebhookSettings
from paperfeed.core.errors import DeliveryError, SendError
from paperfeed.publish.email import OutgoingEmail, SmtpSender
from paperfeed.publish.webhook_payloads import Payload
from paperfeed.publish.webhooks import WebhookSender
from paperfeed.stages.deliver.dispatch import DeliveryReport, Dispatcher
from tests.support.chat_services import PUSHPLUS_TOKEN, SERVERCHAN_KEY, TELEGRAM_TOKEN
from tests.support.delivery_samples import (
    DP,
    JUNE_4,
    big_digest,
    delivery_settings,
    digest_for,
    email_settings,
)
from tests.support.smtp_server import SmtpServer, smtp_server
from tests.support.webhook_receiver import NOW_SECONDS, Receiver, install

JUNE_3, JUNE_5 = date(2026, 6, 3), date(2026, 6, 5)
NOW = datetime.fromtimestamp(NOW_SECONDS, UTC)
ADA, GRACE = "ada@example.org", "grace@example.org"


class SimulatedCrash(BaseException):
    """The process dies (power cut, kill -9) at this point."""


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server("starttls") as running:
        yield running


@pytest.fixture
def receiver(httpserver: HTTPServer) -> Receiver:
    return install(httpserver)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "paperfeed.db"
    with open_archive(path) as store:
        for day, start in ((JUNE_3, 100), (JUNE_4, 1), (JUNE_5, 200)):
            store.save_digest(digest_for(day, start=start))
    return path


def settings_for(
    server: SmtpServer, receiver: Receiver | None = None, *, grace_topics: tuple[str, ...] = ()
) -> DeliverySettings:
    webhooks = ()
    if receiver is not None:
        webhooks = (WebhookSettings(name="team", kind="wecom", url=receiver.url("wecom")),)
    return delivery_settings(
        email=email_settings(server.host, server.port),
        recipients=(Recipient(ADA), Recipient(GRACE, topics=grace_topics)),
        webhooks=webhooks,
    )


def run(
    db: Path,
    settings: DeliverySettings,
    server: SmtpServer,
    dates: list[date],
    *,
    sender: type[SmtpSender] = SmtpSender,
    webhooks: type[WebhookSender] = WebhookSender,
    **options: bool,
) -> DeliveryReport:
    """One delivery "process": open the archive and the ledger, deliver, close everything."""
    with open_archive(db) as store, httpx.Client() as client:
        dispatcher = Dispatcher(
            settings,
            store,
            load_digest=store.digest,
            now=lambda: NOW,
            email_sender=lambda: sender(settings.email, ssl_context=server.client_context()),
            webhook_sender=webhooks(client, now=lambda: NOW, sleep=lambda s: None),
        )
        return dispatcher.deliver(dates, **options)


def statuses(report: DeliveryReport) -> list[tuple[str, str]]:
    return [(o.target.recipient, o.status) for o in report.outcomes]


def received(server: SmtpServer) -> list[EmailMessage]:
    return [m.message for m in server.messages]


def test_a_rerun_does_not_resend(db: Path, server: SmtpServer, receiver: Receiver) -> None:
    settings = settings_for(server, receiver)
    first = run(db, settings, server, [JUNE_4])
    assert statuses(first) == [(ADA, "sent"), (GRACE, "sent"), ("team", "sent")]
    assert first.failures == ()
    second = run(db, settings, server, [JUNE_4])
    assert statuses(second) == [(ADA, "already"), (GRACE, "already"), ("team", "already")]
    assert sorted(m.rcpt_tos[0] for m in server.messages) == [ADA, GRACE]
    assert len(receiver.of("wecom")) == 1
    with open_archive(db) as ledger:
        records = ledger.delivery_records(JUNE_4)
    assert {(r.recipient, r.status, r.attempts) for r in records} == {
        (ADA, "sent", 1),
        (GRACE, "sent", 1),
        ("team", "sent", 1),
    }
    assert all(r.detail for r in records)  # the Message-ID / part count is kept


def test_dry_run_sends_and_records_nothing(
    db: Path, server: SmtpServer, receiver: Receiver
) -> None:
    report = run(db, settings_for(server, receiver), server, [JUNE_4], dry_run=True)
    assert [o.status for o in report.outcomes] == ["would-send"] * 3
    assert "arXiv 速递 2026-06-04 · 5 篇" in report.outcomes[0].detail
    assert "1 message, 5 papers" in report.outcomes[2].detail
    assert server.messages == [] and receiver.posts == []
    with open_archive(db) as ledger:
        assert ledger.delivery_records() == []


def test_topic_subscriptions_and_nothing_to_send(db: Path, server: SmtpServer) -> None:
    with open_archive(db) as store:
        only_rl = digest_for(date(2026, 6, 8), rl=2, dp=0, start=300)
        store.save_digest(only_rl)
    settings = settings_for(server, grace_topics=(DP,))
    run(db, settings, server, [JUNE_4])
    to_grace = next(m for m in received(server) if m["To"] == GRACE)
    assert str(to_grace["Subject"]) == "arXiv 速递 2026-06-04 · 2 篇"
    report = run(db, settings, server, [date(2026, 6, 8)])
    assert statuses(report) == [(ADA, "sent"), (GRACE, "skipped")]
    again = run(db, settings, server, [date(2026, 6, 8)])
    assert statuses(again) == [(ADA, "already"), (GRACE, "already")]
    assert len(server.messages) == 3


def test_a_failed_delivery_is_reported_and_retried_on_the_next_run(
    db: Path, server: SmtpServer, receiver: Receiver
) -> None:
    settings = settings_for(server, receiver)
    receiver.fail_next.append(Response("upstream down", status=502))
    first = run(db, settings, server, [JUNE_4])
    assert statuses(first)[-1] == ("team", "failed")
    assert any("HTTP 502" in f for f in first.failures)
    with open_archive(db) as ledger:
        record = ledger.delivery_record(JUNE_4, "wecom", "team")
    assert record is not None and record.status == "failed" and record.attempts == 1

    # The next run (the next day's listing) also retries yesterday's failure.
    second = run(db, settings, server, [JUNE_5])
    assert [(o.target.recipient, o.dates, o.status) for o in second.outcomes] == [
        (ADA, (JUNE_5,), "sent"),
        (GRACE, (JUNE_5,), "sent"),
        ("team", (JUNE_5,), "sent"),
        ("team", (JUNE_4,), "sent"),
    ]
    assert "(retry)" in second.outcomes[-1].detail
    assert second.failures == ()
    with open_archive(db) as ledger:
        record = ledger.delivery_record(JUNE_4, "wecom", "team")
    assert record is not None and record.status == "sent" and record.attempts == 2
    assert len(server.messages) == 4  # the e-mails of June 4 were not sent again


class CrashAfterSending(SmtpSender):
    def send(self, email: OutgoingEmail) -> str:
        super().send(email)
        raise SimulatedCrash  # the server has the message; the ledger does not know


def test_a_crash_between_sending_and_recording_never_sends_twice(
    db: Path, server: SmtpServer
) -> None:
    settings = delivery_settings(
        email=email_settings(server.host, server.port), recipients=(Recipient(ADA),)
    )
    with pytest.raises(SimulatedCrash):
        run(db, settings, server, [JUNE_4], sender=CrashAfterSending)
    assert len(server.messages) == 1
    with open_archive(db) as ledger:
        record = ledger.delivery_record(JUNE_4, "email", ADA)
    assert record is not None and record.status == "sending"  # recorded before the send
    dry = run(db, settings, server, [JUNE_4], dry_run=True)
    assert statuses(dry) == [(ADA, "held-uncertain")]

    restarted = run(db, settings, server, [JUNE_4])
    assert statuses(restarted) == [(ADA, "uncertain"), (ADA, "held-uncertain")]
    assert "may or may not have arrived" in restarted.outcomes[0].detail
    assert restarted.failures  # reported once, as needing a look
    assert len(server.messages) == 1

    later = run(db, settings, server, [JUNE_4])
    assert statuses(later) == [(ADA, "held-uncertain")]
    assert later.failures == ()  # not re-reported on every run
    assert len(server.messages) == 1

    # Asked explicitly: resent with the same Message-ID, so a duplicate is recognisable.
    resent = run(db, settings, server, [JUNE_4], resend_uncertain=True)
    assert statuses(resent) == [(ADA, "sent")]
    first, second = received(server)
    assert first["Message-ID"] == second["Message-ID"]


class FailsAtThirdMessage(WebhookSender):
    posted = 0

    def post(self, hook: WebhookSettings, body: Payload, *, idempotency_key: str = "") -> str:
        FailsAtThirdMessage.posted += 1
        if FailsAtThirdMessage.posted == 3:
            raise SendError("HTTP 503: try later")
        return super().post(hook, body, idempotency_key=idempotency_key)


def test_a_split_digest_resumes_after_the_parts_already_accepted(
    db: Path, server: SmtpServer, receiver: Receiver
) -> None:
    with open_archive(db) as store:
        store.save_digest(big_digest(120, date(2026, 6, 9)))
    settings = DeliverySettings(
        webhooks=(WebhookSettings(name="team", kind="wecom", url=receiver.url("wecom")),)
    )
    day = date(2026, 6, 9)
    first = run(db, settings, server, [day], webhooks=FailsAtThirdMessage)
    assert statuses(first) == [("team", "failed")]
    assert len(receiver.of("wecom")) == 2
    second = run(db, settings, server, [day])
    assert "resumed after 2" in second.outcomes[0].detail
    posts = receiver.of("wecom")
    total = int(second.outcomes[0].detail.split(" messages")[0])
    assert len(posts) == total  # every part exactly once
    labels = [p.body["markdown"]["content"].split("\n")[0] for p in posts]
    assert labels == [f"## arXiv 速递 2026-06-09（{n}/{total}）" for n in range(1, total + 1)]


def test_merged_catch_up_is_one_message_for_several_listings(db: Path, server: SmtpServer) -> None:
    settings = delivery_settings(
        email=email_settings(server.host, server.port), recipients=(Recipient(ADA),)
    )
    report = run(db, settings, server, [JUNE_3, JUNE_4, JUNE_5], merge=True)
    assert [(o.dates, o.status) for o in report.outcomes] == [((JUNE_3, JUNE_4, JUNE_5), "sent")]
    (message,) = received(server)
    assert str(message["Subject"]) == "arXiv 速递 2026-06-03 – 2026-06-05（3 期合并） · 15 篇"
    again = run(db, settings, server, [JUNE_4])
    assert statuses(again) == [(ADA, "already")]
    with open_archive(db) as ledger:
        keys = {r.message_key for r in ledger.delivery_records()}
    assert len(keys) == 1 and len(server.messages) == 1


def test_only_one_process_delivers_at_a_time(db: Path, server: SmtpServer) -> None:
    settings = settings_for(server)
    with (
        open_archive(db) as other,
        other.delivery_lock(),
        pytest.raises(DeliveryError, match="another paperfeed process is delivering"),
    ):
        run(db, settings, server, [JUNE_4])
    assert server.messages == []


def test_a_missing_digest_fails_before_anything_is_sent(db: Path, server: SmtpServer) -> None:
    with pytest.raises(DeliveryError, match="no digest for 2026-06-10"):
        run(db, settings_for(server), server, [JUNE_4, date(2026, 6, 10)])
    assert server.messages == []


# -- the chat channels: the same ledger, split in parts, through their loopback services ------

BIG_DAY = date(2026, 6, 9)
PART_LABEL = re.compile(r"（(\d+)/(\d+)）")


def chat_hook(receiver: Receiver, kind: str) -> WebhookSettings:
    if kind == "discord":
        return WebhookSettings(name="team", kind=kind, url=receiver.url(kind))
    keys = {"serverchan": SERVERCHAN_KEY, "pushplus": PUSHPLUS_TOKEN, "telegram": TELEGRAM_TOKEN}
    return WebhookSettings(
        name="team",
        kind=kind,
        token=keys[kind],
        token_env=f"PAPERFEED_{kind.upper()}",
        chat_id="-1001234567890" if kind == "telegram" else "",
        api_url=receiver.url(kind),
    )


def part_numbers(receiver: Receiver, kind: str) -> list[int]:
    found = [PART_LABEL.search(p.shown) for p in receiver.of(kind)]
    assert all(found), "every part is labelled (k/N)"
    return [int(m.group(1)) for m in found if m]


class CrashAfterSecondPart(WebhookSender):
    """The service accepts part 2, then the process dies before the ledger records it."""

    posted = 0

    def post(self, hook: WebhookSettings, body: Payload, *, idempotency_key: str = "") -> str:
        answer = super().post(hook, body, idempotency_key=idempotency_key)
        CrashAfterSecondPart.posted += 1
        if CrashAfterSecondPart.posted == 2:
            raise SimulatedCrash
        return answer


CHAT_KINDS = ("serverchan", "pushplus", "telegram", "discord")


@pytest.mark.parametrize("kind", CHAT_KINDS)
def test_a_crash_between_parts_never_resends_an_accepted_part_by_itself(
    kind: str, db: Path, server: SmtpServer, receiver: Receiver
) -> None:
    with open_archive(db) as store:
        store.save_digest(big_digest(480, BIG_DAY))
    settings = DeliverySettings(webhooks=(chat_hook(receiver, kind),))
    CrashAfterSecondPart.posted = 0
    with pytest.raises(SimulatedCrash):
        run(db, settings, server, [BIG_DAY], webhooks=CrashAfterSecondPart)
    assert part_numbers(receiver, kind) == [1, 2]
    with open_archive(db) as ledger:
        record = ledger.delivery_record(BIG_DAY, kind, "team")
    assert record is not None and record.status == "sending" and record.parts_sent == 1

    restarted = run(db, settings, server, [BIG_DAY])
    assert statuses(restarted) == [("team", "uncertain"), ("team", "held-uncertain")]
    assert part_numbers(receiver, kind) == [1, 2]  # nothing more went out by itself

    resent = run(db, settings, server, [BIG_DAY], resend_uncertain=True)
    assert statuses(resent) == [("team", "sent")]
    assert "resumed after 1" in resent.outcomes[0].detail
    numbers = part_numbers(receiver, kind)
    total = int(PART_LABEL.search(receiver.of(kind)[-1].shown).group(2))  # type: ignore[union-attr]
    assert total >= 3 and receiver.problems == []
    # Part 1 was recorded: never again. Part 2 is the one message of the residual window.
    assert numbers == [1, 2, *range(2, total + 1)]


REFUSALS = {
    "serverchan": ({"code": 40001, "message": "超过当天的发送次数限制"}, 200),
    "pushplus": ({"code": 900, "msg": "用户账号使用受限"}, 200),
    "telegram": (
        {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
        400,
    ),
    "discord": ({"code": 50035, "message": "Invalid Form Body"}, 400),
}


@pytest.mark.parametrize("kind", CHAT_KINDS)
def test_a_part_refused_in_the_answer_body_fails_and_the_next_run_resumes(
    kind: str, db: Path, server: SmtpServer, receiver: Receiver
) -> None:
    with open_archive(db) as store:
        store.save_digest(big_digest(480, BIG_DAY))
    settings = DeliverySettings(webhooks=(chat_hook(receiver, kind),))
    # Part 2 is refused with the service's own error answer (ServerChan and PushPlus: HTTP 200).
    body, status = REFUSALS[kind]
    refusal = Response(json.dumps(body), status=status, content_type="application/json")
    receiver.fail_next += [None, refusal]
    first = run(db, settings, server, [BIG_DAY])
    assert statuses(first) == [("team", "failed")]
    assert first.failures and "refused the message" in first.failures[0]
    second = run(db, settings, server, [BIG_DAY])
    assert statuses(second) == [("team", "sent")]
    assert "resumed after 1" in second.outcomes[0].detail
    numbers = part_numbers(receiver, kind)
    assert numbers == list(range(1, len(numbers) + 1))  # every part exactly once
