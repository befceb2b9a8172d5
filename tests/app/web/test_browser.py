"""End to end in headless Chromium (Debian's package, driven by Playwright through
``executable_path``) against the app served by uvicorn on a loopback port: the language toggle,
search, starring, trending, TeX, and that the browser never asks another host for anything.

Screenshots of the home and paper pages (desktop and phone) go to ``$PAPERFEED_TEST_ARTIFACTS``
or, by default, ``test-artifacts/web/`` in the work tree (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import REPOSITORY
from tests.support.web_samples import CRAFTED, REPLACED, RL_PAPER, archive_copy, options
from tests.support.web_server import running_server

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,  # a real browser: the full suite, not the fast lane
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no chromium binary: install Debian's package (apt-get install chromium); "
        "scripts/test does so on a fresh machine",
    ),
]
# As root in a container Chromium needs --no-sandbox; the rest keep it from calling Google's
# hosts at start-up (this machine has no network, and the tests check nothing leaves it).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = (
    Path(os.environ.get("PAPERFEED_TEST_ARTIFACTS") or REPOSITORY / "test-artifacts") / "web"
)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = archive_copy(tmp_path_factory.mktemp("browser"), tmp_path_factory)
    with running_server(options(database)) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh browser profile (its own cookies and storage: a new reader) that fails the test
    if it requests anything from another host."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    elsewhere: list[str] = []
    context.on(
        "request",
        lambda request: None if request.url.startswith(base_url) else elsewhere.append(request.url),
    )
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()
    assert elsewhere == [], f"requests to other hosts: {elsewhere}"


def card(page: Any, arxiv_id: str) -> Any:
    return page.locator(f"article[id='p-{arxiv_id.replace('/', '-')}']")


def test_the_language_toggle_is_remembered_by_the_browser(page: Any) -> None:
    page.goto(f"/day/{CRAFTED}")
    title = card(page, RL_PAPER).locator("h3")
    expect = playwright_api.expect
    expect(title.locator(".zh-only")).to_be_visible()  # Chinese first
    expect(title.locator(".en-only")).to_be_hidden()
    page.get_by_role("button", name="EN", exact=True).click()
    expect(title.locator(".en-only")).to_be_visible()
    expect(title.locator(".zh-only")).to_be_hidden()
    expect(page.get_by_role("button", name="EN", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    page.reload()
    expect(card(page, RL_PAPER).locator("h3 .en-only")).to_be_visible()
    page.goto("/")  # every page of the site
    assert page.locator("html").get_attribute("data-lang") == "en"
    page.get_by_role("button", name="中文").click()
    page.reload()
    assert page.locator("html").get_attribute("data-lang") == "zh"


def test_search_from_the_header(page: Any) -> None:
    page.goto("/")
    box = page.get_by_role("searchbox", name="Search the archive")
    box.fill("diffusion policy")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=diffusion\+policy$"))
    first = page.locator("main article").first
    assert first.get_attribute("id") == f"p-{REPLACED}"
    assert page.locator("form.search-form input[name=q]").input_value() == "diffusion policy"
    # Filter by topic from the form; the query stays in the address.
    page.locator("form.search-form select[name=topic]").select_option("diffusion policy")
    page.locator("form.search-form").get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"topic=diffusion\+policy"))
    assert page.locator("main article").count() == 1


def test_star_then_find_it_in_the_reading_list(page: Any) -> None:
    expect = playwright_api.expect
    page.goto(f"/day/{CRAFTED}")
    star = card(page, RL_PAPER).locator("button[data-kind=star]")
    expect(star.locator(".count")).to_have_text("0")
    star.click()
    expect(star.locator(".count")).to_have_text("1")  # no reload: the API answered
    expect(star).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(card(page, RL_PAPER).locator("button[data-kind=star]")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_role("link", name="收藏").click()
    page.wait_for_url("**/stars")
    expect(card(page, RL_PAPER)).to_be_visible()
    assert page.locator("main article").count() == 1
    # Unstar it from the list.
    card(page, RL_PAPER).locator("button[data-kind=star]").click()
    expect(card(page, RL_PAPER).locator("button[data-kind=star] .count")).to_have_text("0")
    page.reload()
    expect(page.get_by_text("No stars yet")).to_be_visible()


def test_upvote_then_open_trending(page: Any) -> None:
    expect = playwright_api.expect
    page.goto(f"/papers/{REPLACED}")
    upvote = page.locator("article.paper button[data-kind=upvote]")
    upvote.click()
    expect(upvote.locator(".count")).to_have_text("1")
    page.get_by_role("link", name="热门").click()
    page.wait_for_url("**/trending")
    ranked = page.locator("div.ranked").first
    expect(ranked.locator("article")).to_have_id(f"p-{REPLACED}")
    expect(ranked).to_contain_text("1 upvotes this week")
    page.get_by_role("link", name="Today 今日").click()
    page.wait_for_url("**/trending?window=day")
    expect(page.locator("div.ranked article").first).to_have_id(f"p-{REPLACED}")
    # Withdraw the vote so the other tests see the archive as it was.
    page.goto(f"/papers/{REPLACED}")
    page.locator("article.paper button[data-kind=upvote]").click()
    expect(page.locator("article.paper button[data-kind=upvote] .count")).to_have_text("0")


def test_tex_renders_with_the_bundled_katex(page: Any) -> None:
    page.goto(f"/papers/{RL_PAPER}")
    math = page.locator("section.abstract-full span.math").first
    playwright_api.expect(math).to_have_attribute("data-rendered", "")
    assert math.locator(".katex").count() == 1
    assert "\\mathcal" not in math.inner_text()  # typeset, not the source


@pytest.mark.parametrize(
    ("name", "viewport"),
    [("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})],
)
def test_screenshots_of_the_home_and_paper_pages(
    browser: Any, base_url: str, name: str, viewport: dict[str, int]
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=base_url, viewport=viewport)
    page = context.new_page()
    for label, path in (("home", "/"), ("paper", f"/papers/{RL_PAPER}")):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        if name == "phone":
            # Usable on a phone: nothing wider than the screen.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{label} is {width}px wide on a phone"
        target = ARTIFACTS / f"{label}-{name}.png"
        page.screenshot(path=str(target), full_page=False)
        assert target.stat().st_size > 10_000
    context.close()
