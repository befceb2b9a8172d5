"""Messages to personal WeChat through ServerChan (Server酱) and PushPlus (推送加).

Pure: an ``Edition`` part in, the JSON body out. The SendKey and the PushPlus token are not in
these bodies: ``webhooks`` puts them in the URL (ServerChan) or the body (PushPlus) at send
time, so a dry run or a log line never carries them.

What was followed:

- ServerChan Turbo, "SendKey" API page (sct.ftqq.com/sendkey, as quoted by its users' code,
  e.g. the Javadoc of LiukewenSC/kewen-framework ``FangTangMessageDTO``) and the official SDK
  (easychen/serverchan-sdk, README: ``POST https://sctapi.ftqq.com/<SendKey>.send`` with a JSON
  body ``{"title", "desp", ...}``; a ``sctp<N>t...`` key of Server酱³ goes to
  ``https://<N>.push.ft07.com/send/<SendKey>.send``; the answer is ``{"code", "message",
  "data"}`` with ``code`` 0 on success). Limits: ``title`` required, at most 32 characters;
  ``desp`` Markdown, at most 32 KB; ``short`` (the card text) at most 64 characters; ``noip=1``
  hides the caller's IP in the message.
- PushPlus, "发送消息接口" and "接口返回码说明" (www.pushplus.plus/doc): ``POST
  https://www.pushplus.plus/send`` with JSON ``{"token", "title", "content", "template",
  "topic"}``; ``template`` ``markdown`` or ``html`` (among others); the answer is ``{"code",
  "msg", "data"}`` with ``code`` 200 on success (900: the account is restricted for sending too
  much, 903: bad token, 905: the account is not verified, 999: the content was refused). The
  API pages state no size limit; its users report 20,000 characters of content for a verified
  account (100,000 for members) and a quota of 5 requests a minute, 200 a day (comments in
  ZhuLinsen/daily_stock_analysis ``pushplus_sender``). The content is kept under 20,000 UTF-16
  code units (the service is Java: ``String.length()``), the title under 32 characters.

Escaping. Paper text is data: in Markdown, ``&``, ``<`` and ``>`` become entities (every
Markdown renderer passes entities through, and no raw HTML reaches the page) and the
characters that open inline structure get a backslash (``\\`` `` ` `` ``*`` ``_`` ``[`` ``]``
``~`` ``|``), which CommonMark and the older renderers (Parsedown, marked) all honour. In HTML
everything is escaped by markupsafe. TeX is shown as Unicode (``$O(n^2)$`` -> O(n²)).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup

from paperfeed.publish.chat_text import (
    FULL_TEXT,
    Item,
    Payload,
    cut,
    fit_title,
    grouped,
    intro,
    meta,
    utf16_length,
)
from paperfeed.publish.edition import Edition

SERVERCHAN_MAX_TITLE = 32
SERVERCHAN_MAX_SHORT = 64
SERVERCHAN_MAX_DESP_BYTES = 32_000  # "32KB", kept under it whichever K is meant
PUSHPLUS_MAX_TITLE = 32
PUSHPLUS_MAX_CONTENT = 20_000  # UTF-16 code units
PUSHPLUS_TEMPLATES = ("markdown", "html")

_INLINE_MARKUP = re.compile(r"([\\`*_\[\]~|])")


def markdown_text(text: str) -> str:
    """Paper text for a WeChat Markdown message: readable math, no structure, no HTML."""
    plain = cut(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _INLINE_MARKUP.sub(r"\\\1", plain)


def _markdown_item(item: Item) -> str:
    entry = item.entry
    link = f"[{markdown_text(entry.paper.title)}]({entry.paper.abs_url})"
    line = f"{link} · {markdown_text(meta(entry))}"
    if entry.translated and entry.title_zh:
        # Two trailing spaces: a hard line break in every Markdown flavour.
        return f"**{item.number}. {markdown_text(entry.title_zh)}**  \n{line}"
    return f"**{item.number}.** {line}"


def _markdown(edition: Edition, items: Sequence[Item], day_url: str) -> str:
    blocks = [markdown_text(intro(edition))]
    for heading, group in grouped(items):
        blocks.append(f"#### {markdown_text(heading)}")
        blocks += [_markdown_item(i) for i in group]
    if day_url:
        blocks.append(f"[{FULL_TEXT}]({day_url})")
    return "\n\n".join(blocks)


def serverchan_body(edition: Edition, items: Sequence[Item], label: str, day_url: str) -> Payload:
    return {
        "title": fit_title(edition.title, label, SERVERCHAN_MAX_TITLE),
        "desp": _markdown(edition, items, day_url),
        "short": cut(intro(edition), SERVERCHAN_MAX_SHORT),
    }


def serverchan_fits(body: Payload) -> bool:
    return len(body["desp"].encode()) <= SERVERCHAN_MAX_DESP_BYTES


def pushplus_body(edition: Edition, items: Sequence[Item], label: str, day_url: str) -> Payload:
    return {
        "title": fit_title(edition.title, label, PUSHPLUS_MAX_TITLE),
        "content": _markdown(edition, items, day_url),
        "template": "markdown",
    }


def _html_item(item: Item) -> Markup:
    entry = item.entry
    link = Markup('<a href="{}">{}</a>').format(entry.paper.abs_url, cut(entry.paper.title))
    line = Markup("{} · {}").format(link, meta(entry))
    if entry.translated and entry.title_zh:
        return Markup("<p><b>{}. {}</b><br>{}</p>").format(item.number, cut(entry.title_zh), line)
    return Markup("<p><b>{}.</b> {}</p>").format(item.number, line)


def pushplus_html_body(
    edition: Edition, items: Sequence[Item], label: str, day_url: str
) -> Payload:
    parts = [Markup('<p style="color:#888">{}</p>').format(intro(edition))]
    for heading, group in grouped(items):
        parts.append(Markup("<h4>{}</h4>").format(heading))
        parts += [_html_item(i) for i in group]
    if day_url:
        parts.append(Markup('<p><a href="{}">{}</a></p>').format(day_url, FULL_TEXT))
    return {
        "title": fit_title(edition.title, label, PUSHPLUS_MAX_TITLE),
        "content": str(Markup("\n").join(parts)),
        "template": "html",
    }


def pushplus_fits(body: Payload) -> bool:
    return utf16_length(body["content"]) <= PUSHPLUS_MAX_CONTENT
