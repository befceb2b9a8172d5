"""Typed access to a parsed TOML document: one clear ``ConfigError`` per mistake, naming the
file and the key. Every section's parser (here, in ``paperfeed.deliver.settings`` and in
``paperfeed.relevance.settings``) reads through it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from paperfeed.core.errors import ConfigError


class TomlReader:
    """Typed access to the parsed TOML, raising one clear ConfigError per mistake."""

    def __init__(self, where: str, config_path: Path | None = None) -> None:
        self.where = where
        self.config_path = config_path

    def file_path(self, value: str) -> Path:
        """A file named in the config: ``~`` expanded, relative paths taken from the config
        file's folder (the working directory when there is no file)."""
        found = Path(value).expanduser()
        if found.is_absolute() or self.config_path is None:
            return found
        return self.config_path.parent / found

    def _fail(self, scope: str, key: str, expected: str, value: object) -> ConfigError:
        label = f"{scope}.{key}" if scope else key
        return ConfigError(
            f"{key} must be {expected}; got {value!r}", path=self.where, key=scope or label
        )

    def known(self, table: Mapping[str, Any], scope: str, keys: set[str]) -> None:
        for key in table:
            if key not in keys:
                where = f"[{scope}]" if scope else "the top level"
                raise ConfigError(
                    f"unknown key {key!r} in {where}; known keys: {', '.join(sorted(keys))}",
                    path=self.where,
                    hint="check the spelling against `paperfeed init` or the README",
                )

    def table(self, raw: Mapping[str, Any], key: str, scope: str = "") -> dict[str, Any]:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            raise self._fail(scope, key, "a table", value)
        return value

    def string(self, raw: Mapping[str, Any], key: str, default: str = "", scope: str = "") -> str:
        value = raw.get(key, default)
        if not isinstance(value, str):
            raise self._fail(scope, key, "a string", value)
        return value

    def expect_str(self, value: object, label: str) -> str:
        if not isinstance(value, str):
            raise ConfigError(f"{label} must be a string; got {value!r}", path=self.where)
        return value

    def strings(
        self, raw: Mapping[str, Any], key: str, default: tuple[str, ...], scope: str = ""
    ) -> tuple[str, ...]:
        value = raw.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(scope, key, "a list of strings", value)
        return tuple(value)

    def number(self, raw: Mapping[str, Any], key: str, default: float, scope: str = "") -> float:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(scope, key, "a number", value)
        return float(value)

    def integer(self, raw: Mapping[str, Any], key: str, default: int, scope: str = "") -> int:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(scope, key, "an integer", value)
        return value

    def boolean(self, raw: Mapping[str, Any], key: str, default: bool, scope: str = "") -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise self._fail(scope, key, "true or false", value)
        return value

    def date_key(self, value: object, label: str) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ConfigError(
                f"{label}: {value!r} is not a date (YYYY-MM-DD)", path=self.where
            ) from None
