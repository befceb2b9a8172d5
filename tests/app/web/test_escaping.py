"""Hostile papers and hostile input: titles, abstracts, authors, topic names and queries that try
to become markup, script or template code render as text in every page, and as escaped JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from lxml import html

from tests.support.web_samples import (
    CRAFTED,
    HOSTILE,
    HOSTILE_TOPIC,
    IMG,
    SCRIPT,
    TEMPLATE,
    archive_copy,
    csrf_token,
    options,
    web_client,
)

HOSTILE_TITLE = f"{SCRIPT} Hostile {TEMPLATE} title"
MARKUP = ("<script", "<img", "<svg", "<b>Mallory", "<i>robots", "<iframe", "onerror=alert(1)>")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("hostile")
    with web_client(options(archive_copy(folder, tmp_path_factory))) as client:
        token = csrf_token(client)
        client.post(f"/api/stars/{HOSTILE}", headers={"X-CSRF-Token": token})
        client.post(f"/api/upvotes/{HOSTILE}", headers={"X-CSRF-Token": token})
        yield client


def assert_inert(body: str, where: str) -> html.HtmlElement:
    """No hostile markup survived as markup: only our own scripts, no handlers, no images."""
    for needle in MARKUP:
        found = body.find(needle)
        # Our own <script src="/static/..."> tags are the only scripts.
        while (
            found != -1 and needle == "<script" and body.startswith('<script src="/static/', found)
        ):
            found = body.find(needle, found + 1)
        assert found == -1, f"{where}: {body[max(0, found - 60) : found + 60]!r}"
    page = html.fromstring(body)
    assert all(s.get("src", "").startswith("/static/") for s in page.iter("script")), where
    assert not list(page.iter("img", "svg", "iframe", "object", "embed")), where
    for element in page.iter():
        for name in element.attrib:
            assert not name.lower().startswith("on"), f"{where}: {name}= on <{element.tag}>"
    return page


@pytest.mark.parametrize(
    "path",
    [
        f"/day/{CRAFTED}",
        f"/papers/{HOSTILE}",
        "/search?q=hostile",
        "/trending",
        "/stars",
    ],
)
def test_hostile_paper_fields_render_as_text(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    page = assert_inert(response.text, path)
    text = page.text_content()
    assert HOSTILE_TITLE in text  # shown, as the characters it is made of
    assert "{{7*7}}" in text  # no template ever evaluated it
    assert "Hostile 49 title" not in text


def test_every_hostile_field_on_the_paper_page(client: TestClient) -> None:
    page = assert_inert(client.get(f"/papers/{HOSTILE}").text, "paper")
    text = " ".join(page.text_content().split())
    assert f"Abstract {IMG} and {TEMPLATE} and {SCRIPT}" in text
    assert f"{SCRIPT} 恶意标题 {TEMPLATE}" in text  # the Chinese title
    assert f"摘要 {IMG} {TEMPLATE}" in text
    assert '<b>Mallory</b>, {{ config }}, Eve "><svg onload=alert(1)>' in text
    assert f"comment {SCRIPT}" in text
    # "$x<y$" is math for KaTeX, still text in the page.
    assert page.xpath('//span[@class="math"]')[0].text == "$x<y$"


def test_a_hostile_topic_name(client: TestClient) -> None:
    page = assert_inert(client.get(f"/day/{CRAFTED}").text, "day")
    headings = [" ".join(h.text_content().split()) for h in page.xpath("//section/h2")]
    assert f"{HOSTILE_TOPIC} 1" in headings
    options_ = [o.text for o in html.fromstring(client.get("/trending").text).iter("option")]
    assert HOSTILE_TOPIC in options_


@pytest.mark.parametrize(
    "path",
    [
        f"/search?q={quote(SCRIPT)}&author={quote(IMG)}&category={quote(TEMPLATE)}",
        f"/search?topic={quote(IMG)}",
        f"/papers/{quote(SCRIPT)}",
        f"/day/{quote(IMG)}",
        f"/calendar?month={quote(SCRIPT[:19])}",
        f"/login?next={quote('/' + IMG)}",
        f"/trending?window={quote(SCRIPT[:10])}",
        f"/trending?topic={quote(SCRIPT)}",
    ],
)
def test_hostile_input_is_reflected_as_text(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (200, 400, 404)
    assert_inert(response.text, path)


def test_the_search_box_keeps_a_hostile_query_as_its_value(client: TestClient) -> None:
    page = assert_inert(client.get("/search", params={"q": IMG}).text, "search")
    assert page.xpath('//form[@class="search-form"]//input[@name="q"]')[0].get("value") == IMG


@pytest.mark.parametrize(
    "path",
    [
        f"/api/papers/{HOSTILE}",
        f"/api/digests/{CRAFTED}",
        "/api/search?q=hostile",
        "/api/trending",
        "/api/stars",
        f"/api/papers/{quote(SCRIPT)}",
        f"/api/search?from={quote(SCRIPT)}",
    ],
)
def test_api_documents_escape_markup(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    body = response.content.decode("utf-8")
    assert "<" not in body and ">" not in body, body[:200]
    json.loads(body)  # still JSON


def test_api_json_round_trips_the_hostile_strings(client: TestClient) -> None:
    paper = client.get(f"/api/papers/{HOSTILE}").json()["paper"]
    assert paper["title"] == HOSTILE_TITLE
    assert paper["title_zh"] == f"{SCRIPT} 恶意标题 {TEMPLATE}"
    assert paper["abstract"].startswith(f"Abstract {IMG} and {TEMPLATE}")
    assert paper["authors"] == ["<b>Mallory</b>", "{{ config }}", 'Eve "><svg onload=alert(1)>']
    raw = client.get(f"/api/papers/{HOSTILE}").text
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in raw
    topics = client.get(f"/api/digests/{CRAFTED}").json()["topics"]
    assert HOSTILE_TOPIC in [t["name"] for t in topics]
