"""A run killed mid-way leaves the archive consistent, and the next run completes the work."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperfeed.app.cli import main
from paperfeed.app.demo.feeds import archives_of, build_feeds
from paperfeed.app.demo.server import serve
from paperfeed.stages import write as write_stage
from tests.support.listing_builder import example_items, unrelated_items
from tests.support.sites import write_config

JUNE = date(2026, 6, 4)


@contextmanager
def stalling_server(
    routes: Mapping[str, bytes], stall_path: str
) -> Iterator[tuple[str, threading.Event, threading.Event]]:
    """Serves ``routes``; a request for ``stall_path`` hangs until the test sets ``release``."""
    reached = threading.Event()
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == stall_path:
                reached.set()
                release.wait(timeout=30)
            body = routes.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", reached, release
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def listing_routes() -> tuple[dict[str, bytes], list[str]]:
    items = example_items("digest-2026-06-04.txt") + unrelated_items()
    feeds = archives_of(items)
    assert len(feeds) >= 3
    return build_feeds(JUNE, items, feeds), feeds


def test_a_process_killed_while_fetching_resumes_on_the_next_run(tmp_path: Path) -> None:
    routes, feeds = listing_routes()
    home = tmp_path / "home"
    with stalling_server(routes, f"/rss/{feeds[2]}") as (base_url, reached, release):
        config = write_config(tmp_path, base_url, feeds)
        env = {**os.environ, "PAPERFEED_HOME": str(home), "PAPERFEED_CONFIG": str(config)}
        process = subprocess.Popen(
            [sys.executable, "-m", "paperfeed", "run", "--date", str(JUNE)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            assert reached.wait(timeout=30), "the run never reached the third feed"
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        release.set()

        db = home / "paperfeed.db"
        con = sqlite3.connect(db)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert con.execute("SELECT count(*) FROM listings").fetchone()[0] == 0
            assert con.execute("SELECT status FROM runs").fetchall() == [("running",)]
        finally:
            con.close()
        assert not (home / "digests").exists()

        result = CliRunner().invoke(
            main,
            ["run", "--date", str(JUNE)],
            env={"PAPERFEED_HOME": str(home), "PAPERFEED_CONFIG": str(config)},
        )
    assert result.exit_code == 0, result.output
    assert "reinforcement learning: 52" in result.stdout
    con = sqlite3.connect(home / "paperfeed.db")
    try:
        statuses = [r[0] for r in con.execute("SELECT status FROM runs ORDER BY id")]
    finally:
        con.close()
    assert statuses == ["interrupted", "done"]


def test_a_run_that_dies_after_storing_the_listing_does_not_fetch_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    routes, feeds = listing_routes()
    home = tmp_path / "home"
    env = {"PAPERFEED_HOME": str(home), "PAPERFEED_CONFIG": str(tmp_path / "paperfeed.toml")}

    def die(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # what Ctrl-C between two stages looks like

    with serve(routes) as base_url:
        write_config(tmp_path, base_url, feeds)
        with monkeypatch.context() as patch:
            patch.setattr(write_stage, "write_digest_files", die)
            interrupted = CliRunner().invoke(main, ["run", "--date", str(JUNE)], env=env)
    assert interrupted.exit_code == 1 and "Aborted" in interrupted.output
    assert not (home / "digests").exists()
    # The server is gone: the rerun can only succeed from what the first run stored.
    started = time.monotonic()
    result = CliRunner().invoke(main, ["run", "--date", str(JUNE)], env=env)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 20
    assert (home / "digests" / "digest-2026-06-04.txt").is_file()
    runs = CliRunner().invoke(main, ["runs"], env=env).stdout
    assert "done" in runs and "interrupted" in runs
