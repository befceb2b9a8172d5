"""A paper's searchable text, and finding a compiled phrase in one of its fields.

A phrase is compiled per field into a :class:`Pattern`: a test per word (the forms it accepts,
or a prefix). Finding it in a field gives the text of its first occurrence as the paper wrote
it. In an ASCII field (most titles and abstracts) one regular expression equivalent to the
word-by-word test finds it in the lower-cased text without splitting it into words; any other field is split
into folded words (:func:`~paperfeed.core.topics.words.words_of`) and searched word by word.
Where a scan of the listing already told which words a field lacks (``present``), a pattern
needing one of them is rejected before either.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from paperfeed.core.records import Paper
from paperfeed.core.topics.query import TextField
from paperfeed.core.topics.words import scan_word, word_matches, words_of

__all__ = [
    "PIECE_SEPARATOR",
    "PaperText",
    "Pattern",
    "Segment",
    "WordTest",
    "needles_of",
    "word_tests",
]

# Joins author names into one text. No name contains it, so a match whose text contains it
# spans two names and is rejected; it is ASCII and no word character, so words stay the same.
PIECE_SEPARATOR = "\x1f"

# One word of a compiled phrase: the set of accepted word forms, or a prefix (a str).
WordTest = frozenset[str] | str


def _word_test(word: str, *, last: bool, plural: bool) -> WordTest:
    if word.endswith("*"):
        return word[:-1]
    if not (last and plural):
        return frozenset((word,))
    forms = {word, word + "s", word + "es"}
    if len(word) > 1 and word.endswith("y"):
        forms.add(word[:-1] + "ies")
    return frozenset(forms)


def word_tests(words: tuple[str, ...], field: TextField) -> tuple[WordTest, ...]:
    """What each word of a phrase accepts in ``field``: its forms, or its prefix."""
    # Plurals belong to prose; a name "Levine" should not find "Levines".
    plural = field != "authors"
    return tuple(
        _word_test(word, last=i == len(words) - 1, plural=plural) for i, word in enumerate(words)
    )


def needles_of(test: WordTest) -> frozenset[bytes]:
    """What a scan of a listing looks for to find a word test: each form as a whole word, or
    the prefix at the start of a word (see :func:`~paperfeed.core.topics.words.scan_word`)."""
    if isinstance(test, str):
        return frozenset((scan_word(test, prefix=True),))
    return frozenset(scan_word(form) for form in test)


def _common_prefix(forms: tuple[str, ...]) -> str:
    shortest = min(forms, key=len)
    for end in range(len(shortest), 0, -1):
        if all(form.startswith(shortest[:end]) for form in forms):
            return shortest[:end]
    return ""


def _ascii_regex(tests: tuple[WordTest, ...], *, pieces: bool) -> re.Pattern[str] | None:
    """The regular expression finding the phrase in a lower-cased ASCII text, as the
    word-by-word test would: whole words (a prefix taking the rest of its word) separated by
    anything but letters and digits (but, between pieces, never the piece separator). None
    when a word can occur in no ASCII text.

    It starts with the first word's letters, so that the regex engine looks for them as a
    string; the word boundary before them is a look-behind after them."""
    parts: list[str] = []
    for test in tests:
        forms = (test,) if isinstance(test, str) else tuple(sorted(test))
        if not all(form.isascii() for form in forms):
            return None
        stem = _common_prefix(forms)
        if not parts:
            parts.append(f"{re.escape(stem)}(?<![a-z0-9]{re.escape(stem)})")
        else:
            parts.append(re.escape(stem))
        if isinstance(test, str):
            parts.append("[a-z0-9]*")
        else:
            endings = "|".join(re.escape(form[len(stem) :]) for form in forms)
            parts.append(f"(?:{endings})(?![a-z0-9])")
        parts.append(f"[^a-z0-9{PIECE_SEPARATOR}]+" if pieces else "[^a-z0-9]+")
    return re.compile("".join(parts[:-1]))


@dataclass(frozen=True, slots=True)
class Pattern:
    """A phrase compiled for one field: a test per word."""

    tests: tuple[WordTest, ...]
    pieces: bool  # searched in a field of pieces (the authors)
    required: tuple[frozenset[str], ...] = field(repr=False)  # exact-word tests
    prefixes: tuple[str, ...] = field(repr=False)  # prefix tests
    needles: tuple[frozenset[bytes], ...] = field(repr=False)  # each test's scan needles
    ascii_regex: re.Pattern[str] | None = field(repr=False)

    @classmethod
    def of(cls, words: tuple[str, ...], field: TextField) -> Pattern:
        tests = word_tests(words, field)
        pieces = field == "authors"
        return cls(
            tests=tests,
            pieces=pieces,
            required=tuple(t for t in tests if not isinstance(t, str)),
            prefixes=tuple(t for t in tests if isinstance(t, str)),
            needles=tuple(needles_of(t) for t in tests),
            ascii_regex=_ascii_regex(tests, pieces=pieces),
        )


class Segment:
    """The words of one field (a title, an abstract, the author list), searched as a unit.

    A segment made of pieces (author names joined by ``PIECE_SEPARATOR``) never matches a phrase
    across two pieces, so au:"Levine Chelsea" does not join two authors' names. Its words,
    vocabulary and sorted vocabulary are built on first use, and an ASCII segment searched
    only by regular expression never needs them.
    """

    __slots__ = (
        "_sorted_vocabulary",
        "_vocabulary",
        "_words",
        "known",
        "pieces",
        "present",
        "text",
    )

    def __init__(
        self,
        text: str,
        *,
        pieces: bool = False,
        known: frozenset[bytes] = frozenset(),
        present: frozenset[bytes] = frozenset(),
    ) -> None:
        self.text = text
        self.pieces = pieces  # whether ``text`` joins pieces with PIECE_SEPARATOR
        # Needles a scan looked for in this field, and those of them it found.
        self.known = known
        self.present = present
        self._words: tuple[str, ...] | None = None
        self._vocabulary: frozenset[str] | None = None
        self._sorted_vocabulary: tuple[str, ...] | None = None

    @classmethod
    def of(cls, text: str) -> Segment:
        return cls(text)

    @classmethod
    def of_pieces(cls, pieces: tuple[str, ...]) -> Segment:
        """One segment over several pieces of text (author names)."""
        return cls(PIECE_SEPARATOR.join(pieces), pieces=True)

    @property
    def words(self) -> tuple[str, ...]:
        """The folded words, in order."""
        if self._words is None:
            self._words = words_of(self.text)
        return self._words

    @property
    def vocabulary(self) -> frozenset[str]:
        if self._vocabulary is None:
            self._vocabulary = frozenset(self.words)
        return self._vocabulary

    @property
    def sorted_vocabulary(self) -> tuple[str, ...]:
        """For prefix look-ups by bisection."""
        if self._sorted_vocabulary is None:
            self._sorted_vocabulary = tuple(sorted(self.vocabulary))
        return self._sorted_vocabulary

    def find(self, pattern: Pattern) -> str | None:
        """The text of the first occurrence of ``pattern``, as written, or None."""
        if self.known:
            # A word the scan looked for and did not find is not here.
            for needles in pattern.needles:
                if needles <= self.known and needles.isdisjoint(self.present):
                    return None
        if self.text.isascii():
            if pattern.ascii_regex is None:
                return None
            found = pattern.ascii_regex.search(self.text.lower())
            return None if found is None else self.text[found.start() : found.end()]
        return self._find_words(pattern)

    def _find_words(self, pattern: Pattern) -> str | None:
        # Cheap rejection first: most papers lack most words.
        for forms in pattern.required:
            if forms.isdisjoint(self.vocabulary):
                return None
        for prefix in pattern.prefixes:
            if not self._has_prefix(prefix):
                return None
        words, tests = self.words, pattern.tests
        size = len(tests)
        for start in self._starts(tests[0]):
            if start + size > len(words):
                break
            if all(_accepts(tests[k], words[start + k]) for k in range(1, size)):
                text = self._text(start, size)
                if not (self.pieces and PIECE_SEPARATOR in text):
                    return text
        return None

    def _has_prefix(self, prefix: str) -> bool:
        ordered = self.sorted_vocabulary
        i = bisect_left(ordered, prefix)
        return i < len(ordered) and ordered[i].startswith(prefix)

    def _starts(self, test: WordTest) -> list[int]:
        """Where the first word of a phrase matches, ascending."""
        words = self.words
        if isinstance(test, str):
            return [i for i, word in enumerate(words) if word.startswith(test)]
        starts: list[int] = []
        for form in test & self.vocabulary:
            starts.extend(_positions(words, form))
        starts.sort()
        return starts

    def _text(self, start: int, size: int) -> str:
        """The text of words ``start`` to ``start + size - 1``, as written."""
        # Offsets are found only now, and only up to the match: most segments never match.
        spans = [m.span() for m in islice(word_matches(self.text), start, start + size)]
        return self.text[spans[0][0] : spans[-1][1]]


def _positions(words: tuple[str, ...], word: str) -> list[int]:
    """Every index of ``word`` in ``words`` (which contains it), ascending."""
    found = [words.index(word)]
    for _ in range(words.count(word) - 1):
        found.append(words.index(word, found[-1] + 1))
    return found


def _accepts(test: WordTest, word: str) -> bool:
    return word.startswith(test) if isinstance(test, str) else word in test


# What a scan of the listing found in one paper: per field, the needles it looked for and
# those it found.
Scanned = Mapping[TextField, tuple[frozenset[bytes], frozenset[bytes]]]


class PaperText:
    """A paper's searchable fields, each made a :class:`Segment` when a term first needs it.

    ``scanned`` (from a scan of the listing) lets a field reject a phrase with a word it lacks
    at once."""

    __slots__ = ("_abstract", "_authors", "_title", "paper", "scanned")

    def __init__(self, paper: Paper, scanned: Scanned | None = None) -> None:
        self.paper = paper
        self.scanned = scanned
        self._title: Segment | None = None
        self._abstract: Segment | None = None
        self._authors: Segment | None = None

    @classmethod
    def of(cls, paper: Paper) -> PaperText:
        """The paper's text; cached, so every topic reuses one tokenization."""
        return _paper_text(paper)

    def _segment(self, text: str, field: TextField) -> Segment:
        pieces = field == "authors"
        if self.scanned is None or field not in self.scanned:
            return Segment(text, pieces=pieces)
        known, present = self.scanned[field]
        return Segment(text, pieces=pieces, known=known, present=present)

    @property
    def title(self) -> Segment:
        if self._title is None:
            self._title = self._segment(self.paper.title, "title")
        return self._title

    @property
    def abstract(self) -> Segment:
        if self._abstract is None:
            self._abstract = self._segment(self.paper.abstract, "abstract")
        return self._abstract

    @property
    def authors(self) -> Segment:
        """Every author's name, as pieces."""
        if self._authors is None:
            self._authors = self._segment(PIECE_SEPARATOR.join(self.paper.authors), "authors")
        return self._authors

    @property
    def categories(self) -> tuple[str, ...]:
        return self.paper.categories


@lru_cache(maxsize=8192)  # more than one day's listing, so a run tokenizes each paper once
def _paper_text(paper: Paper) -> PaperText:
    return PaperText(paper)
