"""Community signals through the real CLI: `paperfeed run` refreshes Hugging Face Daily Papers
after the digest (a loopback server stands in for huggingface.co, another for arXiv), upvotes
grow on a later run, Hugging Face being down never costs the digest, and `paperfeed trending`
ranks, restricts to topics and prints Chinese titles."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer

from paperfeed.app.cli import main
from paperfeed.app.demo.feeds import archives_of, build_feeds
from paperfeed.app.demo.server import serve
from paperfeed.core.records import ListingItem
from tests.support.hf_samples import daily_item, daily_pages, recorded
from tests.support.listing_builder import DIGESTS, example_digest, example_items, unrelated_items
from tests.support.sites import write_config

JUNE = date(2026, 6, 4)


def hf_item(item: ListingItem, upvotes: int, comments: int = 0) -> dict[str, Any]:
    p = item.paper
    return daily_item(p.arxiv_id, p.title, p.abstract, upvotes=upvotes, comments=comments)


@dataclass
class Setup:
    home: Path
    config: Path
    hf_url: str
    pages: dict[str, list[dict[str, Any]]]
    rl: list[ListingItem]  # reinforcement-learning papers of the listing
    other: ListingItem  # a listed paper that matches no topic

    @property
    def env(self) -> dict[str, str]:
        return {"PAPERFEED_HOME": str(self.home), "PAPERFEED_CONFIG": str(self.config)}

    def cli(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(
            main, list(args), env={**self.env, **(env or {})}, catch_exceptions=False
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        con = sqlite3.connect(self.home / "paperfeed.db")
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


@pytest.fixture
def setup(tmp_path: Path, httpserver: HTTPServer) -> Iterator[Setup]:
    listed = example_items("digest-2026-06-04.txt")
    items = listed + unrelated_items()
    feeds = archives_of(items)
    routes = dict(build_feeds(JUNE, items, feeds))
    # The arXiv API (metadata of featured papers the archive lacks): the recorded response.
    routes["/api/query"] = recorded("arxiv_api_query.xml")
    rl = listed[:3]
    other = unrelated_items()[0]
    pages: dict[str, list[dict[str, Any]]] = {
        "2026-06-04": [hf_item(rl[0], 12, comments=2), hf_item(rl[1], 3), hf_item(other, 40)],
        # Featured on Hugging Face, never in the watched listing: 2202.12139 (cs.SE) is in the
        # recorded arXiv API response, so it joins the archive.
        "2026-06-03": [
            daily_item("2202.12139", "Testing Deep Learning Models", "HF copy.", upvotes=25)
        ],
    }
    httpserver.expect_request("/api/daily_papers").respond_with_handler(daily_pages(pages))
    hf_url = httpserver.url_for("/").rstrip("/")
    with serve(routes) as base_url:
        config = write_config(tmp_path, base_url, feeds, hf_url=hf_url)
        yield Setup(tmp_path / "home", config, hf_url, pages, rl, other)


def test_a_run_refreshes_signals_and_a_later_run_grows_the_upvotes(
    setup: Setup, httpserver: HTTPServer
) -> None:
    memory = setup.cli("import", "--memory-only", str(DIGESTS / "digest-2026-06-04.txt"))
    assert memory.exit_code == 0, memory.output
    first = setup.cli("run", "--date", "2026-06-04")
    assert first.exit_code == 0, first.output
    assert (
        "community signals: Hugging Face 4 days (2026-06-01 .. 2026-06-04): 4 papers "
        "(4 new, 0 with new counts); 1 added to the archive from arXiv"
    ) in first.stdout
    asked = sorted(r[0].args["date"] for r in httpserver.log)
    assert asked == ["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04"]
    assert setup.query(
        "SELECT arxiv_id, version, source FROM papers WHERE arxiv_id = '2202.12139'"
    ) == [("2202.12139", 1, "api")]

    # A day later the counts have grown.
    setup.pages["2026-06-04"][0] = hf_item(setup.rl[0], 31, comments=5)
    second = setup.cli("run", "--date", "2026-06-04")
    assert second.exit_code == 0, second.output
    assert "4 papers (0 new, 1 with new counts)" in second.stdout
    rl0 = setup.rl[0].paper.arxiv_id
    assert setup.query(f"SELECT upvotes, comments FROM paper_signals WHERE arxiv_id = '{rl0}'") == [
        (31, 5)
    ]
    history = setup.query(
        f"SELECT upvotes FROM paper_signal_history WHERE arxiv_id = '{rl0}' ORDER BY observed_at"
    )
    assert [h[0] for h in history] == [12, 31]

    shown = setup.cli("trending", "--date", "2026-06-04", "--window", "week")
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[0] == "Hugging Face Daily Papers, 7 days to 2026-06-04: 4 papers by upvotes"
    ranked = [line for line in lines if line[:1].isdigit()]
    assert [r.split("] ")[1].split()[0] for r in ranked] == [
        setup.other.paper.arxiv_id,  # 40
        rl0,  # 31
        "2202.12139",  # 25
        setup.rl[1].paper.arxiv_id,  # 3
    ]
    assert ranked[0].startswith(f"1. [40 upvotes] {setup.other.paper.arxiv_id}")
    assert ranked[1] == f"2. [31 upvotes, +19] {rl0} {setup.rl[0].paper.title}"
    # The Chinese title from the translation memory (the imported example digest).
    remembered = {
        e.paper.arxiv_id: e.title_zh for e in example_digest("digest-2026-06-04.txt").papers
    }
    assert remembered[rl0]
    assert lines[lines.index(ranked[1]) + 1].strip() == remembered[rl0]
    assert "5 comments" in lines[lines.index(ranked[1]) + 2]
    assert "listed 2026-06-04" in lines[lines.index(ranked[1]) + 2]
    # The paper the archive did not have shows arXiv's title now.
    assert any("2202.12139 Testing Deep Learning Models: A First Comparative" in r for r in ranked)


def test_trending_restricted_to_a_topic_and_as_json(setup: Setup) -> None:
    assert setup.cli("run", "--date", "2026-06-04").exit_code == 0
    rl = setup.cli(
        "trending",
        "--date",
        "2026-06-04",
        "--window",
        "day",
        "--topic",
        "reinforcement learning",
        "--format",
        "json",
    )
    assert rl.exit_code == 0, rl.output
    document = json.loads(rl.stdout)
    assert document["schema"] == "paperfeed.trending/1"
    assert (document["window"], document["start_date"], document["end_date"]) == (
        "day",
        "2026-06-04",
        "2026-06-04",
    )
    papers = document["papers"]
    assert [p["id"] for p in papers] == [setup.rl[0].paper.arxiv_id, setup.rl[1].paper.arxiv_id]
    first = papers[0]
    assert (first["rank"], first["upvotes"], first["comments"], first["in_archive"]) == (
        1,
        12,
        2,
        True,
    )
    assert first["organization"] == "MHUGLab"
    assert first["github_repo"] == "https://github.com/marco-garosi/CIRCLE"
    assert {m["term"] for m in first["matched"]} == {"reinforcement learning"}
    assert first["url"] == f"https://arxiv.org/abs/{setup.rl[0].paper.arxiv_id}"

    none = setup.cli("trending", "--date", "2026-06-04", "--topic", "diffusion policy")
    assert none.exit_code == 0
    assert none.stdout.strip() == (
        "no Hugging Face Daily Papers matching 'diffusion policy' stored for the week ending "
        "2026-06-04 (add --refresh to fetch them from Hugging Face)"
    )
    bad = setup.cli("trending", "--date", "2026-06-04", "--topic", "(unbalanced")
    assert bad.exit_code == 2


def test_hugging_face_down_is_a_failed_stage_not_a_lost_digest(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    items = example_items("digest-2026-06-04.txt")
    feeds = archives_of(items)
    httpserver.expect_request("/api/daily_papers").respond_with_data(b"down", status=503)
    with serve(build_feeds(JUNE, items, feeds)) as base_url:
        config = write_config(tmp_path, base_url, feeds, hf_url=httpserver.url_for("/"))
        env = {"PAPERFEED_HOME": str(tmp_path / "home"), "PAPERFEED_CONFIG": str(config)}
        result = CliRunner().invoke(main, ["run", "--date", "2026-06-04"], env=env)
    assert result.exit_code == 0, result.output
    assert "reinforcement learning: 52" in result.stdout
    assert "community signals: Hugging Face 4 days" in result.stderr
    assert "failed: 2026-06-04: GET" in result.stderr and "HTTP 503" in result.stderr
    assert (tmp_path / "home" / "digests" / "digest-2026-06-04.txt").is_file()
    assert len(httpserver.log) == 1  # one failing day stops the refresh
    con = sqlite3.connect(tmp_path / "home" / "paperfeed.db")
    try:
        status, report = con.execute("SELECT status, report FROM runs").fetchone()
    finally:
        con.close()
    assert status == "done"
    signals = [s for s in json.loads(report)["stages"] if s["stage"] == "signals"]
    assert signals[0]["status"] == "failed" and "HTTP 503" in signals[0]["detail"]
    # `paperfeed runs` names the failed stage from the same table as the run's summary.
    runs = CliRunner().invoke(main, ["runs"], env=env)
    assert runs.exit_code == 0 and "community signals failed: Hugging Face 4 days" in runs.stdout


def test_trending_refresh_fetches_the_window(setup: Setup, httpserver: HTTPServer) -> None:
    # Nothing stored yet: the three featured papers come from Hugging Face alone (the recorded
    # arXiv API response the loopback arXiv serves does not contain them).
    refreshed = setup.cli("trending", "--refresh", "--window", "day", "--date", "2026-06-04")
    assert refreshed.exit_code == 0, refreshed.output
    assert refreshed.stderr.strip() == (
        "refreshed: Hugging Face day 2026-06-04: 3 papers (3 new, 0 with new counts)"
    )
    assert [r[0].args["date"] for r in httpserver.log] == ["2026-06-04"]
    lines = refreshed.stdout.splitlines()
    assert lines[0] == "Hugging Face Daily Papers, 2026-06-04: 3 papers by upvotes"
    assert lines[1] == f"1. [40 upvotes] {setup.other.paper.arxiv_id} {setup.other.paper.title}"


def test_trending_refresh_failures_exit_1_and_still_show_what_is_stored(
    setup: Setup, httpserver: HTTPServer
) -> None:
    assert setup.cli("run", "--date", "2026-06-04").exit_code == 0
    httpserver.clear()
    httpserver.expect_request("/api/daily_papers").respond_with_data(b"", status=502)
    result = setup.cli("trending", "--refresh", "--window", "day", "--date", "2026-06-04")
    assert result.exit_code == 1
    assert "failed: 2026-06-04: GET" in result.stderr and "HTTP 502" in result.stderr
    assert "Hugging Face Daily Papers, 2026-06-04: 3 papers by upvotes" in result.stdout


def test_refresh_needs_signals_on_and_translate_needs_an_engine(
    setup: Setup, tmp_path: Path
) -> None:
    disabled = tmp_path / "off.toml"
    disabled.write_text("[huggingface]\nenabled = false\n", encoding="utf-8")
    refused = setup.cli("trending", "--refresh", env={"PAPERFEED_CONFIG": str(disabled)})
    assert refused.exit_code == 2
    assert "([huggingface] enabled = false)" in refused.stderr
    assert setup.cli("run", "--date", "2026-06-04").exit_code == 0
    no_engine = setup.cli("trending", "--date", "2026-06-04", "--translate")
    assert no_engine.exit_code == 2
    assert "no translation engine" in no_engine.stderr
