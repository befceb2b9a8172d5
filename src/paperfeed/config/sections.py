"""The core sections of the config file: ``[arxiv]``, ``[translate]``, ``[huggingface]`` and
the ``[[topics]]``, as frozen dataclasses with their parsers. (Delivery and relevance parse
their own sections, in their packages.)"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paperfeed.config.reader import TomlReader
from paperfeed.core import taxonomy
from paperfeed.core.errors import ConfigError
from paperfeed.core.topics import Topic, compile_topic

# Every archive with RSS feeds: broad enough to catch every paper in the example digests, which
# span cs, stat, eess, math, physics, q-bio and more. A cross-listed paper appears in every
# archive it is listed in, and is de-duplicated.
DEFAULT_CATEGORIES: tuple[str, ...] = taxonomy.ALL_ARCHIVES
DEFAULT_TOPICS: tuple[Topic, ...] = (
    Topic(name="reinforcement learning", query="reinforcement learning"),
    Topic(name="diffusion policy", query="diffusion policy"),
)
DEFAULT_RSS_URL = "https://rss.arxiv.org/rss"
DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_HF_URL = "https://huggingface.co"
FORMAT_NAMES = ("text", "compact", "markdown", "html", "json")
ENGINE_NAMES = ("auto", "none", "openai", "local")
CONFIG_FILE_NAME = "paperfeed.toml"
DEFAULT_MAX_RESPONSE_MB = 64  # a full 2,000-item feed is ~4 MB

# Allowed ranges (inclusive) of the network settings: beyond them a value is a typo or would
# hang a run (backoff doubles per retry: 10 retries already wait 51 minutes at arXiv's pace).
RETRIES_RANGE = (0, 10)
TIMEOUT_RANGE = (0.0, 3600.0)  # seconds; the lower end is excluded (must be > 0)
INTERVAL_RANGE = (0.0, 600.0)  # seconds
MAX_RESPONSE_MB_RANGE = (1, 4096)


@dataclass(frozen=True, slots=True)
class ArxivSettings:
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    contact_email: str = ""
    rss_url: str = DEFAULT_RSS_URL
    api_url: str = DEFAULT_API_URL
    min_interval: float = 3.0
    timeout: float = 30.0
    retries: int = 4
    max_response_mb: int = DEFAULT_MAX_RESPONSE_MB


@dataclass(frozen=True, slots=True)
class TranslateSettings:
    engine: str = "auto"
    base_url: str = ""
    model: str = ""
    api_key: str = field(default="", repr=False)  # only from PAPERFEED_LLM_API_KEY
    concurrency: int = 8
    timeout: float = 60.0
    retries: int = 4
    titles_per_request: int = 8
    token_budget: int = 0  # 0: no limit
    glossary: Path | None = None
    tldr: bool = False
    local_model: Path | None = None  # None: the packaged Gemma 3 270M
    local_threads: int = 0  # 0: all cores


@dataclass(frozen=True, slots=True)
class HuggingfaceSettings:
    """Community signals from Hugging Face Daily Papers (``[huggingface]``)."""

    enabled: bool = True
    base_url: str = DEFAULT_HF_URL
    refresh_days: int = 4
    min_interval: float = 1.0
    timeout: float = 15.0
    retries: int = 2


def check_range(
    reader: TomlReader,
    scope: str,
    key: str,
    value: float,
    allowed: tuple[float, float],
    *,
    unit: str = "",
    above_low: bool = False,
) -> None:
    """One clear ``ConfigError`` giving the allowed range when ``value`` is outside it (also
    for nan and inf, which TOML allows)."""
    low, high = allowed
    inside = (low < value if above_low else low <= value) and value <= high
    if not inside:
        bounds = (
            f"more than {low:g}{unit} and at most {high:g}{unit}"
            if above_low
            else (f"from {low:g} to {high:g}{unit}")
        )
        raise ConfigError(f"{key} must be {bounds}; got {value}", path=reader.where, key=scope)


def _network(
    reader: TomlReader, scope: str, min_interval: float, timeout: float, retries: int
) -> None:
    check_range(reader, scope, "min_interval", min_interval, INTERVAL_RANGE, unit=" s")
    check_range(reader, scope, "timeout", timeout, TIMEOUT_RANGE, unit=" s", above_low=True)
    check_range(reader, scope, "retries", retries, RETRIES_RANGE)


def parse_huggingface(
    reader: TomlReader, table: dict[str, Any], environ: Mapping[str, str]
) -> HuggingfaceSettings:
    keys = {"enabled", "base_url", "refresh_days", "min_interval", "timeout", "retries"}
    reader.known(table, "huggingface", keys)
    base_url = environ.get("PAPERFEED_HF_URL") or reader.string(
        table, "base_url", DEFAULT_HF_URL, "huggingface"
    )
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"base_url must be an http:// or https:// URL; got {base_url!r}",
            path=reader.where,
            key="huggingface",
            hint=f"the default is {DEFAULT_HF_URL}",
        )
    refresh_days = reader.integer(table, "refresh_days", 4, "huggingface")
    min_interval = reader.number(table, "min_interval", 1.0, "huggingface")
    timeout = reader.number(table, "timeout", 15.0, "huggingface")
    retries = reader.integer(table, "retries", 2, "huggingface")
    if refresh_days < 1 or min_interval < 0 or timeout <= 0 or retries < 0:
        raise ConfigError(
            "refresh_days must be >= 1, min_interval and retries >= 0, timeout > 0",
            path=reader.where,
            key="huggingface",
        )
    _network(reader, "huggingface", min_interval, timeout, retries)
    return HuggingfaceSettings(
        enabled=reader.boolean(table, "enabled", True, "huggingface"),
        base_url=base_url.rstrip("/"),
        refresh_days=refresh_days,
        min_interval=min_interval,
        timeout=timeout,
        retries=retries,
    )


def parse_arxiv(
    reader: TomlReader, table: dict[str, Any], environ: Mapping[str, str]
) -> ArxivSettings:
    reader.known(
        table,
        "arxiv",
        {
            "categories",
            "contact_email",
            "rss_url",
            "api_url",
            "min_interval",
            "timeout",
            "retries",
            "max_response_mb",
        },
    )
    categories = reader.strings(table, "categories", DEFAULT_CATEGORIES, "arxiv")
    if not categories:
        raise ConfigError(
            "categories is empty: nothing would be fetched",
            path=reader.where,
            key="arxiv",
            hint='list archives or categories, e.g. ["cs", "stat"]',
        )
    for spec in categories:
        if not taxonomy.is_known_feed(spec):
            raise ConfigError(
                f"categories: unknown arXiv category or archive {spec!r}",
                path=reader.where,
                key="arxiv",
                hint="use archive names (cs, stat, math, ...) or categories such as cs.LG; "
                "see https://arxiv.org/category_taxonomy",
            )
    min_interval = reader.number(table, "min_interval", 3.0, "arxiv")
    timeout = reader.number(table, "timeout", 30.0, "arxiv")
    retries = reader.integer(table, "retries", 4, "arxiv")
    if min_interval < 0 or timeout <= 0 or retries < 0:
        raise ConfigError(
            "min_interval and retries must be >= 0 and timeout > 0", path=reader.where, key="arxiv"
        )
    _network(reader, "arxiv", min_interval, timeout, retries)
    max_response_mb = reader.integer(table, "max_response_mb", DEFAULT_MAX_RESPONSE_MB, "arxiv")
    check_range(reader, "arxiv", "max_response_mb", max_response_mb, MAX_RESPONSE_MB_RANGE)
    return ArxivSettings(
        categories=categories,
        contact_email=environ.get("PAPERFEED_CONTACT_EMAIL")
        or reader.string(table, "contact_email", "", "arxiv"),
        rss_url=environ.get("PAPERFEED_ARXIV_RSS_URL")
        or reader.string(table, "rss_url", DEFAULT_RSS_URL, "arxiv"),
        api_url=environ.get("PAPERFEED_ARXIV_API_URL")
        or reader.string(table, "api_url", DEFAULT_API_URL, "arxiv"),
        min_interval=min_interval,
        timeout=timeout,
        retries=retries,
        max_response_mb=max_response_mb,
    )


_TRANSLATE_KEYS = {
    "engine",
    "base_url",
    "model",
    "concurrency",
    "timeout",
    "retries",
    "titles_per_request",
    "token_budget",
    "glossary",
    "tldr",
    "local_model",
    "local_threads",
}


def parse_translate(
    reader: TomlReader, table: dict[str, Any], environ: Mapping[str, str]
) -> TranslateSettings:
    reader.known(table, "translate", _TRANSLATE_KEYS)
    engine = environ.get("PAPERFEED_TRANSLATE_ENGINE") or reader.string(
        table, "engine", "auto", "translate"
    )
    if engine not in ENGINE_NAMES:
        raise ConfigError(
            f"engine must be one of {', '.join(ENGINE_NAMES)}; got {engine!r}",
            path=reader.where,
            key="translate",
        )
    numbers = {
        "concurrency": reader.integer(table, "concurrency", 8, "translate"),
        "retries": reader.integer(table, "retries", 4, "translate"),
        "titles_per_request": reader.integer(table, "titles_per_request", 8, "translate"),
        "token_budget": reader.integer(table, "token_budget", 0, "translate"),
    }
    lowest = {"concurrency": 1, "retries": 0, "titles_per_request": 1, "token_budget": 0}
    for key, value in numbers.items():
        if value < lowest[key]:
            raise ConfigError(
                f"{key} must be at least {lowest[key]}; got {value}",
                path=reader.where,
                key="translate",
            )
    timeout = reader.number(table, "timeout", 60.0, "translate")
    if timeout <= 0:
        raise ConfigError(
            f"timeout must be > 0 seconds; got {timeout}", path=reader.where, key="translate"
        )
    check_range(reader, "translate", "timeout", timeout, TIMEOUT_RANGE, unit=" s", above_low=True)
    check_range(reader, "translate", "retries", numbers["retries"], RETRIES_RANGE)
    glossary_text = reader.string(table, "glossary", "", "translate")
    glossary = reader.file_path(glossary_text) if glossary_text else None
    base_url = environ.get("PAPERFEED_LLM_BASE_URL") or reader.string(
        table, "base_url", "", "translate"
    )
    if engine == "openai" and not base_url:
        raise ConfigError(
            "engine 'openai' needs an endpoint: base_url is empty",
            path=reader.where,
            key="translate",
            hint="set [translate] base_url or PAPERFEED_LLM_BASE_URL, e.g. "
            "https://api.deepseek.com/v1, and the key in PAPERFEED_LLM_API_KEY",
        )
    return TranslateSettings(
        engine=engine,
        base_url=base_url,
        model=environ.get("PAPERFEED_LLM_MODEL") or reader.string(table, "model", "", "translate"),
        api_key=environ.get("PAPERFEED_LLM_API_KEY", ""),
        concurrency=numbers["concurrency"],
        timeout=timeout,
        retries=numbers["retries"],
        titles_per_request=numbers["titles_per_request"],
        token_budget=numbers["token_budget"],
        glossary=glossary,
        tldr=reader.boolean(table, "tldr", False, "translate"),
        local_model=_local_model(reader, table),
        local_threads=_local_threads(reader, table),
    )


def _local_model(reader: TomlReader, table: dict[str, Any]) -> Path | None:
    text = reader.string(table, "local_model", "", "translate")
    if not text:
        return None
    model = reader.file_path(text)
    if model.suffix.lower() != ".gguf":
        raise ConfigError(
            f"local_model must be a .gguf file; got {text!r}",
            path=reader.where,
            key="translate",
            hint="download a GGUF build of the model (llama.cpp's format)",
        )
    return model


def _local_threads(reader: TomlReader, table: dict[str, Any]) -> int:
    threads = reader.integer(table, "local_threads", 0, "translate")
    if threads < 0:
        raise ConfigError(
            f"local_threads must be 0 (all cores) or more; got {threads}",
            path=reader.where,
            key="translate",
        )
    return threads


def parse_topics(reader: TomlReader, raw: dict[str, Any]) -> tuple[Topic, ...]:
    if "topics" not in raw:
        return DEFAULT_TOPICS
    entries = raw["topics"]
    if not isinstance(entries, list) or not all(isinstance(t, dict) for t in entries):
        raise ConfigError(
            "topics must be an array of tables: [[topics]] name = ... query = ...",
            path=reader.where,
            key="topics",
        )
    topics: list[Topic] = []
    names: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        scope = f"topics #{index}"
        reader.known(
            entry,
            scope,
            {"name", "query", "categories", "exclude", "include_cross", "include_replacements"},
        )
        name = reader.string(entry, "name", "", scope).strip()
        if not name:
            raise ConfigError("every topic needs a name", path=reader.where, key=scope)
        if name in names:
            raise ConfigError(
                f"two topics are named {name!r}; names must differ", path=reader.where, key=scope
            )
        names.add(name)
        categories = reader.strings(entry, "categories", (), scope)
        for spec in categories:
            if not taxonomy.is_known_feed(spec):
                raise ConfigError(
                    f"categories: unknown arXiv category or archive {spec!r}",
                    path=reader.where,
                    key=scope,
                )
        topic = Topic(
            name=name,
            query=reader.string(entry, "query", name, scope),
            categories=categories,
            exclude=reader.string(entry, "exclude", "", scope),
            include_cross=reader.boolean(entry, "include_cross", True, scope),
            include_replacements=reader.boolean(entry, "include_replacements", False, scope),
        )
        compile_topic(topic)  # a query with a syntax error fails here, pointing at the position
        topics.append(topic)
    if not topics:
        raise ConfigError(
            "no topics configured",
            path=reader.where,
            key="topics",
            hint="add at least one [[topics]] table",
        )
    return tuple(topics)
