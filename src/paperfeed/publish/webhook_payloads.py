"""Chat messages from a digest, one builder per service, split to each service's size limits.

Pure: an ``Edition`` in, a list of JSON bodies out (unsigned; ``webhooks`` signs them at send
time). A chat message lists each paper compactly (Chinese title, English title linked to
arXiv, primary category, announce type); abstracts are for e-mail and the site, which the
message links to when ``[site] base_url`` is set.

Limits (from the services' documentation, with margin where the documentation is loose):

- Feishu/Lark custom bot: request body at most 20 KB (an interactive card may be 30 KB, the
  custom bot's request limit is the lower one); a card of at most 50 elements.
- DingTalk custom robot: message content at most 20,000 bytes; 20 messages a minute.
- WeCom group robot: markdown ``content`` at most 4,096 bytes of UTF-8; 20 messages a minute.
- Slack incoming webhook: at most 50 blocks, 3,000 characters per section text, 150 per
  header; the whole message is also kept under 12,000 characters, because Slack rejects
  messages well below its documented 40,000 with ``msg_blocks_too_long``
  (slackapi/bolt-js#2509).
- Generic JSON: 1 MB per request (a common default body limit of web frameworks).
- ServerChan, PushPlus (personal WeChat), Telegram and Discord: in ``wechat_payloads``,
  ``telegram_payloads`` and ``discord_payloads``, each with the documentation it follows.

A digest larger than one message is sent as several, titled "(1/3)", "(2/3)", ...; a topic
continued from the previous message is marked "（续）".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace

from paperfeed.core.errors import DeliveryError
from paperfeed.core.records import DigestSection
from paperfeed.publish.chat_text import (
    WORST_LABEL,
    Item,
    Payload,
    cut,
    footer,
    grouped,
    intro,
    items_of,
    meta,
)
from paperfeed.publish.discord_payloads import discord_body, discord_fits
from paperfeed.publish.edition import Edition
from paperfeed.publish.json_format import digest_json
from paperfeed.publish.telegram_payloads import telegram_body, telegram_fits
from paperfeed.publish.wechat_payloads import (
    pushplus_body,
    pushplus_fits,
    pushplus_html_body,
    serverchan_body,
    serverchan_fits,
)

FEISHU_MAX_BYTES = 20 * 1000  # request body; kept below 20 KB whichever K is meant
FEISHU_MAX_ELEMENTS = 50
DINGTALK_MAX_BYTES = 20_000
WECOM_MAX_BYTES = 4096
SLACK_MAX_BLOCKS = 50
SLACK_MAX_SECTION = 3000
SLACK_MAX_HEADER = 150
SLACK_MAX_TOTAL = 12_000
JSON_MAX_BYTES = 1_000_000
JSON_SCHEMA = "paperfeed.webhook/1"


# Characters that would open markdown structure in a title are swapped for look-alikes: the
# services document no escape mechanism that works in all of them.
_MARKDOWN_LOOKALIKES = str.maketrans(
    {"[": "［", "]": "］", "*": "∗", "`": "ˋ", "<": "‹", ">": "›", "#": "＃"}
)


def _md(text: str) -> str:
    return cut(text).translate(_MARKDOWN_LOOKALIKES)


def _slack(text: str) -> str:
    """Slack mrkdwn: &, < and > must be entities (Slack's "Formatting text" guide)."""
    return cut(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _item_text(item: Item, *, text: Callable[[str], str], link: str, bold: str) -> str:
    """One paper: its number and Chinese title in bold (when translated), then ``link`` (the
    English title, made by the caller in the service's syntax) and the meta line."""
    entry = item.entry
    if entry.translated and entry.title_zh:
        return f"{bold}{item.number}. {text(entry.title_zh)}{bold}\n{link} · {meta(entry)}"
    return f"{bold}{item.number}.{bold} {link} · {meta(entry)}"


def _markdown_item(item: Item) -> str:
    paper = item.entry.paper
    return _item_text(item, text=_md, link=f"[{_md(paper.title)}]({paper.abs_url})", bold="**")


# -- the first five services ---------------------------------------------------------------------


def dingtalk_body(edition: Edition, items: Sequence[Item], label: str, day_url: str) -> Payload:
    lines = [f"### {edition.title}{label}", intro(edition)]
    for heading, group in grouped(items):
        lines.append(f"#### {heading}")
        lines += [_markdown_item(i).replace("\n", "  \n") for i in group]
    if day_url:
        lines.append(footer(day_url))
    return {
        "msgtype": "markdown",
        "markdown": {"title": f"{edition.title}{label}", "text": "\n\n".join(lines)},
    }


def _dingtalk_fits(body: Payload) -> bool:
    return len(json.dumps(body, ensure_ascii=False).encode()) <= DINGTALK_MAX_BYTES


def wecom_body(edition: Edition, items: Sequence[Item], label: str, day_url: str) -> Payload:
    lines = [f"## {edition.title}{label}", f'<font color="comment">{intro(edition)}</font>']
    for heading, group in grouped(items):
        lines.append(f"### {heading}")
        lines += [_markdown_item(i) for i in group]
    if day_url:
        lines.append(f"[全文（含摘要）]({day_url})")
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(lines)}}


def _wecom_fits(body: Payload) -> bool:
    return len(body["markdown"]["content"].encode()) <= WECOM_MAX_BYTES


def feishu_body(edition: Edition, items: Sequence[Item], label: str, day_url: str) -> Payload:
    elements: list[Payload] = [
        {"tag": "div", "text": {"tag": "lark_md", "content": intro(edition)}}
    ]
    for heading, group in grouped(items):
        elements.append({"tag": "hr"})
        elements.append({"tag": "div", "text": {"tag": "lark_md", "content": f"**{heading}**"}})
        elements += [
            {"tag": "div", "text": {"tag": "lark_md", "content": _markdown_item(i)}} for i in group
        ]
    if day_url:
        elements.append(
            {"tag": "div", "text": {"tag": "lark_md", "content": f"[全文（含摘要）]({day_url})"}}
        )
    return {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {
                "title": {"tag": "plain_text", "content": f"{edition.title}{label}"},
                "template": "red",
            },
            "elements": elements,
        },
    }


def _feishu_fits(body: Payload) -> bool:
    # Signing adds "timestamp" and "sign" (under 80 bytes) at send time.
    size = len(json.dumps(body, ensure_ascii=False).encode()) + 80
    return size <= FEISHU_MAX_BYTES and len(body["card"]["elements"]) <= FEISHU_MAX_ELEMENTS


def _slack_item(item: Item) -> str:
    paper = item.entry.paper
    return _item_text(item, text=_slack, link=f"<{paper.abs_url}|{_slack(paper.title)}>", bold="*")


def slack_body(edition: Edition, items: Sequence[Item], label: str, day_url: str) -> Payload:
    title = f"{edition.title}{label}"
    blocks: list[Payload] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:SLACK_MAX_HEADER]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _slack(intro(edition))}]},
    ]
    for heading, group in grouped(items):
        blocks.append({"type": "divider"})
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{_slack(heading)}*"}}
        )
        blocks += [
            {"type": "section", "text": {"type": "mrkdwn", "text": _slack_item(i)}} for i in group
        ]
    if day_url:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<{day_url}|全文（含摘要）>"}],
            }
        )
    # "text" is the notification and fallback; with blocks present it is not shown twice.
    return {"text": title, "blocks": blocks}


def _slack_fits(body: Payload) -> bool:
    texts = [b["text"]["text"] for b in body["blocks"] if "text" in b] + [
        e["text"] for b in body["blocks"] for e in b.get("elements", ())
    ]
    return (
        len(body["blocks"]) <= SLACK_MAX_BLOCKS
        and all(len(t) <= SLACK_MAX_SECTION for t in texts)
        and sum(len(t) for t in texts) <= SLACK_MAX_TOTAL
    )


def json_body(edition: Edition, items: Sequence[Item], label: str, day_url: str) -> Payload:
    """``paperfeed.webhook/1``: the ``paperfeed.digest/1`` document of this part's papers,
    with the listings it covers and the part number. ``id``, ``part`` and ``parts`` are
    filled in by ``build_payloads``."""
    sections: list[DigestSection] = []
    for item in items:
        if not sections or sections[-1].topic != item.topic:
            sections.append(DigestSection(item.topic, ()))
        last = sections[-1]
        sections[-1] = DigestSection(last.topic, (*last.entries, item.entry))
    part = replace(edition.digest, sections=tuple(sections))
    return {
        "schema": JSON_SCHEMA,
        "title": f"{edition.title}{label}",
        "listing_dates": [d.isoformat() for d in edition.dates],
        "url": day_url or None,
        "digest": digest_json(part),
    }


def _json_fits(body: Payload) -> bool:
    return len(json.dumps(body, ensure_ascii=False).encode()) + 200 <= JSON_MAX_BYTES


Builder = Callable[[Edition, Sequence[Item], str, str], Payload]
BUILDERS: dict[str, tuple[Builder, Callable[[Payload], bool]]] = {
    "feishu": (feishu_body, _feishu_fits),
    "dingtalk": (dingtalk_body, _dingtalk_fits),
    "wecom": (wecom_body, _wecom_fits),
    "slack": (slack_body, _slack_fits),
    "json": (json_body, _json_fits),
    "serverchan": (serverchan_body, serverchan_fits),
    "pushplus": (pushplus_body, pushplus_fits),
    "telegram": (telegram_body, telegram_fits),
    "discord": (discord_body, discord_fits),
}
# Builders for a kind's other templates ([[webhooks]] template = ...); the default is BUILDERS'.
TEMPLATES: dict[tuple[str, str], tuple[Builder, Callable[[Payload], bool]]] = {
    ("pushplus", "html"): (pushplus_html_body, pushplus_fits),
}


def _builder(kind: str, template: str) -> tuple[Builder, Callable[[Payload], bool]]:
    if kind not in BUILDERS:
        raise DeliveryError(
            f"unknown webhook kind {kind!r}", hint=f"use one of {', '.join(BUILDERS)}"
        )
    return TEMPLATES.get((kind, template), BUILDERS[kind])


def _largest_fitting(
    items: Sequence[Item],
    build: Callable[[Sequence[Item]], Payload],
    fits: Callable[[Payload], bool],
) -> int:
    """How many leading ``items`` fit one message (binary search: size grows with count)."""
    if fits(build(items)):
        return len(items)
    low, high = 0, len(items)  # fits(low) holds, fits(high) does not
    while high - low > 1:
        middle = (low + high) // 2
        if fits(build(items[:middle])):
            low = middle
        else:
            high = middle
    return low


def split_items(
    kind: str,
    edition: Edition,
    items: Sequence[Item],
    day_url: str = "",
    template: str = "markdown",
) -> list[list[Item]]:
    """``items`` packed greedily into messages that each fit ``kind``'s limits."""
    builder, fits = _builder(kind, template)
    parts: list[list[Item]] = []
    rest = list(items)
    while rest:
        count = _largest_fitting(
            rest, lambda chunk: builder(edition, chunk, WORST_LABEL, day_url), fits
        )
        if count == 0:
            raise DeliveryError(
                f"one paper ({rest[0].entry.paper.arxiv_id}) does not fit a {kind} message",
                hint="this is a bug in paperfeed's splitting: please report it",
            )
        parts.append(rest[:count])
        rest = rest[count:]
    return parts


def build_payloads(
    kind: str,
    edition: Edition,
    *,
    day_url: str = "",
    message_key: str = "",
    template: str = "markdown",
) -> list[Payload]:
    """The message bodies for ``kind`` (in its ``template``, where it has several), in order;
    one when the digest fits in one."""
    builder, _ = _builder(kind, template)
    parts = split_items(kind, edition, items_of(edition.digest), day_url, template)
    total = len(parts)
    bodies = []
    for number, chunk in enumerate(parts, start=1):
        label = f"（{number}/{total}）" if total > 1 else ""
        body = builder(edition, chunk, label, day_url)
        if kind == "json":
            body = {"id": f"{message_key}/{number}", "part": number, "parts": total, **body}
        bodies.append(body)
    return bodies
