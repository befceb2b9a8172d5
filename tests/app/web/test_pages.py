"""The HTML pages in-process: home, dates and the calendar, paper pages, error pages, health,
and that no page loads anything from another host."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import html

from paperfeed.app.daemon import STATUS_FILE
from paperfeed.archive import open_archive
from paperfeed.core.records import RunReport
from tests.support.web_samples import (
    CRAFTED,
    CROSS,
    HOSTILE,
    LATEST_PAPER,
    NOW,
    REPLACED,
    RL_PAPER,
    UNTRANSLATED,
    options,
    web_client,
)


def tree(response: object) -> html.HtmlElement:
    return html.fromstring(response.text)  # type: ignore[attr-defined]


def text_of(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def card(page: html.HtmlElement, arxiv_id: str) -> html.HtmlElement:
    found = page.xpath(f'//article[@id="p-{arxiv_id}"]')
    assert found, f"no card for {arxiv_id}"
    return found[0]


# -- home and dates ---------------------------------------------------------------------------


def test_home_shows_the_latest_digest_grouped_by_topic_with_counts(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = tree(response)
    assert text_of(page.xpath("//h1")[0]).startswith("arXiv 2026-06-04 Thursday latest")
    assert "52 papers" in text_of(page.xpath('//p[@class="summary"]')[0])
    sections = page.xpath('//section[@class="topic"]')
    headings = [text_of(s.xpath("h2")[0]) for s in sections]
    assert headings == ["reinforcement learning 52", "diffusion policy 0"]
    assert len(sections[0].xpath('.//article[@class="card"]')) == 52
    assert "There is no result" in text_of(sections[1])
    # The topic chips jump to the sections.
    assert [a.get("href") for a in page.xpath('//nav[@class="topics"]/a')] == [
        "#topic-1",
        "#topic-2",
    ]


def test_a_card_has_everything_a_daily_papers_card_has(client: TestClient) -> None:
    page = tree(client.get(f"/day/{CRAFTED}"))
    rl = card(page, RL_PAPER)
    # Title in both languages; the page shows one, the toggle flips which.
    assert text_of(rl.xpath('.//h3//span[@class="zh-only"]')[0]) == f"标题 {RL_PAPER}"
    assert "Continual Reinforcement Learning" in text_of(rl.xpath('.//span[@class="en-only"]')[0])
    # Twelve authors collapse behind "+8 more".
    authors = rl.xpath('.//details[@class="authors"]')[0]
    assert "+8 more · 12 authors" in text_of(authors.xpath("summary")[0])
    assert "Author12 Surname12" in text_of(authors)
    # Subjects: the primary with its name, the rest as codes.
    subjects = [text_of(s) for s in rl.xpath('.//span[@class="subject"]')]
    assert subjects == ["Machine Learning (cs.LG)", "cs.AI", "stat.ML"]
    assert text_of(rl.xpath('.//span[contains(@class, "badge-new")]')[0]) == "new"
    # The matched term is listed and highlighted in the title and abstract.
    assert [text_of(m) for m in rl.xpath('.//p[@class="terms"]/mark')] == ["reinforcement learning"]
    assert "Reinforcement Learning" in [text_of(m) for m in rl.xpath(".//h3//mark")]
    english = rl.xpath('.//details[contains(@class, "abstract-en")]')[0]
    assert "reinforcement learning" in [text_of(m) for m in english.xpath(".//mark")]
    # TeX is marked for the bundled KaTeX, escaped as text until it renders.
    assert english.xpath('.//span[@class="math"]')[0].text == "$\\mathcal{O}(\\sqrt{T})$"
    chinese = rl.xpath('.//details[contains(@class, "abstract-zh")]')[0]
    assert text_of(chinese.xpath("p")[0]) == f"摘要 {RL_PAPER}。"
    links = {a.text: a.get("href") for a in rl.xpath('.//p[@class="links"]/a')}
    assert links == {
        "abs": f"https://arxiv.org/abs/{RL_PAPER}",
        "PDF": f"https://arxiv.org/pdf/{RL_PAPER}",
        "HTML": f"https://arxiv.org/html/{RL_PAPER}v1",
    }
    buttons = rl.xpath(".//button[contains(@class, 'react')]")
    assert [(b.get("data-kind"), b.get("formaction")) for b in buttons] == [
        ("star", f"/star/{RL_PAPER}"),
        ("upvote", f"/upvote/{RL_PAPER}"),
    ]
    assert [text_of(b.xpath('.//span[@class="count"]')[0]) for b in buttons] == ["0", "0"]


def test_badges_for_cross_lists_replacements_and_untranslated_papers(client: TestClient) -> None:
    page = tree(client.get(f"/day/{CRAFTED}"))
    assert "cross-list" in text_of(card(page, CROSS).xpath('.//p[@class="card-meta"]')[0])
    replaced = text_of(card(page, REPLACED).xpath('.//p[@class="card-meta"]')[0])
    assert "replacement" in replaced
    assert f"{REPLACED}v2" in replaced
    untranslated = card(page, UNTRANSLATED)
    assert "未翻译" in text_of(untranslated.xpath('.//p[@class="card-meta"]')[0])
    # No Chinese abstract to expand; the title falls back to the English one.
    assert not untranslated.xpath('.//details[contains(@class, "abstract-zh")]')
    assert text_of(untranslated.xpath('.//span[@class="zh-only"]')[0]).startswith("Reward Models")


def test_date_navigation_follows_arxivs_calendar(client: TestClient) -> None:
    page = tree(client.get(f"/day/{CRAFTED}"))
    assert page.xpath('//a[@rel="prev"]')[0].get("href") == "/day/2026-06-02"
    assert page.xpath('//a[@rel="next"]')[0].get("href") == "/day/2026-06-04"
    # The latest announced listing (2026-06-05) has no later one yet; Monday's is not announced.
    friday = tree(client.get("/day/2026-06-05"))
    assert friday.xpath('//a[@rel="prev"]')[0].get("href") == "/day/2026-06-04"
    assert not friday.xpath('//a[@rel="next"]')
    assert "not announced yet" in text_of(friday.xpath('//nav[@class="day-nav"]')[0])
    monday = tree(client.get("/day/2026-01-19"))  # Monday: previous listing is Friday
    assert monday.xpath('//a[@rel="prev"]')[0].get("href") == "/day/2026-01-16"


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        ("2026-06-06", "arXiv has no listing dated 2026-06-06: Saturday"),
        ("2026-06-07", "arXiv has no listing dated 2026-06-07: Sunday"),
        (
            "2026-01-20",
            "arXiv has no listing dated 2026-01-20: arXiv holiday: no announcement on "
            "Mon 2026-01-19 (Martin Luther King Jr. Day)",
        ),
        ("2026-06-08", "not announced yet: arXiv announces it at 2026-06-07 20:00 EDT"),
        ("2026-06-05", "The archive has no listing dated 2026-06-05: run paperfeed run"),
        ("2026-06-02", "is in the archive but has no digest yet: run paperfeed run --date"),
    ],
)
def test_a_date_without_a_digest_says_why(client: TestClient, day: str, reason: str) -> None:
    response = client.get(f"/day/{day}")
    assert response.status_code == 404
    notice = text_of(tree(response).xpath('//div[contains(@class, "notice-empty")]')[0])
    assert reason in notice
    # The nearest digests the archive has are offered instead.
    assert "Nearest digests in the archive" in notice


def test_the_calendar_shows_digests_and_days_without_listings(client: TestClient) -> None:
    page = tree(client.get("/calendar?month=2026-06"))
    cells = {
        (td.xpath("a")[0].text if td.xpath("a") else td.text).strip(): td
        for td in page.xpath("//section[@class='calendar']//td")
        if "other-month" not in td.get("class")
    }
    assert cells["3"].get("class").split() == ["day", "has-digest"]
    assert cells["4"].xpath("a")[0].get("href") == "/day/2026-06-04"
    assert cells["4"].xpath("a/small")[0].text == "52"
    assert cells["3"].xpath("a/small")[0].text == "5"  # distinct papers: one is in two topics
    assert "no-listing" in cells["6"].get("class")
    assert cells["6"].get("title") == "Saturday: arXiv does not announce on Friday evenings"
    assert "missing" in cells["5"].get("class")  # announced, not fetched
    assert "future" in cells["8"].get("class")
    assert page.xpath('//a[@aria-label="Previous month"]')[0].get("href") == (
        "/calendar?month=2026-05"
    )
    # The next month has not started: no link to it.
    assert not page.xpath('//a[@aria-label="Next month"]')
    # The day pages carry the same calendar beside the digest.
    day = tree(client.get(f"/day/{CRAFTED}"))
    assert day.xpath("//aside//td[contains(@class, 'selected')]//a")[0].get("href") == (
        f"/day/{CRAFTED}"
    )


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/day/yesterday", 404, "is not a date: write it as YYYY-MM-DD"),
        ("/day/0001-01-01", 404, "before arXiv's first listing"),
        ("/day/9999-12-31", 404, "too far in the future"),
        ("/calendar?month=2026-13", 404, "is not a date"),
        ("/calendar?month=9999-12", 404, "too far in the future"),
        ("/no/such/page", 404, "There is no page at /no/such/page."),
        ("/search?page=0", 400, "The address has a bad value: page"),
        ("/search?from=June", 400, "from: 'June' is not a date"),
        ("/trending?window=year", 400, "window must be day, week or month"),
        ("/papers/2699.99999", 404, "The archive has no paper 2699.99999"),
    ],
)
def test_error_pages_are_pages_that_say_what_to_do(
    client: TestClient, path: str, status: int, message: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = tree(response)
    assert text_of(page.xpath("//h1")[0]).startswith(str(status))
    assert message in text_of(page.xpath('//p[contains(@class, "notice-error")]')[0])
    assert page.xpath('//header[@class="site"]')  # the full layout, with navigation


def test_a_method_a_page_does_not_take_is_405_with_allow(client: TestClient) -> None:
    response = client.put("/day/2026-06-04")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


def test_home_of_an_empty_archive_says_how_to_fill_it(tmp_path: Path) -> None:
    with web_client(options(tmp_path / "empty.db")) as client:
        response = client.get("/")
        assert response.status_code == 200
        notice = text_of(tree(response).xpath('//div[contains(@class, "notice-empty")]')[0])
        assert "The archive has no digests yet: run paperfeed run" in notice
        assert "paperfeed import FILE" in notice


# -- paper page -------------------------------------------------------------------------------


def test_paper_page_has_both_languages_versions_digests_and_listings(client: TestClient) -> None:
    response = client.get(f"/papers/{REPLACED}")
    assert response.status_code == 200
    page = tree(response)
    assert text_of(page.xpath("//h1")[0]) == "Diffusion Policy for Dexterous Hands"
    assert text_of(page.xpath('//p[@class="title-zh"]')[0]) == f"标题 {REPLACED}"
    abstract = text_of(page.xpath('//section[@class="abstract-full"]')[0])
    assert "now with real robot experiments" in abstract  # the latest version's abstract
    assert f"摘要 {REPLACED}。" in abstract
    versions = [
        [text_of(td) for td in tr.xpath("td")]
        for tr in page.xpath('//section[@class="history"]/table//tbody/tr')
    ]
    assert [(v[0], v[1], v[3]) for v in versions] == [
        ("v1", "2026-05-01", "rss"),
        ("v2", "2026-06-01", "rss"),
    ]
    appearances = [text_of(li) for li in page.xpath('//ul[@class="appearances"]/li')]
    assert appearances == [
        "2026-06-03 · diffusion policy · diffusion policy",
        "2026-06-03 · replace",
        "2026-06-02 · new",
    ]
    assert page.xpath('//ul[@class="appearances"]/li/a')[0].get("href") == (
        f"/day/2026-06-03#p-{REPLACED}"
    )
    subjects = page.xpath('//dl[@class="details"]//a[@class="subject"]')
    assert [(text_of(a), a.get("href")) for a in subjects] == [
        ("Robotics (cs.RO)", "/search?category=cs.RO"),
        ("Machine Learning (cs.LG)", "/search?category=cs.LG"),
    ]


def test_related_papers_share_topics_and_terms(client: TestClient) -> None:
    page = tree(client.get(f"/papers/{RL_PAPER}"))
    related = page.xpath('//section[@class="related"]//article')
    ids = [a.get("id") for a in related]
    # Papers sharing the term "reinforcement learning" first, then the same topics.
    assert ids[:2] == [f"p-{CROSS}", f"p-{UNTRANSLATED}"]
    assert f"p-{REPLACED}" in ids  # the same topic, diffusion policy
    assert f"p-{RL_PAPER}" not in ids
    assert "shares reinforcement learning" in text_of(related[0])


def test_an_imported_paper_page_and_its_digest(client: TestClient) -> None:
    page = tree(client.get(f"/papers/{LATEST_PAPER}"))
    assert "Deployed Reinforcement Learning" in text_of(page.xpath("//h1")[0])
    assert text_of(page.xpath('//p[@class="title-zh"]')[0]).startswith("立场")
    appearances = [text_of(li) for li in page.xpath('//ul[@class="appearances"]/li')]
    assert appearances == ["2026-06-04 · reinforcement learning"]


def test_a_versioned_paper_address_redirects_to_the_paper(client: TestClient) -> None:
    response = client.get(f"/papers/{RL_PAPER}v3", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == f"/papers/{RL_PAPER}"


# -- health -----------------------------------------------------------------------------------


def write_status(path: Path, next_run: datetime, failures: list[str]) -> None:
    path.write_text(
        json.dumps(
            {
                "state": "sleeping",
                "pid": 4242,
                "updated_at": (next_run - timedelta(hours=20)).isoformat(),
                "next_run_at": next_run.isoformat(),
                "next_listing": "2026-06-08",
                "last_tick": {
                    "at": (next_run - timedelta(hours=20)).isoformat(),
                    "listings": [],
                    "delivery": "2 sent",
                    "failures": failures,
                },
            }
        ),
        encoding="utf-8",
    )


def test_health_without_a_daemon(client: TestClient) -> None:
    page = tree(client.get("/health"))
    assert "OK" in text_of(page.xpath('//p[@class="notice"]')[0])
    assert "No daemon status" in text_of(page.xpath("//main")[0])
    report = client.get("/api/health").json()
    assert report["ok"] is True
    assert report["latest_digest"] == "2026-06-04"
    assert report["latest_listing"] == "2026-06-05"
    assert report["behind"] is True
    assert report["daemon"] is None
    assert report["digests"] == 3


def test_health_shows_the_daemons_status_file(db: Path, tmp_path: Path) -> None:
    status = tmp_path / STATUS_FILE
    write_status(status, NOW + timedelta(hours=3), [])
    with web_client(options(db, status_path=status)) as client:
        report = client.get("/api/health").json()
        assert report["ok"] is True
        assert report["daemon"]["state"] == "sleeping"
        assert report["daemon"]["pid"] == 4242
        assert report["daemon"]["next_run_at"] == "2026-06-05T07:00:00Z"
        assert report["daemon"]["overdue"] is False
        assert report["daemon_file"] == str(status)
        page = text_of(tree(client.get("/health")).xpath("//main")[0])
        assert "sleeping (pid 4242)" in page
        assert "2 sent" in page


def test_health_reports_an_overdue_daemon_failures_and_failed_runs(
    db: Path, tmp_path: Path
) -> None:
    status = tmp_path / STATUS_FILE
    write_status(status, NOW - timedelta(hours=5), ["fetch 2026-06-04: HTTP 503 from arXiv"])
    with open_archive(db) as store:
        run = store.start_run(NOW.date())
        store.finish_run(run, RunReport(NOW.date(), "failed", reason="arXiv answered 503"))
    with web_client(options(db, status_path=status)) as client:
        report = client.get("/api/health").json()
        assert report["ok"] is False
        assert report["daemon"]["overdue"] is True
        assert report["runs"][0]["status"] == "failed"
        problems = " ".join(report["problems"])
        assert "The last run (listing 2026-06-05) ended failed: arXiv answered 503" in problems
        assert "is `paperfeed daemon` still running?" in problems
        assert "Daemon: fetch 2026-06-04: HTTP 503 from arXiv" in problems
        alert = text_of(tree(client.get("/health")).xpath('//div[@role="alert"]')[0])
        assert "is paperfeed daemon still running?" in alert


def test_a_broken_status_file_reads_as_no_daemon(db: Path, tmp_path: Path) -> None:
    status = tmp_path / STATUS_FILE
    status.write_text("{not json", encoding="utf-8")
    with web_client(options(db, status_path=status)) as client:
        assert client.get("/api/health").json()["daemon"] is None
    status.write_text('{"state": 7, "next_run_at": "soon", "last_tick": []}', encoding="utf-8")
    with web_client(options(db, status_path=status)) as client:
        daemon = client.get("/api/health").json()["daemon"]
        assert daemon["state"] == "unknown"
        assert daemon["next_run_at"] is None
        assert daemon["overdue"] is False


# -- assets -----------------------------------------------------------------------------------

PAGES = (
    "/",
    f"/day/{CRAFTED}",
    "/day/2026-06-06",
    "/calendar",
    f"/papers/{RL_PAPER}",
    f"/papers/{HOSTILE}",
    "/search?q=policy",
    "/trending",
    "/stars",
    "/login",
    "/api",
    "/health",
    "/no/such/page",
)
_ASSET_ATTRIBUTES = (
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("object", "data"),
    ("embed", "src"),
)
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


def is_local(url: str) -> bool:
    return url.startswith("data:") or (url.startswith("/") and not url.startswith("//"))


def test_no_page_loads_anything_from_another_host(client: TestClient) -> None:
    stylesheets: set[str] = set()
    for path in PAGES:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        page = tree(response)
        for tag, attribute in _ASSET_ATTRIBUTES:
            for element in page.iter(tag):
                url = element.get(attribute)
                if url is not None:
                    assert is_local(url), f"{path}: <{tag} {attribute}={url!r}>"
                if tag == "link" and element.get("rel") == "stylesheet":
                    stylesheets.add(element.get("href"))
        assert not page.xpath("//*[@style]"), f"{path}: inline style"
        assert not [s for s in page.iter("script") if s.get("src") is None], f"{path}: inline JS"
        # And the browser is told to refuse anything else.
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy
        assert "script-src 'self'" in policy
    assert stylesheets == {"/static/katex/katex.min.css", "/static/app.css"}
    for sheet in stylesheets:
        css = client.get(sheet)
        assert css.status_code == 200
        urls = _CSS_URL.findall(css.text)
        assert all(not re.match(r"[a-z]+://|//", u) for u in urls), sheet
    # KaTeX's fonts are bundled and served.
    fonts = _CSS_URL.findall(client.get("/static/katex/katex.min.css").text)
    assert fonts
    first_font = "/static/katex/" + fonts[0]
    assert client.get(first_font).status_code == 200
    assert client.get("/static/katex/katex.min.js").status_code == 200


def test_element_ids_are_unique_on_every_page(client: TestClient) -> None:
    # 2606.03001 is under two topics on 2026-06-03: two cards, two different ids.
    for path in PAGES:
        ids = [e.get("id") for e in tree(client.get(path)).iter() if e.get("id")]
        assert len(ids) == len(set(ids)), path
    day = tree(client.get(f"/day/{CRAFTED}"))
    assert day.xpath(f'//section[@id="topic-2"]//article[@id="p-{RL_PAPER}-2"]')


def test_pages_are_made_for_phones_too(client: TestClient) -> None:
    page = tree(client.get("/"))
    viewport = page.xpath('//meta[@name="viewport"]')[0].get("content")
    assert viewport == "width=device-width, initial-scale=1"
    css = client.get("/static/app.css").text
    assert "@media (max-width: 600px)" in css


def test_the_api_page_lists_every_operation(client: TestClient) -> None:
    page = tree(client.get("/api"))
    rows = {" ".join(text_of(td) for td in tr.xpath("td")) for tr in page.xpath("//tbody/tr")}
    paths = client.get("/api/openapi.json").json()["paths"]
    assert len(rows) == sum(len(methods) for methods in paths.values())
    assert any(row.startswith("GET /api/search") for row in rows)
    assert page.xpath('//a[@href="/api/openapi.json"]')


def test_cached_pages_change_when_the_archive_does(db: Path) -> None:
    with web_client(options(db)) as client:
        first = client.get(f"/papers/{RL_PAPER}").text
        assert client.get(f"/papers/{RL_PAPER}").text == first  # served again
        with open_archive(db) as store:
            row = store.paper(RL_PAPER, 1)
            assert row is not None
            store.set_paper_translation(row, "新的标题", None)
        assert "新的标题" in client.get(f"/papers/{RL_PAPER}").text


def test_trending_shows_hugging_face_daily_papers_with_archive_cards(db: Path) -> None:
    """Community signals stored by `paperfeed run`/`trending --refresh` rank on the trending
    page and in the API: archive papers as full cards, others as a plain row."""
    from paperfeed.core.signals import CommunitySignals

    day = NOW.date()
    with open_archive(db) as store:
        store.save_signals(
            [
                CommunitySignals(
                    RL_PAPER, "in the archive", "", upvotes=40, comments=3, daily_date=day
                ),
                CommunitySignals("2606.99999", "Only on <b>HF</b>", "", upvotes=90, daily_date=day),
            ],
            observed_at=NOW,
        )
    with web_client(options(db)) as client:
        page = tree(client.get("/trending?window=week"))
        api = client.get("/api/trending?window=week").json()
    rows = page.xpath('//section[@class="community"]//div[@class="ranked"]')
    assert [text_of(r)[:1] for r in rows] == ["1", "2"]
    assert "Only on <b>HF</b>" in text_of(rows[0])  # escaped, not markup
    assert "90 upvotes on Hugging Face" in text_of(rows[0])
    assert rows[1].xpath(f'.//article[@id="p-{RL_PAPER}"]'), "the archive's card is shown"
    assert "40 upvotes on Hugging Face, 3 comments" in text_of(rows[1])
    assert [(c["id"], c["upvotes"], c["paper"] is not None) for c in api["community"]] == [
        ("2606.99999", 90, False),
        (RL_PAPER, 40, True),
    ]
