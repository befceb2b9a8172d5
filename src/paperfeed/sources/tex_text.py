r"""TeX accents and letters in arXiv metadata, as Unicode.

arXiv keeps names, titles and abstracts as their authors typed them, often in TeX:
``Benjamin R\'emy``, ``Przemys{\l}aw``, ``Schr\"odinger``. Stored verbatim, ``au:remy`` finds
nothing and digests print ``Lundstr\"om``. ``tex_to_unicode`` turns the *characters* TeX spells
with macros into Unicode, as arXiv's own pages do (arxiv-base's ``tex2utf``):

- accents on a letter: ``\'e`` ``\"{o}`` ``{\"o}`` ``\'\i`` ``\v{s}`` ``\H{o}`` ``\c{c}`` ...
- letters: ``\l`` ``\o`` ``\ss`` ``\ae`` ``\aa`` ``\i`` ... (``{\l}``, ``\ss{}``, ``\o `` too)

Everything else comes through unchanged, byte for byte: math (``$...$``, ``$$...$$``,
``\(...\)``, ``\[...\]``) whatever it contains, markup (``\textbf{re}search``, ``\emph{..}``),
escaped specials (``\%``, ``\$``, ``\&``), ``~``, ``--``, braces, URLs, ``C++`` and text that is
Unicode already. That is what the established digests print: Unicode names, TeX markup and
math as the authors wrote it.

Which constructs count is decided here, with arXiv's conservative grammar (letter-named
accents only with braces, so ``\b`` or ``\u`` in prose is never touched); what each construct
*is* comes from pylatexenc's tables, the field's TeX-to-text library. Strings without a
backslash, nearly all of them, return at once.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

# The letter a symbol or letter-named accent sits on: an ASCII letter, or dotless i / j.
_BASE = r"(?:[A-Za-z]|\\[ij](?![A-Za-z]))"
_LETTERS = r"(?:ss|ae|AE|oe|OE|aa|AA|dh|DH|dj|DJ|th|TH|ng|NG|l|L|o|O|i|j)(?![A-Za-z])"
# One construct, from its backslash: a symbol accent (\'e, \"{o}, \'\i, \'{\i}); a letter-named accent,
# only braced (\v{s}: "\b m" or "\u sers" in prose is not TeX); or a letter, which ends at "{}"
# or at one space that TeX swallows (Przemys\l aw -> Przemysław). Every alternative starts
# with the backslash, so the regex engine finds candidates with a fast scan for it.
_CONSTRUCT = re.compile(
    rf"""\\(?:['"`^~=.](?:[A-Za-z]|\\[ij](?![A-Za-z]) ?|\{{{_BASE}\}})"""
    rf"|[uvHckrdb]\{{{_BASE}\}}|{_LETTERS}(?:\{{\}}| )?)"
)
# Math delimiters, and the escapes that are not delimiters ("\\" a line break, "\$" a dollar).
_DELIMITER = re.compile(r"\\[\\$(\[]|\$\$?")
_MATH_END = {
    "$": re.compile(r"(?:\\.|[^\\$])*\$", re.DOTALL),
    "$$": re.compile(r"(?:\\.|[^\\$]|\$(?!\$))*\$\$", re.DOTALL),
    "\\(": re.compile(r"(?:\\[^)]|[^\\])*\\\)", re.DOTALL),
    "\\[": re.compile(r"(?:\\[^\]]|[^\\])*\\\]", re.DOTALL),
}

_TO_TEXT = LatexNodes2Text()


def tex_to_unicode(text: str) -> str:
    """``text`` with TeX accents and letters outside math as Unicode (NFC); else unchanged."""
    if "\\" not in text:
        return text
    constructs = [m for m in _CONSTRUCT.finditer(text) if not _escaped(text, m.start())]
    if not constructs:
        return text
    math = _math_spans(text)
    out: list[str] = []
    pos = 0  # text[pos:] is not yet copied to out
    span = 0  # math[span:] end after the constructs seen so far start
    for found in constructs:
        start, end = found.span()
        while span < len(math) and math[span][1] <= start:
            span += 1
        if span < len(math) and math[span][0] <= start:
            continue  # inside math: verbatim
        if start < pos:
            continue  # swallowed by the group of the previous construct (never, in practice)
        construct = found.group()
        if (
            start > 0
            and text[start - 1] == "{"
            and text[end : end + 1] == "}"
            and not _escaped(text, start - 1)
        ):
            start, end, construct = start - 1, end + 1, text[start - 1 : end + 1]  # {\l} -> ł
        out.append(text[pos:start])
        out.append(_character(construct))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _escaped(text: str, index: int) -> bool:
    """Whether ``text[index]`` follows an odd run of backslashes (``\\{``, not ``\\\\{``)."""
    run = 0
    while index - run > 0 and text[index - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def _math_spans(text: str) -> list[tuple[int, int]]:
    """Where math is, as ``(start, end)`` in order. An opener that never closes is text."""
    spans: list[tuple[int, int]] = []
    scan = 0
    while (delimiter := _DELIMITER.search(text, scan)) is not None:
        scan = delimiter.end()
        opener = delimiter.group()
        if opener in ("\\\\", "\\$"):
            continue
        closed = _MATH_END[opener].match(text, scan)
        if closed is not None:
            spans.append((delimiter.start(), closed.end()))
            scan = closed.end()
    return spans


@lru_cache(maxsize=4096)
def _character(construct: str) -> str:
    """What one construct (``\\"o``, ``{\\l}``, ``\\ss{}``) spells, from pylatexenc's tables."""
    converted = _TO_TEXT.latex_to_text(construct.rstrip(" "))
    if not converted or "\\" in converted:  # not something pylatexenc knows: keep it
        return construct
    return unicodedata.normalize("NFC", converted)
