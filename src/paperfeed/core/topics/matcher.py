"""Topics, and matching their parsed queries against papers, recording why each paper matched.

A topic's query is compiled once into nested closures holding each term's compiled pattern
per field, and a paper's fields (:class:`PaperText`) are searched for those patterns as terms
need them (:mod:`paperfeed.core.topics.paper_text`). This is the one exact
matcher: selecting over a whole listing (:mod:`paperfeed.core.topics.select`) first narrows
each topic to the papers that can match it (:mod:`paperfeed.core.topics.prefilter`), then
asks this matcher about those.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import assert_never

from paperfeed.core.errors import QueryError
from paperfeed.core.records import AnnounceType, MatchedTerm, Paper
from paperfeed.core.topics.paper_text import PaperText, Pattern, Segment
from paperfeed.core.topics.paper_text import _paper_text as _paper_text  # benchmarks clear it
from paperfeed.core.topics.query import (
    And,
    CategoryTerm,
    Not,
    Or,
    Phrase,
    Query,
    category_term,
    parse_query,
)

__all__ = ["PaperText", "Segment", "Topic", "TopicMatcher", "compile_topic"]


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic of the digest, as configured."""

    name: str
    query: str
    # The paper must carry at least one of these categories or archives ("cs.RO", "cs").
    categories: tuple[str, ...] = ()
    exclude: str = ""  # a query; a paper matching it is dropped
    include_cross: bool = True
    include_replacements: bool = False


# --- compiling a query -------------------------------------------------------------------------

_Test = Callable[[PaperText], list[MatchedTerm] | None]


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
        (field_name, attrgetter(field_name), Pattern.of(node.words, field_name))
        for field_name in node.fields
    )

    def test(text: PaperText) -> list[MatchedTerm] | None:
        found: list[MatchedTerm] = []
        for field_name, segment_of, pattern in checks:
            segment: Segment = segment_of(text)
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


def query_matcher(query: Query) -> Callable[[Paper], tuple[MatchedTerm, ...] | None]:
    """What ``query`` matched in a paper (as the topic matcher records it), or None: the one
    implementation of the query language, for topics and for the archive's search alike."""
    test = _compile(query)

    def match(paper: Paper) -> tuple[MatchedTerm, ...] | None:
        found = test(PaperText.of(paper))
        return None if found is None else tuple(found)

    return match


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
