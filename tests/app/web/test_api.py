"""The JSON API in-process: every document, its errors, and the OpenAPI schema."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.web_samples import (
    CRAFTED,
    CROSS,
    HOSTILE_TOPIC,
    LATEST_PAPER,
    REPLACED,
    RL_PAPER,
    UNTRANSLATED,
    csrf_token,
)


def test_digest_dates(client: TestClient) -> None:
    response = client.get("/api/digests")
    assert response.status_code == 200
    assert response.json() == {
        "latest": "2026-06-04",
        "dates": ["2026-06-04", "2026-06-03", "2026-04-22"],
    }


def test_a_digest_mirrors_the_day_page(client: TestClient) -> None:
    document = client.get(f"/api/digests/{CRAFTED}").json()
    assert document["listing_date"] == "2026-06-03"
    assert document["paper_count"] == 5
    assert [(t["name"], t["count"]) for t in document["topics"]] == [
        ("reinforcement learning", 3),
        ("diffusion policy", 2),
        (HOSTILE_TOPIC, 1),
        ("quantum gravity", 0),
    ]
    first = document["topics"][0]["papers"][0]
    assert first["id"] == RL_PAPER
    assert first["title_zh"] == f"标题 {RL_PAPER}"
    assert first["subjects"] == [
        "Machine Learning (cs.LG)",
        "Artificial Intelligence (cs.AI)",
        "Machine Learning (stat.ML)",
    ]
    assert first["announce_type"] == "new"
    assert first["matched_terms"][0] == {
        "term": "reinforcement learning",
        "field": "title",
        "text": "Reinforcement Learning",
    }
    assert len(first["authors"]) == 12
    assert first["page_url"] == f"/papers/{RL_PAPER}"
    assert first["pdf_url"] == f"https://arxiv.org/pdf/{RL_PAPER}"
    assert (first["stars"], first["upvotes"]) == (0, 0)
    untranslated = document["topics"][0]["papers"][2]
    assert (untranslated["id"], untranslated["title_zh"]) == (UNTRANSLATED, None)
    assert document["previous_listing"] == "2026-06-02"
    assert document["next_listing"] == "2026-06-04"
    assert (document["previous_digest"], document["next_digest"]) == ("2026-04-22", "2026-06-04")


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/api/digests/2026-06-06", 404, "arXiv has no listing dated 2026-06-06: Saturday"),
        ("/api/digests/2026-06-02", 404, "in the archive but has no digest yet"),
        ("/api/digests/1970-01-01", 404, "before arXiv's first listing"),
        ("/api/papers/2699.99999", 404, "The archive has no paper 2699.99999."),
        ("/api/no-such-thing", 404, "Not Found"),
    ],
)
def test_errors_are_json_problems(client: TestClient, path: str, status: int, detail: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert detail in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/digests/0",  # pydantic alone would read this as a Unix time
        "/api/digests/June",
        "/api/search?from=20260601",
        "/api/search?page=0",
        "/api/search?per_page=101",
        "/api/trending?window=year",
        "/api/trending?limit=0",
    ],
)
def test_bad_parameters_are_422_with_the_field(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] in ("path", "query")


def test_a_method_the_api_does_not_take_is_405_with_every_allowed_method(
    client: TestClient,
) -> None:
    response = client.put(f"/api/stars/{RL_PAPER}")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, POST"
    assert response.json() == {"detail": "Method Not Allowed"}


def test_a_paper_with_versions_appearances_and_related_papers(client: TestClient) -> None:
    document = client.get(f"/api/papers/{REPLACED}v1").json()  # any version names the paper
    paper = document["paper"]
    assert (paper["id"], paper["version"]) == (REPLACED, 2)
    assert paper["abstract"].endswith("now with real robot experiments.")
    assert [(v["version"], v["source"]) for v in document["versions"]] == [(1, "rss"), (2, "rss")]
    assert document["listings"] == [
        {"listing_date": "2026-06-03", "announce_type": "replace"},
        {"listing_date": "2026-06-02", "announce_type": "new"},
    ]
    assert [(d["listing_date"], d["topic"]) for d in document["digests"]] == [
        ("2026-06-03", "diffusion policy")
    ]
    related = {r["paper"]["id"]: r for r in document["related"]}
    assert related[RL_PAPER]["shared_topics"] == ["diffusion policy"]


def test_an_imported_paper(client: TestClient) -> None:
    paper = client.get(f"/api/papers/{LATEST_PAPER}").json()["paper"]
    assert paper["version"] == 0  # imported digests name papers without a version
    assert paper["title_zh"].startswith("立场")
    assert paper["listing_date"] == "2026-06-04"


def test_search_trending_and_stars_documents(client: TestClient) -> None:
    found = client.get("/api/search", params={"q": "reinforcement", "per_page": 5}).json()
    assert found["q"] == "reinforcement"
    assert len(found["results"]) == 5
    assert found["has_more"] is True
    token = csrf_token(client)
    for arxiv_id in (CROSS, RL_PAPER):
        assert client.post(f"/api/upvotes/{arxiv_id}", headers={"X-CSRF-Token": token}).json()[
            "upvoted"
        ]
    client.post(f"/api/stars/{RL_PAPER}", headers={"X-CSRF-Token": token})
    trending = client.get("/api/trending", params={"window": "day"}).json()
    assert trending["window"] == "day"
    # A tie, voted at the same moment: the newer arXiv id first.
    assert [(r["paper"]["id"], r["votes"]) for r in trending["results"]] == [
        (CROSS, 1),
        (RL_PAPER, 1),
    ]
    stars = client.get("/api/stars").json()["results"]
    assert [s["paper"]["id"] for s in stars] == [RL_PAPER]
    assert stars[0]["paper"]["stars"] == 1
    assert stars[0]["starred_at"] == "2026-06-05T04:00:00Z"


def test_a_new_reader_has_no_stars(client: TestClient) -> None:
    assert client.get("/api/stars").json() == {"results": []}


def test_the_openapi_schema_describes_every_route(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert set(paths) == {
        "/api/session",
        "/api/digests",
        "/api/digests/{listing_date}",
        "/api/papers/{arxiv_id}",
        "/api/search",
        "/api/trending",
        "/api/health",
        "/api/stars",
        "/api/stars/{arxiv_id}",
        "/api/upvotes/{arxiv_id}",
    }
    assert set(paths["/api/stars/{arxiv_id}"]) == {"post", "delete"}
    ok = paths["/api/digests/{listing_date}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/DigestOut"}
    search = {p["name"] for p in paths["/api/search"]["get"]["parameters"]}
    assert search == {"q", "topic", "from", "to", "category", "author", "page", "per_page"}
    # The HTML pages are not part of the API.
    assert not [p for p in paths if not p.startswith("/api/")]
