"""The digest stage: the day's matches and translations as a ``Digest``, stored in the archive.
A rerun that selects and translates the same keeps the first run's digest (and its header), so
the files it writes again are byte-identical."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from paperfeed.archive import Archive
from paperfeed.core.records import (
    Digest,
    DigestEntry,
    DigestSection,
    Match,
    StageName,
    Translation,
)
from paperfeed.core.wording import counted
from paperfeed.publish.seed_text import seed_header
from paperfeed.stages.contract import Done, required


@required(StageName.DIGEST)
def make_digest(
    target: date,
    matches: Mapping[str, Sequence[Match]],
    translations: Mapping[str, Translation],
    store: Archive,
    *,
    topics: Sequence[str],
    generated_at: datetime,
    announced_at: datetime,
    zone: ZoneInfo,
    timezone: str,
) -> Done[Digest]:
    digest = build_digest(
        target,
        topics=topics,
        matches=matches,
        translations=translations,
        generated_at=generated_at,
        announced_at=announced_at,
        zone=zone,
        timezone=timezone,
    )
    existing = store.digest(target)
    if existing is not None and existing.sections == digest.sections:
        return Done(existing, "unchanged since the last run", "skipped")
    store.save_digest(digest)
    return Done(digest, counted(digest.paper_count, "paper"))


def build_digest(
    target: date,
    *,
    topics: Sequence[str],
    matches: Mapping[str, Sequence[Match]],
    translations: Mapping[str, Translation],
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
