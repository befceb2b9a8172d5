"""``load_settings``: the config file and the environment, parsed into ``Settings``.

Pure: it reads the file it is given and the mapping it is given, nothing else. Precedence:
built-in defaults < config file < environment variables. Secrets never come from the file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from paperfeed.config.delivery import TOP_LEVEL_KEYS as DELIVERY_KEYS
from paperfeed.config.delivery import DeliverySettings, parse_delivery
from paperfeed.config.reader import TomlReader
from paperfeed.config.relevance import RelevanceSettings, parse_relevance
from paperfeed.config.sections import (
    CONFIG_FILE_NAME,
    DEFAULT_TOPICS,
    FORMAT_NAMES,
    ArxivSettings,
    HuggingfaceSettings,
    TranslateSettings,
    parse_arxiv,
    parse_huggingface,
    parse_topics,
    parse_translate,
)
from paperfeed.core.calendar import ArxivCalendar, load_holidays
from paperfeed.core.errors import ConfigError
from paperfeed.core.topics import Topic


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings; ``load_settings`` builds them (paths depend on the environment)."""

    home: Path
    database: str  # a path or a sqlite:/// URL
    output_dir: Path
    timezone: str = "Asia/Shanghai"
    formats: tuple[str, ...] = FORMAT_NAMES
    arxiv: ArxivSettings = field(default_factory=ArxivSettings)
    translate: TranslateSettings = field(default_factory=TranslateSettings)
    topics: tuple[Topic, ...] = DEFAULT_TOPICS
    extra_holidays: Mapping[date, str] = field(default_factory=dict)
    removed_holidays: tuple[date, ...] = ()
    config_path: Path | None = None  # the file these came from, if any
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    huggingface: HuggingfaceSettings = field(default_factory=HuggingfaceSettings)
    relevance: RelevanceSettings = field(default_factory=RelevanceSettings)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def calendar(self) -> ArxivCalendar:
        """arXiv's calendar with this config's holiday changes."""
        return ArxivCalendar(load_holidays(self.extra_holidays, self.removed_holidays))

    @property
    def database_path(self) -> Path:
        """The SQLite file behind ``database`` (only SQLite is supported so far)."""
        value = self.database
        if value.startswith("sqlite:///"):
            value = value.removeprefix("sqlite:///")
        return Path(value).expanduser()


def default_home(environ: Mapping[str, str]) -> Path:
    if environ.get("PAPERFEED_HOME"):
        return Path(environ["PAPERFEED_HOME"]).expanduser()
    data_home = environ.get("XDG_DATA_HOME") or str(Path("~/.local/share").expanduser())
    return Path(data_home) / "paperfeed"


def find_config(explicit: str | None, environ: Mapping[str, str], cwd: Path) -> Path | None:
    """``--config``, then ``$PAPERFEED_CONFIG``, then ``./paperfeed.toml`` if it exists."""
    if explicit:
        return Path(explicit).expanduser()
    if environ.get("PAPERFEED_CONFIG"):
        return Path(environ["PAPERFEED_CONFIG"]).expanduser()
    candidate = cwd / CONFIG_FILE_NAME
    return candidate if candidate.is_file() else None


def load_settings(path: Path | None, environ: Mapping[str, str]) -> Settings:
    """Parse ``path`` (None: built-in defaults) and ``environ`` into validated settings."""
    raw: dict[str, Any] = {}
    where = str(path) if path else "defaults"
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                "config file not found",
                path=where,
                hint="run `paperfeed init` to write one, or drop --config to use the defaults",
            ) from None
        except IsADirectoryError:
            raise ConfigError(
                "is a folder, not a config file",
                path=where,
                hint="give the paperfeed.toml file itself, e.g. --config "
                f"{path / 'paperfeed.toml'}",
            ) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"not valid TOML: {exc}", path=where, hint="fix the syntax at the position shown"
            ) from None
        except OSError as exc:
            raise ConfigError(
                f"cannot read the config file: {exc.strerror}",
                path=where,
                hint="check the path and its permissions",
            ) from None
    return _build(raw, environ, where, path)


def _build(
    raw: dict[str, Any], environ: Mapping[str, str], where: str, path: Path | None
) -> Settings:
    reader = TomlReader(where, path)
    reader.known(
        raw,
        "",
        {"timezone", "home", "database", "output", "arxiv", "translate", "calendar", "topics"}
        | {"huggingface"}
        | {"relevance"}
        | DELIVERY_KEYS,
    )

    home = (
        Path(environ["PAPERFEED_HOME"]).expanduser()
        if environ.get("PAPERFEED_HOME")
        else (
            Path(reader.string(raw, "home")).expanduser()
            if "home" in raw
            else default_home(environ)
        )
    )
    timezone = environ.get("PAPERFEED_TIMEZONE") or reader.string(raw, "timezone", "Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"timezone must be an IANA zone name like Asia/Shanghai; got {timezone!r}",
            path=where,
            key="timezone",
        ) from None

    database = environ.get("PAPERFEED_DB") or reader.string(raw, "database", "")
    if not database:
        database = str(home / "paperfeed.db")
    if "://" in database and not database.startswith("sqlite:///"):
        raise ConfigError(
            f"database {database!r} is not supported yet: only SQLite",
            path=where,
            key="database",
            hint="give a file path or sqlite:///path; PostgreSQL support is planned",
        )

    output = reader.table(raw, "output")
    reader.known(output, "output", {"dir", "formats"})
    out_dir = environ.get("PAPERFEED_OUTPUT_DIR") or reader.string(output, "dir", "", "output")
    formats = reader.strings(output, "formats", FORMAT_NAMES, "output")
    for fmt in formats:
        if fmt not in FORMAT_NAMES:
            raise ConfigError(
                f"formats: unknown format {fmt!r}; choose from {', '.join(FORMAT_NAMES)}",
                path=where,
                key="output",
            )

    arxiv = parse_arxiv(reader, reader.table(raw, "arxiv"), environ)

    translate = parse_translate(reader, reader.table(raw, "translate"), environ)

    calendar = reader.table(raw, "calendar")
    reader.known(calendar, "calendar", {"extra_holidays", "removed_holidays"})
    extra = {
        reader.date_key(k, "calendar.extra_holidays"): reader.expect_str(
            v, f"calendar.extra_holidays.{k}"
        )
        for k, v in reader.table(calendar, "extra_holidays", "calendar").items()
    }
    removed = tuple(
        reader.date_key(d, "calendar.removed_holidays")
        for d in reader.strings(calendar, "removed_holidays", (), "calendar")
    )

    topics = parse_topics(reader, raw)
    delivery = parse_delivery(reader, raw, environ, [t.name for t in topics])
    return Settings(
        timezone=timezone,
        home=home,
        database=database,
        output_dir=Path(out_dir).expanduser() if out_dir else home / "digests",
        formats=formats,
        arxiv=arxiv,
        translate=translate,
        topics=topics,
        extra_holidays=extra,
        removed_holidays=removed,
        config_path=path,
        delivery=delivery,
        huggingface=parse_huggingface(reader, reader.table(raw, "huggingface"), environ),
        relevance=parse_relevance(reader, raw),
    )
