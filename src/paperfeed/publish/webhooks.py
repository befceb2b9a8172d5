"""Posting chat messages: each service's signature scheme, answer check, pacing; a thin sender.

Signatures, as the services document them:

- Feishu/Lark custom bot: ``timestamp`` (Unix seconds) and ``sign`` in the JSON body, where
  ``sign = base64(HMAC-SHA256(key = timestamp + "\\n" + secret, message = ""))``.
- DingTalk custom robot: ``timestamp`` (Unix milliseconds) and ``sign`` in the query string,
  where ``sign = urlencode(base64(HMAC-SHA256(key = secret, message = timestamp + "\\n" +
  secret)))``. Both services reject a timestamp more than an hour off.
- WeCom, Slack and Discord: unsigned; the token in the URL authenticates.
- ServerChan: the SendKey is the URL's path (``/<SendKey>.send``); PushPlus: ``token`` in the
  body; Telegram: the bot token in the path (``/bot<token>/sendMessage``), the chat in
  ``chat_id``. These keys come from the environment variable the config names and are put in
  only here, at send time; error messages never repeat a URL or a key.
- Generic JSON: ``X-Paperfeed-Timestamp`` (Unix seconds) and ``X-Paperfeed-Signature:
  sha256=<hex HMAC-SHA256(key = secret, message = timestamp + "." + body)>``, plus
  ``Idempotency-Key`` (the ledger's key and the part number) so a receiver can drop a repeat.

None of the chat services accepts an idempotency key on its webhook, so a message whose answer
was lost cannot be deduplicated by them: such a send is recorded as uncertain, never retried
automatically. A service answering an error (HTTP status, or an error code in a 200 answer:
``webhook_answers``) certainly did not post it: failed, retried on the next run. A 429 is
retried once within the run after the wait the service asks for (``Retry-After``, Telegram's
``parameters.retry_after``, Discord's ``retry_after``), unless that is over a minute.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

import httpx

from paperfeed.config.delivery import KEYED_KINDS, WebhookSettings
from paperfeed.core.errors import SendError
from paperfeed.publish.chat_text import Payload
from paperfeed.publish.webhook_answers import bucket_pause, check_answer, retry_after

log = logging.getLogger(__name__)

# Least time between two messages to one webhook: DingTalk and WeCom allow 20 a minute,
# Slack about one a second, Feishu 5 a second; a Telegram chat one a second (a group or
# channel 20 a minute: Bot FAQ, "My bot is hitting limits"), a Discord channel 30 a minute,
# a PushPlus account 5 a minute. ServerChan states none.
MIN_INTERVAL = {
    "feishu": 0.25,
    "dingtalk": 3.1,
    "wecom": 3.1,
    "slack": 1.1,
    "json": 0.0,
    "serverchan": 1.1,
    "pushplus": 12.1,
    "telegram": 1.1,
    "discord": 2.1,
}
TELEGRAM_GROUP_INTERVAL = 3.1
KEY_NAMES = {"serverchan": "SendKey", "pushplus": "PushPlus token", "telegram": "bot token"}
MAX_RETRY_AFTER = 60.0
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# The request was complete and the answer was lost: the service may have posted it.
_UNCERTAIN_ERRORS: tuple[type[httpx.HTTPError], ...] = (
    httpx.ReadTimeout,
    httpx.ReadError,
    httpx.RemoteProtocolError,
    httpx.CloseError,
)


def feishu_sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest).decode())


def json_signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


@dataclass(frozen=True, slots=True)
class SignedRequest:
    url: str = field(repr=False)  # carries the webhook's token, the SendKey or the bot token
    headers: Mapping[str, str]
    content: bytes


_SERVERCHAN_KEY = re.compile(r"[A-Za-z0-9]+")
_SERVERCHAN3_KEY = re.compile(r"sctp(\d+)t")
_TELEGRAM_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")


def _where(hook: WebhookSettings) -> str:
    return f"{hook.kind} webhook {hook.name!r}"


def _token(hook: WebhookSettings) -> str:
    if not hook.token:
        raise SendError(
            f"{_where(hook)}: the variable {hook.token_env} is not set",
            hint=f"export {hook.token_env} with the {KEY_NAMES[hook.kind]}",
        )
    return hook.token


def serverchan_url(key: str, api_url: str = "") -> str:
    """ServerChan Turbo: ``https://sctapi.ftqq.com/<SendKey>.send``; a Server酱³ key
    (``sctp<N>t...``) goes to ``https://<N>.push.ft07.com/send/<SendKey>.send``."""
    if key.startswith("sctp"):
        found = _SERVERCHAN3_KEY.match(key)
        if found is None:
            raise ValueError("a Server酱³ SendKey starts with sctp<digits>t")
        return f"{api_url or f'https://{found.group(1)}.push.ft07.com'}/send/{key}.send"
    return f"{api_url or 'https://sctapi.ftqq.com'}/{key}.send"


def _keyed_request(hook: WebhookSettings, body: Payload) -> tuple[str, Payload]:
    """ServerChan, PushPlus, Telegram: the URL and body with the service's key in place."""
    token = _token(hook)
    if hook.kind == "serverchan":
        if not _SERVERCHAN_KEY.fullmatch(token):
            raise SendError(
                f"{_where(hook)}: {hook.token_env} does not hold a SendKey (letters and digits)",
                hint="copy the SendKey from sct.ftqq.com/sendkey",
            )
        try:
            url = serverchan_url(token, hook.api_url)
        except ValueError as exc:
            raise SendError(f"{_where(hook)}: {exc}", hint="copy the SendKey again") from None
        # noip hides this machine's IP address in the message (Turbo keys only).
        return url, body if token.startswith("sctp") else {**body, "noip": 1}
    if hook.kind == "pushplus":
        extra = {"topic": hook.group} if hook.group else {}
        return f"{hook.api_url or 'https://www.pushplus.plus'}/send", {
            "token": token,
            **body,
            **extra,
        }
    if not _TELEGRAM_TOKEN.fullmatch(token):
        raise SendError(
            f"{_where(hook)}: {hook.token_env} does not hold a bot token (<digits>:<letters>)",
            hint="copy the token BotFather gave for the bot",
        )
    chat: int | str = int(hook.chat_id) if hook.chat_id.lstrip("-").isdigit() else hook.chat_id
    url = f"{hook.api_url or 'https://api.telegram.org'}/bot{token}/sendMessage"
    return url, {"chat_id": chat, **body}


def _with_query(url: str, parameter: str) -> str:
    parts = urlsplit(url)
    if parameter.split("=")[0] in dict(parse_qsl(parts.query)):
        return url
    query = f"{parts.query}&{parameter}" if parts.query else parameter
    return urlunsplit(parts._replace(query=query))


def signed_request(
    hook: WebhookSettings, body: Payload, now: datetime, *, idempotency_key: str = ""
) -> SignedRequest:
    """The exact request for one message at ``now`` (pure)."""
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if hook.kind in KEYED_KINDS:
        url, body = _keyed_request(hook, body)
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        return SignedRequest(url=url, headers=headers, content=content)
    if not hook.url:
        raise SendError(
            f"{_where(hook)}: no URL; the variable {hook.url_env} is not set",
            hint=f"export {hook.url_env} with the webhook URL",
        )
    if hook.secret_env and not hook.secret:
        raise SendError(
            f"{_where(hook)}: the secret variable {hook.secret_env} is not set",
            hint=f"export {hook.secret_env} (the signing secret the service shows); "
            "paperfeed never posts unsigned to a webhook configured to be signed",
        )
    seconds = int(now.timestamp())
    url = hook.url
    if hook.kind == "feishu" and hook.secret:
        body = {"timestamp": str(seconds), "sign": feishu_sign(hook.secret, seconds), **body}
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    if hook.kind == "dingtalk" and hook.secret:
        millis = int(now.timestamp() * 1000)
        joiner = "&" if "?" in url else "?"
        url = f"{url}{joiner}timestamp={millis}&sign={dingtalk_sign(hook.secret, millis)}"
    if hook.kind == "discord":
        # Without wait=true Discord answers 204 before saving, and a message it then drops
        # reports no error.
        url = _with_query(url, "wait=true")
    if hook.kind == "json":
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if hook.secret:
            headers["X-Paperfeed-Timestamp"] = str(seconds)
            headers["X-Paperfeed-Signature"] = json_signature(hook.secret, seconds, content)
    return SignedRequest(url=url, headers=headers, content=content)


def _redacted(hook: WebhookSettings, exc: Exception) -> str:
    """``repr(exc)`` without the webhook's URL or key, should the error quote them."""
    text = repr(exc)
    for secret in (hook.url, hook.token, hook.secret):
        if secret:
            text = text.replace(secret, "***")
    return text


def pace_key(hook: WebhookSettings) -> str:
    """What a service's rate limit counts: a Telegram chat, a PushPlus account, else the
    webhook."""
    if hook.kind == "telegram":
        return f"telegram {hook.api_url} {hook.chat_id}"
    if hook.kind == "pushplus" and hook.token:
        return "pushplus " + hashlib.sha256(hook.token.encode()).hexdigest()[:16]
    return f"webhook {hook.name}"


def min_interval(hook: WebhookSettings) -> float:
    if hook.kind == "telegram" and hook.chat_id.startswith(("-", "@")):
        return TELEGRAM_GROUP_INTERVAL  # groups and channels: 20 messages a minute
    return MIN_INTERVAL[hook.kind]


class WebhookSender:
    """Posts messages over one ``httpx.Client``; paces messages to one chat or webhook."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        now: Callable[[], datetime],
        sleep: Callable[[float], None],
    ) -> None:
        self._client = client
        self._now = now
        self._sleep = sleep
        self._last: dict[str, datetime] = {}
        self._hold: dict[str, datetime] = {}  # a service said: not before then

    def _pace(self, hook: WebhookSettings, key: str) -> None:
        now = self._now()
        waits = [0.0]
        last = self._last.get(key)
        if last is not None:
            waits.append(min_interval(hook) - (now - last).total_seconds())
        held = self._hold.get(key)
        if held is not None:
            waits.append((held - now).total_seconds())
        wait = max(waits)
        if wait > 0:
            self._sleep(wait)

    def post(self, hook: WebhookSettings, body: Payload, *, idempotency_key: str = "") -> str:
        """Post one message; returns the service's answer. Raises ``SendError``."""
        key = pace_key(hook)
        self._pace(hook, key)
        for attempt in (1, 2):
            request = signed_request(hook, body, self._now(), idempotency_key=idempotency_key)
            try:
                response = self._client.post(
                    request.url, content=request.content, headers=dict(request.headers)
                )
            except _UNCERTAIN_ERRORS as exc:
                raise SendError(
                    f"{_where(hook)}: the answer was lost ({_redacted(hook, exc)})",
                    uncertain=True,
                    hint="the message may have been posted: check the chat, then run "
                    "`paperfeed deliver --resend-uncertain` if it was not",
                ) from None
            except httpx.HTTPError as exc:
                raise SendError(
                    f"{_where(hook)}: cannot reach the service ({_redacted(hook, exc)})",
                    hint="check the network and the URL; it is retried on the next run",
                ) from None
            finally:
                self._last[key] = self._now()
            pause = bucket_pause(hook, response)
            if pause:
                self._hold[key] = self._now() + timedelta(seconds=pause)
            if response.status_code == 429 and attempt == 1:
                wait = retry_after(hook, response)
                if wait <= MAX_RETRY_AFTER:
                    # One polite retry within the run; a longer wait belongs to the next run.
                    self._sleep(wait)
                    continue
            return check_answer(hook, response)
        raise AssertionError("unreachable")  # pragma: no cover
