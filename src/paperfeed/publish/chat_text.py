"""What every chat message says, before a service's syntax: the papers as numbered items by
topic, the headings, the intro line, the part labels, and how services count characters.

Pure. Each service's builder (``webhook_payloads``, ``wechat_payloads``,
``telegram_payloads``, ``discord_payloads``) escapes these texts in its own syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from paperfeed.core.records import Digest, DigestEntry
from paperfeed.publish.edition import Edition
from paperfeed.publish.mathtext import plain_math
from paperfeed.publish.view import ANNOUNCE_LABELS

WORST_LABEL = "（99/99）"  # parts are measured with the widest label they could get
CONTINUED = "（续）"
TITLE_LIMIT = 300  # a single title longer than this is cut (it would not fit a WeCom message)
FULL_TEXT = "全文（含摘要）"

Payload = dict[str, Any]  # one message's JSON body


@dataclass(frozen=True, slots=True)
class Item:
    """One paper in one topic, as the chat builders print it."""

    topic: str
    topic_count: int
    number: int  # 1-based within the topic
    entry: DigestEntry


def items_of(digest: Digest) -> list[Item]:
    return [
        Item(section.topic, len(section.entries), number, entry)
        for section in digest.sections
        for number, entry in enumerate(section.entries, start=1)
    ]


def cut(text: str, limit: int = TITLE_LIMIT) -> str:
    """One line of readable text: TeX as Unicode (``$O(n^2)$`` -> O(n²)), whitespace folded,
    at most ``limit`` characters."""
    text = " ".join(plain_math(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def meta_bits(entry: DigestEntry) -> list[str]:
    """Primary category, announce type, and "未翻译" for an untranslated paper (plain text)."""
    bits = [entry.paper.primary_category]
    if entry.announce_type:
        bits.append(ANNOUNCE_LABELS[entry.announce_type])
    if not entry.translated:
        bits.append("未翻译")
    return [b for b in bits if b]


def meta(entry: DigestEntry) -> str:
    return " · ".join(meta_bits(entry))


def topic_heading(item: Item, continued: bool) -> str:
    return f"{item.topic} ({item.topic_count}){CONTINUED if continued else ''}"


def grouped(items: Sequence[Item]) -> list[tuple[str, list[Item]]]:
    """Consecutive items by topic, each with its heading (marked when it continues a topic
    from the previous message)."""
    groups: list[tuple[str, list[Item]]] = []
    for item in items:
        if not groups or groups[-1][1][0].topic != item.topic:
            continued = item.number > 1 and not groups
            groups.append((topic_heading(item, continued), [item]))
        else:
            groups[-1][1].append(item)
    return groups


def intro(edition: Edition, count_only: bool = False) -> str:
    count = f"共 {edition.digest.paper_count} 篇相关文章"
    return (
        count if count_only else f"{count}（{', '.join(s.topic for s in edition.digest.sections)}）"
    )


def footer(day_url: str) -> str:
    return f"{FULL_TEXT}：{day_url}" if day_url else ""


def fit_title(title: str, label: str, limit: int) -> str:
    """``title`` + ``label`` in at most ``limit`` characters: the title is cut, never the
    part label, so "（2/3）" survives a short title field."""
    if len(title) + len(label) <= limit:
        return title + label
    return title[: max(limit - len(label) - 1, 0)] + "…" + label


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: what JavaScript and Java count, never less than Python's
    count of code points (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2
