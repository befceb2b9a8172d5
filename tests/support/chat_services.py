"""ServerChan, PushPlus, Telegram and Discord as a loopback receiver sees them, written from each
service's documentation independently of paperfeed's code (the module docstrings of
``paperfeed.publish.wechat_payloads``, ``telegram_payloads``, ``discord_payloads`` and
``webhook_answers`` cite the pages).

Each ``check_*`` takes one request and returns what the service made of it: the problems it
found (a real service would refuse, or silently mangle the message), the answer it gives (its
own success or error body), and the message as a reader would see it (``shown``) with the links
in it. The readers of the markup are real ones where a library exists (markdown-it-py for the
WeChat services' Markdown, the standard library's HTML parser) and, for Telegram's MarkdownV2
and Discord's Markdown, small parsers written from the rules the services publish.

The answers follow the documented shapes: ServerChan ``{"code", "message", "data"}`` (SDK
README; ``data`` has the ``pushid`` and ``readkey`` its push-status query takes), PushPlus
``{"code", "msg", "data"}`` (its API page's example), Telegram ``{"ok", "result"}`` or ``{"ok":
false, "error_code", "description", "parameters"}`` (Bot API, "Making requests"), Discord the
created message or ``{"code", "message"}`` (discord-api-docs). Error codes and texts that the
pages do not list verbatim (ServerChan's 40001 "bad pushtoken") are illustrative: paperfeed
reads the code field and passes the text on, whatever they say.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt
from werkzeug import Request, Response

SERVERCHAN_KEY = "SCT271828TpaperfeedTestKey"
PUSHPLUS_TOKEN = "0123456789abcdef0123456789abcdef"
TELEGRAM_TOKEN = "123456789:AAtest-token_abcdefghijklmnopqrstuv"
TELEGRAM_CHATS = ("-1001234567890", "424242", "@paperfeed_test")  # chats the bot is in
DISCORD_PATH = "/api/webhooks/112233445566778899/discord-test-token"


@dataclass
class Seen:
    """What the service made of one request."""

    accepted: bool
    answer: Response
    problems: list[str] = field(default_factory=list)
    shown: str = ""  # the message's text as the reader sees it
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, href)


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False),
        status=status,
        headers=headers or {},
        content_type="application/json",
    )


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# -- reading the markup ------------------------------------------------------------------------


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._link_text = []
        for name, _ in attrs:
            if name.startswith("on"):
                self.tags.append(f"{tag}[{name}]")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append(("".join(self._link_text), self._href))
            self._href = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._href is not None:
            self._link_text.append(data)


def read_html(html: str) -> _Html:
    reader = _Html()
    reader.feed(html)
    reader.close()
    return reader


def read_commonmark(markdown: str) -> _Html:
    """Markdown as a CommonMark renderer (raw HTML allowed, as on most sites) shows it."""
    return read_html(MarkdownIt("commonmark").render(markdown))


class MarkdownV2Error(ValueError):
    """What the Bot API answers "Bad Request: can't parse entities: ..." with."""


TELEGRAM_RESERVED = set("_*[]()~`>#+-=|{}.!")


def parse_markdown_v2(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(the text shown, the entities as (type, url)) by the Bot API's "MarkdownV2 style"."""
    shown: list[str] = []
    opened: list[tuple[str, int]] = []  # (marker, byte offset)
    entities: list[tuple[str, str]] = []
    i, n = 0, len(text)
    paired = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough"}
    paired["||"] = "spoiler"

    def at() -> int:
        return len(text[:i].encode())

    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 < n and 1 <= ord(text[i + 1]) <= 126:
                shown.append(text[i + 1])
                i += 2
                continue
            raise MarkdownV2Error(f"Character '\\' at byte offset {at()} escapes nothing")
        if c == "`":
            fence = "```" if text.startswith("```", i) else "`"
            j, content = i + len(fence), []
            while not text.startswith(fence, j):
                if j >= n:
                    raise MarkdownV2Error(f"Can't find end of the entity at byte offset {at()}")
                if text[j] == "\\" and j + 1 < n and text[j + 1] in "`\\":
                    content.append(text[j + 1])
                    j += 2
                else:
                    content.append(text[j])
                    j += 1
            shown += content
            entities.append(("pre" if fence == "```" else "code", ""))
            i = j + len(fence)
            continue
        marker = next((m for m in ("__", "||", "*", "_", "~") if text.startswith(m, i)), None)
        if marker is not None:
            if opened and opened[-1][0] == marker:
                opened.pop()
                entities.append((paired[marker], ""))
            elif any(m == marker for m, _ in opened):
                raise MarkdownV2Error(f"Entities cross at byte offset {at()}")
            else:
                opened.append((marker, at()))
            i += len(marker)
            continue
        if c == "[":
            opened.append(("[", at()))
            i += 1
            continue
        if c == "]" and opened and opened[-1][0] == "[" and text.startswith("](", i):
            j, url = i + 2, []
            while j < n and text[j] != ")":
                if text[j] == "\\" and j + 1 < n and text[j + 1] in ")\\":
                    url.append(text[j + 1])
                    j += 2
                else:
                    url.append(text[j])
                    j += 1
            if j >= n:
                raise MarkdownV2Error(f"Can't find end of a URL at byte offset {at()}")
            opened.pop()
            entities.append(("text_link", "".join(url)))
            i = j + 1
            continue
        if c == ">" and (i == 0 or text[i - 1] == "\n"):
            entities.append(("blockquote", ""))
            i += 1
            continue
        if c in TELEGRAM_RESERVED:
            raise MarkdownV2Error(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        shown.append(c)
        i += 1
    if opened:
        raise MarkdownV2Error(
            f"Can't find end of the entity starting at byte offset {opened[-1][1]}"
        )
    return "".join(shown), entities


def read_discord_markdown(text: str) -> tuple[str, list[tuple[str, str]], list[str]]:
    """(shown text, links, problems): a backslash before ASCII punctuation shows it, ``**``
    is bold, ``[text](url)`` and ``<https://...>`` are links; any other markup character that
    is not escaped would format the text (italics, strike, spoiler, code, quote, heading, list,
    a mention or an emoji tag)."""
    shown: list[str] = []
    links: list[tuple[str, str]] = []
    problems: list[str] = []
    link_start: int | None = None
    bold = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        line_start = i == 0 or text[i - 1] == "\n"
        if c == "\\" and i + 1 < n and text[i + 1].isascii() and not text[i + 1].isalnum():
            shown.append(text[i + 1])
            i += 2
            continue
        if text.startswith("**", i):
            bold = not bold
            i += 2
            continue
        if c == "<" and text.startswith(("<https://", "<http://"), i) and ">" in text[i:]:
            end = text.index(">", i)
            links.append((text[i + 1 : end], text[i + 1 : end]))
            shown.append(text[i + 1 : end])
            i = end + 1
            continue
        if c == "[" and link_start is None:
            link_start = len(shown)
            i += 1
            continue
        if c == "]" and link_start is not None and text.startswith("](", i):
            end = text.index(")", i)
            links.append(("".join(shown[link_start:]), text[i + 2 : end]))
            link_start = None
            i = end + 1
            continue
        if c in "*_~`|<>[]()" or (line_start and c in "#->"):
            problems.append(
                f"discord: unescaped {c!r} would format: {text[max(i - 20, 0) : i + 20]!r}"
            )
        shown.append(c)
        i += 1
    if bold or link_start is not None:
        problems.append("discord: unclosed bold or link")
    return "".join(shown), links, problems


# -- the services ------------------------------------------------------------------------------


def _markdown_problems(kind: str, reader: _Html) -> list[str]:
    made = set(reader.tags) - {"p", "strong", "a", "h4", "br"}
    return [f"{kind}: the Markdown made <{tag}>" for tag in sorted(made)]


def check_serverchan(request: Request, body: dict[str, Any], now: float) -> Seen:
    key = request.path.rsplit("/", 1)[-1].removesuffix(".send")
    if key != SERVERCHAN_KEY:
        return Seen(False, _json({"code": 40001, "message": "bad pushtoken", "data": None}))
    problems = []
    title, desp = body.get("title"), body.get("desp", "")
    if not isinstance(title, str) or not title or len(title) > 32:
        problems.append(f"serverchan: title must be 1-32 characters: {title!r}")
    if not isinstance(desp, str) or len(desp.encode()) > 32_000:
        problems.append("serverchan: desp over 32 KB")
    if len(body.get("short", "")) > 64:
        problems.append("serverchan: short over 64 characters")
    if body.get("noip") != 1:
        problems.append("serverchan: the caller's IP is not hidden (noip)")
    reader = read_commonmark(desp if isinstance(desp, str) else "")
    problems += _markdown_problems("serverchan", reader)
    if problems:
        return Seen(False, _json({"code": 40002, "message": "; ".join(problems)}), problems)
    pushid = str(int(now))
    answer = {
        "code": 0,
        "message": "",
        "data": {"pushid": pushid, "readkey": "rk", "error": "SUCCESS", "errno": 0},
    }
    shown = f"{title}\n{''.join(reader.text)}"  # the card's title, then the page
    return Seen(True, _json(answer), shown=shown, links=reader.links)


def check_pushplus(request: Request, body: dict[str, Any], now: float) -> Seen:
    if body.get("token") != PUSHPLUS_TOKEN:
        return Seen(False, _json({"code": 903, "msg": "无效的用户令牌", "data": None}))
    problems = []
    if not request.headers.get("Content-Type", "").startswith("application/json"):
        problems.append(
            "pushplus: the body is read as JSON only with Content-Type application/json"
        )
    template, content = body.get("template"), body.get("content", "")
    if template not in ("markdown", "html"):
        problems.append(f"pushplus: template {template!r}")
    if not isinstance(content, str) or not content or utf16(content) > 20_000:
        problems.append("pushplus: content must be 1-20,000 characters")
    if len(body.get("title", "")) > 100:
        problems.append("pushplus: title over 100 characters")
    reader = read_html(content) if template == "html" else read_commonmark(content)
    if template == "html":
        made = set(reader.tags) - {"p", "b", "a", "h4", "br"}
        problems += [f"pushplus: the HTML has <{tag}>" for tag in sorted(made)]
    else:
        problems += _markdown_problems("pushplus", reader)
    if problems:
        return Seen(False, _json({"code": 999, "msg": "; ".join(problems)}), problems)
    answer = {"code": 200, "msg": "请求成功", "data": "075074e3c17e449e9a0cb79cc6f3fc83"}
    shown = f"{body.get('title', '')}\n{''.join(reader.text)}"
    return Seen(True, _json(answer), shown=shown, links=reader.links)


def _telegram_error(code: int, description: str, **parameters: Any) -> Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return _json(body, status=code)


def check_telegram(request: Request, body: dict[str, Any], now: float) -> Seen:
    token = request.path.split("/")[-2].removeprefix("bot")
    if token != TELEGRAM_TOKEN:
        return Seen(False, _telegram_error(401, "Unauthorized"))
    if str(body.get("chat_id")) not in TELEGRAM_CHATS:
        return Seen(False, _telegram_error(400, "Bad Request: chat not found"))
    problems = []
    if body.get("parse_mode") != "MarkdownV2":
        problems.append(f"telegram: parse_mode {body.get('parse_mode')!r}")
    if body.get("link_preview_options") != {"is_disabled": True}:
        problems.append("telegram: link previews are on")
    try:
        shown, entities = parse_markdown_v2(body.get("text", ""))
    except MarkdownV2Error as exc:
        problems.append(f"telegram: {exc}")
        return Seen(
            False, _telegram_error(400, f"Bad Request: can't parse entities: {exc}"), problems
        )
    if not shown or len(shown) > 4096:  # tdlib: utf8_length of the parsed text
        problems.append(f"telegram: {len(shown)} characters after parsing")
        return Seen(False, _telegram_error(400, "Bad Request: message is too long"), problems)
    if len(entities) > 100:  # accepted, but the formatting after the 100th entity is lost
        problems.append(f"telegram: {len(entities)} entities > 100")
    links = [("", url) for kind, url in entities if kind == "text_link"]
    result = {
        "message_id": int(now) % 100_000,
        "date": int(now),
        "chat": {"id": body["chat_id"]},
        "text": shown,
    }
    return Seen(not problems, _json({"ok": True, "result": result}), problems, shown, links)


def check_discord(request: Request, body: dict[str, Any], now: float) -> Seen:
    problems = []
    if request.args.get("wait") != "true":
        problems.append("discord: posted without wait=true: the 204 confirms nothing")
    if body.get("allowed_mentions") != {"parse": []}:
        problems.append("discord: mentions are not turned off")
    content, embeds = body.get("content", ""), body.get("embeds", [])
    if utf16(content) > 2000:
        problems.append("discord: content over 2,000 characters")
    if not 1 <= len(embeds) <= 10:
        problems.append(f"discord: {len(embeds)} embeds")
    total = 0
    shown_parts, links = [], []
    text, found, more = read_discord_markdown(content)
    shown_parts.append(text)
    links += found
    problems += more
    for embed in embeds:
        title, description = embed.get("title", ""), embed.get("description", "")
        total += utf16(title) + utf16(description)
        if utf16(title) > 256 or utf16(description) > 4096 or not description:
            problems.append("discord: an embed's title over 256 or description over 4,096")
        text, found, more = read_discord_markdown(description)
        shown_parts += [title, text]
        links += found
        problems += more
    if total > 6000:
        problems.append(f"discord: embeds total {total} characters > 6,000")
    if problems:
        answer = {"code": 50035, "errors": {}, "message": "Invalid Form Body"}
        status = 400 if request.args.get("wait") == "true" else 204
        return Seen(
            False, _json(answer, status) if status == 400 else Response(status=204), problems
        )
    message = {"id": str(1_000_000 + int(now) % 1000), "content": content, "embeds": embeds}
    return Seen(True, _json(message), shown="\n".join(shown_parts), links=links)


CHAT_SERVICES = {
    "serverchan": check_serverchan,
    "pushplus": check_pushplus,
    "telegram": check_telegram,
    "discord": check_discord,
}
