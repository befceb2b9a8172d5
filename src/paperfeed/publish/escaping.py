"""Data strings made safe where autoescaping does not reach: Markdown, and messages in HTML.

Markdown: paper text is data, never markup. Every character that would start Markdown
structure (emphasis, links, HTML, tables, headings, lists) is backslash-escaped. TeX between
dollar signs is left as written, because Markdown renderers with math support (GitHub,
Obsidian, pandoc) read it there and escaping would corrupt it.

Messages (the web pages' notices and errors): escaped, with the `commands` they name shown as
``<code>``.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from paperfeed.publish.mathtext import split_math

# CommonMark lets a backslash escape any ASCII punctuation; these are the ones that can start
# or end structure inline. "&" too: "&lt;" would otherwise turn into "<".
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>|#~&])")
# At the start of a line these begin a list, quote, heading, setext underline or ordered list.
_LINE_START_MARKER = re.compile(r"^([-+=])|^(\d+)([.)])")
_BACKTICKS = re.compile(r"`([^`]+)`")


def escape_inline(text: str) -> str:
    """Text escaped for use inside a Markdown line (heading, list item, table cell)."""
    return _INLINE_SPECIALS.sub(r"\\\1", " ".join(text.splitlines()))


def _escape_line_start(line: str) -> str:
    # Leading spaces would make an indented code block; drop them.
    return _LINE_START_MARKER.sub(
        lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3),
        line.lstrip(),
    )


def escape_prose(text: str) -> str:
    """A title or abstract: escaped outside ``$...$`` math, each line safe at its start."""
    escaped = "".join(
        piece if is_math else _INLINE_SPECIALS.sub(r"\\\1", piece)
        for is_math, piece in split_math(text)
    )
    return "\n".join(_escape_line_start(line) for line in escaped.splitlines())


def escape_heading(text: str) -> str:
    """Prose for a one-line heading: line breaks folded, then escaped like prose."""
    return escape_prose(" ".join(text.splitlines()))


def code_spans(text: str) -> Markup:
    """``text`` escaped, with `backticked` parts (commands in messages) as ``<code>``."""
    out: list[Markup] = []
    position = 0
    for found in _BACKTICKS.finditer(text):
        out.append(escape(text[position : found.start()]))
        out.append(Markup("<code>{}</code>").format(found.group(1)))
        position = found.end()
    out.append(escape(text[position:]))
    return Markup("").join(out)
