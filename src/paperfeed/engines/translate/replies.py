"""Parsing what chat models actually send back.

A request carries several numbered items; the model is asked for
``{"translations": [{"id": "1", "zh": "..."}, ...]}``. Replies in the wild wrap that in
reasoning (``<think>…</think>``, sometimes without the opening tag, sometimes never closed),
in Markdown code fences, in prose; they use other shapes (a bare array, ``{"1": "..."}``, one
object per line), break JSON with LaTeX backslashes or raw line breaks, stop half-way when the
token limit hits, and now and then answer for an item that was not asked. ``parse_reply`` keeps
every item it can trust and says what was wrong with the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_THINK_BLOCK = re.compile(
    r"<(think|thinking|reasoning|thought)>.*?</\1>\s*", re.DOTALL | re.IGNORECASE
)
_THINK_OPEN = re.compile(r"^\s*<(think|thinking|reasoning|thought)>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</(think|thinking|reasoning|thought)>", re.IGNORECASE)
_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n?(.*?)(?:```|$)", re.DOTALL)
_BAD_ESCAPE = re.compile(r'\\(?!["\\/bfnrtu])')
_ID_KEYS = ("id", "index", "idx", "n", "number", "item")
_TEXT_KEYS = (
    "zh",
    "translation",
    "text",
    "chinese",
    "zh_text",
    "output",
    "title_zh",
    "abstract_zh",
    "tldr",
)
_LIST_KEYS = ("translations", "items", "results", "data", "output")
_DECODER = json.JSONDecoder(strict=False)  # tolerate raw line breaks inside strings


@dataclass(frozen=True, slots=True)
class ParsedReply:
    """What a reply said about each requested item."""

    items: Mapping[str, str] = field(default_factory=dict)  # id -> text, only expected ids
    missing: tuple[str, ...] = ()  # expected ids the reply has no usable text for
    unexpected: tuple[str, ...] = ()  # ids nobody asked for: a reply for the wrong item
    truncated: bool = False  # the JSON stopped part-way (token limit, dropped connection)
    problems: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing


def strip_reasoning(text: str) -> str:
    """The answer without its reasoning: ``<think>…</think>`` blocks removed; with only a closing
    tag (servers that swallow the opening one) everything before it; with an opening tag that is
    never closed (reasoning cut off by the token limit) nothing is left."""
    text = _THINK_BLOCK.sub("", text)
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:
        text = text[closes[-1].end() :]
    if _THINK_OPEN.match(text):
        return ""
    return text.strip()


def strip_fences(text: str) -> str:
    """The content of the first Markdown code fence if there is one (also an unclosed one)."""
    match = _FENCE.search(text)
    return match.group(1).strip() if match else text.strip()


def _loads(text: str) -> Any:
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError:
        # LaTeX in a JSON string: "\alpha" is an invalid escape; double lone backslashes.
        return _DECODER.decode(_BAD_ESCAPE.sub(r"\\\\", text))


def _entries(value: Any) -> list[tuple[str | None, Any]]:
    """(id, text) pairs from any of the shapes models use."""
    if isinstance(value, list):
        out: list[tuple[str | None, Any]] = []
        for element in value:
            out.extend(_entries(element) if isinstance(element, dict | list) else [(None, element)])
        return out
    if not isinstance(value, dict):
        return [(None, value)]
    for key in _LIST_KEYS:
        if key in value and isinstance(value[key], list | dict):
            return _entries(value[key])
    id_key = next((k for k in _ID_KEYS if k in value), None)
    text_key = next((k for k in _TEXT_KEYS if k in value), None)
    if text_key is not None:
        return [(str(value[id_key]).strip() if id_key else None, value[text_key])]
    # {"1": "...", "2": "..."}: ids as keys
    if value and all(isinstance(v, str) for v in value.values()):
        return [(str(k).strip(), v) for k, v in value.items()]
    return []


def _salvage(text: str) -> list[tuple[str | None, Any]]:
    """Every complete item object in a reply whose JSON as a whole does not parse."""
    found: list[tuple[str | None, Any]] = []
    pos = 0
    while True:
        start = text.find("{", pos)
        if start < 0:
            return found
        try:
            value, end = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError:
            try:
                value, end = _DECODER.raw_decode(_BAD_ESCAPE.sub(r"\\\\", text[start:]), 0)
                end += start
            except json.JSONDecodeError:
                pos = start + 1
                continue
        entries = _entries(value)
        if entries:
            found.extend(entries)
            pos = end
        else:
            pos = start + 1


def parse_reply(
    text: str, expected_ids: Sequence[str], *, allow_plain: bool = False
) -> ParsedReply:
    """Parse a reply to a request for ``expected_ids``.

    ``allow_plain``: a reply with no JSON at all counts as the text of the only expected item
    (used for single-item retries with weak models); without it such a reply is a failure.
    """
    expected = [str(i) for i in expected_ids]
    answer = strip_fences(strip_reasoning(text))
    problems: list[str] = []
    truncated = False
    if not answer:
        return ParsedReply(missing=tuple(expected), problems=("the reply is empty",))
    entries: list[tuple[str | None, Any]]
    try:
        entries = _entries(_loads(answer))
    except json.JSONDecodeError as exc:
        entries = _salvage(answer)
        if "{" in answer or "[" in answer:
            truncated = _looks_truncated(answer)
            problems.append(
                "the reply's JSON stops part-way" if truncated else f"malformed JSON: {exc.msg}"
            )
        if not entries and not truncated and not answer.lstrip().startswith(("{", "[")):
            if allow_plain and len(expected) == 1:
                return ParsedReply(items={expected[0]: answer}, problems=("plain-text reply",))
            problems.append("the reply has no JSON")

    items: dict[str, str] = {}
    unexpected: list[str] = []
    anonymous: list[str] = []
    for item_id, value in entries:
        if not isinstance(value, str):
            problems.append(f"item {item_id}: the text is not a string")
            continue
        if item_id is None:
            anonymous.append(value)
        elif item_id not in expected:
            unexpected.append(item_id)
        elif item_id in items:
            problems.append(f"item {item_id} answered twice; the first answer is kept")
        elif value.strip():
            items[item_id] = value.strip()
    if anonymous:
        if allow_plain and len(expected) == 1 and not items and len(anonymous) == 1:
            items[expected[0]] = anonymous[0].strip()
        else:
            problems.append(f"{len(anonymous)} items without an id; they cannot be matched")
    if unexpected:
        problems.append(f"answers for items not asked for: {', '.join(unexpected)}")
    missing = tuple(i for i in expected if i not in items)
    if missing and not problems:
        problems.append(f"no answer for {', '.join(missing)}")
    return ParsedReply(
        items=items,
        missing=missing,
        unexpected=tuple(unexpected),
        truncated=truncated,
        problems=tuple(problems),
    )


def _looks_truncated(text: str) -> bool:
    """Unbalanced brackets or an open string at the end: the JSON was cut, not mistyped."""
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
    return in_string or depth > 0


def request_items(texts: Sequence[str]) -> tuple[list[str], str]:
    """Ids ``"1"``…``"n"`` and the JSON array a request sends them as."""
    ids = [str(i) for i in range(1, len(texts) + 1)]
    payload = json.dumps(
        [{"id": i, "en": t} for i, t in zip(ids, texts, strict=True)], ensure_ascii=False, indent=1
    )
    return ids, payload
