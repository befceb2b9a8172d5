"""Settings of the delivery channels and the schedule: ``[email]``, ``[[recipients]]``,
``[[webhooks]]``, ``[feed]``, ``[site]`` and ``[daemon]``.

Parsed by ``config.load_settings`` (pure: the file's tables and the environment it is given).
Secrets come only from the environment: the SMTP password from ``PAPERFEED_SMTP_PASSWORD``,
webhook secrets (and, if wanted, webhook URLs, which carry tokens) from variables the config
names. A variable that is named but not set is not a config error (``paperfeed search`` must
keep working); the delivery that needs it fails with a message naming the variable.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperfeed.core.errors import ConfigError

if TYPE_CHECKING:
    from paperfeed.config.reader import TomlReader

SMTP_PASSWORD_ENV = "PAPERFEED_SMTP_PASSWORD"
SECURITY_MODES = ("starttls", "tls", "none")
WEBHOOK_KINDS = (
    "feishu",
    "dingtalk",
    "wecom",
    "slack",
    "json",
    "serverchan",
    "pushplus",
    "telegram",
    "discord",
)
SIGNED_KINDS = ("feishu", "dingtalk", "json")  # the others authenticate by the URL's token
# Addressed by a key the service issued, not by a URL: the config key naming its variable.
KEYED_KINDS = {"serverchan": "key_env", "pushplus": "token_env", "telegram": "token_env"}
_KEY_NAMES = {"serverchan": "SendKey", "pushplus": "PushPlus token", "telegram": "bot token"}
PUSHPLUS_TEMPLATES = ("markdown", "html")
_COMMON_KEYS = frozenset({"name", "kind", "topics"})
_URL_KEYS = frozenset({"url", "url_env", "secret_env"})
_KIND_KEYS = {
    "serverchan": frozenset({"key_env", "api_url"}),
    "pushplus": frozenset({"token_env", "template", "group", "api_url"}),
    "telegram": frozenset({"token_env", "chat_id", "api_url"}),
    "discord": frozenset({"url_env"}),  # its URL is the secret: never in the file
}
WEBHOOK_KEYS = _COMMON_KEYS | _URL_KEYS | frozenset().union(*_KIND_KEYS.values())
CATCH_UP_MODES = ("each", "merged")
TOP_LEVEL_KEYS = frozenset({"email", "recipients", "webhooks", "feed", "site", "daemon"})


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class EmailSettings:
    host: str = ""  # empty: e-mail is off
    port: int = 587
    security: str = "starttls"  # starttls | tls | none (loopback hosts only)
    username: str = ""
    password: str | None = field(default=None, repr=False)  # from PAPERFEED_SMTP_PASSWORD
    sender: str = ""  # the From address ("from" in the file)
    ca_file: str = ""  # extra CA bundle for a relay with a private certificate
    unsubscribe: str = ""  # mailto: or https: URL; "{email}" is replaced by the recipient
    timeout: float = 30.0

    @property
    def enabled(self) -> bool:
        return bool(self.host)


@dataclass(frozen=True, slots=True)
class Recipient:
    email: str
    topics: tuple[str, ...] = ()  # empty: every topic


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    name: str  # the ledger's recipient: unique among webhooks
    kind: str  # one of WEBHOOK_KINDS
    url: str = field(default="", repr=False)  # carries a token: kept out of logs
    url_env: str = ""
    secret: str | None = field(default=None, repr=False)
    secret_env: str = ""
    topics: tuple[str, ...] = ()  # empty: every topic
    # serverchan, pushplus, telegram: the SendKey, PushPlus token or bot token, from token_env
    token: str | None = field(default=None, repr=False)
    token_env: str = ""
    chat_id: str = ""  # telegram: a numeric id or @channelusername
    template: str = "markdown"  # pushplus: markdown | html
    group: str = ""  # pushplus: the group code (its API's "topic"); empty: to yourself
    api_url: str = ""  # serverchan, pushplus, telegram: the API's base URL; empty: the service's


@dataclass(frozen=True, slots=True)
class FeedSettings:
    dir: Path | None = None  # None: `paperfeed run` writes no feeds
    base_url: str = ""  # where the feeds are published (for rel="self" links)
    max_entries: int = 300


@dataclass(frozen=True, slots=True)
class SiteSettings:
    dir: Path | None = None  # None: `paperfeed run` does not rebuild the site
    base_url: str = ""
    title: str = "paperfeed"


@dataclass(frozen=True, slots=True)
class DaemonSettings:
    delay: timedelta = timedelta(minutes=30)  # after the 20:00 US-Eastern announcement
    catch_up: str = "each"  # each | merged
    max_catch_up: int = 10  # listings caught up after downtime; older ones are skipped
    retry_interval: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    email: EmailSettings = field(default_factory=EmailSettings)
    recipients: tuple[Recipient, ...] = ()
    webhooks: tuple[WebhookSettings, ...] = ()
    feed: FeedSettings = field(default_factory=FeedSettings)
    site: SiteSettings = field(default_factory=SiteSettings)
    daemon: DaemonSettings = field(default_factory=DaemonSettings)

    @property
    def sends(self) -> bool:
        """True when something is pushed to people (e-mail or chat), not only written."""
        return bool(self.recipients or self.webhooks)


def parse_delivery(
    reader: TomlReader, raw: Mapping[str, Any], environ: Mapping[str, str], topics: Sequence[str]
) -> DeliverySettings:
    """The delivery tables of a parsed config file, validated; ``topics`` are the topic names."""
    email = _email(reader, reader.table(raw, "email"), environ)
    recipients = _recipients(reader, raw, topics)
    if recipients and not email.enabled:
        raise ConfigError(
            "[[recipients]] are listed but [email] host is empty",
            path=reader.where,
            key="email",
            hint='set [email] host, port and from, e.g. host = "smtp.example.org"',
        )
    return DeliverySettings(
        email=email,
        recipients=recipients,
        webhooks=_webhooks(reader, raw, environ, topics),
        feed=_feed(reader, reader.table(raw, "feed")),
        site=_site(reader, reader.table(raw, "site")),
        daemon=_daemon(reader, reader.table(raw, "daemon")),
    )


def _email(reader: TomlReader, table: dict[str, Any], environ: Mapping[str, str]) -> EmailSettings:
    if "password" in table:
        raise ConfigError(
            "password must not be in the file",
            path=reader.where,
            key="email",
            hint=f"remove it and set the environment variable {SMTP_PASSWORD_ENV}",
        )
    reader.known(
        table,
        "email",
        {"host", "port", "security", "username", "from", "ca_file", "unsubscribe", "timeout"},
    )
    host = reader.string(table, "host", "", "email").strip()
    security = reader.string(table, "security", "starttls", "email")
    if security not in SECURITY_MODES:
        raise ConfigError(
            f"security must be one of {', '.join(SECURITY_MODES)}; got {security!r}",
            path=reader.where,
            key="email",
        )
    if security == "none" and host and not is_loopback(host):
        raise ConfigError(
            f"security = 'none' sends mail and password in plain text; refused for {host!r}",
            path=reader.where,
            key="email",
            hint="use starttls (port 587) or tls (port 465); 'none' is only for a relay "
            "on this machine (localhost) and for tests",
        )
    port = reader.integer(table, "port", 465 if security == "tls" else 587, "email")
    if not 0 < port < 65536:
        raise ConfigError(f"port must be 1-65535; got {port}", path=reader.where, key="email")
    sender = reader.string(table, "from", "", "email").strip()
    if host and "@" not in parseaddr(sender)[1]:
        raise ConfigError(
            f"from must be an e-mail address; got {sender!r}",
            path=reader.where,
            key="email",
            hint='e.g. from = "paperfeed <digest@example.org>"',
        )
    unsubscribe = reader.string(table, "unsubscribe", "", "email").strip()
    if unsubscribe and not unsubscribe.startswith(("mailto:", "https://", "http://")):
        raise ConfigError(
            f"unsubscribe must be a mailto: or https:// URL; got {unsubscribe!r}",
            path=reader.where,
            key="email",
        )
    timeout = reader.number(table, "timeout", 30.0, "email")
    if timeout <= 0:
        raise ConfigError("timeout must be > 0", path=reader.where, key="email")
    return EmailSettings(
        host=host,
        port=port,
        security=security,
        username=reader.string(table, "username", "", "email"),
        password=environ.get(SMTP_PASSWORD_ENV) or None,
        sender=sender,
        ca_file=reader.string(table, "ca_file", "", "email"),
        unsubscribe=unsubscribe,
        timeout=timeout,
    )


def _array_of_tables(reader: TomlReader, raw: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    entries = raw.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(t, dict) for t in entries):
        raise ConfigError(
            f"{key} must be an array of tables: [[{key}]]", path=reader.where, key=key
        )
    return entries


def _topic_list(
    reader: TomlReader, entry: Mapping[str, Any], scope: str, topics: Sequence[str]
) -> tuple[str, ...]:
    chosen = reader.strings(entry, "topics", (), scope)
    for name in chosen:
        if name not in topics:
            raise ConfigError(
                f"topics: {name!r} is not a configured topic",
                path=reader.where,
                key=scope,
                hint=f"use names from [[topics]]: {', '.join(topics)}",
            )
    return chosen


def _recipients(
    reader: TomlReader, raw: Mapping[str, Any], topics: Sequence[str]
) -> tuple[Recipient, ...]:
    found: list[Recipient] = []
    seen: set[str] = set()
    for index, entry in enumerate(_array_of_tables(reader, raw, "recipients"), start=1):
        scope = f"recipients #{index}"
        reader.known(entry, scope, {"email", "topics"})
        address = reader.string(entry, "email", "", scope).strip()
        if "@" not in address or parseaddr(address)[1] != address:
            raise ConfigError(
                f"email must be a plain address like someone@example.org; got {address!r}",
                path=reader.where,
                key=scope,
            )
        if address.lower() in seen:
            raise ConfigError(f"{address} is listed twice", path=reader.where, key=scope)
        seen.add(address.lower())
        found.append(Recipient(email=address, topics=_topic_list(reader, entry, scope, topics)))
    return tuple(found)


def _webhooks(
    reader: TomlReader, raw: Mapping[str, Any], environ: Mapping[str, str], topics: Sequence[str]
) -> tuple[WebhookSettings, ...]:
    found: list[WebhookSettings] = []
    names: set[str] = set()
    for index, entry in enumerate(_array_of_tables(reader, raw, "webhooks"), start=1):
        hook = _webhook(reader, entry, f"webhooks #{index}", environ, topics)
        if hook.name in names:
            raise ConfigError(
                f"two webhooks are named {hook.name!r}; give each a distinct name",
                path=reader.where,
                key=f"webhooks #{index}",
            )
        names.add(hook.name)
        found.append(hook)
    return tuple(found)


def _webhook(
    reader: TomlReader,
    entry: Mapping[str, Any],
    scope: str,
    environ: Mapping[str, str],
    topics: Sequence[str],
) -> WebhookSettings:
    for literal, instead in (("secret", "secret_env"), ("key", "key_env"), ("token", "token_env")):
        if literal in entry:
            raise ConfigError(
                f"{literal} must not be in the file",
                path=reader.where,
                key=scope,
                hint=f"name an environment variable instead: {instead} = "
                f'"PAPERFEED_{literal.upper()}" (and export it)',
            )
    reader.known(entry, scope, set(WEBHOOK_KEYS))
    kind = reader.string(entry, "kind", "", scope)
    if kind not in WEBHOOK_KINDS:
        raise ConfigError(
            f"kind must be one of {', '.join(WEBHOOK_KINDS)}; got {kind!r}",
            path=reader.where,
            key=scope,
        )
    if "secret_env" in entry and kind not in SIGNED_KINDS:
        raise ConfigError(
            f"{kind} webhooks are not signed (the URL's token authenticates them); "
            "remove secret_env",
            path=reader.where,
            key=scope,
        )
    if kind == "discord" and "url" in entry:
        raise ConfigError(
            "a Discord webhook URL is its secret: it must not be in the file",
            path=reader.where,
            key=scope,
            hint='name an environment variable instead: url_env = "PAPERFEED_DISCORD_URL"',
        )
    allowed = _COMMON_KEYS | _KIND_KEYS.get(kind, _URL_KEYS)
    for key in entry:
        if key not in allowed:
            raise ConfigError(
                f"{key} does not apply to {kind} webhooks",
                path=reader.where,
                key=scope,
                hint=f"{kind} webhooks take {', '.join(sorted(allowed - _COMMON_KEYS))}",
            )
    name = reader.string(entry, "name", kind, scope).strip() or kind
    chosen = _topic_list(reader, entry, scope, topics)
    if kind in KEYED_KINDS:
        return _keyed_webhook(reader, entry, scope, environ, (name, kind, chosen))
    url = reader.string(entry, "url", "", scope).strip()
    url_env = reader.string(entry, "url_env", "", scope).strip()
    if kind == "discord" and not url_env:
        raise ConfigError(
            "discord webhooks need url_env: the name of an environment variable holding the "
            "webhook URL",
            path=reader.where,
            key=scope,
            hint='e.g. url_env = "PAPERFEED_DISCORD_URL"',
        )
    if bool(url) == bool(url_env):
        raise ConfigError(
            "give exactly one of url and url_env",
            path=reader.where,
            key=scope,
            hint="url_env names an environment variable holding the URL (it carries a token)",
        )
    if url and not url.startswith(("https://", "http://")):
        raise ConfigError(
            f"url must start with https://; got {url[:30]!r}", path=reader.where, key=scope
        )
    secret_env = reader.string(entry, "secret_env", "", scope).strip()
    return WebhookSettings(
        name=name,
        kind=kind,
        topics=chosen,
        url=url or environ.get(url_env, ""),
        url_env=url_env,
        secret=environ.get(secret_env) or None if secret_env else None,
        secret_env=secret_env,
    )


def _keyed_webhook(
    reader: TomlReader,
    entry: Mapping[str, Any],
    scope: str,
    environ: Mapping[str, str],
    common: tuple[str, str, tuple[str, ...]],
) -> WebhookSettings:
    """ServerChan, PushPlus and Telegram: addressed by a key the service issued (taken from
    the environment), not by a URL."""
    name, kind, chosen = common
    env_key = KEYED_KINDS[kind]
    token_env = reader.string(entry, env_key, "", scope).strip()
    if not token_env:
        raise ConfigError(
            f"{kind} webhooks need {env_key}: the name of the environment variable holding "
            f"the {_KEY_NAMES[kind]}",
            path=reader.where,
            key=scope,
            hint=f'e.g. {env_key} = "PAPERFEED_{kind.upper()}_{_KEY_NAMES[kind].split()[-1].upper()}"',
        )
    api_url = reader.string(entry, "api_url", "", scope).strip().rstrip("/")
    if api_url and not api_url.startswith(("https://", "http://")):
        raise ConfigError(
            f"api_url must be an absolute http(s) URL; got {api_url[:30]!r}",
            path=reader.where,
            key=scope,
        )
    template = reader.string(entry, "template", "markdown", scope).strip()
    if template not in PUSHPLUS_TEMPLATES:
        raise ConfigError(
            f"template must be one of {', '.join(PUSHPLUS_TEMPLATES)}; got {template!r}",
            path=reader.where,
            key=scope,
        )
    chat_id = _chat_id(reader, entry, scope) if kind == "telegram" else ""
    token = environ.get(token_env, "").strip()
    return WebhookSettings(
        token=token or None,
        token_env=token_env,
        chat_id=chat_id,
        template=template,
        group=reader.string(entry, "group", "", scope).strip(),
        api_url=api_url,
        name=name,
        kind=kind,
        topics=chosen,
    )


_CHAT_ID = re.compile(r"-?\d+|@[A-Za-z][A-Za-z0-9_]{3,31}")


def _chat_id(reader: TomlReader, entry: Mapping[str, Any], scope: str) -> str:
    value = entry.get("chat_id", "")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _CHAT_ID.fullmatch(value.strip()):
        raise ConfigError(
            f"chat_id must be a chat's numeric id or @channelusername; got {value!r}",
            path=reader.where,
            key=scope,
            hint="a private chat's id is your user id, a group's or channel's is negative; the bot's "
            "getUpdates shows them after someone writes to it",
        )
    return value.strip()


def _folder(reader: TomlReader, table: Mapping[str, Any], scope: str) -> Path | None:
    value = reader.string(table, "dir", "", scope).strip()
    return Path(value).expanduser() if value else None


def _base_url(reader: TomlReader, table: Mapping[str, Any], scope: str) -> str:
    value = reader.string(table, "base_url", "", scope).strip()
    if value and not value.startswith(("https://", "http://")):
        raise ConfigError(
            f"base_url must be an absolute http(s) URL; got {value!r}",
            path=reader.where,
            key=scope,
            hint='e.g. base_url = "https://you.github.io/papers/"',
        )
    return value.rstrip("/") + "/" if value else ""


def _feed(reader: TomlReader, table: dict[str, Any]) -> FeedSettings:
    reader.known(table, "feed", {"dir", "base_url", "max_entries"})
    max_entries = reader.integer(table, "max_entries", 300, "feed")
    if max_entries < 1:
        raise ConfigError("max_entries must be >= 1", path=reader.where, key="feed")
    return FeedSettings(
        dir=_folder(reader, table, "feed"),
        base_url=_base_url(reader, table, "feed"),
        max_entries=max_entries,
    )


def _site(reader: TomlReader, table: dict[str, Any]) -> SiteSettings:
    reader.known(table, "site", {"dir", "base_url", "title"})
    return SiteSettings(
        dir=_folder(reader, table, "site"),
        base_url=_base_url(reader, table, "site"),
        title=reader.string(table, "title", "paperfeed", "site") or "paperfeed",
    )


def _daemon(reader: TomlReader, table: dict[str, Any]) -> DaemonSettings:
    reader.known(table, "daemon", {"delay", "catch_up", "max_catch_up", "retry_interval"})
    delay = reader.number(table, "delay", 30, "daemon")
    retry = reader.number(table, "retry_interval", 15, "daemon")
    max_catch_up = reader.integer(table, "max_catch_up", 10, "daemon")
    catch_up = reader.string(table, "catch_up", "each", "daemon")
    if catch_up not in CATCH_UP_MODES:
        raise ConfigError(
            f"catch_up must be one of {', '.join(CATCH_UP_MODES)}; got {catch_up!r}",
            path=reader.where,
            key="daemon",
        )
    if delay < 0 or retry <= 0 or max_catch_up < 1:
        raise ConfigError(
            "delay must be >= 0, retry_interval > 0 (minutes) and max_catch_up >= 1",
            path=reader.where,
            key="daemon",
        )
    return DaemonSettings(
        delay=timedelta(minutes=delay),
        catch_up=catch_up,
        max_catch_up=max_catch_up,
        retry_interval=timedelta(minutes=retry),
    )
