"""Chat services' webhook endpoints on loopback, checking what the services' documentation says.

Each ``verify_*`` re-implements the receiving side independently of paperfeed's code: the
signature scheme (Feishu: HMAC-SHA256 keyed by ``timestamp + "\\n" + secret`` over nothing;
DingTalk: HMAC-SHA256 keyed by the secret over ``timestamp + "\\n" + secret``, in the query),
the payload shape and the size limits. A request that fails a check gets the service's own
error answer (so paperfeed sees a refusal), and the failure is kept in ``problems`` for the
test to assert on. ServerChan, PushPlus, Telegram and Discord are checked by
``tests.support.chat_services``; their posts also keep the message as the reader sees it
(``shown``) and its links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.support.chat_services import CHAT_SERVICES, DISCORD_PATH

FEISHU_SECRET = "feishu-test-secret"
DINGTALK_SECRET = "SECdingtalk-test-secret"
JSON_SECRET = "json-test-secret"
NOW_SECONDS = 1_780_000_000  # the tests' clock: 2026-05-28T21:46:40Z


@dataclass
class Post:
    kind: str
    body: dict[str, Any]
    headers: dict[str, str]
    query: dict[str, str]
    size: int
    path: str = ""
    shown: str = ""  # chat_services kinds: the message as the reader sees it
    links: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Receiver:
    server: HTTPServer
    posts: list[Post] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Scripted answers, used first, one per request; None lets that request be answered as usual.
    fail_next: list[Response | None] = field(default_factory=list)
    now: float = NOW_SECONDS  # the receiving service's clock (signatures expire after an hour)

    def url(self, kind: str) -> str:
        """The webhook URL; for serverchan, pushplus and telegram the API's base URL."""
        if kind == "discord":
            return self.server.url_for(DISCORD_PATH)
        return self.server.url_for(f"/{kind}") + ("?access_token=tok" if kind == "dingtalk" else "")

    def of(self, kind: str) -> list[Post]:
        return [p for p in self.posts if p.kind == kind]


def _feishu_ok(post: Post, now: float) -> list[str]:
    body = post.body
    problems = []
    timestamp, sign = body.get("timestamp"), body.get("sign")
    key = f"{timestamp}\n{FEISHU_SECRET}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    if sign != expected:
        problems.append("feishu: bad signature")
    if abs(int(timestamp or 0) - now) > 3600:
        problems.append("feishu: timestamp more than an hour off")
    card = body.get("card", {})
    if body.get("msg_type") != "interactive" or not card.get("elements"):
        problems.append("feishu: not an interactive card")
    if not card.get("header", {}).get("title", {}).get("content"):
        problems.append("feishu: card without a title")
    if post.size > 20_000:
        problems.append(f"feishu: body {post.size} bytes > 20 KB")
    if len(card.get("elements", [])) > 50:
        problems.append("feishu: more than 50 elements")
    for element in card.get("elements", []):
        if element.get("tag") == "div" and element["text"]["tag"] != "lark_md":
            problems.append("feishu: div text is not lark_md")
    return problems


def _dingtalk_ok(post: Post, now: float) -> list[str]:
    problems = []
    timestamp, sign = post.query.get("timestamp", ""), post.query.get("sign", "")
    digest = hmac.new(
        DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256
    ).digest()
    # parse_qs has already undone the URL encoding of the query value
    if sign != base64.b64encode(digest).decode():
        problems.append("dingtalk: bad signature")
    if abs(int(timestamp or 0) - now * 1000) > 3_600_000:
        problems.append("dingtalk: timestamp (ms) more than an hour off")
    if post.query.get("access_token") != "tok":
        problems.append("dingtalk: access_token lost")
    markdown = post.body.get("markdown", {})
    if (
        post.body.get("msgtype") != "markdown"
        or not markdown.get("title")
        or not markdown.get("text")
    ):
        problems.append("dingtalk: not a markdown message with title and text")
    if post.size > 20_000:
        problems.append(f"dingtalk: {post.size} bytes > 20000")
    return problems


def _wecom_ok(post: Post, now: float) -> list[str]:
    content = post.body.get("markdown", {}).get("content", "")
    problems = []
    if post.body.get("msgtype") != "markdown" or not content:
        problems.append("wecom: not a markdown message")
    if len(content.encode()) > 4096:
        problems.append(f"wecom: content {len(content.encode())} bytes > 4096")
    return problems


def _slack_ok(post: Post, now: float) -> list[str]:
    blocks = post.body.get("blocks", [])
    problems = []
    if not post.body.get("text") or not blocks:
        problems.append("slack: needs text (notification fallback) and blocks")
    if len(blocks) > 50:
        problems.append(f"slack: {len(blocks)} blocks > 50")
    for block in blocks:
        if block["type"] not in ("header", "section", "context", "divider"):
            problems.append(f"slack: unexpected block {block['type']}")
        text = block.get("text", {}).get("text", "")
        if block["type"] == "section" and (block["text"]["type"] != "mrkdwn" or len(text) > 3000):
            problems.append("slack: section text must be mrkdwn of at most 3000 characters")
        if block["type"] == "header" and len(text) > 150:
            problems.append("slack: header over 150 characters")
    return problems


def _json_ok(post: Post, raw: bytes) -> list[str]:
    problems = []
    timestamp = post.headers.get("X-Paperfeed-Timestamp", "")
    expected = (
        "sha256="
        + hmac.new(JSON_SECRET.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    )
    if post.headers.get("X-Paperfeed-Signature") != expected:
        problems.append("json: bad signature")
    if not post.headers.get("Idempotency-Key"):
        problems.append("json: no Idempotency-Key")
    body = post.body
    if (
        body.get("schema") != "paperfeed.webhook/1"
        or body.get("digest", {}).get("schema") != "paperfeed.digest/1"
    ):
        problems.append("json: wrong schema")
    if post.headers.get("Idempotency-Key") != body.get("id"):
        problems.append("json: Idempotency-Key differs from the body's id")
    return problems


OK_ANSWER = {
    "feishu": ({"code": 0, "msg": "success", "data": {}}, 200),
    "dingtalk": ({"errcode": 0, "errmsg": "ok"}, 200),
    "wecom": ({"errcode": 0, "errmsg": "ok"}, 200),
    "slack": ("ok", 200),
    "json": ({"received": True}, 202),
}
REFUSAL = {
    "feishu": ({"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}, 200),
    "dingtalk": ({"errcode": 310000, "errmsg": "sign not match"}, 200),
    "wecom": ({"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}, 200),
    "slack": ("invalid_blocks", 400),
    "json": ({"error": "bad signature"}, 401),
}


def _answer(kind: str, table: dict[str, tuple[Any, int]]) -> Response:
    body, status = table[kind]
    if isinstance(body, str):
        return Response(body, status=status, content_type="text/plain")
    return Response(json.dumps(body), status=status, content_type="application/json")


def install(server: HTTPServer) -> Receiver:
    receiver = Receiver(server)

    def handler_for(kind: str):
        def handle(request: Request) -> Response:
            raw = request.get_data()
            post = Post(
                kind=kind,
                body=json.loads(raw),
                headers=dict(request.headers),
                query={k: v[0] for k, v in parse_qs(request.query_string.decode()).items()},
                size=len(raw),
            )
            scripted = receiver.fail_next.pop(0) if receiver.fail_next else None
            if scripted is not None:
                return scripted
            checks = {
                "feishu": _feishu_ok,
                "dingtalk": _dingtalk_ok,
                "wecom": _wecom_ok,
                "slack": _slack_ok,
            }
            problems = _json_ok(post, raw) if kind == "json" else checks[kind](post, receiver.now)
            if problems:
                receiver.problems += problems
                return _answer(kind, REFUSAL)
            receiver.posts.append(post)
            return _answer(kind, OK_ANSWER)

        return handle

    def chat_service(kind: str):
        def handle(request: Request) -> Response:
            raw = request.get_data()
            body = json.loads(raw)
            post = Post(
                kind=kind,
                body=body,
                headers=dict(request.headers),
                query={k: v[0] for k, v in parse_qs(request.query_string.decode()).items()},
                size=len(raw),
                path=request.path,
            )
            scripted = receiver.fail_next.pop(0) if receiver.fail_next else None
            if scripted is not None:
                return scripted
            seen = CHAT_SERVICES[kind](request, body, receiver.now)
            receiver.problems += seen.problems
            if seen.accepted:
                post.shown, post.links = seen.shown, seen.links
                receiver.posts.append(post)
            return seen.answer

        return handle

    for kind in OK_ANSWER:
        server.expect_request(f"/{kind}", method="POST").respond_with_handler(handler_for(kind))
    paths = {
        "serverchan": re.compile(r"^/serverchan/[^/]+\.send$"),
        "pushplus": "/pushplus/send",
        "telegram": re.compile(r"^/telegram/bot[^/]+/sendMessage$"),
        "discord": DISCORD_PATH,
    }
    for kind, path in paths.items():
        server.expect_request(path, method="POST").respond_with_handler(chat_service(kind))
    return receiver
