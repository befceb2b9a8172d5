"""A paper's relevance score and the breakdown that explains it (pure; no model needed).

Four signals, each a number from 0 to 1:

- **keyword**: how the topic query matched: in the title or by author 1.0, in the abstract 0.6,
  only by category 0.3; each further distinct matched term adds 0.1 (at most 1).
- **similarity**: cosine similarity of the paper's embedding to the nearest paper of the reader's
  profile (below 0 counts as 0); that paper is named.
- **authors**: 1 when an author is one the reader follows (they are named).
- **community**: Hugging Face upvotes, log-scaled: 1 from ``COMMUNITY_SATURATION`` upvotes on.

Each signal is weighted, and the weights of the signals that exist in this run (no profile: no
similarity; nobody followed: no authors; no community data: no community) are scaled to sum
to 1, so a total is a fraction from 0 to 1 whatever is configured. The parts are rounded to
three decimals and the total is their sum: the breakdown always adds up to what is shown.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from paperfeed.core.records import MatchedTerm

PART_NAMES = ("keyword", "similarity", "authors", "community")
FIELD_STRENGTH = {"title": 1.0, "authors": 1.0, "abstract": 0.6, "categories": 0.3}
EXTRA_TERM_BONUS = 0.1
COMMUNITY_SATURATION = 50  # upvotes at which the community signal is full
DECIMALS = 3


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each part of a paper's score counts (relative to each other)."""

    keyword: float = 1.0
    similarity: float = 2.0
    authors: float = 1.0
    community: float = 0.5


@dataclass(frozen=True, slots=True)
class ProfileRef:
    """A paper of the reader's profile, as a score names it."""

    arxiv_id: str | None  # None: a bibliography entry without an arXiv id
    title: str

    @property
    def label(self) -> str:
        return f"{self.arxiv_id} {self.title}" if self.arxiv_id else self.title


@dataclass(frozen=True, slots=True)
class ScorePart:
    name: str  # one of PART_NAMES
    value: float  # what it adds to the total (weighted, rounded to DECIMALS)
    signal: float  # the signal from 0 to 1 before weighting
    weight: float  # its share of the total (the scaled weight; 0 when not available)
    detail: str  # why: "reinforcement learning in title", "0.71 to 2606.04029 ..."


@dataclass(frozen=True, slots=True)
class Score:
    arxiv_id: str
    total: float  # the sum of the parts' values
    parts: tuple[ScorePart, ...]  # in PART_NAMES order, only those available in this run
    nearest: ProfileRef | None = None  # the profile paper the similarity is to

    def part(self, name: str) -> ScorePart | None:
        return next((p for p in self.parts if p.name == name), None)


@dataclass(frozen=True, slots=True)
class PaperSignals:
    """What is known about one paper for scoring."""

    arxiv_id: str
    terms: tuple[MatchedTerm, ...] = ()
    similarity: float | None = None  # None: no profile to compare with
    nearest: ProfileRef | None = None
    authors: tuple[str, ...] = ()  # followed authors among the paper's authors
    upvotes: int = 0


@dataclass(frozen=True, slots=True)
class ScoringContext:
    """Which signals this run has, and their weights."""

    weights: Weights
    has_profile: bool = False
    follows_authors: bool = False
    has_community: bool = False

    def shares(self) -> dict[str, float]:
        """Each available signal's weight, scaled so that they sum to 1."""
        available = {
            "keyword": True,
            "similarity": self.has_profile,
            "authors": self.follows_authors,
            "community": self.has_community,
        }
        raw = {n: getattr(self.weights, n) for n in PART_NAMES if available[n]}
        total = sum(raw.values())
        if total <= 0:  # only keyword available and weighted 0: keyword alone decides
            return {"keyword": 1.0}
        return {n: w / total for n, w in raw.items()}


def keyword_signal(terms: Sequence[MatchedTerm]) -> tuple[float, str]:
    """(signal, detail) of how a topic query matched."""
    if not terms:
        return 0.0, "no keyword match recorded"
    best = max(FIELD_STRENGTH.get(t.field, 0.3) for t in terms)
    distinct = {t.term.casefold() for t in terms}
    signal = min(1.0, best + EXTRA_TERM_BONUS * (len(distinct) - 1))
    where: dict[str, list[str]] = {}
    for t in terms:
        fields = where.setdefault(t.term, [])
        if t.field not in fields:
            fields.append(t.field)
    return signal, "; ".join(f"{term} in {', '.join(f)}" for term, f in where.items())


def community_signal(upvotes: int) -> float:
    if upvotes <= 0:
        return 0.0
    return min(1.0, math.log1p(upvotes) / math.log1p(COMMUNITY_SATURATION))


def score_paper(signals: PaperSignals, context: ScoringContext) -> Score:
    shares = context.shares()
    names = [n for n in PART_NAMES if n in shares]
    found = {n: _signal(n, signals) for n in names}
    values = apportion([shares[n] * found[n][0] for n in names])
    parts = tuple(
        ScorePart(
            name=name,
            value=value,
            signal=round(found[name][0], DECIMALS),
            weight=round(shares[name], DECIMALS),
            detail=found[name][1],
        )
        for name, value in zip(names, values, strict=True)
    )
    return Score(
        arxiv_id=signals.arxiv_id,
        total=round(sum(values), DECIMALS),
        parts=parts,
        nearest=signals.nearest if "similarity" in shares else None,
    )


def apportion(values: Sequence[float]) -> list[float]:
    """``values`` rounded to ``DECIMALS`` so that they still add up to their rounded sum (the
    largest remainders get the spare units): a perfect paper shows 1.000, not 0.999."""
    scale = 10**DECIMALS
    units = [v * scale for v in values]
    floors = [math.floor(u + 1e-9) for u in units]
    spare = round(sum(units)) - sum(floors)
    by_remainder = sorted(range(len(units)), key=lambda i: floors[i] - units[i])
    for i in by_remainder[: max(0, spare)]:
        floors[i] += 1
    return [f / scale for f in floors]


def _signal(name: str, signals: PaperSignals) -> tuple[float, str]:
    if name == "keyword":
        return keyword_signal(signals.terms)
    if name == "similarity":
        if signals.similarity is None:
            return 0.0, "not embedded"
        value = max(0.0, min(1.0, signals.similarity))
        to = f" to {signals.nearest.label}" if signals.nearest else ""
        return value, f"{signals.similarity:.2f}{to}"
    if name == "authors":
        if not signals.authors:
            return 0.0, "no followed author"
        return 1.0, ", ".join(signals.authors)
    noun = "upvote" if signals.upvotes == 1 else "upvotes"
    return community_signal(signals.upvotes), f"{signals.upvotes} {noun} on Hugging Face"


_NOT_LETTERS = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def name_key(name: str) -> str:
    """A person's name compared loosely: accents, case, punctuation and "Last, First" order
    do not matter ("Müller, J.-P." and "J P Muller" agree)."""
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first} {last}"
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    folded = _NOT_LETTERS.sub(" ", folded)
    return _SPACES.sub(" ", folded).strip()


def followed_authors(paper_authors: Sequence[str], followed: Sequence[str]) -> tuple[str, ...]:
    """The paper's authors the reader follows, as the paper writes them."""
    wanted = {name_key(f) for f in followed}
    return tuple(a for a in paper_authors if name_key(a) in wanted)


def score_json(score: Score) -> dict[str, Any]:
    """A score as plain values (stored, and printed in the JSON digest)."""
    return {
        "total": score.total,
        "parts": {
            p.name: {"value": p.value, "signal": p.signal, "weight": p.weight, "detail": p.detail}
            for p in score.parts
        },
        "nearest": (
            {"id": score.nearest.arxiv_id, "title": score.nearest.title} if score.nearest else None
        ),
    }


def score_from_json(arxiv_id: str, data: Mapping[str, Any]) -> Score:
    nearest = data.get("nearest")
    return Score(
        arxiv_id=arxiv_id,
        total=float(data["total"]),
        parts=tuple(
            ScorePart(
                name=name,
                value=float(part["value"]),
                signal=float(part["signal"]),
                weight=float(part["weight"]),
                detail=str(part["detail"]),
            )
            for name, part in data["parts"].items()
        ),
        nearest=ProfileRef(nearest.get("id"), str(nearest.get("title", ""))) if nearest else None,
    )
