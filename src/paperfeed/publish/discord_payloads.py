"""Discord webhook messages: a short ``content`` line and one embed per topic.

Pure: an ``Edition`` part in, the JSON body out; ``webhooks`` posts it to the webhook URL with
``?wait=true``, so Discord answers with the created message (or an error) instead of a bare
204 that does not say whether the message was saved.

What was followed (discord/discord-api-docs, ``developers/resources/webhook.mdx`` "Execute
Webhook", ``developers/resources/message.mdx`` "Embed Limits" and "Allowed Mentions",
``developers/topics/rate-limits.mdx``):

- ``content`` at most 2,000 characters; at most 10 embeds; an embed's ``title`` at most 256
  characters, ``description`` at most 4,096; the titles, descriptions, field names and values,
  footers and author names of all embeds of a message together at most 6,000. Violations are a
  400 Bad Request.
- Embeds, not ``content``, carry the papers: 6,000 characters a message instead of 2,000, a
  topic per embed (a second one when its papers pass 4,096 characters), and no link previews for the listed links (only links in ``content``
  unfurl). ``content`` has the title, the count and the link to the day's page (``<url>``:
  no preview).
- ``allowed_mentions = {"parse": []}``: an "@everyone" in a title never pings anyone.
- Lengths are counted in UTF-16 code units, never fewer than the code points Discord may count.

Escaping: Discord's Markdown drops a backslash before any ASCII punctuation and shows the
character; every character that can start structure (``\\ * _ ~ ` | [ ] ( ) < > # -``) in paper
text is escaped, so a title can make neither a link, a mention, a heading nor a spoiler. An
embed's title is the reader's own topic name, as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from paperfeed.publish.chat_text import (
    CONTINUED,
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

DISCORD_MAX_CONTENT = 2000
DISCORD_MAX_EMBEDS = 10
DISCORD_MAX_TITLE = 256
DISCORD_MAX_DESCRIPTION = 4096
DISCORD_MAX_EMBED_TOTAL = 6000
ARXIV_RED = 0xB31B1B

_MARKUP = re.compile(r"([\\*_~`|\[\]()<>#\-])")


def escape_markdown(text: str) -> str:
    return _MARKUP.sub(r"\\\1", text)


def _item(item: Item) -> str:
    entry = item.entry
    link = f"[{escape_markdown(cut(entry.paper.title))}]({entry.paper.abs_url})"
    line = f"{link} · {escape_markdown(meta(entry))}"
    if entry.translated and entry.title_zh:
        return f"**{item.number}. {escape_markdown(cut(entry.title_zh))}**\n{line}"
    return f"**{item.number}.** {line}"


def _embeds(heading: str, lines: Sequence[str]) -> list[Payload]:
    """One topic's papers as embeds of at most 4,096 characters of description each (a topic
    longer than that goes on in a second embed, its title marked continued)."""
    descriptions: list[list[str]] = [[]]
    size = 0
    for line in lines:
        added = utf16_length(line) + (1 if descriptions[-1] else 0)
        if descriptions[-1] and size + added > DISCORD_MAX_DESCRIPTION:
            descriptions.append([])
            size, added = 0, utf16_length(line)
        descriptions[-1].append(line)
        size += added
    title = cut(heading, DISCORD_MAX_TITLE - len(CONTINUED))  # the reader's own topic: plain
    return [
        {
            "title": title if number == 0 else title + CONTINUED,
            "description": "\n".join(chunk),
            "color": ARXIV_RED,
        }
        for number, chunk in enumerate(descriptions)
    ]


def discord_body(edition: Edition, items: Sequence[Item], label: str, day_url: str) -> Payload:
    content = f"**{escape_markdown(edition.title + label)}**\n{escape_markdown(intro(edition))}"
    if day_url:
        content += f"\n{FULL_TEXT}：<{day_url}>"
    embeds = [
        embed
        for heading, group in grouped(items)
        for embed in _embeds(heading, [_item(i) for i in group])
    ]
    return {"content": content, "embeds": embeds, "allowed_mentions": {"parse": []}}


def discord_fits(body: Payload) -> bool:
    embeds = body["embeds"]
    texts = [e["title"] for e in embeds] + [e["description"] for e in embeds]
    return (
        utf16_length(body["content"]) <= DISCORD_MAX_CONTENT
        and len(embeds) <= DISCORD_MAX_EMBEDS
        and all(utf16_length(e["title"]) <= DISCORD_MAX_TITLE for e in embeds)
        and all(utf16_length(e["description"]) <= DISCORD_MAX_DESCRIPTION for e in embeds)
        and sum(utf16_length(t) for t in texts) <= DISCORD_MAX_EMBED_TOTAL
    )
