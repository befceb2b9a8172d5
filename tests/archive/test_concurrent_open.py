"""Two commands creating a new archive at the same moment both succeed: the schema version is
read under the write lock, so the second finds the first one's schema instead of creating the
tables again ("table papers already exists")."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from paperfeed.archive import open_archive
from paperfeed.archive.sqlite.connection import latest_schema

PROCESSES = 6
TRIALS = 10


def _open(path: str, start: object) -> None:
    start.wait()  # type: ignore[attr-defined]
    with open_archive(Path(path), timeout=30) as archive:
        archive.save_subject_names({"cs.XX": "Test"})


def test_processes_creating_one_archive_at_once_all_succeed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for trial in range(TRIALS):
        path = tmp_path / f"trial-{trial}" / "paperfeed.db"
        start = context.Barrier(PROCESSES)
        workers = [context.Process(target=_open, args=(str(path), start)) for _ in range(PROCESSES)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        assert [w.exitcode for w in workers] == [0] * PROCESSES, f"trial {trial}"
        with open_archive(path) as archive:
            assert archive.subject_names() == {"cs.XX": "Test"}
            assert archive.count("papers") == 0
        import sqlite3

        raw = sqlite3.connect(path)
        try:
            assert raw.execute("PRAGMA user_version").fetchone()[0] == latest_schema()
        finally:
            raw.close()
