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

A digest larger than one message is sent as several, titled "(1/3)", "(2/3)", ...; a topic
continued from the previous message is marked "（续）".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from paperfeed.core.errors import DeliveryError
from paperfeed.core.records import Digest, DigestEntry, DigestSection
from paperfeed.publish.edition import Edition
from paperfeed.publish.json_format import digest_json
from paperfeed.publish.mathtext import plain_math
from paperfeed.publish.view import ANNOUNCE_LABELS

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
WORST_LABEL = "（99/99）"  # parts are measured with the widest label they could get
CONTINUED = "（续）"
_TITLE_LIMIT = 300  # a single title longer than this is cut (it would not fit a WeCom message)

Payload = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Item:
    """One paper in one topic, as the chat builders print it."""

    topic: str
    topic_count: int
    number: int  # 1-based within the topic
    entry: DigestEntry


def _items(digest: Digest) -> list[Item]:
    return [
        Item(section.topic, len(section.entries), number, entry)
        for section in digest.sections
        for number, entry in enumerate(section.entries, start=1)
    ]


def _cut(text: str, limit: int = _TITLE_LIMIT) -> str:
    text = " ".join(plain_math(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Characters that would open markdown structure in a title are swapped for look-alikes: the
# services document no escape mechanism that works in all of them.
_MARKDOWN_LOOKALIKES = str.maketrans(
    {"[": "［", "]": "］", "*": "∗", "`": "ˋ", "<": "‹", ">": "›", "#": "＃"}
)


def _md(text: str) -> str:
    return _cut(text).translate(_MARKDOWN_LOOKALIKES)


def _slack(text: str) -> str:
    """Slack mrkdwn: &, < and > must be entities (Slack's "Formatting text" guide)."""
    return _cut(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _meta(entry: DigestEntry) -> str:
    bits = [entry.paper.primary_category]
    if entry.announce_type:
        bits.append(ANNOUNCE_LABELS[entry.announce_type])
    if not entry.translated:
        bits.append("未翻译")
    return " · ".join(b for b in bits if b)


def _item_text(item: Item, *, text: Callable[[str], str], link: str, bold: str) -> str:
    """One paper: its number and Chinese title in bold (when translated), then ``link`` (the
    English title, made by the caller in the service's syntax) and the meta line."""
    entry = item.entry
    if entry.translated and entry.title_zh:
        return f"{bold}{item.number}. {text(entry.title_zh)}{bold}\n{link} · {_meta(entry)}"
    return f"{bold}{item.number}.{bold} {link} · {_meta(entry)}"


def _markdown_item(item: Item) -> str:
    paper = item.entry.paper
    return _item_text(item, text=_md, link=f"[{_md(paper.title)}]({paper.abs_url})", bold="**")


def _topic_heading(item: Item, continued: bool) -> str:
    return f"{item.topic} ({item.topic_count}){CONTINUED if continued else ''}"


def _grouped(items: Sequence[Item]) -> list[tuple[str, list[Item]]]:
    """Consecutive items by topic, each with its heading (marked when it continues a topic
    from the previous message)."""
    groups: list[tuple[str, list[Item]]] = []
    for item in items:
        if not groups or groups[-1][1][0].topic != item.topic:
            continued = item.number > 1 and not groups
            groups.append((_topic_heading(item, continued), [item]))
        else:
            groups[-1][1].append(item)
    return groups


def _intro(edition: Edition, count_only: bool = False) -> str:
    count = f"共 {edition.digest.paper_count} 篇相关文章"
    return (
        count if count_only else f"{count}（{', '.join(s.topic for s in edition.digest.sections)}）"
    )


def _footer(day_url: str) -> str:
    return f"全文（含摘要）：{day_url}" if day_url else ""


# -- the five services ---------------------------------------------------------------------


def dingtalk_body(edition: Edition, items: Sequence[Item], label: str, day_url: str) -> Payload:
    lines = [f"### {edition.title}{label}", _intro(edition)]
    for heading, group in _grouped(items):
        lines.append(f"#### {heading}")
        lines += [_markdown_item(i).replace("\n", "  \n") for i in group]
    if day_url:
        lines.append(_footer(day_url))
    return {
        "msgtype": "markdown",
        "markdown": {"title": f"{edition.title}{label}", "text": "\n\n".join(lines)},
    }


def _dingtalk_fits(body: Payload) -> bool:
    return len(json.dumps(body, ensure_ascii=False).encode()) <= DINGTALK_MAX_BYTES


def wecom_body(edition: Edition, items: Sequence[Item], label: str, day_url: str) -> Payload:
    lines = [f"## {edition.title}{label}", f'<font color="comment">{_intro(edition)}</font>']
    for heading, group in _grouped(items):
        lines.append(f"### {heading}")
        lines += [_markdown_item(i) for i in group]
    if day_url:
        lines.append(f"[全文（含摘要）]({day_url})")
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(lines)}}


def _wecom_fits(body: Payload) -> bool:
    return len(body["markdown"]["content"].encode()) <= WECOM_MAX_BYTES


def feishu_body(edition: Edition, items: Sequence[Item], label: str, day_url: str) -> Payload:
    elements: list[Payload] = [
        {"tag": "div", "text": {"tag": "lark_md", "content": _intro(edition)}}
    ]
    for heading, group in _grouped(items):
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
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _slack(_intro(edition))}]},
    ]
    for heading, group in _grouped(items):
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
}


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
    kind: str, edition: Edition, items: Sequence[Item], day_url: str = ""
) -> list[list[Item]]:
    """``items`` packed greedily into messages that each fit ``kind``'s limits."""
    builder, fits = BUILDERS[kind]
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
    kind: str, edition: Edition, *, day_url: str = "", message_key: str = ""
) -> list[Payload]:
    """The message bodies for ``kind``, in order; one when the digest fits in one."""
    if kind not in BUILDERS:
        raise DeliveryError(
            f"unknown webhook kind {kind!r}", hint=f"use one of {', '.join(BUILDERS)}"
        )
    builder, _ = BUILDERS[kind]
    parts = split_items(kind, edition, _items(edition.digest), day_url)
    total = len(parts)
    bodies = []
    for number, chunk in enumerate(parts, start=1):
        label = f"（{number}/{total}）" if total > 1 else ""
        body = builder(edition, chunk, label, day_url)
        if kind == "json":
            body = {"id": f"{message_key}/{number}", "part": number, "parts": total, **body}
        bodies.append(body)
    return bodies
