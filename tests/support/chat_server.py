"""A deterministic OpenAI-compatible chat endpoint for tests and benchmarks, served on loopback.

``FakeTranslator`` answers ``/v1/chat/completions`` the way a good model would: it reads the items
paperfeed sends, renders each English word as two Chinese characters, uses the glossary's Chinese
for the terms the prompt lists, copies ``[[M0]]`` placeholders, and reports token usage. Tests
put scripted replies (429, 500, truncated JSON, reasoning, a reply for the wrong item, ...) in
front of it with ``ScriptedChat``.
"""

from __future__ import annotations

import json
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

CHAT_PATH = "/v1/chat/completions"
_PLACEHOLDER = re.compile(r"\[\[M\d+\]\]")
_TOKEN = re.compile(r"\[\[M\d+\]\]|[A-Za-z][A-Za-z'-]*|\d+|[^\sA-Za-z\d]")
_POOL = "的一是在不了有和人这大为上个我以要时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所得经之进着等部度家力里如水化高自理起小物现实加量都两体制机当使点从业本去把性好应开合还因由其些然前外天形相全表间样与关各重新线内数正心反明看原又利比或但质气第向道命此变条只结解问意建月公无系"


def _word(word: str) -> str:
    """Two Chinese characters per English word, always the same two for the same word."""
    code = zlib.crc32(word.lower().encode())
    return _POOL[code % len(_POOL)] + _POOL[(code // len(_POOL)) % len(_POOL)]


def chat_response(
    content: str,
    *,
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
    finish_reason: str = "stop",
) -> Response:
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1780000000,
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return Response(json.dumps(body, ensure_ascii=False), content_type="application/json")


def error_response(status: int, headers: dict[str, str] | None = None) -> Response:
    body = {"error": {"message": f"fake error {status}", "type": "test", "code": status}}
    return Response(
        json.dumps(body), status=status, headers=headers or {}, content_type="application/json"
    )


def request_items(request: Request) -> tuple[list[dict[str, str]], dict[str, str], str]:
    """(items, glossary, system prompt) of a request paperfeed sent."""
    body = json.loads(request.get_data(as_text=True))
    system = body["messages"][0]["content"]
    user = body["messages"][-1]["content"]
    glossary: dict[str, str] = {}
    head, _, _ = user.partition("\n\nTranslate")
    for line in head.splitlines():
        if " → " in line:
            en, zh = line.split(" → ", 1)
            glossary[en.strip().lower()] = zh.strip()
    payload = user[user.index("\n[") + 1 :]
    return json.loads(payload), glossary, system


def fake_chinese(text: str, glossary: dict[str, str]) -> str:
    """Deterministic "Chinese": glossary terms rendered, placeholders copied, other words as two
    characters each."""
    for en in sorted(glossary, key=len, reverse=True):
        text = re.sub(
            rf"(?<![A-Za-z]){re.escape(en)}s?(?![A-Za-z])", glossary[en], text, flags=re.I
        )
    out = []
    for token in _TOKEN.findall(text):
        if _PLACEHOLDER.fullmatch(token) or token.isdigit():
            out.append(token)
        elif token[0].isascii() and token[0].isalpha():
            out.append(_word(token))
        elif token in ".;":
            out.append("。")
        elif token == ",":
            out.append("，")
        else:
            out.append(token)
    return "".join(out)


class FakeTranslator:
    """Answers every chat request with good translations; counts requests and concurrency."""

    def __init__(self, delay: float = 0.0, prefix: str = "") -> None:
        self.delay = delay
        self.prefix = prefix  # put before every translation: tells a second model's work apart
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.requests.append(json.loads(request.get_data(as_text=True)))
        try:
            if self.delay:
                time.sleep(self.delay)  # the benchmark's slow model; tests use no delay
            return chat_response(self.reply(request))
        finally:
            with self._lock:
                self.in_flight -= 1

    def reply(self, request: Request) -> str:
        items, glossary, system = request_items(request)
        if "TL;DR" in system:
            return json.dumps({"id": items[0]["id"], "tldr": "本文提出一种新方法并验证了其效果。"})
        answers = [
            {"id": i["id"], "zh": self.prefix + fake_chinese(i["en"], glossary)} for i in items
        ]
        if len(answers) == 1 and "exactly one JSON object" in system:
            return json.dumps(answers[0], ensure_ascii=False)
        return json.dumps({"translations": answers}, ensure_ascii=False)


Step = Response | Callable[[Request], Response] | None


class ScriptedChat:
    """Plays ``script`` one step per request (a Response, a function of the request, or None
    for the translator's own answer), then lets the translator answer everything."""

    def __init__(self, translator: FakeTranslator, script: list[Step]) -> None:
        self.translator = translator
        self.script = list(script)
        self.seen: list[Request] = []
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self._lock:
            self.seen.append(request)
            step = self.script.pop(0) if self.script else None
        if step is None:
            return self.translator(request)
        if isinstance(step, Response):
            return step
        return step(request)


class ChatEndpoint:
    """One threaded loopback server whose handler can be swapped between tests (starting and
    stopping a server costs half a second, so a test module shares one)."""

    def __init__(self) -> None:
        self.handler: Callable[[Request], Response] = FakeTranslator()
        self._server = HTTPServer(host="127.0.0.1", threaded=True)
        self._server.expect_request(CHAT_PATH, method="POST").respond_with_handler(
            lambda request: self.handler(request)
        )

    @property
    def url(self) -> str:
        return self._server.url_for("/v1")

    def start(self) -> ChatEndpoint:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.clear()
        self._server.stop()


@contextmanager
def chat_server(handler: Callable[[Request], Response]) -> Iterator[str]:
    """A threaded loopback server answering chat requests; yields its /v1 base URL."""
    endpoint = ChatEndpoint()
    endpoint.handler = handler
    endpoint.start()
    try:
        yield endpoint.url
    finally:
        endpoint.stop()
