"""What a chat service answered: posted, refused (certainly not posted), or rate limited.

Services report errors in different places, and a 200 is not always a success:

- Feishu: ``code`` (or ``StatusCode``) 0 in the JSON body; DingTalk and WeCom: ``errcode`` 0.
- Slack: the text ``ok``.
- ServerChan: ``{"code", "message", "data"}``, ``code`` 0 on success, often with HTTP 200 for
  an error (easychen/serverchan-sdk).
- PushPlus: ``{"code", "msg", "data"}``, ``code`` 200 on success, HTTP 200 for every error
  ("接口返回码说明": 900 restricted for sending too much, 903 bad token, 905 account not
  verified, 999 content refused).
- Telegram: ``{"ok": false, "error_code", "description", "parameters"}`` with the HTTP status
  of the error; 429 carries ``parameters.retry_after``, a group that became a supergroup
  ``parameters.migrate_to_chat_id`` (Bot API, "Making requests", ``ResponseParameters``).
- Discord: 2xx with the created message (``?wait=true``); errors ``{"code", "message"}`` with
  the HTTP status; 429 ``{"message", "retry_after", "global"}`` plus ``Retry-After``, and every
  answer has ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset-After`` for the webhook's bucket
  (discord-api-docs, ``topics/rate-limits.mdx``).

A refusal raises ``SendError`` with the service's own message: the message was not posted, the
delivery is ``failed`` and retried on the next run.
"""

from __future__ import annotations

from typing import Any

import httpx

from paperfeed.config.delivery import WebhookSettings
from paperfeed.core.errors import SendError

DEFAULT_RETRY_AFTER = 5.0

_PUSHPLUS_HINTS = {
    900: "the account is restricted for sending too much (about 200 requests a day); "
    "paperfeed retries on the next run",
    903: "the token is wrong: copy it again from pushplus.plus into the variable",
    905: "PushPlus sends only for verified (实名认证) accounts: verify the account first",
    999: "PushPlus refused the content; if it persists, please report it to paperfeed",
}


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _field(answer: Any, key: str) -> Any:
    return answer.get(key) if isinstance(answer, dict) else None


def check_answer(hook: WebhookSettings, response: httpx.Response) -> str:
    """What the service said, or a ``SendError`` when it did not post the message."""
    where = f"{hook.kind} webhook {hook.name!r}"
    text = response.text[:300]
    answer = _json(response)
    if response.status_code == 429:
        raise SendError(f"{where}: rate limited (HTTP 429)", hint="it is retried on the next run")
    checker = _CHECKERS.get(hook.kind)
    if checker is not None:
        return checker(where, hook, response, answer)
    if not response.is_success:
        raise SendError(
            f"{where}: HTTP {response.status_code}: {text}",
            hint="check the URL (and the secret, for signed webhooks)",
        )
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


def _refused(where: str, response: httpx.Response, said: object, code: object) -> str:
    status = "" if response.is_success else f"HTTP {response.status_code}: "
    return f"{where} refused the message: {status}{said or response.text[:300]} (code {code})"


def _serverchan(where: str, hook: WebhookSettings, response: httpx.Response, answer: Any) -> str:
    code = _field(answer, "code")
    errno = _field(_field(answer, "data"), "errno")
    if not response.is_success or code != 0 or errno not in (None, 0):
        raise SendError(
            _refused(where, response, _field(answer, "message"), code),
            hint=f"check the SendKey in {hook.token_env}; a free ServerChan account sends "
            "5 messages a day (retried on the next run)",
        )
    return response.text[:300]


def _pushplus(where: str, hook: WebhookSettings, response: httpx.Response, answer: Any) -> str:
    code = _field(answer, "code")
    if not response.is_success or code != 200:
        hint = _PUSHPLUS_HINTS.get(code) if isinstance(code, int) else None
        raise SendError(
            _refused(where, response, _field(answer, "msg"), code),
            hint=hint or f"check the token in {hook.token_env}",
        )
    return response.text[:300]


def _telegram(where: str, hook: WebhookSettings, response: httpx.Response, answer: Any) -> str:
    if response.is_success and _field(answer, "ok") is True:
        message_id = _field(_field(answer, "result"), "message_id")
        return f"message_id {message_id}" if message_id is not None else response.text[:300]
    code = _field(answer, "error_code") or response.status_code
    migrated = _field(_field(answer, "parameters"), "migrate_to_chat_id")
    if migrated is not None:
        hint = f"the group became a supergroup: set chat_id = {migrated}"
    elif code == 401:
        hint = f"the bot token in {hook.token_env} is wrong (BotFather shows it)"
    elif code in (400, 403):
        hint = (
            f"check chat_id {hook.chat_id}: the bot must be a member of the group or channel "
            "(an admin, for a channel), or the person must have started the bot"
        )
    else:
        hint = "it is retried on the next run"
    raise SendError(_refused(where, response, _field(answer, "description"), code), hint=hint)


def _discord(where: str, hook: WebhookSettings, response: httpx.Response, answer: Any) -> str:
    if response.is_success:
        message_id = _field(answer, "id")
        return f"message {message_id}" if message_id is not None else f"HTTP {response.status_code}"
    code = _field(answer, "code")
    hint = (
        "the webhook was deleted or its URL is wrong: copy it again from the channel's integrations"
        if response.status_code in (401, 404) or code == 10015
        else "Discord did not accept the message; if it persists, please report it to paperfeed"
    )
    raise SendError(_refused(where, response, _field(answer, "message"), code), hint=hint)


_CHECKERS = {
    "serverchan": _serverchan,
    "pushplus": _pushplus,
    "telegram": _telegram,
    "discord": _discord,
}


def retry_after(hook: WebhookSettings, response: httpx.Response) -> float:
    """Seconds a 429 asks to wait: Telegram and Discord say it in the body (Discord to the
    millisecond), the others in ``Retry-After``."""
    answer = _json(response)
    if hook.kind == "telegram":
        found = _field(_field(answer, "parameters"), "retry_after")
    elif hook.kind == "discord":
        found = _field(answer, "retry_after")
    else:
        found = None
    if found is None:
        found = response.headers.get("Retry-After", DEFAULT_RETRY_AFTER)
    try:
        return max(float(found), 0.0)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def bucket_pause(hook: WebhookSettings, response: httpx.Response) -> float:
    """Seconds to wait before the next message when the answer says the bucket is empty
    (Discord's ``X-RateLimit-Remaining: 0``); 0 otherwise."""
    if hook.kind != "discord" or response.headers.get("X-RateLimit-Remaining") != "0":
        return 0.0
    try:
        return max(float(response.headers.get("X-RateLimit-Reset-After", "0")), 0.0)
    except ValueError:
        return 0.0
