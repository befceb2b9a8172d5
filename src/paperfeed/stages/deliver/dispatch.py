"""Walks every configured target through the ledger: send what is due, once.

For each target and listing: already ``sent`` or ``skipped`` -> nothing to do; ``uncertain``
-> reported, resent only with ``resend_uncertain``; new or ``failed`` -> build the message
(pure), record ``sending``, send, record the outcome. Failed deliveries of earlier listings are
retried too. ``dry_run`` builds every message and reports it without sending or recording.
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from paperfeed.archive.interface import Deliveries
from paperfeed.archive.records import DELIVERED, DeliveryRecord
from paperfeed.config.delivery import DeliverySettings, WebhookSettings
from paperfeed.core.errors import DeliveryError, SendError
from paperfeed.core.records import Digest, Paper
from paperfeed.core.wording import counted
from paperfeed.publish.edition import Edition, edition
from paperfeed.publish.email import EmailBodies, SmtpSender, compose, render_bodies, unsubscribe_url
from paperfeed.publish.webhook_payloads import build_payloads
from paperfeed.publish.webhooks import WebhookSender
from paperfeed.stages.deliver.targets import EMAIL, Target, message_key, targets

log = logging.getLogger(__name__)

OutcomeStatus = Literal[
    "sent", "already", "failed", "uncertain", "skipped", "would-send", "held-uncertain"
]


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    target: Target
    dates: tuple[date, ...]
    status: OutcomeStatus
    detail: str = ""

    @property
    def line(self) -> str:
        days = ", ".join(d.isoformat() for d in self.dates)
        return f"{self.target.label} [{days}]: {self.status}{': ' + self.detail if self.detail else ''}"

    @property
    def is_failure(self) -> bool:
        return self.status in ("failed", "uncertain")


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    outcomes: tuple[DeliveryOutcome, ...] = ()
    written: tuple[str, ...] = ()  # feed and site folders written
    errors: tuple[str, ...] = ()  # feed or site failures

    @property
    def failures(self) -> tuple[str, ...]:
        return tuple(o.line for o in self.outcomes if o.is_failure) + self.errors

    @property
    def summary(self) -> str:
        counts: dict[str, int] = defaultdict(int)
        for outcome in self.outcomes:
            counts[outcome.status] += 1
        parts = [f"{n} {status}" for status, n in counts.items()]
        parts += [f"wrote {w}" for w in self.written]
        parts += [f"{len(self.errors)} publishing errors"] if self.errors else []
        return ", ".join(parts) or "nothing to deliver"

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            self.outcomes + other.outcomes, self.written + other.written, self.errors + other.errors
        )


class Dispatcher:
    """One delivery run's state: the open SMTP connection, rendered e-mail bodies."""

    def __init__(
        self,
        settings: DeliverySettings,
        ledger: Deliveries,
        *,
        load_digest: Callable[[date], Digest | None],
        now: Callable[[], datetime],
        email_sender: Callable[[], SmtpSender] | None = None,
        webhook_sender: WebhookSender | None = None,
        subject_names: Mapping[str, str] | None = None,
        tldrs_for: Callable[[Sequence[Paper]], Mapping[str, str]] | None = None,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self._load = load_digest
        self._now = now
        self._make_email_sender = email_sender
        self._webhook_sender = webhook_sender
        self._subject_names = subject_names
        self._tldrs_for = tldrs_for
        self._smtp: SmtpSender | None = None
        self._bodies: dict[tuple[tuple[date, ...], tuple[str, ...]], EmailBodies] = {}
        self._digests: dict[date, Digest] = {}
        self._hooks = {w.name: w for w in settings.webhooks}

    # -- the run ------------------------------------------------------------------------------

    def deliver(
        self,
        dates: Sequence[date],
        *,
        merge: bool = False,
        dry_run: bool = False,
        resend_uncertain: bool = False,
        retry_failed: bool = True,
    ) -> DeliveryReport:
        """Deliver the digests of ``dates`` (one message per listing, or one merged message
        when ``merge``) to every target, and retry earlier failures."""
        if not targets(self.settings):
            return DeliveryReport()
        for day in dates:
            self._digest(day)  # a missing digest fails before anything is sent
        with contextlib.ExitStack() as stack:
            outcomes: list[DeliveryOutcome] = []
            if not dry_run:
                stack.enter_context(self.ledger.delivery_lock())
                stack.callback(self._close_smtp)
                outcomes += self._interrupted(self.ledger.recover_interrupted_deliveries())
            groups = [tuple(sorted(dates))] if merge and dates else [(d,) for d in sorted(dates)]
            for target in targets(self.settings):
                for group in groups:
                    outcomes.append(
                        self._deliver_group(target, group, dry_run, resend_uncertain, retry=False)
                    )
            if retry_failed:
                outcomes += self._retry_failed(set(dates), dry_run)
        return DeliveryReport(outcomes=tuple(outcomes))

    def _interrupted(self, records: Sequence[DeliveryRecord]) -> list[DeliveryOutcome]:
        by_key: dict[str, list[DeliveryRecord]] = defaultdict(list)
        for record in records:
            by_key[record.message_key].append(record)
        found = []
        for group in by_key.values():
            first = group[0]
            found.append(
                DeliveryOutcome(
                    Target(first.channel, first.recipient, ()),
                    tuple(r.listing_date for r in group),
                    "uncertain",
                    "interrupted while sending by an earlier run: it may or may not have "
                    "arrived; not resent (`paperfeed deliver --resend-uncertain` resends it)",
                )
            )
        return found

    def _retry_failed(self, handled: set[date], dry_run: bool) -> list[DeliveryOutcome]:
        configured = {(t.channel, t.recipient): t for t in targets(self.settings)}
        by_key: dict[str, list[DeliveryRecord]] = defaultdict(list)
        for record in self.ledger.retryable_deliveries():
            if record.listing_date not in handled:
                by_key[record.message_key].append(record)
        outcomes = []
        for group in by_key.values():
            target = configured.get((group[0].channel, group[0].recipient))
            if target is None:
                continue  # no longer configured: leave the record as it is
            days = tuple(sorted(r.listing_date for r in group))
            if any(self._load_cached(d) is None for d in days):
                continue  # the digest is gone from the archive: nothing to resend
            outcomes.append(self._deliver_group(target, days, dry_run, False, retry=True))
        return outcomes

    def _digest(self, day: date) -> Digest:
        found = self._load_cached(day)
        if found is None:
            raise DeliveryError(
                f"no digest for {day} in the archive",
                hint=f"run `paperfeed run --date {day}` first",
            )
        return found

    def _load_cached(self, day: date) -> Digest | None:
        if day not in self._digests:
            found = self._load(day)
            if found is None:
                return None
            self._digests[day] = found
        return self._digests[day]

    # -- one target, one message --------------------------------------------------------------

    def _deliver_group(
        self,
        target: Target,
        days: tuple[date, ...],
        dry_run: bool,
        resend_uncertain: bool,
        *,
        retry: bool,
    ) -> DeliveryOutcome:
        records = {
            d: self.ledger.delivery_record(d, target.channel, target.recipient) for d in days
        }
        # "sending" is only seen here in a dry run (a real run has recovered it as uncertain).
        held = [
            d for d, r in records.items() if r is not None and r.status in ("uncertain", "sending")
        ]
        due = tuple(
            d
            for d, r in records.items()
            if r is None or r.status == "failed" or (resend_uncertain and r.status == "uncertain")
        )
        if not due:
            if held and not resend_uncertain:
                return DeliveryOutcome(
                    target, tuple(held), "held-uncertain", "may have arrived; not resent"
                )
            statuses = {r.status for r in records.values() if r is not None}
            return DeliveryOutcome(target, days, "already", "/".join(sorted(statuses & DELIVERED)))
        content = edition([self._digest(d) for d in due], target.topics)
        key = message_key(due, target.channel, target.recipient)
        if content.digest.paper_count == 0:
            reason = "no paper in the subscribed topics"
            if not dry_run:
                self.ledger.skip_delivery(due, target.channel, target.recipient, key, reason)
            return DeliveryOutcome(target, due, "skipped", reason)
        try:
            if target.channel == EMAIL:
                return self._email(target, content, key, dry_run, retry)
            return self._webhook(target, content, key, dry_run, retry)
        except SendError as exc:
            if not dry_run:
                self.ledger.fail_delivery(key, exc.message, uncertain=exc.uncertain)
            log.warning("%s: %s", target.label, exc.message)
            return DeliveryOutcome(
                target, due, "uncertain" if exc.uncertain else "failed", str(exc)
            )

    def _day_url(self, content: Edition) -> str:
        base = self.settings.site.base_url
        return f"{base}days/{content.listing_date.isoformat()}.html" if base else ""

    def _email(
        self, target: Target, content: Edition, key: str, dry_run: bool, retry: bool
    ) -> DeliveryOutcome:
        email = self.settings.email
        cache_key = (content.dates, target.topics)
        if cache_key not in self._bodies:
            papers = [entry.paper for entry in content.digest.papers]
            self._bodies[cache_key] = render_bodies(
                content,
                subject_names=self._subject_names,
                day_url=self._day_url(content),
                tldrs=self._tldrs_for(papers) if self._tldrs_for else None,
            )
        bodies = self._bodies[cache_key]
        message = compose(
            bodies,
            recipient=target.recipient,
            sender=email.sender,
            message_key=key,
            now=self._now(),
            unsubscribe=unsubscribe_url(email.unsubscribe, email.sender, target.recipient),
        )
        if dry_run:
            return DeliveryOutcome(
                target,
                content.dates,
                "would-send",
                f"{bodies.subject!r}, {counted(bodies.paper_count, 'paper')}, {len(message.data)} bytes",
            )
        self.ledger.begin_delivery(content.dates, target.channel, target.recipient, key, 1)
        reply = self._smtp_sender().send(message)
        self.ledger.finish_delivery(key, f"Message-ID {message.message_id}; {reply}")
        return DeliveryOutcome(
            target,
            content.dates,
            "sent",
            f"{counted(bodies.paper_count, 'paper')}{' (retry)' if retry else ''}",
        )

    def _webhook(
        self, target: Target, content: Edition, key: str, dry_run: bool, retry: bool
    ) -> DeliveryOutcome:
        hook: WebhookSettings = self._hooks[target.recipient]
        payloads = build_payloads(
            hook.kind,
            content,
            day_url=self._day_url(content),
            message_key=key,
            template=hook.template,
        )
        count = content.digest.paper_count
        if dry_run:
            return DeliveryOutcome(
                target,
                content.dates,
                "would-send",
                f"{counted(len(payloads), 'message')}, {counted(count, 'paper')}",
            )
        if self._webhook_sender is None:
            raise SendError(f"{target.label}: no HTTP client to post with")
        start = self.ledger.begin_delivery(
            content.dates, target.channel, target.recipient, key, len(payloads)
        )
        for number in range(start, len(payloads)):
            self._webhook_sender.post(hook, payloads[number], idempotency_key=f"{key}/{number + 1}")
            self.ledger.delivery_part_sent(key, number + 1)
        self.ledger.finish_delivery(key, f"{counted(len(payloads), 'message')}")
        resumed = f", resumed after {start}" if start else ""
        return DeliveryOutcome(
            target,
            content.dates,
            "sent",
            f"{counted(len(payloads), 'message')}, {counted(count, 'paper')}{resumed}{' (retry)' if retry else ''}",
        )

    def _smtp_sender(self) -> SmtpSender:
        if self._smtp is None:
            if self._make_email_sender is None:
                raise SendError("e-mail is not configured ([email] host is empty)")
            self._smtp = self._make_email_sender()
        return self._smtp

    def _close_smtp(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None
