"""Synthetic arXiv listings built from the example digests' real papers, for whole-program tests.

The papers (titles, authors, categories, abstracts) are the real ones printed in the example
digests (tests/fixtures/digests, see PROVENANCE.md there); the feeds around them are laid out
the way rss.arxiv.org lays them out (paperfeed.demo.feeds).
"""

from __future__ import annotations

from dataclasses import replace

from paperfeed.core.records import Digest, ListingItem
from paperfeed.importing.parsers import parse_seed_text
from paperfeed.sources.arxiv_rss import parse_rss
from tests.support import FIXTURES

DIGESTS = FIXTURES / "digests"


def example_digest(name: str) -> Digest:
    path = DIGESTS / name
    return parse_seed_text(path.read_text(encoding="utf-8"), path=str(path)).digest


def example_items(name: str) -> list[ListingItem]:
    """The example digest's papers as new submissions (version 1)."""
    return [
        ListingItem(paper=replace(e.paper, version=1), announce_type="new")
        for e in example_digest(name).papers
    ]


def unrelated_items() -> list[ListingItem]:
    """Recorded rss.arxiv.org items that match neither default topic (a cross-list and two
    replacements; the recorded feed's one RL paper is left out)."""
    page = parse_rss((FIXTURES / "upstream" / "arxiv_rss_cs_LG.xml").read_bytes(), "cs.LG")
    return [i for i in page.items if i.paper.arxiv_id != "2301.05651"]
