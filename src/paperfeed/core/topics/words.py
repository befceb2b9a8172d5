"""Words: how a text is split into the folded words that queries are matched against.

A word is a run of letters and digits (``_`` separates words); folding removes accents and case
("Sébastien" -> "sebastien"), also from the Latin letters Unicode does not decompose
("Jørgensen" -> "jorgensen"). :func:`words_of` is the definition every match works on;
:func:`scan_form` is the same words as bytes, for a substring scan over many papers at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

__all__ = [
    "SCAN_TABLE",
    "WORD_PATTERN",
    "fold_word",
    "scan_form",
    "scan_text",
    "scan_word",
    "word_matches",
    "words_of",
]

# A word: letters and digits ("_" separates words), with any combining accents written as
# separate code points (text that is not NFC-normalized) kept inside the word, not splitting it.
_ACCENTS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
WORD_PATTERN = re.compile(rf"[^\W_](?:[^\W_]|[{_ACCENTS}])*")
# The same words in ASCII text, found faster.
_ASCII_CASED_WORD = re.compile(r"[A-Za-z0-9]+")
_NOT_ASCII_ALNUM = bytes(b for b in range(256) if not chr(b).isascii() or not chr(b).isalnum())
_ASCII_SEPARATORS = bytes.maketrans(_NOT_ASCII_ALNUM, b" " * len(_NOT_ASCII_ALNUM))

# Latin letters with a stroke, a bar or no dot, and ligatures: Unicode gives them no
# decomposition into a base letter and a combining mark, so NFKD leaves them whole, yet a
# reader typing a name in ASCII writes them as these letters ("Jørgensen" as "jorgensen",
# "Łukasz" as "lukasz", "Yılmaz" as "yilmaz"). Applied after case folding, so lower case only.
_UNDECOMPOSED = {
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "ħ": "h",
    "ı": "i",
    "ŧ": "t",
    "ƀ": "b",
    "ɨ": "i",
    "ʉ": "u",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
}
_UNDECOMPOSED_LETTERS = str.maketrans(_UNDECOMPOSED)
_ANY_UNDECOMPOSED = re.compile("[" + "".join(_UNDECOMPOSED) + "]")


def fold_word(word: str) -> str:
    """A word as matching compares it: accents removed, case folded ("Sébastien" -> "sebastien",
    "Jørgensen" -> "jorgensen")."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold().translate(_UNDECOMPOSED_LETTERS) or word.casefold()


def words_of(text: str) -> tuple[str, ...]:
    """The folded words of ``text``, in order: the tokens every match works on.

    The n-th word is the folded text of the n-th match of :func:`word_matches`, folded by
    :func:`fold_word`.
    """
    if text.isascii():
        # Most titles and abstracts are ASCII; byte translation splits them three times
        # faster than the regular expression, into the same words.
        return tuple(
            text.encode("ascii").lower().translate(_ASCII_SEPARATORS).decode("ascii").split()
        )
    folded = _folded_utf8(text)
    if folded is not None:
        return tuple(folded.decode("utf-8").split())
    return tuple(fold_word(token) for token in WORD_PATTERN.findall(text))


def _fold_character(c: str) -> str | None:
    """What one non-ASCII character becomes in folded text where folding can go character by
    character: a letter or digit its folded letters, a combining accent nothing, anything else
    a space. None for a character whose folding depends on its neighbours: one that folds to
    nothing or to more than letters and digits ("½" -> "1⁄2"), or an accent-block character
    that is no combining mark (it joins a word only when it follows one)."""
    if c.isalnum():
        decomposed = unicodedata.normalize("NFKD", c)
        stripped = "".join(d for d in decomposed if not unicodedata.combining(d))
        folded = stripped.casefold().translate(_UNDECOMPOSED_LETTERS)
        return folded if folded and folded.isalnum() else None
    if _ACCENT.fullmatch(c):
        return "" if unicodedata.combining(c) else None
    return " "


@lru_cache(maxsize=8192)
def _fold_run(run: bytes) -> bytes | None:
    """A run of non-ASCII characters (UTF-8) folded character by character, or None."""
    out = []
    for c in run.decode("utf-8"):
        folded = _fold_character(c)
        if folded is None:
            return None
        out.append(folded)
    return "".join(out).encode("utf-8")


# The scan alphabet: ASCII letters lower-cased, other ASCII bytes but digits turned into spaces,
# bytes of UTF-8 sequences kept. Applied alike to texts and to the words scanned for.
SCAN_TABLE = bytes(
    c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 or c >= 128 else 32
    for c in range(256)
)


_NON_ASCII_RUN = re.compile(rb"[\x80-\xff]+")
_ACCENT = re.compile(rf"[{_ACCENTS}]")


class _Unfoldable(Exception):
    pass


def _folded_utf8(text: str) -> bytes | None:
    """``text`` folded character by character, as UTF-8, words separated by white space; None
    when some character's folding depends on its neighbours.

    Folding a word is folding each of its characters in turn (NFKD, dropping combining marks,
    case folding and the letter table all work one character at a time, and marks reordered
    by NFKD are dropped anyway), so where every character folds on its own into letters and
    digits, into nothing (an accent) or into a separator, the folded text splits into exactly
    the folded words."""

    def fold(found: re.Match[bytes]) -> bytes:
        folded = _fold_run(found.group())
        if folded is None:
            raise _Unfoldable
        return folded

    try:
        return _NON_ASCII_RUN.sub(fold, text.encode("utf-8").translate(SCAN_TABLE))
    except _Unfoldable:
        return None


def word_matches(text: str) -> Iterator[re.Match[str]]:
    """The words of ``text`` as regex matches, giving their offsets in ``text``."""
    return (_ASCII_CASED_WORD if text.isascii() else WORD_PATTERN).finditer(text)


def scan_text(text: str) -> str:
    """``text`` ready for a substring scan, as a string of one-byte characters (so that many
    can be joined and encoded as Latin-1 at once, with character offsets as byte offsets): an
    ASCII text as it is, any other its folded words as UTF-8 bytes read as Latin-1.

    :func:`scan_form` is this, encoded and mapped through ``SCAN_TABLE``."""
    if text.isascii():
        return text
    folded = _folded_utf8(text)
    if folded is None:
        folded = " ".join(words_of(text)).encode("utf-8")
    return folded.decode("latin-1")


def scan_form(text: str) -> bytes:
    """The words of ``text`` in the scan alphabet, separated by white space.

    Every word ``w`` of :func:`words_of` occurs in ``b" " + scan_form(text) + b" "`` as
    :func:`scan_word` ``(w)``, so a scan for a word finds every text that has it, and a scan
    for ``scan_word(prefix, prefix=True)`` every text with a word so beginning. (A text may
    have a few more: the scan alphabet turns ASCII punctuation some rare letters fold to, as
    "½" to "1⁄2", into spaces.)"""
    return scan_text(text).encode("latin-1").translate(SCAN_TABLE)


def scan_word(word: str, *, prefix: bool = False) -> bytes:
    """What a scan looks for to find the folded word ``word`` as a whole word (or, with
    ``prefix``, at the start of a word) in a :func:`scan_form`."""
    needle = b" " + word.encode("utf-8") + (b"" if prefix else b" ")
    return needle.translate(SCAN_TABLE)
