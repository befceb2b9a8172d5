"""export.arxiv.org/api/query: the recorded responses parsed field by field, and the client's
paging, empty-page retries and back-fill query against a real loopback server."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from paperfeed.core.errors import ParseError, SourceError
from paperfeed.sources.arxiv_api import (
    ArxivApiClient,
    arxiv_categories,
    parse_api_feed,
    submitted_query,
)
from paperfeed.sources.http import PoliteClient, make_http_client
from tests.support import FIXTURES

UPSTREAM = FIXTURES / "upstream"
NEW_YORK = ZoneInfo("America/New_York")


def recorded(name: str) -> bytes:
    return (UPSTREAM / name).read_bytes()


@pytest.fixture
def http() -> Iterator[PoliteClient]:
    with make_http_client("paperfeed-tests", timeout=5.0) as client:
        yield PoliteClient(client, min_interval=0.0, retries=0, sleep=lambda s: None)


def api(server: HTTPServer, http: PoliteClient, **options: int) -> ArxivApiClient:
    return ArxivApiClient(http, server.url_for("/api/query"), **options)


# -- parsing the recorded responses -----------------------------------------------------------


def test_the_recorded_search_parses_field_by_field() -> None:
    page = parse_api_feed(recorded("arxiv_api_query.xml"))
    assert (page.total_results, page.start_index, page.items_per_page) == (214881, 0, 100)
    assert [p.versioned_id for p in page.papers] == [
        "2202.12139v1",
        "2007.09895v2",
        "0804.0970v1",
        "hep-ph/0301050v2",
    ]
    first = page.papers[0]
    assert first.title == (
        "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    )
    assert first.authors == ("Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker")
    assert first.categories == ("cs.SE", "cs.LG")
    assert first.comment == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    assert first.journal_ref is not None and first.journal_ref.startswith(
        "Artificial Intelligence in Software Testing @ 2022 IEEE"
    )
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert first.published == datetime(2022, 2, 24, 15, 5, 19, tzinfo=UTC)
    assert first.updated == first.published
    assert first.license is None

    revised = page.papers[1]
    assert revised.version == 2
    assert revised.published == datetime(2020, 7, 20, 5, 51, 35, tzinfo=UTC)
    assert revised.updated == datetime(2020, 11, 4, 4, 23, 50, tzinfo=UTC)
    assert revised.categories == ("cs.DS", "math.PR", "math.ST")
    # The paragraph break ("\n  ") is folded to one space; the half-converted TeX is kept.
    assert "for several classic distribution testing problems in this model. First, we prove" in (
        revised.abstract
    )
    assert "$\\tildeΘ(\\sqrt{\\log N} \\cdot \\varepsilon^{-2})$" in revised.abstract
    assert revised.doi is None and revised.journal_ref is None

    old = page.papers[2]
    assert old.abstract.startswith("Algebraic specifications of data types")  # leading spaces gone
    assert old.authors == ("Marie-Claude Gaudel", "Pascale Le Gall")  # affiliations left out
    assert old.comment is None

    old_style = page.papers[3]
    assert (old_style.arxiv_id, old_style.version) == ("hep-ph/0301050", 2)
    assert old_style.categories == ("hep-ph",)
    assert old_style.abstract.startswith('"Anarchy" is the hypothesis')
    for paper in page.papers:
        assert "\n" not in paper.abstract and "  " not in paper.abstract


def test_the_recorded_id_list_response_with_affiliations() -> None:
    page = parse_api_feed(recorded("arxiv_api_id_list_affiliations.xml"))
    assert page.total_results == 1
    (paper,) = page.papers
    assert paper.versioned_id == "astro-ph/0601001v1"
    assert paper.authors == ("Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski")
    assert paper.categories == ("astro-ph",)
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert "following Gould & Morgan (2003)" in paper.abstract  # entities decoded
    assert "limit of V_max<17.5." in paper.abstract
    assert paper.abstract.startswith("We derive the frequencies")


def test_the_recorded_empty_response_has_no_papers() -> None:
    page = parse_api_feed(recorded("arxiv_api_empty.xml"))
    assert (page.total_results, page.start_index, page.papers) == (0, 0, ())


def test_the_recorded_error_feed_is_a_source_error_with_arxivs_message() -> None:
    with pytest.raises(SourceError) as caught:
        parse_api_feed(recorded("arxiv_api_error.xml"), url="u", status=400)
    assert not isinstance(caught.value, ParseError)
    assert "incorrect id format for abc" in caught.value.message
    assert caught.value.status == 400


def test_malformed_xml_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="not well-formed XML"):
        parse_api_feed(recorded("arxiv_api_query.xml")[:2000])
    with pytest.raises(ParseError, match="not an Atom feed"):
        parse_api_feed(b"<html><body>502 Bad Gateway</body></html>")


LEGACY_ENTRY = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query%3Dau%3Adel_maestro" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=au:del_maestro</title>
  <updated>2016-10-09T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">10</opensearch:itemsPerPage>
  <entry>
    <id>http://arxiv.org/abs/1306.1234v3</id>
    <updated>2013-09-01T12:00:00-04:00</updated>
    <published>2013-06-05T20:00:00-04:00</published>
    <title>A Hard-Wrapped
  Legacy Title</title>
    <summary>  First line of the abstract
continues here.
</summary>
    <author><name>A. Del Maestro</name></author>
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">10 pages</arxiv:comment>
    <link href="http://arxiv.org/abs/1306.1234v3" rel="alternate" type="text/html"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cond-mat.stat-mech" scheme="http://arxiv.org/schemas/atom"/>
    <category term="physics.comp-ph" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cond-mat.stat-mech" scheme="http://arxiv.org/schemas/atom"/>
    <category term="I.2.6; I.5.1" scheme="http://arxiv.org/schemas/atom"/>
    <category term="68T05" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>
"""


def test_the_legacy_format_parses_too() -> None:
    page = parse_api_feed(LEGACY_ENTRY.encode())
    (paper,) = page.papers
    assert (page.total_results, page.items_per_page) == (1, 10)
    assert paper.versioned_id == "1306.1234v3"
    assert paper.title == "A Hard-Wrapped Legacy Title"
    assert paper.abstract == "First line of the abstract continues here."
    assert paper.categories == (
        "cond-mat.stat-mech",
        "physics.comp-ph",
    )  # primary first, no ACM/MSC
    assert paper.comment == "10 pages"
    assert paper.published == datetime(2013, 6, 6, 0, 0, tzinfo=UTC)  # offset converted to UTC
    assert paper.updated == datetime(2013, 9, 1, 16, 0, tzinfo=UTC)


def test_only_arxiv_category_codes_are_kept() -> None:
    terms = [
        "cs.LG",
        "I.2.6",
        "68T05",
        "stat.ML",
        "cs.LG",
        "astro-ph.GA",
        "F.2.2; G.3",
        "hep-th",
        "q-bio.NC",
        "physics.space-ph",
        "62H30, 68T10",
        "Primary 35Q30",
    ]
    assert arxiv_categories(terms) == (
        "cs.LG",
        "stat.ML",
        "astro-ph.GA",
        "hep-th",
        "q-bio.NC",
        "physics.space-ph",
    )


# -- the client against a loopback server -----------------------------------------------------


def entry(arxiv_id: str, published: datetime | None = None) -> str:
    when = (published or datetime(2026, 2, 17, 20, 0, tzinfo=UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"""  <entry>
    <id>http://arxiv.org/abs/{arxiv_id}v1</id>
    <title>Paper {arxiv_id}</title>
    <updated>{when}</updated>
    <link href="https://arxiv.org/abs/{arxiv_id}v1" rel="alternate" type="text/html"/>
    <summary>Abstract of {arxiv_id}.</summary>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <published>{when}</published>
    <arxiv:primary_category term="cs.LG"/>
    <author>
      <name>Ada Lovelace</name>
    </author>
  </entry>
"""


def api_feed(total: int, start: int, entries: Sequence[str], per_page: int = 2) -> bytes:
    """A current-format API response, laid out like the recorded arxiv_api_query.xml."""
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/api/test</id>\n  <title>arXiv Query</title>\n"
        f"  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
        + "".join(entries)
        + "</feed>\n"
    ).encode()


IDS = ["2602.00001", "2602.00002", "2602.00003", "2602.00004", "2602.00005"]


def paged(results: Sequence[str], total: int | None = None) -> Callable[[Request], Response]:
    def answer(request: Request) -> Response:
        start = int(request.args["start"])
        size = int(request.args["max_results"])
        chosen = results[start : start + size]
        body = api_feed(len(results) if total is None else total, start, [entry(i) for i in chosen])
        return Response(body, content_type="application/atom+xml")

    return answer


def test_search_pages_through_all_results(httpserver: HTTPServer, http: PoliteClient) -> None:
    httpserver.expect_request("/api/query").respond_with_handler(paged(IDS))
    papers = list(api(httpserver, http, page_size=2).search("cat:cs.LG"))
    assert [p.arxiv_id for p in papers] == IDS
    asked = [dict(r.args) for r, _ in httpserver.log]
    assert [(a["start"], a["max_results"]) for a in asked] == [("0", "2"), ("2", "2"), ("4", "2")]
    assert all(a["search_query"] == "cat:cs.LG" for a in asked)
    assert all((a["sortBy"], a["sortOrder"]) == ("submittedDate", "ascending") for a in asked)


def test_search_stops_at_max_results(httpserver: HTTPServer, http: PoliteClient) -> None:
    httpserver.expect_request("/api/query").respond_with_handler(paged(IDS))
    papers = list(api(httpserver, http, page_size=2).search("cat:cs.LG", max_results=3))
    assert [p.arxiv_id for p in papers] == IDS[:3]
    assert [r.args["max_results"] for r, _ in httpserver.log] == ["2", "1"]


def test_an_unexpectedly_empty_page_is_asked_again(
    httpserver: HTTPServer, http: PoliteClient, caplog: pytest.LogCaptureFixture
) -> None:
    # The API's known fault: a later page comes back valid but with totalResults 0, no entries.
    httpserver.expect_oneshot_request(
        "/api/query",
        query_string={
            "search_query": "cat:cs.LG",
            "sortBy": "submittedDate",
            "sortOrder": "ascending",
            "start": "2",
            "max_results": "2",
        },
    ).respond_with_data(api_feed(0, 2, []))
    httpserver.expect_request("/api/query").respond_with_handler(paged(IDS))
    papers = list(api(httpserver, http, page_size=2).search("cat:cs.LG"))
    assert [p.arxiv_id for p in papers] == IDS
    assert [r.args["start"] for r, _ in httpserver.log] == ["0", "2", "2", "4"]
    assert any("empty page" in r.getMessage() for r in caplog.records)


def test_an_empty_page_that_stays_empty_is_a_source_error(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    # totalResults promises 5, but no page ever has entries.
    httpserver.expect_request("/api/query").respond_with_data(api_feed(5, 0, []))
    client = api(httpserver, http, page_size=2, empty_page_retries=2)
    with pytest.raises(SourceError) as caught:
        list(client.search("cat:cs.LG"))
    assert "empty page at start=0 of 5 results (3 tries)" in caught.value.message
    assert len(httpserver.log) == 3


def test_a_query_without_results_is_not_retried(httpserver: HTTPServer, http: PoliteClient) -> None:
    httpserver.expect_request("/api/query").respond_with_data(recorded("arxiv_api_empty.xml"))
    assert list(api(httpserver, http).search("ti:zzzzqqq")) == []
    assert len(httpserver.log) == 1


def test_fetch_ids_asks_in_chunks_of_the_page_size(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    def by_ids(request: Request) -> Response:
        ids = request.args["id_list"].split(",")
        return Response(api_feed(len(ids), 0, [entry(i) for i in ids]))

    httpserver.expect_request("/api/query").respond_with_handler(by_ids)
    papers = api(httpserver, http, page_size=2).fetch_ids(IDS[:3])
    assert [p.arxiv_id for p in papers] == IDS[:3]
    asked = [(r.args["id_list"], r.args["max_results"]) for r, _ in httpserver.log]
    assert asked == [("2602.00001,2602.00002", "2"), ("2602.00003", "1")]


def test_fetch_ids_reports_the_apis_error_feed(httpserver: HTTPServer, http: PoliteClient) -> None:
    httpserver.expect_request(
        "/api/query", query_string={"id_list": "abc", "start": "0", "max_results": "1"}
    ).respond_with_data(recorded("arxiv_api_error.xml"), status=400)
    with pytest.raises(SourceError) as caught:
        api(httpserver, http).fetch_ids(["abc"])
    assert "incorrect id format for abc" in caught.value.message
    assert caught.value.status == 400 and "id_list=abc" in caught.value.url


def test_a_400_without_the_error_feed_is_a_source_error(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    httpserver.expect_request("/api/query").respond_with_data("max_results too large", status=400)
    with pytest.raises(SourceError) as caught:
        api(httpserver, http).fetch_ids(["2602.00001"])
    assert not isinstance(caught.value, ParseError) and "HTTP 400" in caught.value.message


def test_submitted_between_builds_the_gmt_query_and_keeps_the_exact_window(
    httpserver: HTTPServer, http: PoliteClient
) -> None:
    start = datetime(2026, 2, 17, 14, 0, tzinfo=NEW_YORK)  # 19:00 GMT
    end = start + timedelta(days=1)
    inside = datetime(2026, 2, 17, 19, 0, 0, tzinfo=UTC)
    results = [
        entry("2602.00001", datetime(2026, 2, 17, 18, 59, 59, tzinfo=UTC)),  # before the window
        entry("2602.00002", inside),
        entry("2602.00003", inside + timedelta(hours=5)),
        entry("2602.00004", datetime(2026, 2, 18, 19, 0, 30, tzinfo=UTC)),  # in the end minute
    ]

    def answer(request: Request) -> Response:
        return Response(api_feed(len(results), 0, results, per_page=100))

    httpserver.expect_request("/api/query").respond_with_handler(answer)
    papers = api(httpserver, http).submitted_between(["cs.LG", "cs.SE"], start, end)
    assert [p.arxiv_id for p in papers] == ["2602.00002", "2602.00003"]
    ((request, _),) = httpserver.log
    assert request.args["search_query"] == (
        "(cat:cs.LG OR cat:cs.SE) AND submittedDate:[202602171900 TO 202602181900]"
    )
    assert (request.args["sortBy"], request.args["sortOrder"]) == ("submittedDate", "ascending")


def test_submitted_query_is_in_gmt_and_refuses_naive_times() -> None:
    summer = datetime(2026, 6, 2, 14, 0, tzinfo=NEW_YORK)  # EDT: 18:00 GMT
    assert submitted_query(["cs.RO"], summer, summer + timedelta(days=1)) == (
        "(cat:cs.RO) AND submittedDate:[202606021800 TO 202606031800]"
    )
    with pytest.raises(ValueError):
        submitted_query(["cs.RO"], datetime(2026, 6, 2), datetime(2026, 6, 3))
    with pytest.raises(ValueError):
        submitted_query([], summer, summer)
