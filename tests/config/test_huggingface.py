"""[huggingface] settings: defaults, the starter file, the environment, one clear message per
mistake; and the client ``app.open_hugging_face`` builds from them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from paperfeed import config
from paperfeed.app.wiring import open_hugging_face
from paperfeed.core.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "paperfeed.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_and_the_starter_file_agree(tmp_path: Path) -> None:
    env = {"PAPERFEED_HOME": str(tmp_path)}
    defaults = config.load_settings(None, env).huggingface
    assert defaults == config.HuggingfaceSettings()
    assert defaults.enabled and defaults.base_url == "https://huggingface.co"
    assert (defaults.refresh_days, defaults.min_interval, defaults.retries) == (4, 1.0, 2)
    starter = config.load_settings(write(tmp_path, config.starter_config()), env)
    assert starter.huggingface == defaults


def test_the_file_and_the_environment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[huggingface]\nenabled = false\nbase_url = "https://mirror.example/"\n'
        "refresh_days = 2\nmin_interval = 0.5\ntimeout = 5\nretries = 0\n",
    )
    hf = config.load_settings(path, {}).huggingface
    assert hf == config.HuggingfaceSettings(
        enabled=False,
        base_url="https://mirror.example",
        refresh_days=2,
        min_interval=0.5,
        timeout=5.0,
        retries=0,
    )
    env = {"PAPERFEED_HF_URL": "http://127.0.0.1:9"}
    assert config.load_settings(path, env).huggingface.base_url == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[huggingface]\nurl = 'x'\n", "unknown key 'url' in [huggingface]"),
        ("[huggingface]\nenabled = 'yes'\n", "enabled must be true or false"),
        ("[huggingface]\nbase_url = 'huggingface.co'\n", "base_url must be an http:// or https://"),
        ("[huggingface]\nrefresh_days = 0\n", "refresh_days must be >= 1"),
        ("[huggingface]\nretries = -1\n", "retries >= 0"),
        ("[huggingface]\nmin_interval = 'slow'\n", "min_interval must be a number"),
    ],
)
def test_mistakes_get_one_clear_message(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        config.load_settings(path, {"PAPERFEED_HOME": str(tmp_path)})
    assert expected in str(info.value)
    assert str(path) in str(info.value)


def test_the_client_is_spaced_by_min_interval(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_data(b"[]")
    path = write(tmp_path, "[huggingface]\nmin_interval = 2.0\n")
    settings = config.load_settings(path, {"PAPERFEED_HF_URL": httpserver.url_for("/")})
    waits: list[float] = []
    with open_hugging_face(settings, sleep=waits.append) as hf:
        hf.daily(date(2026, 6, 3))
        hf.daily(date(2026, 6, 4))
    assert len(httpserver.log) == 2
    assert len(waits) == 1 and 1.0 < waits[0] <= 2.0
    assert httpserver.log[0][0].headers["User-Agent"].startswith("paperfeed/")
