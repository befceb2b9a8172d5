"""Telegram bot messages: ``sendMessage`` with ``parse_mode = "MarkdownV2"``.

Pure: an ``Edition`` part in, the JSON body out; ``webhooks`` adds ``chat_id`` and puts the bot
token in the URL at send time.

What was followed (Bot API, core.telegram.org/bots/api):

- ``sendMessage``: ``text`` is "1-4096 characters after entities parsing"; the body also gets
  ``link_preview_options = {"is_disabled": true}`` (a digest is a list of links: a preview of
  the first one would only push the list down).
- "MarkdownV2 style": any character with code 1-126 may be escaped with a preceding ``\\``;
  outside entities every one of ``_ * [ ] ( ) ~ ` > # + - = | { } . !`` must be; inside the
  ``(...)`` of an inline link, ``)`` and ``\\`` must be. ``tdlib/td``
  (``td/telegram/MessageContent.cpp``) checks a bot's text length with ``utf8_length``, code
  points of the parsed text; the tdlib maintainer confirms the length is counted after parsing
  (tdlib/telegram-bot-api#374). Parts are measured in UTF-16 code units (never fewer than code
  points: an emoji is 2), so they fit either way.
- Two limits the page does not state: a message keeps at most 100 formatting entities (later
  ones are dropped silently: rubenlagus/TelegramBots#854, tdlib/telegram-bot-api#820), and the
  entities' total size is limited (``Entities_too_long``, "about 9500 characters" of markup:
  tdlib/telegram-bot-api#165). Parts keep at most 100 entities and 9,000 characters of markup.

Formatting: the title and topic headings bold, each paper's number and Chinese title bold, its
English title a link to arXiv, then category and announce type. TeX as Unicode.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from paperfeed.publish.chat_text import (
    FULL_TEXT,
    Item,
    Payload,
    cut,
    grouped,
    intro,
    meta,
    utf16_length,
)
from paperfeed.publish.edition import Edition

TELEGRAM_MAX_TEXT = 4096  # characters after entities parsing
TELEGRAM_MAX_ENTITIES = 100
TELEGRAM_MAX_MARKUP = 9000
PARSE_MODE = "MarkdownV2"

# Every character the Bot API lists as reserved outside entities, and the backslash itself.
RESERVED = "_*[]()~`>#+-=|{}.!"
_RESERVED = re.compile("([" + re.escape(RESERVED + "\\") + "])")


def escape_text(text: str) -> str:
    """Plain text for MarkdownV2, outside entities."""
    return _RESERVED.sub(r"\\\1", text)


def escape_url(url: str) -> str:
    """The ``(...)`` part of an inline link."""
    return url.replace("\\", "\\\\").replace(")", "\\)")


def _bold(text: str) -> str:
    return f"*{escape_text(text)}*"


def _link(text: str, url: str) -> str:
    return f"[{escape_text(text)}]({escape_url(url)})"


def _item(item: Item) -> str:
    entry = item.entry
    line = f"{_link(cut(entry.paper.title), entry.paper.abs_url)} {escape_text('· ' + meta(entry))}"
    if entry.translated and entry.title_zh:
        return f"{_bold(f'{item.number}. {cut(entry.title_zh)}')}\n{line}"
    return f"{_bold(f'{item.number}.')} {line}"


def telegram_body(edition: Edition, items: Sequence[Item], label: str, day_url: str) -> Payload:
    blocks = [f"{_bold(edition.title + label)}\n{escape_text(intro(edition))}"]
    for heading, group in grouped(items):
        blocks.append("\n".join([_bold(heading), *(_item(i) for i in group)]))
    if day_url:
        blocks.append(_link(FULL_TEXT, day_url))
    return {
        "text": "\n\n".join(blocks),
        "parse_mode": PARSE_MODE,
        "link_preview_options": {"is_disabled": True},
    }


def parsed(markup: str) -> tuple[str, int]:
    """(the text as Telegram shows it, the number of entities) of markup this module wrote:
    escapes undone, ``*`` markers and link targets removed."""
    shown: list[str] = []
    entities = 0
    position, end = 0, len(markup)
    in_bold = False
    while position < end:
        char = markup[position]
        if char == "\\" and position + 1 < end:
            shown.append(markup[position + 1])
            position += 2
            continue
        if char == "*":
            in_bold = not in_bold
            entities += in_bold
        elif char == "[":
            entities += 1
        elif char == "]" and markup.startswith("](", position):
            position += 2
            while position < end and markup[position] != ")":
                position += 2 if markup[position] == "\\" else 1
        else:
            shown.append(char)
        position += 1
    return "".join(shown), entities


def telegram_fits(body: Payload) -> bool:
    markup = body["text"]
    if utf16_length(markup) > TELEGRAM_MAX_MARKUP:
        return False
    shown, entities = parsed(markup)
    return utf16_length(shown) <= TELEGRAM_MAX_TEXT and entities <= TELEGRAM_MAX_ENTITIES
