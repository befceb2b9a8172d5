"""The Markdown rendering: the digest for chat, notes and static sites.

Paper text is data, never markup: every character that would start Markdown structure
(emphasis, links, HTML, tables, headings, lists) is backslash-escaped. TeX between dollar signs
is left as written, because Markdown renderers with math support (GitHub, Obsidian, pandoc) read
it there and escaping would corrupt it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import jinja2

from paperfeed.core.records import Digest
from paperfeed.publish.view import digest_view, split_math

# CommonMark lets a backslash escape any ASCII punctuation; these are the ones that can start
# or end structure inline. "&" too: "&lt;" would otherwise turn into "<".
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>|#~&])")
# At the start of a line these begin a list, quote, heading, setext underline or ordered list.
_LINE_START_MARKER = re.compile(r"^([-+=])|^(\d+)([.)])")


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


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("paperfeed.publish", "templates/digest"),
        autoescape=False,  # Markdown is escaped by the filters below, not as HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = escape_inline
    env.filters["md_prose"] = escape_prose
    env.filters["md_heading"] = escape_heading
    return env


def render_markdown(
    digest: Digest,
    subject_names: Mapping[str, str] | None = None,
    tldrs: Mapping[str, str] | None = None,
) -> str:
    template = _environment().get_template("digest.md.j2")
    return template.render(digest=digest_view(digest, subject_names, tldrs))
