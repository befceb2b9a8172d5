"""Posting chat messages: each service's signature scheme, answer check, pacing; a thin sender.

Signatures, as the services document them:

- Feishu/Lark custom bot: ``timestamp`` (Unix seconds) and ``sign`` in the JSON body, where
  ``sign = base64(HMAC-SHA256(key = timestamp + "\\n" + secret, message = ""))``.
- DingTalk custom robot: ``timestamp`` (Unix milliseconds) and ``sign`` in the query string,
  where ``sign = urlencode(base64(HMAC-SHA256(key = secret, message = timestamp + "\\n" +
  secret)))``. Both services reject a timestamp more than an hour off.
- WeCom and Slack: unsigned; the token in the URL authenticates.
- Generic JSON: ``X-Paperfeed-Timestamp`` (Unix seconds) and ``X-Paperfeed-Signature:
  sha256=<hex HMAC-SHA256(key = secret, message = timestamp + "." + body)>``, plus
  ``Idempotency-Key`` (the ledger's key and the part number) so a receiver can drop a repeat.

None of the chat services accepts an idempotency key on its webhook, so a message whose answer
was lost cannot be deduplicated by them: such a send is recorded as uncertain, never retried
automatically. A service answering an error (HTTP status, or ``code``/``errcode`` other than 0
in a 200 answer) certainly did not post it: failed, retried on the next run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

import httpx

from paperfeed.config.delivery import WebhookSettings
from paperfeed.core.errors import SendError
from paperfeed.publish.webhook_payloads import Payload

log = logging.getLogger(__name__)

# Least time between two messages to one webhook: DingTalk and WeCom allow 20 a minute,
# Slack about one a second, Feishu 5 a second.
MIN_INTERVAL = {"feishu": 0.25, "dingtalk": 3.1, "wecom": 3.1, "slack": 1.1, "json": 0.0}
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
    url: str
    headers: Mapping[str, str]
    content: bytes


def signed_request(
    hook: WebhookSettings, body: Payload, now: datetime, *, idempotency_key: str = ""
) -> SignedRequest:
    """The exact request for one message at ``now`` (pure)."""
    if not hook.url:
        raise SendError(
            f"{hook.kind} webhook {hook.name!r}: no URL; the variable {hook.url_env} is not set",
            hint=f"export {hook.url_env} with the webhook URL",
        )
    if hook.secret_env and not hook.secret:
        raise SendError(
            f"{hook.kind} webhook {hook.name!r}: the secret variable {hook.secret_env} is not set",
            hint=f"export {hook.secret_env} (the signing secret the service shows); "
            "paperfeed never posts unsigned to a webhook configured to be signed",
        )
    seconds = int(now.timestamp())
    url = hook.url
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if hook.kind == "feishu" and hook.secret:
        body = {"timestamp": str(seconds), "sign": feishu_sign(hook.secret, seconds), **body}
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    if hook.kind == "dingtalk" and hook.secret:
        millis = int(now.timestamp() * 1000)
        joiner = "&" if "?" in url else "?"
        url = f"{url}{joiner}timestamp={millis}&sign={dingtalk_sign(hook.secret, millis)}"
    if hook.kind == "json":
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if hook.secret:
            headers["X-Paperfeed-Timestamp"] = str(seconds)
            headers["X-Paperfeed-Signature"] = json_signature(hook.secret, seconds, content)
    return SignedRequest(url=url, headers=headers, content=content)


def _answer(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def check_answer(hook: WebhookSettings, response: httpx.Response) -> str:
    """What the service said, or a ``SendError`` when it did not post the message."""
    where = f"{hook.kind} webhook {hook.name!r}"
    text = response.text[:300]
    if response.status_code == 429:
        raise SendError(f"{where}: rate limited (HTTP 429)", hint="it is retried on the next run")
    if not response.is_success:
        raise SendError(
            f"{where}: HTTP {response.status_code}: {text}",
            hint="check the URL (and the secret, for signed webhooks)",
        )
    answer = _answer(response)
    if hook.kind == "feishu":
        code = answer.get("code", answer.get("StatusCode")) if isinstance(answer, dict) else None
        if code != 0:
            raise SendError(
                f"{where} refused the message: {text}",
                hint="code 19021 is a bad signature (check the secret and the clock); "
                "19024 a keyword or IP rule of the bot",
            )
    elif hook.kind in ("dingtalk", "wecom"):
        if not isinstance(answer, dict) or answer.get("errcode") != 0:
            raise SendError(
                f"{where} refused the message: {text}",
                hint="DingTalk 310000 means the signature, keyword or IP rule did not match",
            )
    elif hook.kind == "slack" and response.text.strip() != "ok":
        raise SendError(f"{where} refused the message: {text}")
    return text


class WebhookSender:
    """Posts messages over one ``httpx.Client``; paces messages to one webhook."""

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

    def _pace(self, hook: WebhookSettings) -> None:
        last = self._last.get(hook.name)
        if last is None:
            return
        wait = MIN_INTERVAL[hook.kind] - (self._now() - last).total_seconds()
        if wait > 0:
            self._sleep(wait)

    def post(self, hook: WebhookSettings, body: Payload, *, idempotency_key: str = "") -> str:
        """Post one message; returns the service's answer. Raises ``SendError``."""
        self._pace(hook)
        for attempt in (1, 2):
            request = signed_request(hook, body, self._now(), idempotency_key=idempotency_key)
            try:
                response = self._client.post(
                    request.url, content=request.content, headers=dict(request.headers)
                )
            except _UNCERTAIN_ERRORS as exc:
                raise SendError(
                    f"{hook.kind} webhook {hook.name!r}: the answer was lost ({exc!r})",
                    uncertain=True,
                    hint="the message may have been posted: check the chat, then run "
                    "`paperfeed deliver --resend-uncertain` if it was not",
                ) from None
            except httpx.HTTPError as exc:
                raise SendError(
                    f"{hook.kind} webhook {hook.name!r}: cannot reach the service ({exc!r})",
                    hint="check the network and the URL; it is retried on the next run",
                ) from None
            finally:
                self._last[hook.name] = self._now()
            if response.status_code == 429 and attempt == 1:
                # One polite retry within the run; a longer wait belongs to the next run.
                self._sleep(min(_retry_after(response), MAX_RETRY_AFTER))
                continue
            return check_answer(hook, response)
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(float(response.headers.get("Retry-After", "5")), 0.0)
    except ValueError:
        return 5.0
