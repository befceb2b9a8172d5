"""The topic matcher as it was at commit 7a4076a, kept as the reference the rewritten one must
agree with (``select_matches`` below is that commit's selection loop).

Copied verbatim but for the imports: it parses queries and splits words with the live
``paperfeed.core.topics.query`` (so it folds diacritics the way the matcher does now), and
only its matching and selection are the old ones. Do not "fix" anything here.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from operator import attrgetter
from typing import assert_never

from paperfeed.core.errors import QueryError
from paperfeed.core.records import AnnounceType, ListingItem, Match, MatchedTerm, Paper
from paperfeed.core.topics import Topic
from paperfeed.core.topics.query import (
    And,
    CategoryTerm,
    Not,
    Or,
    Phrase,
    Query,
    TextField,
    category_term,
    parse_query,
    word_matches,
    words_of,
)
from paperfeed.core.topics.select import arxiv_id_sort_key

# One word of a compiled phrase: the set of accepted word forms, or a prefix (a str).
_WordTest = frozenset[str] | str


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A phrase compiled for one field: a test per word."""

    tests: tuple[_WordTest, ...]
    required: tuple[frozenset[str], ...]  # the exact-word tests, for the quick rejection
    prefixes: tuple[str, ...]  # the prefix tests

    @classmethod
    def of(cls, tests: tuple[_WordTest, ...]) -> _Pattern:
        return cls(
            tests=tests,
            required=tuple(t for t in tests if not isinstance(t, str)),
            prefixes=tuple(t for t in tests if isinstance(t, str)),
        )


# Joins author names into one text. No name contains it, so a match whose text contains it
# spans two names and is rejected; it is ASCII and no word character, so words stay the same.
PIECE_SEPARATOR = "\x1f"


@dataclass(frozen=True, slots=True)
class Segment:
    """The words of one field (a title, an abstract, the author list), searched as a unit.

    A segment made of pieces (author names joined by ``PIECE_SEPARATOR``) never matches a phrase
    across two pieces, so au:"Levine Chelsea" does not join two authors' names.
    """

    text: str
    words: tuple[str, ...]  # folded words, in order
    vocabulary: frozenset[str]
    sorted_vocabulary: tuple[str, ...]  # for prefix look-ups by bisection
    pieces: bool = False  # whether ``text`` joins pieces with PIECE_SEPARATOR

    @classmethod
    def of(cls, text: str) -> Segment:
        words = words_of(text)
        vocabulary = frozenset(words)
        return cls(text, words, vocabulary, tuple(sorted(vocabulary)))

    @classmethod
    def of_pieces(cls, pieces: tuple[str, ...]) -> Segment:
        """One segment over several pieces of text (author names)."""
        text = PIECE_SEPARATOR.join(pieces)
        words = words_of(text)
        vocabulary = frozenset(words)
        return cls(text, words, vocabulary, tuple(sorted(vocabulary)), pieces=True)

    def find(self, pattern: _Pattern) -> str | None:
        """The text of the first occurrence of ``pattern``, as written, or None."""
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

    def _starts(self, test: _WordTest) -> list[int]:
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


def _accepts(test: _WordTest, word: str) -> bool:
    return word.startswith(test) if isinstance(test, str) else word in test


@dataclass(frozen=True, slots=True)
class PaperText:
    """A paper's searchable fields, tokenized."""

    title: Segment
    abstract: Segment
    authors: Segment  # every author's name, as pieces
    categories: tuple[str, ...]

    @classmethod
    def of(cls, paper: Paper) -> PaperText:
        """The paper's fields tokenized; cached, so every topic reuses one tokenization."""
        return _paper_text(paper)


@lru_cache(maxsize=8192)
def _paper_text(paper: Paper) -> PaperText:
    return PaperText(
        title=Segment.of(paper.title),
        abstract=Segment.of(paper.abstract),
        authors=Segment.of_pieces(paper.authors),
        categories=paper.categories,
    )


# --- compiling a query -------------------------------------------------------------------------

_Test = Callable[[PaperText], list[MatchedTerm] | None]


def _word_test(word: str, *, last: bool, plural: bool) -> _WordTest:
    if word.endswith("*"):
        return word[:-1]
    if not (last and plural):
        return frozenset((word,))
    forms = {word, word + "s", word + "es"}
    if len(word) > 1 and word.endswith("y"):
        forms.add(word[:-1] + "ies")
    return frozenset(forms)


def _pattern(words: tuple[str, ...], field: TextField) -> _Pattern:
    # Plurals belong to prose; a name "Levine" should not find "Levines".
    plural = field != "authors"
    return _Pattern.of(
        tuple(
            _word_test(word, last=i == len(words) - 1, plural=plural)
            for i, word in enumerate(words)
        )
    )


def _compile(node: Query) -> _Test:
    if isinstance(node, Phrase):
        return _phrase_test(node)
    if isinstance(node, CategoryTerm):
        return _category_test(node)
    if isinstance(node, Not):
        inner = _compile(node.operand)
        return lambda text: [] if inner(text) is None else None  # NOT adds no terms
    if isinstance(node, And):
        return _all_test(tuple(_compile(op) for op in node.operands))
    if isinstance(node, Or):
        return _any_test(tuple(_compile(op) for op in node.operands))
    assert_never(node)


def _phrase_test(node: Phrase) -> _Test:
    term = node.term
    checks = tuple(
        (field_name, attrgetter(field_name), pattern, pattern.required[:1])
        for field_name in node.fields
        for pattern in (_pattern(node.words, field_name),)
    )

    def test(text: PaperText) -> list[MatchedTerm] | None:
        found: list[MatchedTerm] = []
        for field_name, segment_of, pattern, first_required in checks:
            segment: Segment = segment_of(text)
            # The usual outcome, decided without a call: the field lacks the first word.
            if first_required and first_required[0].isdisjoint(segment.vocabulary):
                continue
            hit = segment.find(pattern)
            if hit is not None:
                found.append(MatchedTerm(term=term, field=field_name, text=hit))
        return found or None

    return test


def _category_test(node: CategoryTerm) -> _Test:
    def test(text: PaperText) -> list[MatchedTerm] | None:
        for category in text.categories:
            if node.matches(category):
                return [MatchedTerm(term=node.term, field="categories", text=category)]
        return None

    return test


def _all_test(tests: tuple[_Test, ...]) -> _Test:
    def test(text: PaperText) -> list[MatchedTerm] | None:
        found: list[MatchedTerm] = []
        for sub in tests:
            terms = sub(text)
            if terms is None:
                return None
            found.extend(terms)
        return found

    return test


def _any_test(tests: tuple[_Test, ...]) -> _Test:
    def test(text: PaperText) -> list[MatchedTerm] | None:
        # No short cut: every matching alternative is part of why the paper matched.
        results = [terms for terms in (sub(text) for sub in tests) if terms is not None]
        return [t for terms in results for t in terms] if results else None

    return test


# --- topics ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TopicMatcher:
    """A compiled topic: which papers belong to it, and why."""

    topic: Topic
    query: Query
    exclude: Query | None
    restriction: tuple[CategoryTerm, ...]
    _test: _Test = field(repr=False, compare=False)
    _exclude_test: _Test | None = field(repr=False, compare=False)

    def accepts(self, announce_type: AnnounceType | None) -> bool:
        """Whether papers announced this way belong in the topic (None: unknown, accepted)."""
        if announce_type is None or announce_type == "new":
            return True
        cross = self.topic.include_cross
        if announce_type == "cross":
            return cross
        if announce_type == "replace":
            return self.topic.include_replacements
        return self.topic.include_replacements and cross  # replace-cross

    def match(self, paper: Paper) -> tuple[MatchedTerm, ...] | None:
        """The terms that matched, one per (term, field), or None when the paper does not match."""
        return self.match_text(PaperText.of(paper))

    def match_text(self, text: PaperText) -> tuple[MatchedTerm, ...] | None:
        if self.restriction and not any(
            term.matches(category) for category in text.categories for term in self.restriction
        ):
            return None
        terms = self._test(text)
        if terms is None:
            return None
        if self._exclude_test is not None and self._exclude_test(text) is not None:
            return None
        first: dict[tuple[str, str], MatchedTerm] = {}
        for matched in terms:
            first.setdefault((matched.term, matched.field), matched)
        return tuple(first.values())


def compile_topic(topic: Topic) -> TopicMatcher:
    """Parse and compile a topic's query, exclude query and category restriction.

    Raises QueryError naming the topic when either query has a syntax error or a category is
    unknown.
    """
    query = parse_query(topic.query, topic=topic.name)
    exclude = (
        parse_query(topic.exclude, topic=topic.name, role="exclude")
        if topic.exclude.strip()
        else None
    )
    restriction: list[CategoryTerm] = []
    for spec in topic.categories:
        try:
            restriction.append(category_term(spec))
        except ValueError as problem:
            raise QueryError(str(problem), query=spec, position=0, topic=topic.name) from None
    return TopicMatcher(
        topic=topic,
        query=query,
        exclude=exclude,
        restriction=tuple(restriction),
        _test=_compile(query),
        _exclude_test=_compile(exclude) if exclude is not None else None,
    )


# --- selection (paperfeed.core.topics.select at 7a4076a) ------------------------------------


def select_matches(
    items: Sequence[ListingItem],
    topics: Sequence[Topic],
    *,
    delivered: Mapping[str, Set[str]] | None = None,
) -> dict[str, tuple[Match, ...]]:
    """Each topic's matches, keyed by topic name in topic order, each in ascending arXiv id order.

    ``delivered[topic name]`` holds the arXiv ids delivered under that topic before; they are
    left out. A paper listed twice keeps its first listing. Raises QueryError (naming the
    topic) when a topic's query does not parse.
    """
    matchers = [compile_topic(topic) for topic in topics]
    ordered = sorted(
        _first_listings(items), key=lambda item: arxiv_id_sort_key(item.paper.arxiv_id)
    )
    texts = [PaperText.of(item.paper) for item in ordered]
    out: dict[str, tuple[Match, ...]] = {}
    for matcher in matchers:
        name = matcher.topic.name
        seen = delivered.get(name, frozenset()) if delivered is not None else frozenset()
        matches: list[Match] = []
        for item, text in zip(ordered, texts, strict=True):
            if item.paper.arxiv_id in seen or not matcher.accepts(item.announce_type):
                continue
            terms = matcher.match_text(text)
            if terms is not None:
                matches.append(
                    Match(
                        topic=name, paper=item.paper, announce_type=item.announce_type, terms=terms
                    )
                )
        out[name] = tuple(matches)
    return out


def _first_listings(items: Sequence[ListingItem]) -> list[ListingItem]:
    seen: set[str] = set()
    out: list[ListingItem] = []
    for item in items:
        if item.paper.arxiv_id not in seen:
            seen.add(item.paper.arxiv_id)
            out.append(item)
    return out
