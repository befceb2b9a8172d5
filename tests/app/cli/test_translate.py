"""Whole-program translation: the real CLI, the arXiv feeds and an OpenAI-compatible endpoint,
both on loopback. A run translates what the cache lacks, a rerun pays nothing, ``paperfeed
translate`` re-translates stored papers and rewrites their digests, budgets and TL;DRs work."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from paperfeed.app.demo.feeds import archives_of, build_feeds
from paperfeed.app.demo.server import serve
from tests.support.chat_server import ChatEndpoint, FakeTranslator
from tests.support.listing_builder import example_items
from tests.support.sites import Site, write_config
from tests.support.smtp_server import smtp_server

JANUARY = date(2026, 1, 13)  # the example digest of 2026-04-22's papers, listed on this date
PAPERS = 35


@pytest.fixture(scope="module")
def endpoint() -> Iterator[ChatEndpoint]:
    server = ChatEndpoint().start()
    yield server
    server.stop()


@pytest.fixture
def translator(endpoint: ChatEndpoint) -> FakeTranslator:
    endpoint.handler = FakeTranslator()
    assert isinstance(endpoint.handler, FakeTranslator)
    return endpoint.handler


def make_site(tmp_path: Path, base_url: str, endpoint: ChatEndpoint, extra: str = "") -> Site:
    items = example_items("digest-2026-04-22.txt")
    config = write_config(tmp_path, base_url, archives_of(items), extra=extra, engine="openai")
    site = Site(tmp_path / "home", config)
    site.env.update({"PAPERFEED_LLM_BASE_URL": endpoint.url, "PAPERFEED_LLM_MODEL": "fake"})
    return site


@pytest.fixture
def feeds() -> Iterator[str]:
    items = example_items("digest-2026-04-22.txt")
    with serve(build_feeds(JANUARY, items, archives_of(items))) as base_url:
        yield base_url


def test_a_run_translates_and_a_rerun_makes_no_model_calls(
    tmp_path: Path, feeds: str, endpoint: ChatEndpoint, translator: FakeTranslator
) -> None:
    site = make_site(tmp_path, feeds, endpoint)
    first = site.cli("run", "--date", str(JANUARY))
    assert first.exit_code == 0, first.output
    assert "without Chinese translation" not in first.output
    calls = len(translator.requests)
    # titles go eight to a request, abstracts one each
    assert calls == PAPERS + -(-PAPERS // 8)
    assert (
        f"translation: 0 cached, {2 * PAPERS} new, 0 papers untranslated (openai)" in first.output
    )
    assert re.search(rf"tokens \(\d+ prompt \+ \d+ completion\) in {calls} requests", first.output)
    text = site.digest_file(JANUARY).read_text(encoding="utf-8")
    assert "强化学习" in text and "今天共有 35 篇相关文章" in text

    second = site.cli("run", "--date", str(JANUARY))
    assert second.exit_code == 0, second.output
    assert len(translator.requests) == calls  # the cached rerun asked the model nothing
    assert f"translation: {2 * PAPERS} cached, 0 new" in second.output
    assert site.digest_file(JANUARY).read_text(encoding="utf-8") == text

    first_report, second_report = (json.loads(r) for r in run_reports(site))
    translate = next(s for s in first_report["stages"] if s["stage"] == "translate")
    assert f"in {calls} requests" in translate["detail"]
    cost = first_report["translation"]
    assert (cost["engine"], cost["model"], cost["requests"]) == ("openai", "fake", calls)
    assert cost["prompt_tokens"] > 0 and cost["completion_tokens"] > 0 and cost["deferred"] == 0
    assert second_report["translation"]["requests"] == 0
    shown = site.cli("runs").output.splitlines()
    tokens = cost["prompt_tokens"] + cost["completion_tokens"]
    assert f"{tokens} tokens in {calls} requests (openai fake)" in shown[-1]  # oldest last
    assert "tokens" not in shown[0]  # the cached rerun spent nothing


def run_reports(site: Site) -> list[str]:
    con = sqlite3.connect(site.home / "paperfeed.db")
    try:
        return [r[0] for r in con.execute("SELECT report FROM runs ORDER BY id")]
    finally:
        con.close()


def test_translate_fills_in_what_a_budgeted_run_left(
    tmp_path: Path, feeds: str, endpoint: ChatEndpoint, translator: FakeTranslator
) -> None:
    site = make_site(tmp_path, feeds, endpoint)
    config = site.config.read_text(encoding="utf-8")
    site.config.write_text(config + "token_budget = 2000\n", encoding="utf-8")
    budgeted = site.cli("run", "--date", str(JANUARY))
    # running out of budget is not a failure: the rest waits for the next run
    assert budgeted.exit_code == 0, budgeted.output
    left = int(re.search(r"(\d+) papers without Chinese translation", budgeted.output)[1])  # type: ignore[index]
    assert 0 < left < PAPERS
    assert f"token budget reached, {left} papers left for the next run" in budgeted.output
    assert json.loads(run_reports(site)[0])["translation"]["deferred"] == left
    assert "未翻译 / not translated" in site.digest_file(JANUARY, suffix="md").read_text(
        encoding="utf-8"
    )

    site.config.write_text(config, encoding="utf-8")
    before = len(translator.requests)
    filled = site.cli("translate", "--date", str(JANUARY))
    assert filled.exit_code == 0, filled.output
    assert f"updated the digest of {JANUARY}" in filled.output
    assert len(translator.requests) > before
    markdown = site.digest_file(JANUARY, suffix="md").read_text(encoding="utf-8")
    assert "未翻译 / not translated" not in markdown
    digest = site.cli("digest", "--date", str(JANUARY), "--format", "json")
    assert '"translated": false' not in digest.output


def test_translate_force_asks_again_and_ids_select_papers(
    tmp_path: Path, feeds: str, endpoint: ChatEndpoint, translator: FakeTranslator
) -> None:
    site = make_site(tmp_path, feeds, endpoint)
    assert site.cli("run", "--date", str(JANUARY)).exit_code == 0
    calls = len(translator.requests)
    cached = site.cli("translate", "--date", str(JANUARY))
    assert cached.exit_code == 0 and len(translator.requests) == calls
    assert f"0 texts translated, {2 * PAPERS} from the cache" in cached.output

    paper_id = example_items("digest-2026-04-22.txt")[0].paper.arxiv_id
    newer = FakeTranslator(prefix="新版")
    endpoint.handler = newer
    forced = site.cli("translate", "--force", paper_id)
    assert forced.exit_code == 0, forced.output
    assert len(newer.requests) == 2  # its title and its abstract
    assert "1 paper (openai): 2 texts translated" in forced.output
    assert f"updated the digest of {JANUARY}" in forced.output
    assert f"wrote {site.digest_file(JANUARY)}" in forced.output
    text = site.digest_file(JANUARY).read_text(encoding="utf-8")
    assert text.count("新版") == 2  # only that paper's title and abstract changed
    shown = site.cli("search", "新版")
    assert paper_id in shown.output  # the archive's Chinese text was updated too

    missing = site.cli("translate", "2699.99999")
    assert missing.exit_code == 2 and "paper 2699.99999 is not in the archive" in missing.output


def test_tldr_is_stored_and_shown_in_markdown_html_and_email(
    tmp_path: Path, feeds: str, endpoint: ChatEndpoint, translator: FakeTranslator
) -> None:
    with smtp_server("none") as smtp:
        mail = (
            f'[email]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
            'from = "paperfeed <digest@example.org>"\ntimeout = 5\n\n'
            '[[recipients]]\nemail = "ada@example.org"\n'
        )
        site = make_site(tmp_path, feeds, endpoint, extra=mail)
        site.config.write_text(
            site.config.read_text(encoding="utf-8") + "tldr = true\n", encoding="utf-8"
        )
        result = site.cli("run", "--date", str(JANUARY))
        assert result.exit_code == 0, result.output
        (received,) = smtp.messages
    tldr = "本文提出一种新方法并验证了其效果。"
    message = received.message
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().count(f"TL;DR：{tldr}") == PAPERS
    assert html.get_content().count(f"TL;DR</b> {tldr}") == PAPERS
    assert (
        site.digest_file(JANUARY, suffix="md")
        .read_text(encoding="utf-8")
        .count(f"**TL;DR.** {tldr}")
        == PAPERS
    )
    assert f'<span class="abstract-label">TL;DR</span> {tldr}' in site.digest_file(
        JANUARY, suffix="html"
    ).read_text(encoding="utf-8")
    # the seed text format is a byte contract: no TL;DR there
    assert "TL;DR" not in site.digest_file(JANUARY).read_text(encoding="utf-8")
    shown = site.cli("digest", "--date", str(JANUARY), "--format", "markdown")
    assert shown.output.count("TL;DR") == PAPERS
    calls = len(translator.requests)
    assert site.cli("run", "--date", str(JANUARY)).exit_code == 0
    assert len(translator.requests) == calls  # stored TL;DRs are not asked for again


def test_auto_without_an_engine_prints_a_hint_and_keeps_english(
    tmp_path: Path, feeds: str, endpoint: ChatEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("paperfeed.app.wiring.local_engine_available", lambda settings: False)
    site = make_site(tmp_path, feeds, endpoint)
    site.env.pop("PAPERFEED_LLM_BASE_URL")
    site.env["PAPERFEED_TRANSLATE_ENGINE"] = "auto"
    result = site.cli("run", "--date", str(JANUARY))
    assert result.exit_code == 0, result.output
    assert f"{PAPERS} papers without Chinese translation" in result.output
    hints = [
        line for line in result.output.splitlines() if line.startswith("note: translation is off")
    ]
    assert (
        len(hints) == 1 and "PAPERFEED_LLM_BASE_URL" in hints[0] and "paperfeed[local]" in hints[0]
    )

    refused = site.cli("translate", "--date", str(JANUARY))
    assert refused.exit_code == 2 and "no translation engine to translate with" in refused.output
