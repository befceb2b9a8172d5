"""Health says "behind" (not OK) when arXiv's announced listings are missing from the archive
beyond a day's grace, in the health check, the API and `paperfeed runs`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from click.testing import CliRunner

from paperfeed.app.cli import main
from paperfeed.app.health import check_health
from paperfeed.archive import open_archive
from paperfeed.core.calendar import ArxivCalendar
from paperfeed.core.records import RunReport
from tests.support.digest_samples import make_digest, make_entry, make_paper

JUNE_4 = date(2026, 6, 4)


def archive_with_june_4(path: Path) -> None:
    with open_archive(path) as archive:
        archive.save_digest(
            make_digest({"rl": [make_entry(make_paper("2606.00001"))]}, listing_date=JUNE_4)
        )


def test_a_listing_announced_hours_ago_is_not_yet_a_problem(tmp_path: Path) -> None:
    archive_with_june_4(tmp_path / "a.db")
    # 2026-06-05's listing was announced at 2026-06-05 00:00 UTC, four hours before.
    with open_archive(tmp_path / "a.db") as archive:
        health = check_health(
            archive, ArxivCalendar(), datetime(2026, 6, 5, 4, 0, tzinfo=UTC), None
        )
    assert health.behind and health.ok and health.status == "ok"
    assert health.overdue_listing is None


def test_six_months_behind_is_reported_as_behind(tmp_path: Path) -> None:
    archive_with_june_4(tmp_path / "a.db")
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    with open_archive(tmp_path / "a.db") as archive:
        health = check_health(archive, ArxivCalendar(), now, None)
    assert not health.ok and health.status == "behind"
    assert health.overdue_listing == date(2026, 12, 1)
    assert "The archive is behind arXiv: the listing of 2026-12-01" in health.lag
    assert "the newest digest is of 2026-06-04" in health.lag
    assert health.problems == (health.lag,)


def test_a_listing_arxiv_published_empty_counts_as_done(tmp_path: Path) -> None:
    archive_with_june_4(tmp_path / "a.db")
    with open_archive(tmp_path / "a.db") as archive:
        run = archive.start_run(date(2026, 6, 5))
        archive.finish_run(run, RunReport(date(2026, 6, 5), "no-listing", reason="empty"))
        health = check_health(
            archive, ArxivCalendar(), datetime(2026, 6, 6, 12, 0, tzinfo=UTC), None
        )
    assert health.overdue_listing is None and health.ok


def test_runs_says_the_archive_is_behind(tmp_path: Path) -> None:
    home = tmp_path / "home"
    archive_with_june_4(home / "paperfeed.db")
    result = CliRunner().invoke(
        main, ["runs"], env={"PAPERFEED_HOME": str(home), "PAPERFEED_CONFIG": ""}
    )
    assert result.exit_code == 0, result.output
    assert "behind: The archive is behind arXiv: the listing of" in result.output
