"""The static site: every page parses, every relative link and anchor resolves to a file in the
folder, nothing is loaded from another site, rebuilds touch only what changed."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from paperfeed.archive import Archive, open_archive
from paperfeed.core.records import Digest, DigestSection
from paperfeed.publish.site import MANIFEST, build_site
from tests.support.delivery_samples import JUNE_4, digest_for

DAYS = [date(2026, 6, 2), date(2026, 6, 3), JUNE_4]
CHINESE_TOPIC = "扩散策略"


def digests() -> list[Digest]:
    found = [digest_for(day, start=10 * n + 1) for n, day in enumerate(DAYS)]
    last = found[-1]
    old_style = replace(
        last.sections[0].entries[0],
        paper=replace(last.sections[0].entries[0].paper, arxiv_id="hep-th/9901001", version=2),
    )
    found[-1] = replace(
        last,
        sections=(*last.sections, DigestSection(CHINESE_TOPIC, (old_style,))),
    )
    return found


@pytest.fixture
def store(tmp_path: Path) -> Archive:
    opened = open_archive(tmp_path / "paperfeed.db")
    for digest in digests():
        opened.save_digest(digest)
    return opened


def build(store: Archive, folder: Path, **options: str) -> tuple[int, int]:
    result = build_site(
        folder, store.digest_dates(), store.digest, subject_names=store.subject_names(), **options
    )
    return result.changed, result.removed


def pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def test_the_site_has_every_kind_of_page(store: Archive, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(store, site, title="组会论文")
    names = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert {
        "index.html",
        "archive.html",
        "search.html",
        "search-index.json",
        "assets/style.css",
        "assets/search.js",
        "feeds/all.xml",
        "feeds/reinforcement-learning.xml",
        f"feeds/{CHINESE_TOPIC}.xml",
        "topics/diffusion-policy.html",
        f"topics/{CHINESE_TOPIC}.html",
        ".nojekyll",
        MANIFEST,
    } <= names
    assert {f"days/{d}.html" for d in DAYS} <= names
    index = lxml.html.parse(str(site / "index.html")).getroot()
    assert index.findtext(".//title") == "arXiv 速递 · 组会论文"
    day = lxml.html.parse(str(site / "days/2026-06-04.html")).getroot()
    assert len(day.xpath("//article")) == 6
    assert day.get_element_by_id(f"{CHINESE_TOPIC}-hep-th-9901001") is not None


def test_every_relative_link_resolves_and_nothing_comes_from_elsewhere(
    store: Archive, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    build(store, site)
    checked = 0
    for page in pages(site):
        doc = lxml.html.parse(str(page)).getroot()
        for element, _attribute, link, _ in doc.iterlinks():
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                assert element.tag == "a", f"{page.name} loads {link} from another site"
                assert parts.netloc == "arxiv.org", link
                continue
            target = page if not parts.path else page.parent / unquote(parts.path)
            target = target.resolve()
            assert target.is_relative_to(site.resolve()), f"{page.name}: {link} leaves the site"
            assert target.is_file(), f"{page.relative_to(site)}: {link} -> missing {target}"
            if parts.fragment and target.suffix == ".html":
                anchor = unquote(parts.fragment)
                linked = lxml.html.parse(str(target)).getroot()
                assert linked.xpath("//*[@id=$a]", a=anchor), (
                    f"{page.name}: no #{anchor} in {target.name}"
                )
            checked += 1
    assert checked > 100


def test_search_index_lists_every_paper_of_every_day(store: Archive, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(store, site)
    index = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    assert index["schema"] == "paperfeed.search/1"
    assert index["topics"][:2] == ["reinforcement learning", "diffusion policy"]
    rows = index["papers"]
    assert len(rows) == 16  # 5 a day, plus the old-style id listed under the Chinese topic
    by_id = {(r[0], r[1]): r for r in rows}
    row = by_id[("2606.00021", "2026-06-04")]
    assert row[2] == "Policy Optimization with O(n²) Regret, Part 21"
    assert row[3] == "具有 O(n²) 遗憾的策略优化（第 21 部分）"
    assert row[4] == "Ada Lovelace, Alan Turing, Grace Hopper et al."
    assert row[5] == "reinforcement-learning-2606.00021"
    assert by_id[("hep-th/9901001", "2026-06-04")][6] == [2]
    script = (site / "assets/search.js").read_text(encoding="utf-8")
    assert 'fetch("search-index.json")' in script and "http" not in script.split("python3")[0]


def test_rebuilds_write_only_what_changed_and_remove_only_their_own_files(
    store: Archive, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    build(store, site)
    (site / "CNAME").write_text("papers.example.org\n")  # the user's own file
    changed, removed = build(store, site)
    assert (changed, removed) == (0, 0)
    # Drop the Chinese topic's day: its pages and feed go, the user's file stays.
    store.save_digest(digest_for(JUNE_4, start=21))
    changed, removed = build(store, site)
    assert removed == 2
    assert not (site / f"topics/{CHINESE_TOPIC}.html").exists()
    assert not (site / f"feeds/{CHINESE_TOPIC}.xml").exists()
    assert (site / "CNAME").read_text() == "papers.example.org\n"
    assert changed > 0


def test_absolute_feed_links_only_with_a_base_url(store: Archive, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(store, site, base_url="https://you.github.io/papers/")
    feed = (site / "feeds/all.xml").read_text(encoding="utf-8")
    assert 'href="https://you.github.io/papers/feeds/all.xml"' in feed
    plain = tmp_path / "plain"
    build(store, plain)
    assert "you.github.io" not in (plain / "feeds/all.xml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_search_page_works_in_a_browser(store: Archive, tmp_path: Path) -> None:
    """Opened in headless Chromium when Playwright and a browser are installed."""
    playwright = pytest.importorskip("playwright.sync_api")
    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
        pytest.skip("no chromium on this machine")
    import http.server
    import threading
    from functools import partial

    site = tmp_path / "site"
    build(store, site)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/search.html?q=2606.00021"
        with playwright.sync_playwright() as p:
            executable = shutil.which("chromium") or shutil.which("chromium-browser")
            browser = p.chromium.launch(executable_path=executable)
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector("#search-results li")
            assert page.locator("#search-results li").count() == 1
            page.locator("#search-results li a").click()
            page.wait_for_url("**/days/2026-06-04.html#reinforcement-learning-2606.00021")
            browser.close()
        server.shutdown()


def test_paths_in_the_manifest_are_relative_and_inside(store: Archive, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(store, site)
    listed = json.loads((site / MANIFEST).read_text())["files"]
    assert all(not PurePosixPath(p).is_absolute() and ".." not in p for p in listed)
    assert all((site / p).is_file() for p in listed)
