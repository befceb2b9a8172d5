"""Output checks: what a translation must satisfy before it is stored."""

from __future__ import annotations

import json

import pytest

from paperfeed.engines.translate.checks import check, cjk_ratio, echo_share
from tests.support import FIXTURES

EVAL = FIXTURES / "eval" / "translation-dev.jsonl"
TITLE = "Self-Distilled Policy Gradient for GRPO"
ABSTRACT = (
    "On-policy self-distillation is a promising source of dense supervision for sparse-reward "
    "reinforcement learning. We propose SDPG, which improves over RLVR baselines by 3.5%."
)
GOOD_ABSTRACT = "同策略自蒸馏是稀疏奖励强化学习中密集监督的有前景的来源。我们提出了SDPG,相比RLVR基线提升了3.5%。"


def codes(problems: list[str]) -> list[str]:
    return [p.split(":")[0] for p in problems]


def test_good_translations_pass() -> None:
    assert check(TITLE, "面向GRPO的自蒸馏策略梯度", "title") == []
    assert check(ABSTRACT, GOOD_ABSTRACT, "abstract") == []


def test_reference_translations_pass_except_for_spans_they_dropped() -> None:
    """The calibration set: the reviewed references pass every check but the span check (they
    sometimes write 强化学习 for RL), and one whose source is truncated fails the length check."""
    rows = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines()]
    failing = []
    for row in rows:
        for kind in ("title", "abstract"):
            other = [
                c for c in codes(check(row[kind], row[f"{kind}_zh"], kind)) if c != "missing-span"
            ]
            if other:
                failing.append((row["id"], kind, other))
    assert failing == [("2606.04735", "abstract", ["length"])]


@pytest.mark.parametrize(
    ("output", "kind", "expected"),
    [
        ("", "title", ["empty"]),
        ("   \n", "abstract", ["empty"]),
        (TITLE, "title", ["echo"]),
        ("Self-Distilled 策略 Gradient for GRPO", "title", ["no-chinese"]),
        ("自蒸馏策略梯度", "title", ["missing-span"]),
        ("面向[[M0]]的自蒸馏策略梯度", "title", ["placeholder", "missing-span"]),
        ("译文：面向GRPO的自蒸馏策略梯度", "title", ["prompt-echo"]),
        ("<think>ok</think>面向GRPO的自蒸馏策略梯度", "title", ["reasoning"]),
        ("面向GRPO的自蒸馏\n策略梯度", "title", ["multiline"]),
        ("面向GRPO的自蒸馏策略梯度" * 3, "title", ["length", "repetition"]),
    ],
)
def test_failures_are_named(output: str, kind: str, expected: list[str]) -> None:
    assert codes(check(TITLE, output, kind)) == expected


def test_abstract_length_and_echo() -> None:
    short = "我们提出SDPG,RLVR,3.5%。"
    assert codes(check(ABSTRACT, short, "abstract")) == ["length"]
    half_english = GOOD_ABSTRACT + " is a promising source of dense supervision for sparse-reward"
    problems = check(ABSTRACT, half_english, "abstract")
    assert "echo" in codes(problems)
    assert echo_share(ABSTRACT, half_english) > 0.25
    assert echo_share(ABSTRACT, GOOD_ABSTRACT) == 0.0


def test_titles_that_are_only_names_may_stay_as_they_are() -> None:
    assert check("AgentJet", "AgentJet", "title") == []
    assert check("GRPO-7B", "GRPO-7B", "title") == []


def test_prompt_words_in_the_source_are_not_prompt_echo() -> None:
    source = "Chinese: a benchmark for English-Chinese machine translation"
    assert check(source, "Chinese: 英汉机器翻译基准", "title") == []
    assert cjk_ratio("only English") == 0.0


def test_a_sentence_that_keeps_a_long_english_name_passes_as_a_sentence_only() -> None:
    source = "We identify a severe failure mode of deep RL, which we call Trace-Mediated Peak Bias."
    output = "我们识别了深度RL的一种严重失败模式,称为Trace-Mediated Peak Bias。"
    assert codes(check(source, output, "abstract")) == ["no-chinese"]
    assert check(source, output, "sentence") == []
    # still not a translation when most of it stays English
    assert "no-chinese" in codes(
        check(
            source,
            "We identify a severe failure mode of 深度RL, Trace-Mediated Peak Bias.",
            "sentence",
        )
    )
