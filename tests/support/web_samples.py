"""A small real archive for the web app's tests, and a clock the tests can move.

The archive is a real SQLite file: the two example digests imported with ``paperfeed.imports``
(their real papers and Chinese text; tests/fixtures/digests, see PROVENANCE.md there), plus one
crafted day (2026-06-03) with what the imports lack: matched terms, TeX, many authors, a
replaced paper seen in two versions, a cross-list, an untranslated paper, and a hostile paper
whose every field tries to break out of HTML, JSON or a template. 2026-06-02 has a listing but
no digest. The clock stands at 2026-06-05 04:00 UTC: the listing dated 2026-06-05 is announced
(not fetched), 2026-06-06 is a Saturday, 2026-06-08 is not announced yet.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from paperfeed.app.web import WebOptions, create_app
from paperfeed.archive import open_archive
from paperfeed.core.records import Digest, DigestEntry, Listing, ListingItem, MatchedTerm
from paperfeed.importing.loader import import_file
from tests.support.digest_samples import make_digest, make_entry, make_paper
from tests.support.listing_builder import DIGESTS

NOW = datetime(2026, 6, 5, 4, 0, tzinfo=UTC)
LATEST = date(2026, 6, 4)  # the imported example digest: 52 papers
APRIL = date(2026, 4, 22)  # the other imported example digest: 35 papers
CRAFTED = date(2026, 6, 3)
LISTING_ONLY = date(2026, 6, 2)

RL_PAPER = "2606.03001"
REPLACED = "2606.03002"
CROSS = "2606.03003"
UNTRANSLATED = "2606.03004"
HOSTILE = "2606.03666"
LISTED_ONLY = "2606.03500"
LATEST_PAPER = "2606.04029"  # in the 2026-06-04 example digest

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"
HOSTILE_TOPIC = "<i>robots</i> & {{7*7}}"
MANY_AUTHORS = tuple(f"Author{n} Surname{n}" for n in range(1, 13))


@dataclass
class Clock:
    """The web app's clock: tests move it to cast votes at different times."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def crafted_digest_and_listing() -> tuple[Digest, Listing, Listing]:
    rl = make_paper(
        RL_PAPER,
        title="Continual Reinforcement Learning with $\\mathcal{O}(\\sqrt{T})$ Regret",
        abstract=(
            "We study reinforcement learning in non-stationary worlds and prove a regret of "
            "$\\mathcal{O}(\\sqrt{T})$. Our policy gradient method is simple."
        ),
        authors=MANY_AUTHORS,
        categories=("cs.LG", "cs.AI", "stat.ML"),
        published=datetime(2026, 6, 1, 15, 0, tzinfo=UTC),
        updated=datetime(2026, 6, 1, 15, 0, tzinfo=UTC),
        doi="10.1000/rl.2026",
    )
    replaced_v1 = make_paper(
        REPLACED,
        title="Diffusion Policy for Dexterous Hands",
        abstract="A diffusion policy for robot hands (first version).",
        categories=("cs.RO", "cs.LG"),
        authors=("Grace Hopper",),
        published=datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
        updated=datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
    )
    replaced_v2 = make_paper(
        REPLACED,
        version=2,
        title="Diffusion Policy for Dexterous Hands",
        abstract="A diffusion policy for robot hands, now with real robot experiments.",
        categories=("cs.RO", "cs.LG"),
        authors=("Grace Hopper",),
        published=datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
        updated=datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
    )
    cross = make_paper(
        CROSS,
        title="Offline Reinforcement Learning for Power Grids",
        abstract="Offline reinforcement learning controls a power grid.",
        categories=("eess.SY", "cs.LG"),
        authors=("Edsger Dijkstra", "Barbara Liskov"),
    )
    untranslated = make_paper(
        UNTRANSLATED,
        title="Reward Models Without Translation",
        abstract="A reinforcement learning reward model nobody translated.",
        categories=("stat.ML",),
        authors=("Donald Knuth",),
    )
    hostile = make_paper(
        HOSTILE,
        title=f"{SCRIPT} Hostile {TEMPLATE} title",
        abstract=f"Abstract {IMG} and {TEMPLATE} and {SCRIPT}; math $x<y$ and {{% raw %}}.",
        authors=("<b>Mallory</b>", "{{ config }}", 'Eve "><svg onload=alert(1)>'),
        categories=("cs.CR",),
        comment=f"comment {SCRIPT}",
    )
    rl_terms = (
        MatchedTerm("reinforcement learning", "title", "Reinforcement Learning"),
        MatchedTerm("reinforcement learning", "abstract", "reinforcement learning"),
    )
    hostile_entry = DigestEntry(
        paper=hostile,
        title_zh=f"{SCRIPT} 恶意标题 {TEMPLATE}",
        abstract_zh=f"摘要 {IMG} {TEMPLATE}",
        announce_type="new",
        terms=(MatchedTerm("hostile", "title", "Hostile"),),
    )
    digest = make_digest(
        {
            "reinforcement learning": [
                make_entry(rl, terms=rl_terms),
                make_entry(
                    cross,
                    announce_type="cross",
                    terms=(
                        MatchedTerm("reinforcement learning", "title", "Reinforcement Learning"),
                    ),
                ),
                make_entry(untranslated, translated=False, announce_type="new", terms=rl_terms[1:]),
            ],
            "diffusion policy": [
                make_entry(
                    replaced_v2,
                    announce_type="replace",
                    terms=(MatchedTerm("diffusion policy", "title", "Diffusion Policy"),),
                ),
                make_entry(
                    rl, terms=(MatchedTerm("policy", "abstract", "policy"),), announce_type="new"
                ),
            ],
            HOSTILE_TOPIC: [hostile_entry],
            "quantum gravity": [],
        },
        listing_date=CRAFTED,
        generated_at=datetime(2026, 6, 3, 9, 0, tzinfo=UTC),
        announced_at=datetime(2026, 6, 3, 0, 0, tzinfo=UTC),
    )
    listed_only = make_paper(
        LISTED_ONLY,
        title="Graph Neural Networks in a Listing Only",
        abstract="Listed, never in a digest.",
        categories=("cs.SI",),
        authors=("Claude Shannon",),
    )
    listing = Listing(
        listing_date=CRAFTED,
        items=(
            ListingItem(rl, "new"),
            ListingItem(cross, "cross"),
            ListingItem(untranslated, "new"),
            ListingItem(replaced_v2, "replace"),
            ListingItem(hostile, "new"),
            ListingItem(listed_only, "new"),
        ),
        feeds=("cs", "stat", "eess"),
    )
    earlier = Listing(
        listing_date=LISTING_ONLY, items=(ListingItem(replaced_v1, "new"),), feeds=("cs",)
    )
    return digest, listing, earlier


def build_archive(path: Path) -> Path:
    """Write the test archive to ``path`` (a new file) and close it."""
    with open_archive(path, clock=lambda: NOW - timedelta(days=1)) as store:
        for name in ("digest-2026-04-22.txt", "digest-2026-06-04.txt"):
            import_file(DIGESTS / name, store)
        digest, listing, earlier = crafted_digest_and_listing()
        store.save_listing(earlier)
        store.save_listing(listing)
        store.save_digest(digest)
        # The pipeline records each paper version's Chinese text; the crafted digest's too.
        for entry in digest.papers:
            if entry.title_zh is not None:
                assert store.paper(entry.paper.arxiv_id, entry.paper.version) is not None
                store.set_paper_translation(entry.paper, entry.title_zh, entry.abstract_zh)
    return path


def archive_copy(folder: Path, factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the test archive in ``folder``; built once per test session."""
    built = factory.getbasetemp() / "web-archive" / "archive.db"
    if not built.exists():
        built.parent.mkdir(exist_ok=True)
        build_archive(built)
    target = folder / "paperfeed.db"
    shutil.copyfile(built, target)
    return target


def options(database: Path, clock: Clock | None = None, **changes: Any) -> WebOptions:
    return WebOptions(database=database, now=clock or Clock(), **changes)


@contextmanager
def web_client(web_options: WebOptions, **kwargs: Any) -> Iterator[TestClient]:
    """The app in-process (no socket), as a browser on this machine would reach it."""
    with TestClient(create_app(web_options), base_url="http://127.0.0.1", **kwargs) as client:
        yield client


def csrf_token(client: TestClient) -> str:
    """This client's CSRF token (the first call also gives it its reader cookie)."""
    token = client.get("/api/session").json()["csrf_token"]
    assert isinstance(token, str)
    return token
