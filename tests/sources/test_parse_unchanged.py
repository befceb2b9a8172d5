"""The speed work changed nothing parse_rss returns: every recorded feed, and a feed of real
papers in the shapes arXiv's metadata takes, parse exactly as they did at commit 7a4076a
(a snapshot the old code wrote; see tests/fixtures/parsed/PROVENANCE.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from paperfeed.sources.arxiv_rss import parse_rss
from tests.support import FIXTURES
from tests.support.rss_variants import page_snapshot, varied_feed

SNAPSHOT: dict[str, Any] = json.loads(
    (FIXTURES / "parsed" / "rss_parse_7a4076a.json").read_text(encoding="utf-8")
)
RECORDED = {
    "arxiv_rss_cs_LG.xml": "cs.LG",
    "arxiv_rss_cs_LG+cs_SE.xml": "cs.LG+cs.SE",
    "arxiv_atom_cs_LG.xml": "cs.LG",
    "arxiv_rss_cs_LG_empty_saturday.xml": "cs.LG",
}


@pytest.mark.parametrize(("name", "feed"), RECORDED.items())
def test_the_recorded_feeds_parse_as_before(name: str, feed: str) -> None:
    page = parse_rss((FIXTURES / "upstream" / name).read_bytes(), feed)
    assert page_snapshot(page) == SNAPSHOT[name]


def test_real_papers_in_varied_shapes_parse_as_before() -> None:
    page = parse_rss(varied_feed(), "cs")
    expected = SNAPSHOT["varied_feed"]
    assert len(page.items) == len(expected["items"]) == 87
    assert page_snapshot(page) == expected
    # The variants did reach the parser: affiliations, wrapped names, odd spaces.
    papers = [item.paper for item in page.items]
    assert any("(Dept. of CS (AI Lab), ETH Zurich)" in a for p in papers for a in p.authors)
    assert any(p.journal_ref for p in papers) and any(p.doi for p in papers)
