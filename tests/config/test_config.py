"""Settings: defaults, the file, environment overrides, and one clear message per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperfeed import config
from paperfeed.core.errors import ConfigError, QueryError
from tests.support import REPOSITORY

README = REPOSITORY / "README.md"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "paperfeed.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_need_no_file(tmp_path: Path) -> None:
    settings = config.load_settings(None, {"PAPERFEED_HOME": str(tmp_path)})
    assert settings.timezone == "Asia/Shanghai"
    assert [t.name for t in settings.topics] == ["reinforcement learning", "diffusion policy"]
    assert settings.database_path == tmp_path / "paperfeed.db"
    assert settings.output_dir == tmp_path / "digests"
    assert {"cs", "stat", "eess", "math", "physics", "q-bio"} <= set(settings.arxiv.categories)


def test_starter_file_parses_to_the_same_settings_as_no_file(tmp_path: Path) -> None:
    env = {"PAPERFEED_HOME": str(tmp_path)}
    from_file = config.load_settings(write(tmp_path, config.starter_config()), env)
    defaults = config.load_settings(None, env)
    assert from_file.topics == defaults.topics
    assert from_file.arxiv == defaults.arxiv
    assert from_file.formats == defaults.formats
    assert from_file.timezone == defaults.timezone
    assert from_file.translate == defaults.translate


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[arxiv]\nrss_url = "https://mirror.example/rss"\ncontact_email = "a@b.c"\n'
    )
    env = {
        "PAPERFEED_HOME": str(tmp_path / "home"),
        "PAPERFEED_DB": str(tmp_path / "other.db"),
        "PAPERFEED_ARXIV_RSS_URL": "http://127.0.0.1:9/rss",
        "PAPERFEED_ARXIV_API_URL": "http://127.0.0.1:9/api/query",
        "PAPERFEED_CONTACT_EMAIL": "me@example.org",
        "PAPERFEED_TIMEZONE": "Europe/Berlin",
    }
    settings = config.load_settings(path, env)
    assert settings.arxiv.rss_url == "http://127.0.0.1:9/rss"
    assert settings.arxiv.api_url == "http://127.0.0.1:9/api/query"
    assert settings.arxiv.contact_email == "me@example.org"
    assert settings.database_path == tmp_path / "other.db"
    assert settings.timezone == "Europe/Berlin"
    assert settings.output_dir == tmp_path / "home" / "digests"


def test_config_file_lookup_order(tmp_path: Path) -> None:
    (tmp_path / "paperfeed.toml").write_text("", encoding="utf-8")
    assert config.find_config("x.toml", {"PAPERFEED_CONFIG": "y.toml"}, tmp_path) == Path("x.toml")
    assert config.find_config(None, {"PAPERFEED_CONFIG": "y.toml"}, tmp_path) == Path("y.toml")
    assert config.find_config(None, {}, tmp_path) == tmp_path / "paperfeed.toml"
    assert config.find_config(None, {}, tmp_path / "nowhere") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[arxiv]\ncontact = 'x'\n", "unknown key 'contact' in [arxiv]"),
        ("colour = 'red'\n", "unknown key 'colour' in the top level"),
        ("[arxiv]\nmin_interval = 'fast'\n", "min_interval must be a number; got 'fast'"),
        ("[arxiv]\nretries = 2.5\n", "retries must be an integer"),
        ("[arxiv]\ncategories = ['cs.XX']\n", "unknown arXiv category or archive 'cs.XX'"),
        ("[arxiv]\ncategories = 'cs'\n", "categories must be a list of strings"),
        ("timezone = 'Mars/Olympus'\n", "timezone must be an IANA zone name"),
        (
            "[translate]\nengine = 'deepl'\n",
            "engine must be one of auto, none, openai, local; got 'deepl'",
        ),
        ("[output]\nformats = ['pdf']\n", "unknown format 'pdf'"),
        ("[[topics]]\nquery = 'x'\n", "every topic needs a name"),
        ("[[topics]]\nname = 'a'\n[[topics]]\nname = 'a'\n", "two topics are named 'a'"),
        ("[[topics]]\nname = 'a'\ninclude_cross = 'yes'\n", "include_cross must be true or false"),
        ("database = 'postgresql://x/y'\n", "not supported yet"),
        ("[calendar]\nremoved_holidays = ['26 Nov']\n", "is not a date"),
        ("this is = not toml [\n", "not valid TOML"),
    ],
)
def test_bad_config_gets_one_clear_message_naming_the_file(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        config.load_settings(path, {"PAPERFEED_HOME": str(tmp_path)})
    assert expected in str(info.value)
    assert str(path) in str(info.value)
    assert info.value.exit_code == 2


def test_bad_topic_query_points_at_the_position(tmp_path: Path) -> None:
    path = write(tmp_path, '[[topics]]\nname = "rl"\nquery = "(reinforcement AND learning"\n')
    with pytest.raises(QueryError) as info:
        config.load_settings(path, {})
    assert info.value.topic == "rl"
    assert "^" in str(info.value)


def test_missing_config_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found") as info:
        config.load_settings(tmp_path / "absent.toml", {})
    assert "paperfeed init" in info.value.hint


def test_holidays_from_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[calendar]\nextra_holidays = { "2026-12-24" = "Christmas Eve" }\n'
        'removed_holidays = ["2026-12-29"]\n',
    )
    settings = config.load_settings(path, {})
    from datetime import date

    assert settings.extra_holidays == {date(2026, 12, 24): "Christmas Eve"}
    assert settings.removed_holidays == (date(2026, 12, 29),)


def test_readme_documents_every_setting_and_variable() -> None:
    readme = README.read_text(encoding="utf-8")
    for setting in config.SETTINGS:
        assert f"`{setting.key}`" in readme, f"README lacks setting {setting.key}"
        if setting.env:
            assert f"`{setting.env}`" in readme, f"README lacks variable {setting.env}"
    assert "`PAPERFEED_CONFIG`" in readme


def test_starter_file_mentions_every_file_setting() -> None:
    text = config.starter_config()
    for setting in config.SETTINGS:
        if setting.key in ("home", "database") or setting.key.startswith("topics[]"):
            leaf = setting.key.removeprefix("topics[].")
        else:
            leaf = setting.key.split(".")[-1]
        assert leaf in text, f"starter file lacks {setting.key}"
