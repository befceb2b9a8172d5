"""`paperfeed serve`: what the command hands the server, the options its worker processes
rebuild, and one real run of the command on a loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from paperfeed.app.cli import main
from paperfeed.app.web import WebOptions
from paperfeed.app.web import server as web_server
from paperfeed.core.calendar import ArxivCalendar
from tests.support.web_samples import archive_copy
from tests.support.web_server import free_port


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[tuple[WebOptions, dict[str, object]]]:
    calls: list[tuple[WebOptions, dict[str, object]]] = []

    def serve_forever(options: WebOptions, **kwargs: object) -> None:
        calls.append((options, kwargs))

    monkeypatch.setattr(web_server, "serve_forever", serve_forever)
    return calls


def run_serve(home: Path, *args: str, token: str | None = None) -> str:
    """The command's output, lines unwrapped (Rich wraps at the terminal's width)."""
    env = {"PAPERFEED_HOME": str(home), "PAPERFEED_CONFIG": str(home / "none.toml")}
    env["PAPERFEED_WEB_TOKEN"] = token or ""
    (home / "none.toml").write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_serve_binds_loopback_by_default(
    tmp_path: Path, captured: list[tuple[WebOptions, dict[str, object]]]
) -> None:
    output = run_serve(tmp_path)
    assert f"serving {tmp_path / 'paperfeed.db'} on http://127.0.0.1:8000/" in output
    options, kwargs = captured[0]
    assert options.bind_host == "127.0.0.1"
    assert options.needs_token is False
    assert options.database == tmp_path / "paperfeed.db"
    assert options.status_path == tmp_path / "daemon-status.json"
    assert kwargs == {"port": 8000, "workers": 1, "access_log": False}


def test_serve_elsewhere_needs_the_token_from_the_environment(
    tmp_path: Path, captured: list[tuple[WebOptions, dict[str, object]]]
) -> None:
    output = run_serve(tmp_path, "--host", "0.0.0.0", "--port", "8080")
    assert "PAPERFEED_WEB_TOKEN is not set: the site is read-only" in output
    assert captured[0][0].write_token is None
    assert captured[0][0].needs_token is True
    output = run_serve(tmp_path, "--host", "::", "--workers", "2", token="s3cret")
    assert "writes need the token from PAPERFEED_WEB_TOKEN" in output
    assert "http://[::]:8000/" in output
    options, kwargs = captured[1]
    assert options.write_token == "s3cret"
    assert kwargs["workers"] == 2


def test_worker_processes_rebuild_the_same_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    database = archive_copy(tmp_path, tmp_path_factory)
    options = WebOptions(
        database=database,
        calendar=ArxivCalendar({date(2026, 6, 3): "a test holiday"}),
        bind_host="0.0.0.0",
        write_token="never written to the environment by the parent",
        cache_size=7,
        status_path=tmp_path / "daemon-status.json",
    )
    encoded = web_server.options_to_environment(options)
    assert "never written" not in encoded  # the token stays in PAPERFEED_WEB_TOKEN only
    monkeypatch.setenv(web_server.OPTIONS_VARIABLE, encoded)
    monkeypatch.setenv(web_server.TOKEN_VARIABLE, "from the environment")
    rebuilt = web_server.app_from_environment().state.web.options
    assert rebuilt.database == database
    assert rebuilt.bind_host == "0.0.0.0"
    assert rebuilt.write_token == "from the environment"
    assert rebuilt.cache_size == 7
    assert rebuilt.status_path == tmp_path / "daemon-status.json"
    assert dict(rebuilt.calendar.holidays) == {date(2026, 6, 3): "a test holiday"}


@pytest.mark.slow
def test_paperfeed_serve_serves_the_archive(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    archive_copy(tmp_path, tmp_path_factory)  # <home>/paperfeed.db
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    port = free_port()
    env = {
        **os.environ,
        "PAPERFEED_HOME": str(tmp_path),
        "PAPERFEED_CONFIG": str(tmp_path / "none.toml"),
    }
    env.pop("PAPERFEED_WEB_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "paperfeed", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{base}/api/health", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise AssertionError(
                        f"paperfeed serve did not start: {process.communicate()[1]}"
                    ) from None
                time.sleep(0.05)  # a real process starting up: nothing to inject
        assert health.json()["latest_digest"] == "2026-06-04"
        home = httpx.get(base + "/", timeout=5)
        assert home.status_code == 200
        assert "arXiv 2026-06-04" in home.text
        assert httpx.get(base + "/static/katex/katex.min.js", timeout=5).status_code == 200
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=20)
    assert f"on http://127.0.0.1:{port}/" in out
