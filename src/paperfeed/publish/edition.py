"""What one message carries: one listing's digest, or, after downtime with
``catch_up = "merged"``, several listings merged into one, each cut to the recipient's topics.

Pure functions over records, shared by every channel (e-mail, chat payloads)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from paperfeed.core.records import Digest, DigestEntry, DigestSection


@dataclass(frozen=True, slots=True)
class Edition:
    """What one message carries."""

    dates: tuple[date, ...]  # the listings it covers, oldest first
    digest: Digest  # already cut to the target's topics

    @property
    def listing_date(self) -> date:
        return self.dates[-1]

    @property
    def merged(self) -> bool:
        return len(self.dates) > 1

    @property
    def title(self) -> str:
        """ "arXiv 速递 2026-06-04", or "arXiv 速递 2026-06-01 – 2026-06-04（3 期合并）"."""
        if self.merged:
            return (
                f"arXiv 速递 {self.dates[0].isoformat()} – {self.dates[-1].isoformat()}"
                f"（{len(self.dates)} 期合并）"
            )
        return f"arXiv 速递 {self.listing_date.isoformat()}"


def cut_to_topics(digest: Digest, topics: Sequence[str]) -> Digest:
    """The digest with only ``topics`` (all of them when empty), in the digest's order."""
    if not topics:
        return digest
    wanted = set(topics)
    return replace(digest, sections=tuple(s for s in digest.sections if s.topic in wanted))


def merge_digests(digests: Sequence[Digest]) -> Digest:
    """Several listings' digests as one: topics in the newest digest's order (then any topic
    only older ones had), papers oldest listing first, each paper once per topic (its newest
    entry, so a replaced paper shows its latest version)."""
    if not digests:
        raise ValueError("merge_digests needs at least one digest")
    ordered = sorted(digests, key=lambda d: d.listing_date)
    newest = ordered[-1]
    topic_order = [s.topic for s in newest.sections]
    for digest in ordered:
        topic_order += [s.topic for s in digest.sections if s.topic not in topic_order]
    by_topic: dict[str, dict[str, DigestEntry]] = {t: {} for t in topic_order}
    for digest in ordered:
        for section in digest.sections:
            entries = by_topic[section.topic]
            for entry in section.entries:
                entries.pop(entry.paper.arxiv_id, None)  # a later listing's entry moves last
                entries[entry.paper.arxiv_id] = entry
    return replace(
        newest,
        sections=tuple(
            DigestSection(topic=t, entries=tuple(by_topic[t].values())) for t in topic_order
        ),
    )


def edition(digests: Sequence[Digest], topics: Sequence[str]) -> Edition:
    """One message's content for a target subscribed to ``topics``."""
    ordered = sorted(digests, key=lambda d: d.listing_date)
    merged = ordered[0] if len(ordered) == 1 else merge_digests(ordered)
    return Edition(
        dates=tuple(d.listing_date for d in ordered), digest=cut_to_topics(merged, topics)
    )
