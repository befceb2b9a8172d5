"""A feed of real papers in the shapes arXiv's metadata takes, for the test that parse results
stay what they were (tests/sources/test_parse_unchanged.py).

The papers are the example digests' real ones (see tests/fixtures/digests/PROVENANCE.md); each
is varied deterministically the ways real metadata varies: titles hard-wrapped, white space
runs, tabs and non-breaking or thin spaces in abstracts, affiliations in parentheses (with
commas, nested, unbalanced), empty author entries, repeated categories, every announce type
and several versions, journal references and DOIs. No TeX accents: the old parser kept them
verbatim, so they are tested on their own (test_tex_text.py, test_metadata_text.py).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from typing import Any

from paperfeed.app.demo.feeds import build_rss
from paperfeed.core.records import AnnounceType, FeedPage, ListingItem, Paper
from tests.support.listing_builder import example_items

DAY = date(2026, 6, 4)
_TYPES: tuple[AnnounceType, ...] = ("new", "cross", "replace", "replace-cross")
_AFFILIATIONS = (
    " (MIT)",
    " (Tsinghua University, Beijing, China)",
    " (Dept. of CS (AI Lab), ETH Zurich)",
    " (Unbalanced, Lab",
    ") stray",
)
_SPACES = ("  ", "\t", "\n      ", "\u00a0", "\u2009", " \u3000 ")


def _varied(paper: Paper, n: int) -> Paper:
    authors = list(paper.authors)
    if n % 3 == 0 and authors:
        authors[0] += _AFFILIATIONS[n % len(_AFFILIATIONS)]
    if n % 11 == 0:
        authors.append(" ")  # an empty entry: ", ," in the creator line
    if n % 4 == 1 and len(authors) > 1:
        authors[1] = authors[1].replace(" ", "\n   ", 1)
    words = paper.title.split(" ")
    if n % 2 == 0 and len(words) > 4:
        words[3] = "\n  " + words[3]  # hard-wrapped as in older feeds
    abstract = paper.abstract
    if n % 5 < 3:
        space = _SPACES[n % len(_SPACES)]
        abstract = abstract.replace(" ", space, 3)
    if n % 7 == 0:
        abstract = f"  {abstract}\n"
    return replace(
        paper,
        version=1 + n % 4,
        title=" ".join(words),
        authors=tuple(authors),
        abstract=abstract,
        categories=(*paper.categories, paper.categories[0]) if n % 6 == 0 else paper.categories,
        journal_ref=f"Proc.  ICML\n 2026, {n}" if n % 8 == 0 else None,
        doi=f"10.1000/ex.{n}" if n % 9 == 0 else None,
    )


def varied_feed() -> bytes:
    """One RSS feed of the example digests' papers, each varied as above."""
    base = example_items("digest-2026-06-04.txt") + example_items("digest-2026-04-22.txt")
    items = [
        ListingItem(
            paper=_varied(replace(item.paper, arxiv_id=f"2606.{20000 + n:05d}"), n),
            announce_type=_TYPES[n % len(_TYPES)],
        )
        for n, item in enumerate(base)
    ]
    return build_rss("cs", DAY, items)


def page_snapshot(page: FeedPage) -> dict[str, Any]:
    """A parsed page as JSON-ready data: every field of every item."""
    return {
        "feed": page.feed,
        "listing_date": page.listing_date.isoformat() if page.listing_date else None,
        "items": [
            {"announce_type": item.announce_type, **_paper_data(item.paper)} for item in page.items
        ],
    }


def _paper_data(paper: Paper) -> dict[str, Any]:
    data = asdict(paper)
    for key in ("published", "updated"):
        data[key] = data[key].isoformat() if data[key] else None
    for key in ("authors", "categories"):
        data[key] = list(data[key])
    return data
