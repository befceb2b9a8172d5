"""rss.arxiv.org feeds: the recorded feeds parsed field by field, and listings fetched from a
real loopback server (including a synthetic 2000-item feed that arXiv would have cut off)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from xml.sax.saxutils import escape

import httpx
import pytest
from pytest_httpserver import HTTPServer

from paperfeed.core.errors import ParseError, SourceError
from paperfeed.core.records import ListingItem, Paper
from paperfeed.sources.arxiv_rss import (
    abstract_of,
    fetch_feed,
    fetch_listing,
    merge_items,
    parse_rss,
    split_authors,
)
from paperfeed.sources.http import PoliteClient, make_http_client
from tests.support import FIXTURES

UPSTREAM = FIXTURES / "upstream"
FEB_18 = date(2026, 2, 18)


def recorded(name: str) -> bytes:
    return (UPSTREAM / name).read_bytes()


@pytest.fixture
def http() -> Iterator[PoliteClient]:
    with make_http_client("paperfeed-tests", timeout=5.0) as client:
        yield PoliteClient(client, min_interval=0.0, retries=0, sleep=lambda s: None)


def base_url(server: HTTPServer) -> str:
    return server.url_for("/rss")


# -- parsing the recorded feeds ---------------------------------------------------------------


def test_the_recorded_cs_lg_feed_parses_field_by_field() -> None:
    page = parse_rss(recorded("arxiv_rss_cs_LG.xml"), "cs.LG")
    assert page.feed == "cs.LG"
    assert page.listing_date == FEB_18
    assert [(i.paper.versioned_id, i.announce_type) for i in page.items] == [
        ("2301.05651v1", "new"),
        ("2602.15552v1", "cross"),
        ("2405.11454v2", "replace"),
        ("2205.09552v3", "replace-cross"),
    ]
    first = page.items[0].paper
    assert first.title == "Mutation Testing of Deep Reinforcement Learning Based on Real Faults"
    assert first.authors == (
        "Florian Tambon",
        "Vahid Majdinasab",
        "Amin Nikanjam",
        "Foutse Khomh",
        "Giuliano Antonio",
    )
    assert first.categories == ("cs.LG", "cs.SE")
    assert first.license == "http://creativecommons.org/licenses/by/4.0/"
    assert first.abstract.startswith("Testing Deep Learning (DL) systems is a complex task")
    assert first.abstract.endswith("can enhance testing capability in RL systems.")
    assert first.doi is None and first.journal_ref is None and first.comment is None
    assert first.published is None and first.updated is None

    cross = page.items[1].paper
    assert cross.authors == ("Giorgi Merabishvili", "Oliver Weißl", "Andrea Stocco")
    assert cross.categories == ("cs.SE", "cs.LG")  # primary first, as listed
    assert cross.primary_category == "cs.SE"
    assert cross.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"

    tex = page.items[2].paper
    assert tex.categories == ("cs.LG", "cs.DS", "math.OC")
    assert "and $\\varepsilon>0$, we design" in tex.abstract  # &gt; decoded, TeX kept raw

    journal = page.items[3].paper
    assert journal.doi == "10.1109/AITest55621.2022.00013"
    assert journal.journal_ref == (
        "2022 IEEE International Conference On Artificial Intelligence Testing (AITest), "
        "2022, pp. 26-33"
    )
    assert journal.categories == ("cs.AR", "cs.AI", "cs.LG", "cs.SE")
    for item in page.items:
        assert "\n" not in item.paper.abstract and "Announce Type" not in item.paper.abstract
        assert not item.paper.abstract.startswith("arXiv:")


def test_the_atom_variant_gives_the_same_papers_as_the_rss_feed() -> None:
    rss = parse_rss(recorded("arxiv_rss_cs_LG.xml"), "cs.LG")
    atom = parse_rss(recorded("arxiv_atom_cs_LG.xml"), "cs.LG")
    assert atom == rss


def test_the_multi_category_feed_types_papers_against_both_categories() -> None:
    page = parse_rss(recorded("arxiv_rss_cs_LG+cs_SE.xml"), "cs.LG+cs.SE")
    assert page.listing_date == FEB_18
    types = {i.paper.arxiv_id: i.announce_type for i in page.items}
    # Primary cs.SE is requested here, so the paper that is a cross-list in cs.LG is new.
    assert types == {
        "2301.05651": "new",
        "2602.15552": "new",
        "2405.11454": "replace",
        "2205.09552": "replace-cross",
    }


def test_an_empty_saturday_feed_is_a_page_without_items() -> None:
    page = parse_rss(recorded("arxiv_rss_cs_LG_empty_saturday.xml"), "cs.LG")
    assert page.items == ()
    assert page.listing_date == date(2026, 2, 21)


def test_authors_are_split_outside_the_parentheses_of_affiliations() -> None:
    creator = (
        "Jane Doe (MIT, Harvard), John Roe, Ann Lee Jr (Univ. of X (Dept. Y), Z), "
        "Zoë Müller (ETH Zürich)"
    )
    authors = split_authors(creator)
    assert authors == (
        "Jane Doe (MIT, Harvard)",
        "John Roe",
        "Ann Lee Jr (Univ. of X (Dept. Y), Z)",
        "Zoë Müller (ETH Zürich)",
    )
    assert ", ".join(authors) == creator  # the authors line prints back as arXiv wrote it
    # Numbered affiliations, as some papers list them (example digest 2026-06-04).
    numbered = "Kailun Huang (1), Haohui Huang (3) ((1) HKUST (Guangzhou), (3) GDUT)"
    assert split_authors(numbered) == (
        "Kailun Huang (1)",
        "Haohui Huang (3) ((1) HKUST (Guangzhou), (3) GDUT)",
    )
    assert split_authors("") == ()
    assert split_authors("  Single\n  Author ") == ("Single Author",)


def test_the_abstract_is_what_follows_the_announce_line() -> None:
    text = "arXiv:2601.00001v2 Announce Type: replace \nAbstract: Two  lines\n  of text. "
    assert abstract_of(text) == "Two lines of text."
    assert abstract_of("arXiv:2601.00001v1 Announce Type: new \nNo marker here.") == (
        "No marker here."
    )


def test_malformed_xml_is_a_parse_error_naming_feed_and_url() -> None:
    cut = recorded("arxiv_rss_cs_LG.xml")[:1500]
    with pytest.raises(ParseError) as caught:
        parse_rss(cut, "cs.LG", url="https://rss.arxiv.org/rss/cs.LG")
    assert "cs.LG" in caught.value.message and "not well-formed XML" in caught.value.message
    assert caught.value.url == "https://rss.arxiv.org/rss/cs.LG"
    assert "run again later" in caught.value.hint
    with pytest.raises(ParseError, match="not an RSS or Atom feed"):
        parse_rss(b"<html><body>Service Unavailable</body></html>", "cs.LG")


# -- fetching ---------------------------------------------------------------------------------


def test_fetch_feed_gets_the_feed_under_the_base_url(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    httpserver.expect_request("/rss/cs.LG+cs.SE").respond_with_data(
        recorded("arxiv_rss_cs_LG+cs_SE.xml"), content_type="application/rss+xml"
    )
    page = fetch_feed(http, base_url(httpserver) + "/", "cs.LG+cs.SE")
    assert page.feed == "cs.LG+cs.SE" and len(page.items) == 4


def test_an_unknown_category_is_a_source_error_quoting_arxiv(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    httpserver.expect_request("/rss/cs.XX").respond_with_data(
        recorded("arxiv_rss_error_bad_category.xml"), status=400
    )
    with pytest.raises(SourceError) as caught:
        fetch_feed(http, base_url(httpserver), "cs.XX")
    error = caught.value
    assert "cs.XX" in error.message and "Bad subject class 'XX'" in error.message
    assert "Valid subject classes for the archive 'cs' are: cs.AI" in error.message
    assert error.status == 400 and error.url.endswith("/rss/cs.XX")
    assert "[arxiv] categories" in error.hint


def test_a_400_without_arxivs_error_document_is_still_a_source_error(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    httpserver.expect_request("/rss/cs.LG").respond_with_data("Bad Request", status=400)
    with pytest.raises(SourceError) as caught:
        fetch_feed(http, base_url(httpserver), "cs.LG")
    assert not isinstance(caught.value, ParseError)
    assert "HTTP 400" in caught.value.message and "cs.LG" in caught.value.message


def test_a_malformed_feed_over_http_is_a_parse_error(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    httpserver.expect_request("/rss/cs.LG").respond_with_data(recorded("arxiv_rss_cs_LG.xml")[:900])
    with pytest.raises(ParseError) as caught:
        fetch_feed(http, base_url(httpserver), "cs.LG")
    assert caught.value.url == base_url(httpserver) + "/cs.LG"


def test_a_listing_merges_feeds_and_prefers_the_primary_reading(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    httpserver.expect_request("/rss/cs.LG").respond_with_data(recorded("arxiv_rss_cs_LG.xml"))
    httpserver.expect_request("/rss/cs.LG+cs.SE").respond_with_data(
        recorded("arxiv_rss_cs_LG+cs_SE.xml")
    )
    progress: list[tuple[str, int]] = []
    listing = fetch_listing(
        http,
        base_url(httpserver),
        ["cs.LG", "cs.LG+cs.SE"],
        split_feed=no_split,
        on_feed=lambda feed, n: progress.append((feed, n)),
    )
    assert listing.listing_date == FEB_18
    assert listing.feeds == ("cs.LG", "cs.LG+cs.SE")
    assert [(i.paper.arxiv_id, i.announce_type) for i in listing.items] == [
        ("2301.05651", "new"),
        ("2602.15552", "new"),  # a cross-list in cs.LG, new where its primary was asked for
        ("2405.11454", "replace"),
        ("2205.09552", "replace-cross"),
    ]
    assert progress == [("cs.LG", 4), ("cs.LG+cs.SE", 4)]


def test_a_listing_of_only_empty_feeds_has_no_date(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    empty = recorded("arxiv_rss_cs_LG_empty_saturday.xml")
    httpserver.expect_request("/rss/cs.LG").respond_with_data(empty)
    httpserver.expect_request("/rss/cs.SE").respond_with_data(empty)
    listing = fetch_listing(http, base_url(httpserver), ["cs.LG", "cs.SE"], split_feed=no_split)
    assert listing.listing_date is None and listing.items == ()
    assert listing.feeds == ("cs.LG", "cs.SE")


def test_feeds_showing_different_days_are_a_source_error(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    httpserver.expect_request("/rss/cs.LG").respond_with_data(recorded("arxiv_rss_cs_LG.xml"))
    next_day = rss_feed("cs.SE", "Thu, 19 Feb 2026 00:00:00 -0500", [synthetic("2602.20001")])
    httpserver.expect_request("/rss/cs.SE").respond_with_data(next_day)
    with pytest.raises(SourceError) as caught:
        fetch_listing(http, base_url(httpserver), ["cs.LG", "cs.SE"], split_feed=no_split)
    assert "disagree on the listing date" in caught.value.message
    assert "cs.LG shows 2026-02-18" in caught.value.message
    assert "cs.SE shows 2026-02-19" in caught.value.message


def test_an_empty_feed_of_the_next_day_means_the_feeds_switched_midway(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    httpserver.expect_request("/rss/cs.LG").respond_with_data(recorded("arxiv_rss_cs_LG.xml"))
    httpserver.expect_request("/rss/cs.SE").respond_with_data(
        recorded("arxiv_rss_cs_LG_empty_saturday.xml")
    )
    with pytest.raises(SourceError, match="disagree on the listing date"):
        fetch_listing(http, base_url(httpserver), ["cs.LG", "cs.SE"], split_feed=no_split)


def test_a_full_feed_is_fetched_again_split_into_its_categories(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    # The archive has 2500 papers today; arXiv's "cs" feed shows the first 2000 and drops the
    # rest. cs.AI has 1500 (all new); cs.LG has 1500: 500 cross-lists of cs.AI papers, 1000 new.
    ai = [synthetic(f"2602.{n:05d}", "new", ("cs.AI", "cs.LG")) for n in range(1, 1501)]
    lg = [synthetic(f"2602.{n:05d}", "cross", ("cs.AI", "cs.LG")) for n in range(1001, 1501)]
    lg += [synthetic(f"2602.{n:05d}", "new", ("cs.LG",)) for n in range(1501, 2501)]
    capped = [synthetic(f"2602.{n:05d}", "new", ("cs.AI",)) for n in range(1, 2001)]
    day = "Wed, 18 Feb 2026 00:00:00 -0500"
    httpserver.expect_request("/rss/cs").respond_with_data(rss_feed("cs", day, capped))
    httpserver.expect_request("/rss/cs.AI").respond_with_data(rss_feed("cs.AI", day, ai))
    httpserver.expect_request("/rss/cs.LG").respond_with_data(rss_feed("cs.LG", day, lg))
    split_asked: list[str] = []

    def split(feed: str) -> tuple[str, ...]:
        split_asked.append(feed)
        return ("cs.AI", "cs.LG")

    progress: list[tuple[str, int]] = []
    listing = fetch_listing(
        http,
        base_url(httpserver),
        ["cs"],
        split_feed=split,
        on_feed=lambda f, n: progress.append((f, n)),
    )
    assert split_asked == ["cs"]
    assert [r.path for r, _ in httpserver.log] == ["/rss/cs", "/rss/cs.AI", "/rss/cs.LG"]
    assert listing.feeds == ("cs.AI", "cs.LG")
    assert listing.listing_date == FEB_18
    ids = [i.paper.arxiv_id for i in listing.items]
    assert len(ids) == 2500 and len(set(ids)) == 2500
    assert ids == sorted(ids)
    assert {i.announce_type for i in listing.items} == {"new"}
    assert progress == [("cs", 2500)]


def test_a_full_single_category_cannot_be_split_and_says_papers_would_be_lost(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    httpserver.expect_request("/rss/cs.LG").respond_with_data(recorded("arxiv_rss_cs_LG.xml"))

    def archive_only(feed: str) -> tuple[str, ...]:
        raise ValueError(f"{feed!r} is not an arXiv archive with a feed")

    with pytest.raises(SourceError) as caught:
        fetch_listing(http, base_url(httpserver), ["cs.LG"], split_feed=archive_only, max_items=4)
    assert "cs.LG" in caught.value.message and "would be lost" in caught.value.message


def test_merging_prefers_later_versions_then_primary_types() -> None:
    def item(arxiv_id: str, version: int, kind: str) -> ListingItem:
        paper = Paper(arxiv_id, version, "t", ("a",), "abs", ("cs.LG",))
        return ListingItem(paper=paper, announce_type=kind)  # type: ignore[arg-type]

    merged = merge_items(
        [
            item("2602.00003", 2, "replace-cross"),
            item("2602.00003", 2, "replace"),
            item("2602.00002", 1, "cross"),
            item("2602.00001", 1, "new"),
            item("2602.00002", 1, "new"),
            item("2602.00004", 1, "cross"),
            item("2602.00004", 2, "replace-cross"),
        ]
    )
    assert [(i.paper.arxiv_id, i.paper.version, i.announce_type) for i in merged] == [
        ("2602.00001", 1, "new"),
        ("2602.00002", 1, "new"),
        ("2602.00003", 2, "replace"),
        ("2602.00004", 2, "replace-cross"),
    ]


# -- synthetic feeds, laid out like the recorded arxiv_rss_cs_LG.xml ----------------------------


def no_split(feed: str) -> tuple[str, ...]:
    raise AssertionError(f"nothing should be split here, asked for {feed!r}")


def synthetic(
    arxiv_id: str, kind: str = "new", categories: Sequence[str] = ("cs.LG",)
) -> tuple[str, str, Sequence[str]]:
    return arxiv_id, kind, categories


def rss_feed(feed: str, pub_date: str, items: Sequence[tuple[str, str, Sequence[str]]]) -> bytes:
    """An rss.arxiv.org-shaped feed (element order and namespaces as in the recorded one)."""
    parts = [
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">\n  <channel>\n'
        f"    <title>{feed} updates on arXiv.org</title>\n"
        f"    <link>http://rss.arxiv.org/rss/{feed}</link>\n"
        f"    <pubDate>{pub_date}</pubDate>\n"
    ]
    for arxiv_id, kind, categories in items:
        cats = "".join(f"      <category>{c}</category>\n" for c in categories)
        parts.append(
            "    <item>\n"
            f"      <title>Paper {arxiv_id}</title>\n"
            f"      <link>https://arxiv.org/abs/{arxiv_id}</link>\n"
            f"      <description>arXiv:{arxiv_id}v1 Announce Type: {kind} \n"
            f"Abstract: {escape('Results for x < y & more.')}</description>\n"
            f'      <guid isPermaLink="false">oai:arXiv.org:{arxiv_id}v1</guid>\n'
            f"{cats}"
            f"      <pubDate>{pub_date}</pubDate>\n"
            f"      <arxiv:announce_type>{kind}</arxiv:announce_type>\n"
            "      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>\n"
            "      <dc:creator>Ada Lovelace, Alan Turing</dc:creator>\n"
            "    </item>\n"
        )
    parts.append("  </channel>\n</rss>\n")
    return "".join(parts).encode("utf-8")


def test_the_synthetic_feed_builder_matches_the_parser() -> None:
    # Guards the builder the listing tests rely on.
    page = parse_rss(
        rss_feed("cs.LG", "Wed, 18 Feb 2026 00:00:00 -0500", [synthetic("2602.00001")]), "cs.LG"
    )
    assert page.listing_date == FEB_18
    assert page.items[0].paper.abstract == "Results for x < y & more."
    assert page.items[0].paper.authors == ("Ada Lovelace", "Alan Turing")
    assert httpx.URL("http://x/rss/cs.LG+cs.SE").path == "/rss/cs.LG+cs.SE"
