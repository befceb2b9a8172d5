"""Whole-program runs: the real CLI against a real loopback server serving rss.arxiv.org-shaped
feeds of a synthetic listing built from the example digests' papers."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperfeed.app.cli import main
from paperfeed.app.demo.feeds import archives_of, build_feeds
from paperfeed.app.demo.server import serve
from paperfeed.core.records import ListingItem
from tests.support import FIXTURES
from tests.support.listing_builder import DIGESTS, example_items, unrelated_items
from tests.support.sites import Site, write_config

JUNE = date(2026, 6, 4)  # Thursday, EDT: announced Wed 2026-06-03 20:00 EDT
JANUARY = date(2026, 1, 13)  # Tuesday, EST: announced Mon 2026-01-12 20:00 EST


@pytest.fixture
def june_site(tmp_path: Path) -> Iterator[Site]:
    items = example_items("digest-2026-06-04.txt") + unrelated_items()
    feeds = archives_of(items)
    with serve(build_feeds(JUNE, items, feeds)) as base_url:
        yield Site(tmp_path / "home", write_config(tmp_path, base_url, feeds))


def test_run_reproduces_the_example_digest_from_a_listing_and_translation_memory(
    june_site: Site,
) -> None:
    imported = june_site.cli("import", "--memory-only", str(DIGESTS / "digest-2026-06-04.txt"))
    assert imported.exit_code == 0, imported.output

    result = june_site.cli("run", "--date", "2026-06-04")
    assert result.exit_code == 0, result.output
    assert "reinforcement learning: 52" in result.output
    assert "diffusion policy: 0" in result.output

    produced = june_site.digest_file(JUNE).read_text(encoding="utf-8")
    expected = (DIGESTS / "digest-2026-06-04.txt").read_text(encoding="utf-8")
    header, _, body = produced.partition("\n")
    # New digests print the true announcement instant (the evening before the listing date).
    assert re.fullmatch(
        r"生成时间: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+8\); "
        r"Arxiv 发布时间: 2026-06-03 20:00 EDT \(2026-06-04 08:00 UTC\+8\)",
        header,
    ), header
    # Every paper block byte for byte, but for one: the example printed 2606.04735's abstract
    # across two lines (a TeX quote mangled into a line break), which the format forbids; the
    # run prints it on one line, and its translation is still found (the cache folds white space).
    assert "reward\npeaks''" in expected
    assert body == expected.partition("\n")[2].replace("reward\npeaks''", "reward peaks''")
    for suffix in ("md", "html", "json"):
        assert june_site.digest_file(JUNE, suffix=suffix).is_file()
    assert june_site.digest_file(JUNE, "compact").is_file()


def test_a_winter_listing_prints_est_and_untranslated_papers_keep_english(tmp_path: Path) -> None:
    items = example_items("digest-2026-04-22.txt")
    feeds = archives_of(items)
    with serve(build_feeds(JANUARY, items, feeds)) as base_url:
        site = Site(tmp_path / "home", write_config(tmp_path, base_url, feeds))
        result = site.cli("run", "--date", "2026-01-13")
    assert result.exit_code == 0, result.output
    assert "35 papers without Chinese translation" in result.output
    lines = site.digest_file(JANUARY).read_text(encoding="utf-8").split("\n")
    assert lines[0].endswith("Arxiv 发布时间: 2026-01-12 20:00 EST (2026-01-13 09:00 UTC+8)")
    assert lines[1] == "今天共有 35 篇相关文章"
    assert lines[2] == "Keyword: reinforcement learning"
    assert lines[-2:] == ["Keyword: diffusion policy", "There is no result"]
    assert lines[3] == lines[4]  # no translation: the Chinese title line carries the English
    subjects = {
        line for i, line in enumerate(lines) if i and lines[i - 1] == "- Subjects: Subjects:"
    }
    assert "Machine Learning (cs.LG); Artificial Intelligence (cs.AI)" in subjects
    assert any("(eess.SY)" in s and "Systems and Control (eess.SY)" in s for s in subjects)


def test_rerunning_a_date_is_idempotent(june_site: Site) -> None:
    assert june_site.cli("run", "--date", "2026-06-04").exit_code == 0
    first = june_site.digest_file(JUNE).read_bytes()
    counts = table_counts(june_site.home / "paperfeed.db")
    second = june_site.cli("run", "--date", "2026-06-04")
    assert second.exit_code == 0, second.output
    assert june_site.digest_file(JUNE).read_bytes() == first
    after = table_counts(june_site.home / "paperfeed.db")
    assert {k: v for k, v in after.items() if k != "runs"} == {
        k: v for k, v in counts.items() if k != "runs"
    }
    assert after["runs"] == counts["runs"] + 1


def table_counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'"
            )
        ]
        return {n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}
    finally:
        con.close()


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        ("2026-06-06", "Saturday"),
        ("2026-06-07", "Sunday"),
        ("2026-11-27", "Thanksgiving"),
    ],
)
def test_no_listing_days_say_why_exit_0_and_write_nothing(
    tmp_path: Path, day: str, reason: str
) -> None:
    site = Site(tmp_path / "home", write_config(tmp_path, "http://127.0.0.1:9", ["cs"]))
    result = site.cli("run", "--date", day)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"no arXiv listing for {day} (")
    assert reason in result.output
    assert not (site.home / "digests").exists()


def test_a_fetch_failure_exits_1_names_the_feed_and_is_recorded(tmp_path: Path) -> None:
    items = example_items("digest-2026-06-04.txt")
    feeds = archives_of(items)
    routes = build_feeds(JUNE, items, feeds)
    routes.pop(f"/rss/{feeds[-1]}")  # that feed answers 404
    with serve(routes) as base_url:
        site = Site(tmp_path / "home", write_config(tmp_path, base_url, feeds))
        result = site.cli("run", "--date", "2026-06-04")
        assert result.exit_code == 1
        assert feeds[-1] in result.output
        assert "404" in result.output
        runs = site.cli("runs")
    assert "failed" in runs.output
    assert not site.digest_file(JUNE).exists()


def test_a_later_digest_does_not_repeat_papers_delivered_earlier(
    june_site: Site, tmp_path: Path
) -> None:
    assert june_site.cli("run", "--date", "2026-06-04").exit_code == 0
    # The next day lists two of the same papers again (as replacements the topic asks for).
    again = [
        ListingItem(paper=i.paper, announce_type="replace")
        for i in example_items("digest-2026-06-04.txt")[:2]
    ]
    fresh = example_items("digest-2026-04-22.txt")[:3]
    nxt = date(2026, 6, 5)
    items = again + fresh
    feeds = archives_of(items)
    second_config = tmp_path / "next-day"
    second_config.mkdir()
    with serve(build_feeds(nxt, items, feeds)) as base_url:
        config = write_config(
            second_config,
            base_url,
            feeds,
            extra='[[topics]]\nname = "reinforcement learning"\ninclude_replacements = true\n'
            '[[topics]]\nname = "diffusion policy"\n',
        )
        site = Site(june_site.home, config)
        result = site.cli("run", "--date", "2026-06-05")
    assert result.exit_code == 0, result.output
    assert "reinforcement learning: 3" in result.output
    text = site.digest_file(nxt).read_text(encoding="utf-8")
    for item in again:
        assert item.paper.arxiv_id not in text


def test_import_then_digest_reproduces_both_example_digests_byte_for_byte(tmp_path: Path) -> None:
    site = Site(tmp_path / "home", write_config(tmp_path, "http://127.0.0.1:9", ["cs"]))
    for name in ("digest-2026-06-04.txt", "digest-2026-04-22.txt"):
        result = site.cli("import", str(DIGESTS / name))
        assert result.exit_code == 0, result.output
    for day in ("2026-06-04", "2026-04-22"):
        printed = CliRunner().invoke(
            main, ["digest", "--date", day, "--format", "text"], env=site.env
        )
        assert printed.exit_code == 0
        assert printed.stdout_bytes == (DIGESTS / f"digest-{day}.txt").read_bytes()
    compact = CliRunner().invoke(
        main, ["digest", "--date", "2026-04-22", "--format", "compact"], env=site.env
    )
    assert compact.stdout_bytes == (DIGESTS / "compact-2026-04-22.txt").read_bytes()
    again = site.cli("import", str(DIGESTS / "compact-2026-04-22.txt"))
    assert again.exit_code == 0 and "already has a digest" in again.output


def test_search_finds_imported_papers_in_english_and_chinese(tmp_path: Path) -> None:
    site = Site(tmp_path / "home", write_config(tmp_path, "http://127.0.0.1:9", ["cs"]))
    site.cli("import", str(DIGESTS / "digest-2026-06-04.txt"))
    english = site.cli("search", "self-distilled policy gradient")
    assert english.output.startswith("2606.04036")
    chinese = site.cli("search", "乔莱斯基")
    assert "COP-Q" in chinese.output
    nothing = site.cli("search", "zzzunknownword")
    assert "no papers match" in nothing.output


def test_importing_a_file_of_unknown_format_fails_cleanly_and_stores_nothing(
    tmp_path: Path,
) -> None:
    site = Site(tmp_path / "home", write_config(tmp_path, "http://127.0.0.1:9", ["cs"]))
    site.cli("import", str(DIGESTS / "digest-2026-04-22.txt"))
    before = table_counts(site.home / "paperfeed.db")
    junk = tmp_path / "notes.txt"
    junk.write_text("just some notes\nnothing to see\n", encoding="utf-8")
    result = site.cli("import", str(junk))
    assert result.exit_code == 2
    assert "notes.txt" in result.output and "not a digest in a known format" in result.output
    assert table_counts(site.home / "paperfeed.db") == before


def test_a_broken_digest_is_rejected_whole_with_its_line_number(tmp_path: Path) -> None:
    site = Site(tmp_path / "home", write_config(tmp_path, "http://127.0.0.1:9", ["cs"]))
    lines = (DIGESTS / "digest-2026-04-22.txt").read_text(encoding="utf-8").split("\n")
    broken = tmp_path / "digest-2026-04-22.txt"
    del lines[40]  # drop one line in the middle of the 4th paper block
    broken.write_text("\n".join(lines), encoding="utf-8")
    result = site.cli("import", str(broken))
    assert result.exit_code == 2
    assert re.search(r"digest-2026-04-22\.txt:\d+", result.output), result.output
    counts = table_counts(site.home / "paperfeed.db")
    assert counts["papers"] == 0 and counts["digests"] == 0


def test_bad_date_and_bad_config_are_usage_errors(tmp_path: Path) -> None:
    site = Site(tmp_path / "home", write_config(tmp_path, "http://127.0.0.1:9", ["cs"]))
    bad_date = site.cli("run", "--date", "June 4")
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    site.config.write_text("[arxiv]\nretries = 'many'\n", encoding="utf-8")
    bad_config = site.cli("run", "--date", "2026-06-04")
    assert bad_config.exit_code == 2
    assert (
        "retries must be an integer" in bad_config.output and str(site.config) in bad_config.output
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("run", "--date", "0001-01-01"), "arXiv has no listings before 1991-08-01"),
        (("trending", "--date", "0001-01-01"), "arXiv has no listings before 1991-08-01"),
        (("digest", "--date", "9999-12-31"), "arXiv has no listings after 9998-12-31"),
    ],
)
def test_dates_outside_arxivs_calendar_get_one_message(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    site = Site(tmp_path / "home", write_config(tmp_path, "http://127.0.0.1:9", ["cs"]))
    result = site.cli(*args)
    assert result.exit_code == 2, result.output
    assert said in result.output and "Traceback" not in result.output


def test_a_config_path_that_is_a_folder_gets_one_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", "--config", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "is a folder, not a config file" in result.output
    assert str(tmp_path / "paperfeed.toml") in result.output


def test_init_writes_a_starter_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(main, ["init"])
    assert first.exit_code == 0
    assert (tmp_path / "paperfeed.toml").read_text(encoding="utf-8").count("[[topics]]") == 2
    second = CliRunner().invoke(main, ["init"])
    assert second.exit_code == 2 and "already exists" in second.output


def test_demo_runs_offline(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["demo", "--home", str(tmp_path / "demo")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "reinforcement learning: 53" in result.output
    assert "今天共有 53 篇相关文章" in result.output
    assert (tmp_path / "demo" / "digests" / "digest-2026-06-04.html").is_file()


def test_an_empty_back_fill_of_a_listing_day_is_suspect_not_a_holiday(tmp_path: Path) -> None:
    """The feeds show 2026-06-04; 2026-06-03 (a Wednesday) must come from the API, which
    answers with no papers at all: exit 1 and say to rerun, never "no arXiv listing"."""
    items = example_items("digest-2026-06-04.txt")
    feeds = archives_of(items)
    routes = build_feeds(JUNE, items, feeds)
    routes["/api/query"] = (FIXTURES / "upstream" / "arxiv_api_empty.xml").read_bytes()
    with serve(routes) as base_url:
        site = Site(tmp_path / "home", write_config(tmp_path, base_url, feeds))
        result = site.cli("run", "--date", "2026-06-03")
    assert result.exit_code == 1, result.output
    assert "no arXiv listing" not in result.output
    assert "arXiv returned no papers for the listing of 2026-06-03" in result.output
    assert "rerun later" in result.output
    assert not (site.home / "digests").exists()
    runs = site.cli("runs")
    assert "failed" in runs.output and "fetch failed: arXiv returned no papers" in runs.output


def test_digest_files_are_readable_by_a_web_server_and_leftovers_are_swept(
    june_site: Site,
) -> None:
    """Under the usual umask 022 the files are 0644 (another user's web server can serve them),
    and a temporary file a killed earlier run left in the folder is gone after the next run."""
    import os
    import stat
    import time

    folder = june_site.home / "digests"
    folder.mkdir(parents=True)
    leftover = folder / ".digest-2026-06-04.txt.k2j3h4.tmp"
    leftover.write_text("half a digest", encoding="utf-8")
    then = time.time() - 3600
    os.utime(leftover, (then, then))
    before = os.umask(0o022)
    try:
        result = june_site.cli("run", "--date", "2026-06-04")
    finally:
        os.umask(before)
    assert result.exit_code == 0, result.output
    assert not leftover.exists()
    written = sorted(folder.iterdir())
    assert written and all(not p.name.startswith(".") for p in written)
    assert {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o644}
