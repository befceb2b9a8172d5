"""The delivery stage as the pipeline, the CLI and the daemon use it.

``open_delivery(settings, store, now=..., sleep=...)`` builds the real collaborators (the
archive's delivery ledger, an ``httpx.Client`` for webhooks, an SMTP sender made on first use) and
yields a ``Delivery``, or None when nothing is configured. ``Delivery.deliver(dates)`` pushes
digests through the ledger and then republishes the feeds and the site if they have folders.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime

import httpx

from paperfeed.archive import Archive
from paperfeed.config import Settings
from paperfeed.core.errors import DeliveryError
from paperfeed.core.records import Digest, StageName, StageStatus
from paperfeed.core.wording import counted
from paperfeed.publish.email import SmtpSender
from paperfeed.publish.feed import build_feeds
from paperfeed.publish.site import FEED_DAYS, build_site, write_feeds
from paperfeed.publish.webhooks import TIMEOUT, WebhookSender
from paperfeed.sources.http import user_agent
from paperfeed.stages.contract import Done, OptionalStage, optional
from paperfeed.stages.deliver.dispatch import DeliveryReport, Dispatcher

log = logging.getLogger(__name__)


def configured(settings: Settings) -> bool:
    d = settings.delivery
    return d.sends or d.feed.dir is not None or d.site.dir is not None


class Delivery:
    def __init__(
        self,
        settings: Settings,
        store: Archive,
        *,
        now: Callable[[], datetime],
        http: httpx.Client | None,
        sleep: Callable[[float], None],
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        delivery = settings.delivery
        email_sender = None
        if delivery.email.enabled:

            def email_sender() -> SmtpSender:
                return SmtpSender(
                    delivery.email, ssl_context=ssl_context, local_hostname=local_hostname
                )

        self.dispatcher = Dispatcher(
            delivery,
            store,
            load_digest=store.digest,
            now=now,
            email_sender=email_sender,
            webhook_sender=WebhookSender(http, now=now, sleep=sleep) if http else None,
            subject_names=store.subject_names(),
            tldrs_for=store.tldrs_for,
        )

    def deliver(
        self,
        dates: Sequence[date],
        *,
        merge: bool = False,
        dry_run: bool = False,
        resend_uncertain: bool = False,
    ) -> DeliveryReport:
        report = self.dispatcher.deliver(
            dates, merge=merge, dry_run=dry_run, resend_uncertain=resend_uncertain
        )
        return report if dry_run else report + self.publish()

    def retry(self) -> DeliveryReport:
        """Failed deliveries of earlier runs, again; the feeds and site only if one went out."""
        report = self.dispatcher.deliver([])
        sent = any(o.status == "sent" for o in report.outcomes)
        return report + self.publish() if sent else report

    def stage(self) -> OptionalStage[[Digest], DeliveryReport]:
        """The run's "deliver" stage: the digest just written, then failed ones again. A
        recipient that could not be reached makes the run partial (it is retried next run)."""

        @optional(StageName.DELIVER)
        def deliver(digest: Digest) -> Done[DeliveryReport]:
            report = self.deliver([digest.listing_date])
            status: StageStatus = "failed" if report.failures else "ok"
            return Done(report, report.summary, status, report.failures)

        return deliver

    def publish(self) -> DeliveryReport:
        """Rewrite the Atom feeds and the static site, when they have folders."""
        feed, site = self.settings.delivery.feed, self.settings.delivery.site
        written: list[str] = []
        errors: list[str] = []
        dates = self.store.digest_dates()
        if feed.dir is not None:
            try:
                recent = [d for day in dates[-FEED_DAYS:] if (d := self.store.digest(day))]
                write_feeds(
                    feed.dir,
                    build_feeds(
                        recent,
                        title=site.title,
                        base_url=feed.base_url,
                        alternate_url=site.base_url,
                        max_entries=feed.max_entries,
                        subject_names=self.store.subject_names(),
                    ),
                )
                written.append(f"feeds to {feed.dir}")
            except DeliveryError as exc:
                errors.append(f"feeds: {exc.message}")
        if site.dir is not None:
            try:
                result = build_site(
                    site.dir,
                    dates,
                    self.store.digest,
                    title=site.title,
                    base_url=site.base_url,
                    subject_names=self.store.subject_names(),
                    max_feed_entries=feed.max_entries,
                )
                written.append(
                    f"site to {result.folder} ({counted(result.changed, 'file')} changed)"
                )
            except DeliveryError as exc:
                errors.append(f"site: {exc.message}")
        return DeliveryReport(written=tuple(written), errors=tuple(errors))


@contextlib.contextmanager
def open_delivery(
    settings: Settings,
    store: Archive,
    *,
    now: Callable[[], datetime],
    sleep: Callable[[float], None],
    http: httpx.Client | None = None,
    ssl_context: ssl.SSLContext | None = None,
    local_hostname: str | None = None,
) -> Iterator[Delivery | None]:
    """A ``Delivery`` for this process, or None when no channel is configured."""
    if not configured(settings):
        yield None
        return
    with contextlib.ExitStack() as stack:
        if http is None and settings.delivery.webhooks:
            http = stack.enter_context(
                httpx.Client(
                    headers={"User-Agent": user_agent(settings.arxiv.contact_email)},
                    timeout=TIMEOUT,
                    follow_redirects=False,  # a redirected POST is not what the service meant
                )
            )
        yield Delivery(
            settings,
            store,
            now=now,
            http=http,
            sleep=sleep,
            ssl_context=ssl_context,
            local_hostname=local_hostname,
        )
