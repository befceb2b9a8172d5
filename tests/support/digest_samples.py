"""Small synthetic digests for the render and import tests (built here, not read from files)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from paperfeed.core.records import (
    AnnounceType,
    Digest,
    DigestEntry,
    DigestSection,
    MatchedTerm,
    Paper,
)
from paperfeed.publish.seed_text import seed_header

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def make_paper(
    arxiv_id: str,
    *,
    title: str = "",
    abstract: str = "",
    version: int = 1,
    authors: tuple[str, ...] = ("Ada Lovelace", "Alan Turing"),
    categories: tuple[str, ...] = ("cs.LG", "cs.AI"),
    updated: datetime | None = None,
    published: datetime | None = None,
    comment: str | None = None,
    doi: str | None = None,
) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=title or f"Title of {arxiv_id}",
        authors=authors,
        abstract=abstract or f"Abstract of {arxiv_id}.",
        categories=categories,
        comment=comment,
        doi=doi,
        published=published,
        updated=updated,
    )


def make_entry(
    paper: Paper,
    *,
    translated: bool = True,
    announce_type: AnnounceType | None = "new",
    terms: tuple[MatchedTerm, ...] = (),
) -> DigestEntry:
    return DigestEntry(
        paper=paper,
        title_zh=f"标题 {paper.arxiv_id}" if translated else None,
        abstract_zh=f"摘要 {paper.arxiv_id}。" if translated else None,
        announce_type=announce_type,
        terms=terms,
    )


def make_digest(
    sections: dict[str, list[DigestEntry]],
    *,
    listing_date: date = date(2026, 6, 4),
    generated_at: datetime = datetime(2026, 6, 4, 19, 18, 50, tzinfo=SHANGHAI),
    announced_at: datetime | None = datetime(2026, 6, 3, 20, 0, tzinfo=NEW_YORK),
    timezone: str = "Asia/Shanghai",
) -> Digest:
    return Digest(
        listing_date=listing_date,
        header=seed_header(generated_at, announced_at, ZoneInfo(timezone)),
        generated_at=generated_at,
        announced_at=announced_at,
        timezone=timezone,
        sections=tuple(DigestSection(topic, tuple(entries)) for topic, entries in sections.items()),
    )


RL_TERMS = (
    MatchedTerm("reinforcement learning", "title", "Reinforcement Learning"),
    MatchedTerm("reinforcement learning", "abstract", "reinforcement learning"),
    MatchedTerm("cs.RO", "categories", "cs.RO"),
)


def sample_digest() -> Digest:
    """Two topics sharing one paper, one untranslated paper, one empty topic."""
    shared = make_entry(
        make_paper(
            "2606.04029",
            title="Deployed Reinforcement Learning should be Continual",
            categories=("cs.LG", "cs.AI"),
        ),
        terms=RL_TERMS,
    )
    robot = make_entry(
        make_paper("2606.04100", title="Robots in $\\mathbb{R}^3$", categories=("cs.RO",)),
        announce_type="cross",
    )
    untranslated = make_entry(
        make_paper("2606.04200", categories=("stat.ML",)), translated=False, announce_type="replace"
    )
    return make_digest(
        {
            "reinforcement learning": [shared, untranslated],
            "robotics": [shared, robot],
            "diffusion policy": [],
        }
    )
