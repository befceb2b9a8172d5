"""Digests and settings for the delivery tests (built here, not read from files)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from paperfeed.archive import Archive, open_archive
from paperfeed.config.delivery import DeliverySettings, EmailSettings, Recipient, WebhookSettings
from paperfeed.core.records import Digest, DigestEntry, MatchedTerm
from tests.support.digest_samples import make_digest, make_entry, make_paper

RL, DP = "reinforcement learning", "diffusion policy"
JUNE_4 = date(2026, 6, 4)
NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def entry(
    number: int, *, day: date = JUNE_4, translated: bool = True, topic: str = RL
) -> DigestEntry:
    arxiv_id = f"{day:%y%m}.{number:05d}"
    paper = make_paper(
        arxiv_id,
        title=f"Policy Optimization with $O(n^2)$ Regret, Part {number}",
        abstract=f"We study {topic} in $\\mathbb{{R}}^d$ with $\\epsilon$-greedy exploration "
        f"and bound the regret by $\\sqrt{{T}}$. Paper {number} <b>&</b> more.",
        authors=("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"),
        categories=("cs.LG", "cs.AI"),
    )
    made = make_entry(
        paper,
        translated=translated,
        terms=(MatchedTerm(term=topic, field="abstract", text=topic),),
    )
    if translated:
        made = replace(
            made,
            title_zh=f"具有 $O(n^2)$ 遗憾的策略优化（第 {number} 部分）",
            abstract_zh=f"我们在 $\\mathbb{{R}}^d$ 中研究{topic}，并用 $\\sqrt{{T}}$ 界定遗憾。第 {number} 篇。",
        )
    return made


def digest_for(day: date = JUNE_4, *, rl: int = 3, dp: int = 2, start: int = 1) -> Digest:
    """A digest dated ``day`` with ``rl`` + ``dp`` distinct papers (the last one untranslated)."""
    rl_entries = [entry(start + i, day=day) for i in range(rl)]
    dp_entries = [
        entry(start + rl + i, day=day, topic=DP, translated=i != dp - 1) for i in range(dp)
    ]
    announced = datetime.combine(day - timedelta(days=1), datetime.min.time(), NEW_YORK).replace(
        hour=20
    )
    return make_digest(
        {RL: rl_entries, DP: dp_entries},
        listing_date=day,
        generated_at=(announced + timedelta(hours=1)).astimezone(SHANGHAI),
        announced_at=announced,
    )


def big_digest(papers: int = 200, day: date = JUNE_4) -> Digest:
    return digest_for(day, rl=papers * 3 // 4, dp=papers - papers * 3 // 4)


def email_settings(host: str, port: int, **changes: object) -> EmailSettings:
    base = EmailSettings(
        host=host,
        port=port,
        security="starttls",
        sender="paperfeed <digest@example.org>",
        timeout=10.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def delivery_settings(
    *,
    email: EmailSettings | None = None,
    recipients: tuple[Recipient, ...] = (),
    webhooks: tuple[WebhookSettings, ...] = (),
) -> DeliverySettings:
    return DeliverySettings(
        email=email or EmailSettings(), recipients=recipients, webhooks=webhooks
    )


def store_with(path: Path, *digests: Digest) -> Archive:
    store = open_archive(path)
    for digest in digests:
        store.save_digest(digest)
    return store
