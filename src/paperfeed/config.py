"""Settings: one TOML file plus environment variables, parsed into frozen dataclasses.

``load_settings(path, environ)`` is pure: it reads the file it is given and the mapping it is
given, nothing else. Precedence: built-in defaults < config file < environment variables.
Secrets never come from the file. Every setting is described once, in ``SETTINGS``; the README's
configuration table and ``paperfeed init``'s starter file are checked against it by the tests.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from paperfeed import taxonomy
from paperfeed.deliver.settings import TOP_LEVEL_KEYS as DELIVERY_KEYS
from paperfeed.deliver.settings import DeliverySettings, parse_delivery
from paperfeed.errors import ConfigError
from paperfeed.relevance.settings import RelevanceSettings, parse_relevance
from paperfeed.topics import Topic, compile_topic

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


@dataclass(frozen=True, slots=True)
class Setting:
    """One documented setting: where it lives, its type, default, variable and meaning."""

    key: str  # "arxiv.contact_email"; "topics[].name" for per-topic keys
    type: str
    default: str
    env: str
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "timezone",
        "string",
        "Asia/Shanghai",
        "PAPERFEED_TIMEZONE",
        "IANA time zone of the reader; digest headers print local times in it.",
    ),
    Setting(
        "home",
        "path",
        "~/.local/share/paperfeed",
        "PAPERFEED_HOME",
        "Where all state lives by default (database, digests).",
    ),
    Setting(
        "database",
        "path or URL",
        "<home>/paperfeed.db",
        "PAPERFEED_DB",
        "The archive: a SQLite file path or a sqlite:/// URL.",
    ),
    Setting(
        "output.dir",
        "path",
        "<home>/digests",
        "PAPERFEED_OUTPUT_DIR",
        "Folder the digest files are written to.",
    ),
    Setting(
        "output.formats",
        "list of strings",
        '["text", "compact", "markdown", "html", "json"]',
        "",
        "Digest files written by `paperfeed run`: text, compact, markdown, html, json.",
    ),
    Setting(
        "arxiv.categories",
        "list of strings",
        "every arXiv archive",
        "",
        "Archives or categories whose daily listings are fetched (cs, stat, cs.LG, ...).",
    ),
    Setting(
        "arxiv.contact_email",
        "string",
        '""',
        "PAPERFEED_CONTACT_EMAIL",
        "Your e-mail, sent in the User-Agent so arXiv can reach you instead of blocking.",
    ),
    Setting(
        "arxiv.rss_url",
        "URL",
        DEFAULT_RSS_URL,
        "PAPERFEED_ARXIV_RSS_URL",
        "Base URL of the daily RSS feeds (a mirror, or a local server in tests).",
    ),
    Setting(
        "arxiv.api_url",
        "URL",
        DEFAULT_API_URL,
        "PAPERFEED_ARXIV_API_URL",
        "arXiv API endpoint, used for back-filling past listings and fetching by id.",
    ),
    Setting(
        "arxiv.min_interval",
        "seconds",
        "3.0",
        "",
        "Least time between two requests; arXiv asks for 3 s and hosts on arxiv.org never get less.",
    ),
    Setting("arxiv.timeout", "seconds", "30.0", "", "Connect and read timeout of one request."),
    Setting(
        "arxiv.retries",
        "integer",
        "4",
        "",
        "Retries of a failed request (timeouts, 429, 5xx), with backoff honouring Retry-After.",
    ),
    Setting(
        "translate.engine",
        "string",
        "auto",
        "PAPERFEED_TRANSLATE_ENGINE",
        "Translation engine: auto (openai if a base URL is set, else local if installed, else "
        "none), openai, local, or none (keep English).",
    ),
    Setting(
        "translate.base_url",
        "URL",
        '""',
        "PAPERFEED_LLM_BASE_URL",
        "OpenAI-compatible endpoint (DeepSeek, DashScope, SiliconFlow, vLLM, Ollama, llama.cpp); "
        "the key comes from PAPERFEED_LLM_API_KEY.",
    ),
    Setting(
        "translate.model",
        "string",
        '""',
        "PAPERFEED_LLM_MODEL",
        "Model name the openai engine asks the endpoint for (deepseek-chat, qwen-plus, ...).",
    ),
    Setting(
        "translate.concurrency",
        "integer",
        "8",
        "",
        "Requests the openai engine keeps in flight at once.",
    ),
    Setting(
        "translate.timeout",
        "seconds",
        "60.0",
        "",
        "Time limit of one translation request.",
    ),
    Setting(
        "translate.retries",
        "integer",
        "4",
        "",
        "Retries of a request that failed with 429, 5xx or a timeout (backoff honours Retry-After).",
    ),
    Setting(
        "translate.titles_per_request",
        "integer",
        "8",
        "",
        "Titles sent together in one request (abstracts go one per request).",
    ),
    Setting(
        "translate.token_budget",
        "integer",
        "0",
        "",
        "Tokens one run may spend (0: no limit); papers left when it is reached stay English "
        "and are translated next run.",
    ),
    Setting(
        "translate.glossary",
        "path",
        '""',
        "",
        "Your glossary file (English<TAB>中文 per line), relative to the config file; it extends "
        "and overrides the built-in ML/RL glossary.",
    ),
    Setting(
        "translate.tldr",
        "boolean",
        "false",
        "",
        "Also write a one-sentence Chinese TL;DR per paper (LLM engines), shown in Markdown/HTML.",
    ),
    Setting(
        "translate.local_model",
        "path",
        '""',
        "",
        "GGUF file the local engine runs with its chat template (an instruction-tuned model), "
        "relative to the config file; empty: the packaged Gemma 3 270M.",
    ),
    Setting(
        "translate.local_threads",
        "integer",
        "0",
        "",
        "CPU threads the local engine uses (0: all cores).",
    ),
    Setting(
        "huggingface.enabled",
        "boolean",
        "true",
        "",
        "Fetch community signals (upvotes, comments, code) from Hugging Face Daily Papers after "
        "each run; false turns them off.",
    ),
    Setting(
        "huggingface.base_url",
        "URL",
        DEFAULT_HF_URL,
        "PAPERFEED_HF_URL",
        "Base URL of the Hugging Face papers API (a mirror, or a local server in tests).",
    ),
    Setting(
        "huggingface.refresh_days",
        "integer",
        "4",
        "",
        "Daily Papers pages each run refreshes: the listing date and the days before it "
        "(upvotes keep growing).",
    ),
    Setting(
        "huggingface.min_interval",
        "seconds",
        "1.0",
        "",
        "Least time between two requests to Hugging Face.",
    ),
    Setting("huggingface.timeout", "seconds", "15.0", "", "Timeout of one Hugging Face request."),
    Setting(
        "huggingface.retries",
        "integer",
        "2",
        "",
        "Retries of a failed Hugging Face request (429 honours Retry-After up to a minute).",
    ),
    # -- relevance (paperfeed.relevance.settings; needs pip install 'paperfeed[relevance]') --
    Setting(
        "relevance.enabled",
        "boolean",
        "false",
        "",
        "Score each digest paper (keywords, similarity to your profile, followed authors, "
        "community) and embed the day's papers; needs the relevance extra.",
    ),
    Setting(
        "relevance.model",
        "string",
        "all-MiniLM-L6-v2",
        "",
        "Sentence-embedding model: the packaged all-MiniLM-L6-v2, a sentence-transformers model "
        "folder, or a Hugging Face id already in the local cache (nothing is downloaded).",
    ),
    Setting(
        "relevance.backend",
        "string",
        "auto",
        "",
        "auto (bfloat16 on CPUs with native bfloat16, else ONNX Runtime, else plain "
        "sentence-transformers), bfloat16, onnx, or sentence-transformers.",
    ),
    Setting(
        "relevance.embed",
        "string",
        "digest",
        "",
        "Papers each run embeds: digest (the selected ones) or listing (all, so related papers "
        "cover the whole archive).",
    ),
    Setting(
        "relevance.profile",
        "list of paths",
        "[]",
        "",
        "Your papers: BibTeX (.bib), Zotero CSL JSON (.json) or arXiv-id lists (one per line), "
        "relative to the config file.",
    ),
    Setting(
        "relevance.stars",
        "boolean",
        "true",
        "",
        "Papers starred in the web app join the profile.",
    ),
    Setting(
        "relevance.authors",
        "list of strings",
        "[]",
        "",
        'Followed authors ("Jane Doe" or "Doe, Jane"; accents and case do not matter).',
    ),
    Setting(
        "relevance.weights.keyword",
        "number",
        "1.0",
        "",
        "Weight of the topic-query match (title > abstract > category).",
    ),
    Setting(
        "relevance.weights.similarity",
        "number",
        "2.0",
        "",
        "Weight of the embedding similarity to the nearest profile paper.",
    ),
    Setting(
        "relevance.weights.authors",
        "number",
        "1.0",
        "",
        "Weight of a followed author.",
    ),
    Setting(
        "relevance.weights.community",
        "number",
        "0.5",
        "",
        "Weight of Hugging Face upvotes (log-scaled, full at 50).",
    ),
    Setting(
        "relevance.threshold",
        "number",
        "0.0",
        "",
        "Papers scoring below this (0 to 1) are left out of the digest; 0 keeps all.",
    ),
    Setting(
        "relevance.sort",
        "string",
        "id",
        "",
        "Order within a topic: id (arXiv order) or score (best first).",
    ),
    Setting(
        "calendar.extra_holidays",
        "table of date = name",
        "{}",
        "",
        "Announcement dates arXiv skips, in addition to the bundled holiday table.",
    ),
    Setting(
        "calendar.removed_holidays",
        "list of dates",
        "[]",
        "",
        "Dates to drop from the bundled holiday table.",
    ),
    Setting(
        "topics[].name",
        "string",
        "(required)",
        "",
        "The topic's name, printed as `Keyword: <name>`.",
    ),
    Setting(
        "topics[].query",
        "string",
        "the name",
        "",
        "Query: phrases, words, AND/OR/NOT, ( ), ti: abs: au: cat: scopes.",
    ),
    Setting(
        "topics[].categories",
        "list of strings",
        "[]",
        "",
        "Only papers in one of these categories or archives.",
    ),
    Setting("topics[].exclude", "string", '""', "", "A query; papers matching it are dropped."),
    Setting("topics[].include_cross", "boolean", "true", "", "Include cross-listed papers."),
    Setting(
        "topics[].include_replacements",
        "boolean",
        "false",
        "",
        "Include replaced (new version) papers.",
    ),
    # -- delivery (paperfeed.deliver.settings) and schedule (paperfeed.daemon) --
    Setting("email.host", "string", '""', "", "SMTP server; empty turns e-mail off."),
    Setting("email.port", "integer", "587 (465 for tls)", "", "SMTP port."),
    Setting(
        "email.security",
        "string",
        "starttls",
        "",
        "starttls or tls (implicit TLS); none is refused unless the host is loopback.",
    ),
    Setting("email.username", "string", '""', "", "SMTP login; empty: no login."),
    Setting(
        "email.password",
        "secret",
        "(unset)",
        "PAPERFEED_SMTP_PASSWORD",
        "SMTP password: only from the environment, never from the file.",
    ),
    Setting("email.from", "string", '""', "", 'From address: "paperfeed <digest@example.org>".'),
    Setting(
        "email.ca_file", "path", '""', "", "Extra CA bundle for a relay with a private certificate."
    ),
    Setting(
        "email.unsubscribe",
        "URL",
        "mailto: the From address",
        "",
        "List-Unsubscribe target (mailto: or https:, {email} is replaced by the recipient).",
    ),
    Setting("email.timeout", "seconds", "30.0", "", "SMTP connect and command timeout."),
    Setting("recipients[].email", "string", "(required)", "", "A reader's e-mail address."),
    Setting(
        "recipients[].topics",
        "list of strings",
        "[] (all)",
        "",
        "Topics this reader subscribes to; empty: every topic.",
    ),
    Setting(
        "webhooks[].name",
        "string",
        "the kind",
        "",
        "Name of the chat webhook (the delivery ledger's recipient); unique.",
    ),
    Setting(
        "webhooks[].kind", "string", "(required)", "", "feishu, dingtalk, wecom, slack or json."
    ),
    Setting("webhooks[].url", "URL", '""', "", "Webhook URL (it carries a token: prefer url_env)."),
    Setting(
        "webhooks[].url_env",
        "string",
        '""',
        "",
        "Name of an environment variable holding the webhook URL.",
    ),
    Setting(
        "webhooks[].secret_env",
        "string",
        '""',
        "",
        "Name of an environment variable holding the signing secret (feishu, dingtalk, json).",
    ),
    Setting(
        "webhooks[].topics",
        "list of strings",
        "[] (all)",
        "",
        "Topics posted to this webhook; empty: every topic.",
    ),
    Setting(
        "feed.dir",
        "path",
        '""',
        "",
        "Folder `paperfeed run` writes the Atom feeds to; empty: none.",
    ),
    Setting("feed.base_url", "URL", '""', "", "Public URL of that folder (for rel=self links)."),
    Setting("feed.max_entries", "integer", "300", "", "Entries per feed."),
    Setting(
        "site.dir",
        "path",
        '""',
        "",
        "Folder `paperfeed run` rebuilds the static site in; empty: only `paperfeed site build`.",
    ),
    Setting(
        "site.base_url",
        "URL",
        '""',
        "",
        "Public URL of the site; e-mail and chat messages link to the day's page.",
    ),
    Setting("site.title", "string", "paperfeed", "", "Title of the site and the feeds."),
    Setting(
        "daemon.delay",
        "minutes",
        "30",
        "",
        "How long after arXiv's 20:00 US-Eastern announcement `paperfeed daemon` runs.",
    ),
    Setting(
        "daemon.catch_up",
        "string",
        "each",
        "",
        "After downtime: each (one digest per missed listing) or merged (one catch-up message).",
    ),
    Setting(
        "daemon.max_catch_up",
        "integer",
        "10",
        "",
        "Most missed listings caught up after downtime (older ones are skipped).",
    ),
    Setting(
        "daemon.retry_interval",
        "minutes",
        "15",
        "",
        "Wait before retrying a failed run or delivery.",
    ),
)


@dataclass(frozen=True, slots=True)
class ArxivSettings:
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    contact_email: str = ""
    rss_url: str = DEFAULT_RSS_URL
    api_url: str = DEFAULT_API_URL
    min_interval: float = 3.0
    timeout: float = 30.0
    retries: int = 4


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
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"not valid TOML: {exc}", path=where, hint="fix the syntax at the position shown"
            ) from None
    return _build(raw, environ, where, path)


def _build(
    raw: dict[str, Any], environ: Mapping[str, str], where: str, path: Path | None
) -> Settings:
    reader = _Reader(where)
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

    arxiv = _arxiv_settings(reader, reader.table(raw, "arxiv"), environ)

    translate = _translate_settings(reader, reader.table(raw, "translate"), environ, path)

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

    topics = _topics(reader, raw)
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
        huggingface=_huggingface_settings(reader, reader.table(raw, "huggingface"), environ),
        relevance=parse_relevance(reader, raw, path),
    )


def _huggingface_settings(
    reader: _Reader, table: dict[str, Any], environ: Mapping[str, str]
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
    return HuggingfaceSettings(
        enabled=reader.boolean(table, "enabled", True, "huggingface"),
        base_url=base_url.rstrip("/"),
        refresh_days=refresh_days,
        min_interval=min_interval,
        timeout=timeout,
        retries=retries,
    )


def _arxiv_settings(
    reader: _Reader, table: dict[str, Any], environ: Mapping[str, str]
) -> ArxivSettings:
    reader.known(
        table,
        "arxiv",
        {"categories", "contact_email", "rss_url", "api_url", "min_interval", "timeout", "retries"},
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


def _translate_settings(
    reader: _Reader, table: dict[str, Any], environ: Mapping[str, str], path: Path | None
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
    glossary_text = reader.string(table, "glossary", "", "translate")
    glossary: Path | None = None
    if glossary_text:
        glossary = Path(glossary_text).expanduser()
        if not glossary.is_absolute() and path is not None:
            glossary = path.parent / glossary
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
        local_model=_local_model(reader, table, path),
        local_threads=_local_threads(reader, table),
    )


def _local_model(reader: _Reader, table: dict[str, Any], path: Path | None) -> Path | None:
    text = reader.string(table, "local_model", "", "translate")
    if not text:
        return None
    model = Path(text).expanduser()
    if not model.is_absolute() and path is not None:
        model = path.parent / model
    if model.suffix.lower() != ".gguf":
        raise ConfigError(
            f"local_model must be a .gguf file; got {text!r}",
            path=reader.where,
            key="translate",
            hint="download a GGUF build of the model (llama.cpp's format)",
        )
    return model


def _local_threads(reader: _Reader, table: dict[str, Any]) -> int:
    threads = reader.integer(table, "local_threads", 0, "translate")
    if threads < 0:
        raise ConfigError(
            f"local_threads must be 0 (all cores) or more; got {threads}",
            path=reader.where,
            key="translate",
        )
    return threads


def _topics(reader: _Reader, raw: dict[str, Any]) -> tuple[Topic, ...]:
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


class _Reader:
    """Typed access to the parsed TOML, raising one clear ConfigError per mistake."""

    def __init__(self, where: str) -> None:
        self.where = where

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


def starter_config() -> str:
    """The commented ``paperfeed.toml`` that ``paperfeed init`` writes: the built-in defaults."""
    cats = ",\n".join(f'  "{c}"' for c in DEFAULT_CATEGORIES)
    return f'''# paperfeed configuration. Every value shown is the default; delete what you do not change.
# Environment variables override this file: see the README's configuration table.

# Your time zone (IANA name); digest headers print local times in it.
timezone = "Asia/Shanghai"

# Where state lives; PAPERFEED_HOME overrides. The database defaults to <home>/paperfeed.db.
# home = "~/.local/share/paperfeed"
# database = "~/.local/share/paperfeed/paperfeed.db"

[output]
# Folder for digest files (default <home>/digests) and the formats written each run.
# dir = "digests"
formats = ["text", "compact", "markdown", "html", "json"]

[arxiv]
# Your e-mail: arXiv asks API users to identify themselves (sent in the User-Agent).
contact_email = ""
# Archives or categories to watch. A paper cross-listed into several is fetched once.
categories = [
{cats},
]
# Base URLs (mirrors, or a local server in tests).
rss_url = "{DEFAULT_RSS_URL}"
api_url = "{DEFAULT_API_URL}"
# Politeness: arXiv allows one request every 3 seconds; arxiv.org hosts never get less.
min_interval = 3.0
timeout = 30.0
retries = 4

[translate]
# auto: openai when base_url is set, else local when installed (pip install 'paperfeed[local]'),
# else none. none keeps English (translations imported from old digests are still used).
engine = "auto"
# The openai engine: any OpenAI-compatible chat endpoint. The key is read from the environment
# variable PAPERFEED_LLM_API_KEY, never from this file.
# base_url = "https://api.deepseek.com/v1"
# model = "deepseek-chat"
concurrency = 8
timeout = 60.0
retries = 4
titles_per_request = 8
# Tokens one run may spend; 0 = no limit. Papers left over stay English until the next run.
token_budget = 0
# Your own terms, one "English<TAB>中文" per line; they extend the built-in ML/RL glossary.
# glossary = "glossary.tsv"
# A one-sentence Chinese TL;DR per paper in the Markdown/HTML digests (LLM engines).
tldr = false
# The local engine: a GGUF file run with its chat template (an instruction-tuned model such as
# Qwen2.5-7B-Instruct); empty means the packaged Gemma 3 270M. Threads: 0 = all cores.
# local_model = "models/qwen2.5-7b-instruct-q4_k_m.gguf"
local_threads = 0

[huggingface]
# Community signals from Hugging Face Daily Papers (upvotes, comments, code, linked models),
# refreshed after each run and shown by `paperfeed trending`. false turns them off; the arXiv
# digest never depends on them. PAPERFEED_HF_URL overrides base_url (a mirror).
enabled = true
base_url = "{DEFAULT_HF_URL}"
# Daily Papers pages each run refreshes: the listing date and the days before it.
refresh_days = 4
min_interval = 1.0
timeout = 15.0
retries = 2

[relevance]
# Scores with a breakdown for every digest paper, from sentence embeddings of title + abstract
# (pip install 'paperfeed[relevance]'; the packaged all-MiniLM-L6-v2 runs offline on a CPU).
enabled = false
model = "all-MiniLM-L6-v2"
backend = "auto"            # auto | bfloat16 | onnx | sentence-transformers: the same vectors
embed = "digest"            # digest | listing (every paper of the day: related papers see all)
# Your interests: BibTeX, Zotero CSL JSON or arXiv-id lists; web-app stars count too.
profile = []                # e.g. ["library.bib", "zotero.json", "ids.txt"]
stars = true
authors = []                # followed authors, e.g. ["Sergey Levine", "Finn, Chelsea"]
# Weights are relative; a score is a fraction from 0 to 1 and its parts add up to it.
weights = {{ keyword = 1.0, similarity = 2.0, authors = 1.0, community = 0.5 }}
threshold = 0.0             # leave out papers scoring below this; 0 keeps every paper
sort = "id"                 # id (arXiv order) | score (best first)

[calendar]
# Announcement dates arXiv skips beyond the bundled holiday table, and dates to drop from it.
# extra_holidays = {{ "2026-12-24" = "Christmas Eve" }}
# removed_holidays = []

# Topics, in the order the digest lists them. query: quoted phrases, words, AND / OR / NOT,
# parentheses, and ti: abs: au: cat: scopes. A plain string is one phrase that also matches
# across hyphens and line breaks and the plural of its last word.
[[topics]]
name = "reinforcement learning"
query = "reinforcement learning"
# categories = ["cs.LG", "cs.AI", "cs.RO"]   # only papers in these
# exclude = ""                                # drop papers matching this query
# include_cross = true                        # cross-listed papers
# include_replacements = false                # new versions of earlier papers

[[topics]]
name = "diffusion policy"
query = "diffusion policy"

# -- Delivery (all optional) -------------------------------------------------------------------
# E-mail: STARTTLS (port 587) or implicit TLS (security = "tls", port 465); never plain text.
# The password is read from PAPERFEED_SMTP_PASSWORD, never from this file.
# [email]
# host = "smtp.example.org"
# port = 587
# security = "starttls"
# username = "digest@example.org"
# from = "paperfeed <digest@example.org>"
# ca_file = ""                     # extra CA bundle for a private relay
# unsubscribe = ""                 # default mailto:<from>; https://.../unsub?u={{email}} works too
# timeout = 30.0
#
# [[recipients]]
# email = "reader@example.org"
# topics = []                      # empty: every topic; or e.g. ["diffusion policy"]
#
# Chat: feishu (Lark), dingtalk, wecom, slack or json. URLs carry tokens: prefer url_env; the
# signing secret comes from the environment variable secret_env names.
# [[webhooks]]
# name = "lab"
# kind = "feishu"
# url_env = "PAPERFEED_FEISHU_URL"   # or url = "https://open.feishu.cn/open-apis/bot/v2/hook/..."
# secret_env = "PAPERFEED_FEISHU_SECRET"
# topics = []
#
# Atom feeds and the static site, rewritten by every `paperfeed run` when a dir is set.
# [feed]
# dir = "feeds"
# base_url = "https://you.github.io/papers/feeds/"
# max_entries = 300
#
# [site]
# dir = "site"
# base_url = "https://you.github.io/papers/"
# title = "paperfeed"
#
# `paperfeed daemon`: run this many minutes after each announcement; after downtime catch up
# "each" missed listing or send one "merged" message.
# [daemon]
# delay = 30
# catch_up = "each"
# max_catch_up = 10
# retry_interval = 15
'''
