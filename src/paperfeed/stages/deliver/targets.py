"""Who receives what: the configured targets and the idempotency key of each message.

A target is one ledger key's (channel, recipient); what one message carries is a
``paperfeed.publish.edition.Edition``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from paperfeed.config.delivery import DeliverySettings

EMAIL = "email"
KEY_VERSION = "paperfeed-delivery/1"


@dataclass(frozen=True, slots=True)
class Target:
    channel: str  # "email", or a webhook kind: "feishu", "telegram", ... (WEBHOOK_KINDS)
    recipient: str  # the address, or the webhook's name
    topics: tuple[str, ...]  # empty: every topic

    @property
    def label(self) -> str:
        return (
            f"{self.channel} {self.recipient}"
            if self.channel == EMAIL
            else (f"{self.channel} webhook {self.recipient!r}")
        )


def targets(settings: DeliverySettings) -> tuple[Target, ...]:
    """Every push target, e-mail recipients first, in configured order."""
    found = [Target(EMAIL, r.email, r.topics) for r in settings.recipients]
    found += [Target(w.kind, w.name, w.topics) for w in settings.webhooks]
    return tuple(found)


def message_key(dates: Sequence[date], channel: str, recipient: str) -> str:
    """The idempotency key of one message: the same on every attempt, different per target."""
    text = "|".join([KEY_VERSION, ",".join(d.isoformat() for d in dates), channel, recipient])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
