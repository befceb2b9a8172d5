"""The [translate] settings and how the engine is chosen from them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperfeed.app import wiring as app
from paperfeed.config import Settings, load_settings
from paperfeed.core.errors import ConfigError
from paperfeed.engines.translate import NoneEngine
from paperfeed.engines.translate.openai_engine import OpenAIEngine


def settings_from(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> Settings:
    path = tmp_path / "paperfeed.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, {"PAPERFEED_HOME": str(tmp_path), **(env or {})})


def test_defaults(tmp_path: Path) -> None:
    tr = load_settings(None, {"PAPERFEED_HOME": str(tmp_path)}).translate
    assert (tr.engine, tr.base_url, tr.model, tr.api_key) == ("auto", "", "", "")
    assert (tr.concurrency, tr.timeout, tr.retries, tr.titles_per_request) == (8, 60.0, 4, 8)
    assert (tr.token_budget, tr.glossary, tr.tldr) == (0, None, False)


def test_file_values_and_environment_overrides(tmp_path: Path) -> None:
    tr = settings_from(
        tmp_path,
        '[translate]\nengine = "openai"\nbase_url = "http://a/v1"\nmodel = "m1"\n'
        "concurrency = 2\ntimeout = 5\nretries = 0\ntitles_per_request = 1\n"
        'token_budget = 50000\nglossary = "terms.tsv"\ntldr = true\n',
        {"PAPERFEED_LLM_BASE_URL": "http://b/v1", "PAPERFEED_LLM_API_KEY": "k"},
    ).translate
    assert (tr.engine, tr.base_url, tr.model, tr.api_key) == ("openai", "http://b/v1", "m1", "k")
    assert (tr.concurrency, tr.timeout, tr.retries, tr.titles_per_request) == (2, 5.0, 0, 1)
    assert tr.token_budget == 50000 and tr.tldr is True
    assert tr.glossary == tmp_path / "terms.tsv"  # relative to the config file


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[translate]\nengine = "deepl"\n', "engine must be one of auto, none, openai, local"),
        ('[translate]\nengine = "openai"\n', "engine 'openai' needs an endpoint"),
        ("[translate]\nconcurrency = 0\n", "concurrency must be at least 1; got 0"),
        ("[translate]\ntoken_budget = -1\n", "token_budget must be at least 0"),
        ("[translate]\ntimeout = 0\n", "timeout must be > 0 seconds"),
        ('[translate]\napi_key = "sk-in-the-file"\n', "unknown key 'api_key' in [translate]"),
        ('[translate]\ntldr = "yes"\n', "tldr must be true or false"),
    ],
)
def test_bad_values_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        settings_from(tmp_path, text)


def test_auto_prefers_an_endpoint_then_local_then_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app, "local_engine_available", lambda settings: False)
    plain = settings_from(tmp_path, "")
    name, hint = app.engine_choice(plain)
    assert name == "none" and "PAPERFEED_LLM_BASE_URL" in hint and "paperfeed[local]" in hint
    assert isinstance(app.make_engine(plain), NoneEngine)

    endpoint = settings_from(tmp_path, "", {"PAPERFEED_LLM_BASE_URL": "http://127.0.0.1:9/v1"})
    assert app.engine_choice(endpoint) == ("openai", "")
    assert isinstance(app.make_engine(endpoint), OpenAIEngine)

    monkeypatch.setattr(app, "local_engine_available", lambda settings: True)
    assert app.engine_choice(plain) == ("local", "")
    pinned = settings_from(tmp_path, "", {"PAPERFEED_TRANSLATE_ENGINE": "none"})
    assert app.engine_choice(pinned) == ("none", "")  # chosen on purpose: no hint
