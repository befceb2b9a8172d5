"""Retries, timeouts, intervals and the response cap are refused outside their ranges with
one ConfigError that names the file, the section, the key, the allowed range and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperfeed import config
from paperfeed.core.errors import ConfigError


def load(tmp_path: Path, text: str) -> config.Settings:
    path = tmp_path / "paperfeed.toml"
    path.write_text(text, encoding="utf-8")
    return config.load_settings(path, {"PAPERFEED_HOME": str(tmp_path)})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[arxiv]\nretries = 99999999999999999999\n",
            "[arxiv] retries must be from 0 to 10; got 99999999999999999999",
        ),
        ("[arxiv]\nretries = 11\n", "[arxiv] retries must be from 0 to 10; got 11"),
        (
            "[arxiv]\ntimeout = 1e30\n",
            "[arxiv] timeout must be more than 0 s and at most 3600 s; got 1e+30",
        ),
        ("[arxiv]\ntimeout = inf\n", "[arxiv] timeout must be more than 0 s and at most 3600 s"),
        ("[arxiv]\ntimeout = nan\n", "[arxiv] timeout must be more than 0 s and at most 3600 s"),
        ("[arxiv]\nmin_interval = 86400\n", "[arxiv] min_interval must be from 0 to 600 s"),
        ("[arxiv]\nmin_interval = nan\n", "[arxiv] min_interval must be from 0 to 600 s"),
        ("[arxiv]\nmax_response_mb = 0\n", "[arxiv] max_response_mb must be from 1 to 4096; got 0"),
        ("[arxiv]\nmax_response_mb = 1e3\n", "max_response_mb must be an integer; got 1000.0"),
        (
            "[huggingface]\nretries = 99999999999999999999\n",
            "[huggingface] retries must be from 0 to 10",
        ),
        ("[huggingface]\ntimeout = 7200\n", "[huggingface] timeout must be more than 0 s"),
        (
            "[huggingface]\nmin_interval = 1000\n",
            "[huggingface] min_interval must be from 0 to 600",
        ),
        ("[translate]\nretries = 1000\n", "[translate] retries must be from 0 to 10; got 1000"),
        ("[translate]\ntimeout = inf\n", "[translate] timeout must be more than 0 s"),
    ],
)
def test_out_of_range_values_are_refused_with_the_range(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert message in str(caught.value)
    assert str(tmp_path / "paperfeed.toml") in str(caught.value)
    assert caught.value.exit_code == 2


def test_the_ends_of_the_ranges_are_allowed(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        "[arxiv]\nretries = 10\ntimeout = 3600\nmin_interval = 600\nmax_response_mb = 4096\n"
        "[huggingface]\nretries = 0\ntimeout = 0.1\nmin_interval = 0\n"
        "[translate]\nretries = 10\ntimeout = 3600\n",
    )
    assert (settings.arxiv.retries, settings.arxiv.timeout) == (10, 3600.0)
    assert (settings.arxiv.min_interval, settings.arxiv.max_response_mb) == (600.0, 4096)
    assert settings.huggingface.timeout == 0.1 and settings.translate.retries == 10


def test_max_response_mb_defaults_to_64(tmp_path: Path) -> None:
    assert config.load_settings(None, {"PAPERFEED_HOME": str(tmp_path)}).arxiv.max_response_mb == 64
    assert load(tmp_path, "[arxiv]\nmax_response_mb = 16\n").arxiv.max_response_mb == 16
