"""Narrowing a listing to the papers that can match each topic, with one scan of each field.

Matching exactly needs each paper's fields split into words, and splitting every paper of a
large listing is most of what selecting costs, while most papers match no topic. So a topic
first gets its *candidates*: the papers that contain, as a whole word in a field the term
searches, the words of the terms the topic cannot match without. One Aho-Corasick
automaton per field (``ahocorasick_rs``, native code) finds every chosen word in a chunk of
papers in a single pass over their folded text (:func:`~paperfeed.core.topics.words.scan_form`);
only candidates are then split into words and matched exactly. A candidate set is never
smaller than the set of matches, so selecting stays exactly what matching every paper gives.

A phrase's candidates have every word of it in one field, an AND's satisfy every term, an
OR's any; a term under NOT narrows nothing. How often each word occurs in a sample of the
listing decides what is worth a scan: a word far more common than one per paper (as "model"
may be) is left out where the other words narrow enough, since recording its every hit costs
more than the candidates it would remove.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import assert_never

from ahocorasick_rs import BytesAhoCorasick

from paperfeed.core.records import Paper
from paperfeed.core.topics.matcher import TopicMatcher
from paperfeed.core.topics.paper_text import PIECE_SEPARATOR, PaperText, needles_of, word_tests
from paperfeed.core.topics.query import And, CategoryTerm, Not, Or, Phrase, Query, TextField
from paperfeed.core.topics.words import SCAN_TABLE, scan_text

__all__ = ["ListingScan", "scan_listing"]

# Papers per scan: buffers of a few MB, few calls into native code.
_CHUNK = 2048
# Papers sampled to count how often each word occurs.
_SAMPLE = 256

_FIELDS: tuple[TextField, ...] = ("title", "abstract", "authors")


def _field_texts(papers: Sequence[Paper], field: TextField) -> list[str]:
    if field == "title":
        return [paper.title for paper in papers]
    if field == "abstract":
        return [paper.abstract for paper in papers]
    return [PIECE_SEPARATOR.join(paper.authors) for paper in papers]


def _scan(
    papers: Sequence[Paper], indices: Sequence[int], field: TextField, needles: Sequence[bytes]
) -> list[list[int]]:
    """For each needle, the indices (from ``indices``, ascending) of the papers whose ``field``
    has it; an index appears once per occurrence."""
    found: list[list[int]] = [[] for _ in needles]
    if not needles:
        return found
    automaton = BytesAhoCorasick(list(needles))
    for begin in range(0, len(indices), _CHUNK):
        chunk = indices[begin : begin + _CHUNK]
        texts = [
            text if text.isascii() else scan_text(text)
            for text in _field_texts([papers[i] for i in chunk], field)
        ]
        # Each text starts one byte after the previous one's end: every word has a space on
        # each side, and none spans two papers. One character is one byte (scan_text).
        starts = list(accumulate((len(text) + 1 for text in texts[:-1]), initial=1))
        buffer = f" {' '.join(texts)} ".encode("latin-1").translate(SCAN_TABLE)
        for needle, start, _end in automaton.find_matches_as_indexes(buffer, overlapping=True):
            # start is the space before the word; the word's first byte is in its paper.
            found[needle].append(chunk[bisect_right(starts, start + 1) - 1])
    return found


# A plan narrows a query to its candidates: None stands for every paper.
@dataclass(frozen=True, slots=True)
class _Words:
    """Papers whose ``field`` has any of these needles (the forms of one word)."""

    field: TextField
    needles: frozenset[bytes]
    cost: float  # sampled occurrences per paper: how many hits a scan records


@dataclass(frozen=True, slots=True)
class _Categories:
    terms: tuple[CategoryTerm, ...]  # papers with a category any term matches


@dataclass(frozen=True, slots=True)
class _Union:
    parts: tuple[_Plan, ...]


@dataclass(frozen=True, slots=True)
class _Intersection:
    parts: tuple[_Plan, ...]


_Plan = _Words | _Categories | _Union | _Intersection

# Occurrences per paper above which a word or term is not worth scanning for when the others
# beside it narrow enough: recording its hits costs more than the candidates it removes.
_COMMON = 1.0


def _cost(plan: _Plan) -> float:
    if isinstance(plan, _Words):
        return plan.cost
    if isinstance(plan, _Categories):
        return 0.0  # known for every paper without a scan
    if isinstance(plan, _Union):
        return sum(_cost(part) for part in plan.parts)
    return min(_cost(part) for part in plan.parts)


def _narrowest(parts: Sequence[_Plan]) -> _Plan:
    """The intersection of the parts worth scanning for (at least the cheapest one)."""
    kept = [part for part in parts if _cost(part) <= _COMMON] or [min(parts, key=_cost)]
    return kept[0] if len(kept) == 1 else _Intersection(tuple(kept))


class _Planner:
    """Plans each query's candidates, from how often words occur in a sample of the papers."""

    def __init__(self, papers: Sequence[Paper], phrases: Sequence[Phrase]) -> None:
        step = max(1, len(papers) // _SAMPLE)
        sample = range(0, len(papers), step)
        wanted: dict[TextField, set[bytes]] = defaultdict(set)
        for phrase in phrases:
            for field in phrase.fields:
                for test in word_tests(phrase.words, field):
                    wanted[field] |= needles_of(test)
        self.rates: dict[tuple[TextField, bytes], float] = {}
        for field, needles in wanted.items():
            ordered = sorted(needles)
            for needle, hits in zip(ordered, _scan(papers, sample, field, ordered), strict=True):
                self.rates[field, needle] = len(hits) / max(1, len(sample))

    def plan(self, node: Query) -> _Plan | None:
        if isinstance(node, Phrase):
            return self._phrase(node)
        if isinstance(node, CategoryTerm):
            return _Categories((node,))
        if isinstance(node, Not):
            return None
        if isinstance(node, Or):
            parts = [self.plan(operand) for operand in node.operands]
            if any(part is None for part in parts):
                return None
            return _Union(tuple(part for part in parts if part is not None))
        if isinstance(node, And):
            plans = [p for p in (self.plan(operand) for operand in node.operands) if p is not None]
            return _narrowest(plans) if plans else None
        assert_never(node)

    def _phrase(self, node: Phrase) -> _Plan:
        """In each field the phrase searches, papers with every word of it (but very common
        ones); the phrase's candidates are those of any of its fields."""
        per_field: list[_Plan] = []
        for field in node.fields:
            words = []
            for test in word_tests(node.words, field):
                needles = needles_of(test)
                rate = sum(self.rates.get((field, needle), 0.0) for needle in needles)
                words.append(_Words(field, needles, rate))
            per_field.append(_narrowest(words))
        return per_field[0] if len(per_field) == 1 else _Union(tuple(per_field))


@dataclass(frozen=True, slots=True)
class ListingScan:
    """What one scan of a listing's papers found, for the topics it was planned for."""

    # For each matcher, the indices of the papers that can match its query and category
    # restriction (None: any paper can). A paper outside its set does not match.
    candidates: list[frozenset[int] | None]
    known: dict[TextField, frozenset[bytes]]  # the needles looked for, per field
    found: dict[TextField, dict[int, set[bytes]]]  # per field, per paper: the needles found

    def text(self, index: int, paper: Paper) -> PaperText:
        """The paper's text, knowing which scanned words each field lacks."""
        empty: frozenset[bytes] = frozenset()
        return PaperText(
            paper,
            {
                field: (known, frozenset(self.found[field].get(index, empty)))
                for field, known in self.known.items()
            },
        )


def scan_listing(matchers: Sequence[TopicMatcher], papers: Sequence[Paper]) -> ListingScan:
    """Plan each matcher's candidates, scan the papers once per field, and say which papers
    each matcher can match."""
    phrases = [node for matcher in matchers for node in _phrases(matcher.query)]
    planner = _Planner(papers, phrases)
    plans: list[_Plan | None] = []
    for matcher in matchers:
        plan = planner.plan(matcher.query)
        if matcher.restriction:
            restriction = _Categories(matcher.restriction)
            plan = restriction if plan is None else _Intersection((restriction, plan))
        plans.append(plan)

    wanted: dict[TextField, set[bytes]] = defaultdict(set)
    for plan in plans:
        if plan is not None:
            _collect(plan, wanted)
    every = range(len(papers))
    present: dict[tuple[TextField, bytes], frozenset[int]] = {}
    found: dict[TextField, dict[int, set[bytes]]] = {}
    for field in _FIELDS:
        if not wanted.get(field):
            continue
        ordered = sorted(wanted[field])
        by_paper: defaultdict[int, set[bytes]] = defaultdict(set)
        for needle, hits in zip(ordered, _scan(papers, every, field, ordered), strict=True):
            present[field, needle] = frozenset(hits)
            for index in hits:
                by_paper[index].add(needle)
        found[field] = by_paper
    by_category = _CategoryIndex(papers) if any(_has_categories(p) for p in plans) else None
    return ListingScan(
        candidates=[
            None if plan is None else _evaluate(plan, present, by_category) for plan in plans
        ],
        known={field: frozenset(wanted[field]) for field in found},
        found=found,
    )


def _phrases(node: Query) -> list[Phrase]:
    if isinstance(node, Phrase):
        return [node]
    if isinstance(node, CategoryTerm):
        return []
    if isinstance(node, Not):
        return []  # a term under NOT narrows nothing, so its words are never scanned
    return [phrase for operand in node.operands for phrase in _phrases(operand)]


def _collect(plan: _Plan, wanted: dict[TextField, set[bytes]]) -> None:
    if isinstance(plan, _Words):
        wanted[plan.field] |= plan.needles
    elif isinstance(plan, _Union | _Intersection):
        for part in plan.parts:
            _collect(part, wanted)


def _has_categories(plan: _Plan | None) -> bool:
    if isinstance(plan, _Categories):
        return True
    if isinstance(plan, _Union | _Intersection):
        return any(_has_categories(part) for part in plan.parts)
    return False


class _CategoryIndex:
    """Which papers carry each category code, for testing terms once per distinct code."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        self.papers: dict[str, list[int]] = defaultdict(list)
        for index, paper in enumerate(papers):
            for code in paper.categories:
                self.papers[code].append(index)

    def matching(self, terms: Sequence[CategoryTerm]) -> frozenset[int]:
        out: set[int] = set()
        for code, indices in self.papers.items():
            if any(term.matches(code) for term in terms):
                out.update(indices)
        return frozenset(out)


def _evaluate(
    plan: _Plan,
    present: dict[tuple[TextField, bytes], frozenset[int]],
    by_category: _CategoryIndex | None,
) -> frozenset[int]:
    if isinstance(plan, _Words):
        return frozenset().union(*(present[plan.field, needle] for needle in plan.needles))
    if isinstance(plan, _Categories):
        assert by_category is not None  # built whenever a plan tests categories
        return by_category.matching(plan.terms)
    parts = [_evaluate(part, present, by_category) for part in plan.parts]
    if isinstance(plan, _Union):
        return frozenset().union(*parts)
    return frozenset.intersection(*parts)
