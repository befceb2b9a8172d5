"""Search over the archive: English (stemmed) and Chinese, filters, pagination, the query kept
in the address, and inputs that full-text syntax would choke on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from lxml import html

from paperfeed.archive import open_archive
from tests.support.digest_samples import make_paper
from tests.support.web_samples import (
    CROSS,
    HOSTILE,
    LATEST_PAPER,
    LISTED_ONLY,
    REPLACED,
    RL_PAPER,
    UNTRANSLATED,
    archive_copy,
    options,
    web_client,
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("search")
    with web_client(options(archive_copy(folder, tmp_path_factory))) as client:
        yield client


def found(client: TestClient, **params: Any) -> list[str]:
    document = client.get("/api/search", params={"per_page": 100, **params}).json()
    assert document["has_more"] is False
    return [paper["id"] for paper in document["results"]]


def test_english_words_are_stemmed_and_title_hits_come_first(client: TestClient) -> None:
    ids = found(client, q="policies")  # "Policy" in titles, "policy" in abstracts
    assert ids[0] == REPLACED  # "Diffusion Policy for Dexterous Hands"
    assert RL_PAPER in ids  # "policy gradient" in its abstract only
    titles = client.get("/api/search", params={"q": "policies", "per_page": 100}).json()
    in_title = ["polic" in p["title"].lower() for p in titles["results"]]
    assert in_title == sorted(in_title, reverse=True)  # every title hit before the rest


def test_phrases_and_operators(client: TestClient) -> None:
    assert found(client, q='"diffusion policy"')[0] == REPLACED
    learning = set(found(client, q="learning"))
    without = set(found(client, q="learning NOT reinforcement"))
    assert without < learning
    assert RL_PAPER not in without
    either = set(found(client, q="grid* OR dexterous"))
    assert either == set(found(client, q="grid*")) | set(found(client, q="dexterous"))
    assert {CROSS, REPLACED} <= either


@pytest.mark.parametrize(
    "q", ["NOT learning", "AND", "a AND OR b", '"', "(", "*", "a:b", "C++", "x\x00y", "NEAR("]
)
def test_full_text_syntax_never_breaks_the_search(client: TestClient, q: str) -> None:
    assert client.get("/search", params={"q": q}).status_code == 200
    assert client.get("/api/search", params={"q": q}).status_code == 200


def test_chinese_search(client: TestClient) -> None:
    ids = found(client, q="部署强化学习")  # three characters or more: the trigram index
    assert ids == [LATEST_PAPER]
    two = found(client, q="策略")  # two characters: a scan of the translations
    assert len(two) > 10
    assert LATEST_PAPER not in two
    assert found(client, q="强化学习", author="Behdin") == [LATEST_PAPER]
    assert found(client, q="恶意标题") == [HOSTILE]


def test_filters(client: TestClient) -> None:
    assert found(client, topic="diffusion policy") == [REPLACED, RL_PAPER]
    assert found(client, q="regret", topic="diffusion policy") == [RL_PAPER]
    assert found(client, q="regret", topic="no such topic") == []
    robotics = found(client, category="cs.RO")
    assert REPLACED in robotics
    assert len(robotics) == 10
    assert set(found(client, category="eess")) == {CROSS, "2606.04335", "2604.19569"}
    assert found(client, category="eess.SY", q="grid") == [CROSS]
    assert found(client, author="Hopper") == [REPLACED]
    assert found(client, author="grace hop") == [REPLACED]  # word prefixes
    assert found(client, author="Liskov", q="offline") == [CROSS]
    assert found(client, author="!!!") == []  # no word in the name: nobody
    # Listing dates: the papers listed (or digested) on those days.
    assert found(client, **{"from": "2026-06-02", "to": "2026-06-02"}) == [REPLACED]
    june_3 = found(client, **{"from": "2026-06-03", "to": "2026-06-03"})
    assert set(june_3) == {LISTED_ONLY, HOSTILE, REPLACED, UNTRANSLATED, CROSS, RL_PAPER}
    assert set(found(client, q="reinforcement", **{"from": "2026-06-03"})) >= {
        CROSS,
        RL_PAPER,
        UNTRANSLATED,
        LATEST_PAPER,
    }
    assert "2604.19569" not in found(client, category="eess", **{"from": "2026-05-01"})


def test_filters_see_papers_added_after_a_search(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    database = archive_copy(tmp_path, tmp_path_factory)
    with web_client(options(database)) as client:
        before = found(client, category="cs.SI")
        assert before
        # A paper stored on its own (no listing, no digest), as the arXiv API adapter may.
        with open_archive(database) as store:
            store.upsert_paper(make_paper("2606.09998", categories=("cs.SI",)), "api")
        assert found(client, category="cs.SI") == ["2606.09998", *before]
        assert found(client, q="2606.09998", category="cs.SI") == ["2606.09998"]


def test_pages_of_results_and_the_query_in_the_address(client: TestClient) -> None:
    everything = found(client, q="learning")
    assert len(everything) > 40
    first = html.fromstring(client.get("/search", params={"q": "learning"}).text)
    first_ids = [a.get("id") for a in first.xpath("//main//article")]
    assert first_ids == [f"p-{i}" for i in everything[:20]]
    assert first.xpath('//input[@name="q"]')[0].get("value") == "learning"
    assert not first.xpath('//a[@rel="prev"]')
    next_url = first.xpath('//a[@rel="next"]')[0].get("href")
    assert parse_qs(urlsplit(next_url).query) == {"q": ["learning"], "page": ["2"]}
    second = html.fromstring(client.get(next_url).text)
    assert [a.get("id") for a in second.xpath("//main//article")] == [
        f"p-{i}" for i in everything[20:40]
    ]
    assert second.xpath('//a[@rel="prev"]')[0].get("href") == "/search?q=learning&page=1"
    # Filters travel with the pages.
    filtered = html.fromstring(
        client.get("/search", params={"q": "learning", "topic": "reinforcement learning"}).text
    )
    query = parse_qs(urlsplit(filtered.xpath('//a[@rel="next"]')[0].get("href")).query)
    assert query == {"q": ["learning"], "topic": ["reinforcement learning"], "page": ["2"]}
    selected = filtered.xpath('//select[@name="topic"]/option[@selected]')[0]
    assert selected.get("value") == "reinforcement learning"
    past = client.get("/search", params={"q": "learning", "page": 50}).text
    assert "No papers match on page 50" in past


def test_api_pages(client: TestClient) -> None:
    one = client.get("/api/search", params={"q": "learning", "per_page": 7}).json()
    two = client.get("/api/search", params={"q": "learning", "per_page": 7, "page": 2}).json()
    assert (one["page"], two["page"], one["has_more"]) == (1, 2, True)
    ids_one = [p["id"] for p in one["results"]]
    ids_two = [p["id"] for p in two["results"]]
    assert len(ids_one) == len(ids_two) == 7
    assert not set(ids_one) & set(ids_two)
    assert ids_one + ids_two == found(client, q="learning")[:14]


def test_an_empty_search_explains_itself(client: TestClient) -> None:
    page = html.fromstring(client.get("/search").text)
    assert "Search titles, abstracts and authors in English" in page.text_content()
    assert client.get("/api/search").json()["results"] == []
    nothing = client.get("/search", params={"q": "xylophone"}).text
    assert "No papers match." in nothing
