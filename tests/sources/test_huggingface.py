"""huggingface.co/api: the recorded payloads parsed field by field, optional keys removed one by
one, and the client's paging, rate limiting and failures against a real loopback server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from paperfeed.core.errors import ParseError, SourceError
from paperfeed.sources.http import PoliteClient, make_http_client
from paperfeed.sources.huggingface import (
    HuggingFacePapers,
    iso_week,
    parse_daily_papers,
    parse_paper,
)
from tests.support.hf_samples import daily_item, encode, recorded, recorded_items

# -- parsing ---------------------------------------------------------------------------------


def test_the_recorded_daily_item_parses_field_by_field() -> None:
    first, second = parse_daily_papers(recorded("hf_daily_papers.json"))
    assert first.arxiv_id == "2602.23229"
    assert first.title == "Large Multimodal Models as General In-Context Classifiers"
    assert first.summary.startswith("Which multimodal model should we use for classification?")
    assert first.upvotes == 10
    assert first.comments == 1
    assert first.authors == (
        "Marco Garosi",
        "Matteo Farina",
        "Alessandro Conti",
        "Massimiliano Mancini",
        "Elisa Ricci",
    )
    assert first.daily_date == date(2026, 3, 6)  # submittedOnDailyAt, UTC
    assert first.published == datetime(2026, 2, 26, 17, 8, 18, tzinfo=UTC)
    assert first.submitted_by == "marco-garosi"
    assert first.organization == "MHUGLab"
    assert first.organization_name == "Multimedia and Human Understanding Group"
    assert first.github_repo == "https://github.com/marco-garosi/CIRCLE"
    assert first.github_stars == 9
    assert first.project_page == "https://circle-lmm.github.io/"
    assert first.ai_summary is not None and first.ai_summary.startswith("Large Multimodal Models")
    assert first.ai_keywords[:2] == ("Vision-Language Models", "Large Multimodal Models")
    assert len(first.ai_keywords) == 9
    # The daily list does not carry linked repos: unknown, not "none".
    assert first.models is None and first.models_total is None
    assert first.hf_url == "https://huggingface.co/papers/2602.23229"

    assert second.arxiv_id == "2509.04664"
    assert second.title == "Why Language Models Hallucinate"
    assert "\n" not in second.summary  # older data is hard-wrapped
    assert second.summary.startswith("Like students facing hard exam questions, large language")
    assert second.upvotes == 26
    assert second.comments == 0
    assert second.daily_date == date(2025, 9, 8)
    assert second.submitted_by == "taesiri"
    assert second.organization is None and second.organization_name is None
    assert second.github_repo is None and second.github_stars is None
    assert second.project_page is None
    assert second.ai_keywords == (
        "hallucinations",
        "binary classification",
        "uncertain responses",
        "trustworthy AI systems",
    )


def test_the_page_asked_for_dates_every_item() -> None:
    found = parse_daily_papers(recorded("hf_daily_papers.json"), daily_date=date(2026, 3, 7))
    assert {s.daily_date for s in found} == {date(2026, 3, 7)}


def test_the_paper_endpoint_carries_linked_repos_and_no_comments() -> None:
    paper = parse_paper(recorded("hf_paper.json"))
    assert paper.arxiv_id == "2602.23229"
    assert paper.upvotes == 10
    assert paper.comments is None
    assert paper.models == () and paper.datasets == () and paper.spaces == ()
    assert (paper.models_total, paper.datasets_total, paper.spaces_total) == (0, 0, 0)
    assert paper.submitted_by == "marco-garosi"  # from submittedOnDailyBy.user
    assert paper.organization == "MHUGLab"  # the organization inside the paper object


def test_linked_repos_are_read_as_ids_with_their_totals() -> None:
    data = json.loads(recorded("hf_paper.json"))
    data["linkedModels"] = [{"id": "org/model-a", "likes": 3}, {"id": "org/model-b"}]
    data["numTotalModels"] = 7
    data["linkedSpaces"] = ["org/demo"]
    del data["numTotalSpaces"]
    paper = parse_paper(json.dumps(data).encode())
    assert paper.models == ("org/model-a", "org/model-b")
    assert paper.models_total == 7
    assert paper.spaces == ("org/demo",) and paper.spaces_total == 1


PAPER_OPTIONAL = [
    "authors",
    "mediaUrls",
    "publishedAt",
    "submittedOnDailyAt",
    "submittedOnDailyBy",
    "summary",
    "discussionId",
    "projectPage",
    "githubRepo",
    "githubRepoAddedBy",
    "githubStars",
    "ai_summary",
    "ai_keywords",
    "organization",
]
ITEM_OPTIONAL = [
    "publishedAt",
    "title",
    "summary",
    "mediaUrls",
    "thumbnail",
    "numComments",
    "submittedBy",
    "organization",
    "isAuthorParticipating",
]


@pytest.mark.parametrize("key", PAPER_OPTIONAL)
def test_each_optional_paper_key_may_be_missing(key: str) -> None:
    items = recorded_items()
    del items[0]["paper"][key]
    (first, second) = parse_daily_papers(encode(items))
    assert first.arxiv_id == "2602.23229" and first.upvotes == 10
    assert second.arxiv_id == "2509.04664"
    if key == "githubStars":
        assert first.github_stars is None
    if key == "githubRepo":
        assert first.github_repo is None
    if key == "submittedOnDailyAt":
        assert first.daily_date is None
    if key == "ai_keywords":
        assert first.ai_keywords == ()
    if key == "authors":
        assert first.authors == ()
    if key == "summary":  # the item's copy of the abstract is used
        assert first.summary.startswith("Which multimodal model")
    if key == "organization":  # the item's copy of the organization is used
        assert first.organization == "MHUGLab"


@pytest.mark.parametrize("key", ITEM_OPTIONAL)
def test_each_item_key_beside_the_paper_may_be_missing(key: str) -> None:
    items = recorded_items()
    del items[0][key]
    first = parse_daily_papers(encode(items))[0]
    assert first.arxiv_id == "2602.23229" and first.title.startswith("Large Multimodal")
    if key == "numComments":
        assert first.comments is None
    if key == "submittedBy":  # falls back to the paper's submittedOnDailyBy
        assert first.submitted_by == "marco-garosi"


def test_a_bare_minimum_item_parses() -> None:
    body = encode([{"paper": {"id": "2601.00001", "title": "T", "upvotes": 3}}])
    (only,) = parse_daily_papers(body)
    assert (only.arxiv_id, only.title, only.summary, only.upvotes) == ("2601.00001", "T", "", 3)
    assert only.comments is None and only.authors == () and only.ai_keywords == ()


def test_unknown_keys_and_wrongly_typed_optional_keys_are_ignored() -> None:
    items = recorded_items()
    paper = items[0]["paper"]
    paper["someNewField"] = {"nested": [1, 2]}
    paper["githubStars"] = "9"
    paper["ai_keywords"] = "not a list"
    items[0]["organization"] = "MHUGLab"
    first = parse_daily_papers(encode(items))[0]
    assert first.github_stars is None
    assert first.ai_keywords == ()
    assert first.organization == "MHUGLab"  # the paper object's copy


def test_ids_are_normalised_and_non_arxiv_items_skipped() -> None:
    items = recorded_items()
    items[0]["paper"]["id"] = "2602.23229v2"
    items[1]["paper"]["id"] = "not-an-arxiv-id"
    (only,) = parse_daily_papers(encode(items))
    assert only.arxiv_id == "2602.23229"


def test_hard_wrapped_titles_are_folded() -> None:
    items = recorded_items()
    items[1]["paper"]["title"] = "Why Language\n  Models Hallucinate"
    assert parse_daily_papers(encode(items))[1].title == "Why Language Models Hallucinate"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'[{"paper": {"id": "2602.23229", "title": "x"', "not valid JSON"),
        (b"<html>Bad gateway</html>", "not valid JSON"),
        (b'{"error": "Invalid date"}', "JSON object, not an array"),
        (b'[{"title": "no paper"}]', "item 0 has no paper object"),
        (b'[{"paper": {"id": "2602.23229", "title": "x"}}]', "has no upvote count"),
        (b'[{"paper": {"id": "2602.23229", "upvotes": 1}}]', "has no title"),
    ],
)
def test_malformed_payloads_are_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        parse_daily_papers(body, url="http://hf.test/api/daily_papers")
    assert info.value.url == "http://hf.test/api/daily_papers"


def test_the_paper_endpoint_must_answer_an_object() -> None:
    with pytest.raises(ParseError, match="not an object"):
        parse_paper(recorded("hf_daily_papers.json"))


def test_iso_week_names() -> None:
    assert iso_week(date(2026, 3, 6)) == "2026-W10"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"  # ISO years differ from calendar years


# -- fetching --------------------------------------------------------------------------------


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def hf(httpserver: HTTPServer, sleeps: Sleeps) -> Iterator[HuggingFacePapers]:
    with make_http_client("paperfeed-tests", timeout=5.0) as client:
        polite = PoliteClient(
            client, min_interval=0.0, retries=2, backoff=1.0, max_retry_after=60, sleep=sleeps
        )
        yield HuggingFacePapers(polite, httpserver.url_for("/"))


def items_page(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        daily_item(f"2606.{10000 + n}", f"Paper {n}", f"Abstract {n}.", upvotes=100 - n)
        for n in range(start, start + count)
    ]


def test_daily_asks_for_the_date_and_dates_the_items(
    httpserver: HTTPServer, hf: HuggingFacePapers
) -> None:
    httpserver.expect_request(
        "/api/daily_papers", query_string={"date": "2026-03-06", "p": "0", "limit": "100"}
    ).respond_with_data(recorded("hf_daily_papers.json"), content_type="application/json")
    found = hf.daily(date(2026, 3, 6))
    assert [s.arxiv_id for s in found] == ["2602.23229", "2509.04664"]
    assert {s.daily_date for s in found} == {date(2026, 3, 6)}


def test_pages_are_followed_until_a_short_page(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    for page, count in ((0, 2), (1, 2), (2, 1)):
        httpserver.expect_ordered_request(
            "/api/daily_papers", query_string={"week": "2026-W23", "p": str(page), "limit": "2"}
        ).respond_with_data(encode(items_page(count, start=2 * page)))
    with make_http_client("paperfeed-tests", timeout=5.0) as client:
        polite = PoliteClient(client, min_interval=0.0, retries=0, sleep=sleeps)
        found = HuggingFacePapers(polite, httpserver.url_for("/"), page_size=2).week(
            date(2026, 6, 4)
        )
    assert [s.title for s in found] == ["Paper 0", "Paper 1", "Paper 2", "Paper 3", "Paper 4"]
    assert len(httpserver.log) == 3
    httpserver.check_assertions()


def test_a_full_last_page_ends_at_the_empty_page_after_it(
    httpserver: HTTPServer, sleeps: Sleeps
) -> None:
    httpserver.expect_ordered_request(
        "/api/daily_papers", query_string={"month": "2026-06", "p": "0", "limit": "2"}
    ).respond_with_data(encode(items_page(2)))
    httpserver.expect_ordered_request(
        "/api/daily_papers", query_string={"month": "2026-06", "p": "1", "limit": "2"}
    ).respond_with_data(b"[]")
    with make_http_client("paperfeed-tests", timeout=5.0) as client:
        polite = PoliteClient(client, min_interval=0.0, retries=0, sleep=sleeps)
        found = HuggingFacePapers(polite, httpserver.url_for("/"), page_size=2).month(
            date(2026, 6, 30)
        )
    assert len(found) == 2
    httpserver.check_assertions()


def test_trending_asks_for_huggings_faces_own_sort(
    httpserver: HTTPServer, hf: HuggingFacePapers
) -> None:
    httpserver.expect_request(
        "/api/daily_papers", query_string={"p": "0", "limit": "10", "sort": "trending"}
    ).respond_with_data(recorded("hf_daily_papers.json"))
    found = hf.trending(limit=10)
    # Trending items keep the day they were featured.
    assert [s.daily_date for s in found] == [date(2026, 3, 6), date(2025, 9, 8)]


def test_a_single_paper_and_an_unknown_one(httpserver: HTTPServer, hf: HuggingFacePapers) -> None:
    httpserver.expect_request("/api/papers/2602.23229").respond_with_data(recorded("hf_paper.json"))
    httpserver.expect_request("/api/papers/2601.99999").respond_with_json(
        {"error": "Paper not found"}, status=404
    )
    paper = hf.paper("2602.23229")
    assert paper is not None and paper.models_total == 0
    assert hf.paper("2601.99999") is None


def test_a_429_waits_as_long_as_retry_after_says(
    httpserver: HTTPServer, hf: HuggingFacePapers, sleeps: Sleeps
) -> None:
    httpserver.expect_oneshot_request("/api/daily_papers").respond_with_data(
        b'{"error":"rate limited"}',
        status=429,
        headers={"Retry-After": "7", "RateLimit-Policy": '"fixed window";"api";q=500;w=300'},
    )
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        recorded("hf_daily_papers.json")
    )
    found = hf.daily(date(2026, 3, 6))
    assert len(found) == 2
    assert sleeps == [7.0]
    assert len(httpserver.log) == 2


def test_a_retry_after_longer_than_a_minute_is_a_source_error(
    httpserver: HTTPServer, hf: HuggingFacePapers, sleeps: Sleeps
) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        b"", status=429, headers={"Retry-After": "300"}
    )
    with pytest.raises(SourceError, match="asks to wait 300 s") as info:
        hf.daily(date(2026, 3, 6))
    assert info.value.status == 429
    assert "Hugging Face" in info.value.hint and "arXiv digest does not depend" in info.value.hint
    assert sleeps == []


def test_5xx_is_retried_with_backoff_then_a_source_error(
    httpserver: HTTPServer, hf: HuggingFacePapers, sleeps: Sleeps
) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_data(b"busy", status=503)
    with pytest.raises(SourceError, match="failed after 3 attempts: HTTP 503") as info:
        hf.daily(date(2026, 3, 6))
    assert info.value.status == 503
    assert sleeps == [1.0, 2.0]
    assert "PAPERFEED_HF_URL" in info.value.hint


def test_a_5xx_then_success_recovers(
    httpserver: HTTPServer, hf: HuggingFacePapers, sleeps: Sleeps
) -> None:
    httpserver.expect_oneshot_request("/api/daily_papers").respond_with_data(b"", status=502)
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        recorded("hf_daily_papers.json")
    )
    assert len(hf.daily(date(2026, 3, 6))) == 2
    assert sleeps == [1.0]


def test_malformed_json_from_the_server_is_a_parse_error(
    httpserver: HTTPServer, hf: HuggingFacePapers
) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        recorded("hf_daily_papers.json")[:500], content_type="application/json"
    )
    with pytest.raises(ParseError, match="not valid JSON") as info:
        hf.daily(date(2026, 3, 6))
    assert "/api/daily_papers?date=2026-03-06" in info.value.url


def test_a_refused_date_says_why(httpserver: HTTPServer, hf: HuggingFacePapers) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_json(
        {"error": "Date cannot be in the future"}, status=400
    )
    with pytest.raises(SourceError, match="Date cannot be in the future") as info:
        hf.daily(date(2030, 1, 1))
    assert info.value.status == 400


def test_a_wrong_base_url_is_named(httpserver: HTTPServer, hf: HuggingFacePapers) -> None:
    # base_url points at some other web server, which has no /api/daily_papers.
    def not_found(request: Request) -> Response:
        return Response("Not Found", status=404)

    httpserver.expect_request("/api/daily_papers").respond_with_handler(not_found)
    with pytest.raises(SourceError, match="HTTP 404") as info:
        hf.daily(date(2026, 3, 6))
    assert "base_url" in info.value.hint
