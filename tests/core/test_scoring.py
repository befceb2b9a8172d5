"""Scores and their breakdowns (pure: no model)."""

from __future__ import annotations

import math

import pytest

from paperfeed.config.relevance import Weights
from paperfeed.core.records import MatchedTerm
from paperfeed.core.scoring import (
    PART_NAMES,
    PaperSignals,
    ProfileRef,
    ScoringContext,
    community_signal,
    followed_authors,
    keyword_signal,
    name_key,
    score_from_json,
    score_json,
    score_paper,
)

TITLE = MatchedTerm("reinforcement learning", "title", "Reinforcement Learning")
ABSTRACT = MatchedTerm("reinforcement learning", "abstract", "reinforcement learning")
POLICY = MatchedTerm("policy", "abstract", "policy")
CATEGORY = MatchedTerm("cs.RO", "categories", "cs.RO")
NEAREST = ProfileRef("2604.19033", "Intentional Updates for Streaming Reinforcement Learning")
EVERYTHING = ScoringContext(Weights(), has_profile=True, follows_authors=True, has_community=True)


def test_keyword_signal_prefers_title_over_abstract_over_category() -> None:
    assert keyword_signal([TITLE])[0] == 1.0
    assert keyword_signal([ABSTRACT])[0] == 0.6
    assert keyword_signal([CATEGORY])[0] == 0.3
    assert keyword_signal([ABSTRACT, POLICY])[0] == pytest.approx(0.7)  # a second term adds 0.1
    assert keyword_signal([TITLE, ABSTRACT]) == (1.0, "reinforcement learning in title, abstract")
    assert keyword_signal([]) == (0.0, "no keyword match recorded")


def test_community_signal_is_log_scaled_and_saturates() -> None:
    assert community_signal(0) == 0.0
    assert 0 < community_signal(1) < community_signal(10) < community_signal(49) < 1.0
    assert community_signal(50) == community_signal(5000) == 1.0


@pytest.mark.parametrize(
    "signals",
    [
        PaperSignals("a", (TITLE,), 0.71, NEAREST, ("Arsalan Sharifnassab",), 12),
        PaperSignals("b", (ABSTRACT, POLICY), 0.333, NEAREST, (), 0),
        PaperSignals("c", (CATEGORY,), -0.2, NEAREST, (), 3),
        PaperSignals("d", (), None, None, (), 1),
        PaperSignals("e", (TITLE,), 0.9999, NEAREST, ("X",), 7000),
    ],
)
def test_breakdown_adds_up_to_the_total(signals: PaperSignals) -> None:
    score = score_paper(signals, EVERYTHING)
    assert [p.name for p in score.parts] == list(PART_NAMES)
    assert math.isclose(score.total, sum(p.value for p in score.parts), abs_tol=1e-9)
    assert f"{score.total:.3f}" == f"{sum(round(p.value, 3) for p in score.parts):.3f}"
    assert math.isclose(sum(p.weight for p in score.parts), 1.0, abs_tol=0.002)
    assert 0.0 <= score.total <= 1.0
    for part in score.parts:
        assert math.isclose(part.value, part.signal * part.weight, abs_tol=0.002)


def test_a_perfect_paper_scores_one_and_a_paper_with_nothing_scores_zero() -> None:
    best = score_paper(PaperSignals("a", (TITLE,), 1.0, NEAREST, ("X",), 50), EVERYTHING)
    assert best.total == 1.0
    empty = score_paper(PaperSignals("b", (), 0.0, NEAREST, (), 0), EVERYTHING)
    assert empty.total == 0.0


def test_weights_of_missing_signals_are_shared_by_the_others() -> None:
    keyword_only = ScoringContext(Weights())
    score = score_paper(PaperSignals("a", (ABSTRACT,)), keyword_only)
    assert [(p.name, p.weight) for p in score.parts] == [("keyword", 1.0)]
    assert score.total == 0.6
    assert score.nearest is None
    with_profile = ScoringContext(Weights(keyword=1.0, similarity=3.0), has_profile=True)
    score = score_paper(PaperSignals("a", (TITLE,), 0.5, NEAREST), with_profile)
    parts = {p.name: p for p in score.parts}
    assert set(parts) == {"keyword", "similarity"}
    assert parts["keyword"].value == 0.25 and parts["similarity"].value == 0.375
    assert score.total == 0.625
    assert parts["similarity"].detail == (
        "0.50 to 2604.19033 Intentional Updates for Streaming Reinforcement Learning"
    )
    assert score.nearest == NEAREST


def test_negative_similarity_counts_as_zero_but_is_shown() -> None:
    score = score_paper(PaperSignals("a", (), -0.25, NEAREST), EVERYTHING)
    similarity = score.part("similarity")
    assert similarity is not None and similarity.value == 0.0
    assert similarity.detail.startswith("-0.25 to ")


def test_followed_authors_ignore_accents_case_punctuation_and_order() -> None:
    assert name_key("Müller, J.-P.") == name_key("j p MULLER") == "j p muller"
    authors = ("Jean-Pierre Müller", "Eduardo Terrés-Caballero", "Herke van Hoof")
    followed = ["Terres-Caballero, Eduardo", "van Hoof, Herke", "Someone Else"]
    assert followed_authors(authors, followed) == ("Eduardo Terrés-Caballero", "Herke van Hoof")
    assert followed_authors(authors, []) == ()


def test_score_survives_its_json_form() -> None:
    score = score_paper(PaperSignals("a", (TITLE,), 0.71, NEAREST, ("X",), 12), EVERYTHING)
    data = score_json(score)
    assert set(data) == {"total", "parts", "nearest"}
    assert list(data["parts"]) == list(PART_NAMES)
    assert data["nearest"] == {"id": "2604.19033", "title": NEAREST.title}
    assert score_from_json("a", data) == score
