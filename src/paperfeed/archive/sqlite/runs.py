"""Every run: stage status, counts, failures. "What happened yesterday" is one query."""

from __future__ import annotations

import sqlite3
from datetime import date

import paperfeed.archive.sqlite.rows as rows
from paperfeed.archive.records import RunId, RunRecord
from paperfeed.archive.sqlite.connection import Connection
from paperfeed.core.records import RunReport


class RunsSql(Connection):
    def start_run(self, listing_date: date) -> RunId:
        with self._errors("recording a run"):
            self._db.execute(
                "UPDATE runs SET status = 'interrupted', reason = 'the process ended before the run "
                "finished' WHERE status = 'running' AND listing_date = ?",
                (rows.day(listing_date),),
            )
            cursor = self._db.execute(
                "INSERT INTO runs (listing_date, started_at, status) VALUES (?, ?, 'running')",
                (rows.day(listing_date), self._now()),
            )
        return RunId(int(cursor.lastrowid or 0))

    def finish_run(self, run_id: RunId, report: RunReport) -> None:
        with self._errors("recording a run"):
            self._db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, reason = ?, report = ? WHERE id = ?",
                (self._now(), report.status, report.reason, rows.report_json(report), run_id),
            )

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """The newest runs first."""
        with self._errors("reading runs"):
            found = self._db.execute(
                "SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_run_from_row(row) for row in found]


def _run_from_row(row: sqlite3.Row) -> RunRecord:
    started = rows.parse_iso(row["started_at"])
    assert started is not None
    return RunRecord(
        id=RunId(int(row["id"])),
        listing_date=date.fromisoformat(row["listing_date"]),
        started_at=started,
        finished_at=rows.parse_iso(row["finished_at"]),
        status=row["status"],
        reason=row["reason"],
        report=rows.report_from_json(row["report"]),
    )
