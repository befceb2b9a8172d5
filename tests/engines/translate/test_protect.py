"""Protecting math, URLs, names and numbers from translation, and restoring them verbatim."""

from __future__ import annotations

import json

import pytest

from paperfeed.engines.translate.protect import (
    leftover_placeholders,
    placeholder,
    protect,
    restore,
    spans_of,
)
from tests.support import FIXTURES

EVAL = FIXTURES / "eval" / "translation-dev.jsonl"


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        (
            "We fine-tune Qwen2.5-7B-Instruct and LLaMA-3 with GRPO, beating GPT-4o.",
            ("Qwen2.5-7B-Instruct", "LLaMA-3", "GRPO", "GPT-4o"),
        ),
        (
            "gains of 3.5% at 128k tokens, -0.2 drop, lr 1e-3, 10^6 steps",
            ("3.5%", "128k", "-0.2", "1e-3", "10^6"),
        ),
        (
            "the loss $\\mathcal{L}(\\theta)=x^2$ and \\(a+b\\) and $$\\sum_i x_i$$",
            ("$\\mathcal{L}(\\theta)=x^2$", "\\(a+b\\)", "$$\\sum_i x_i$$"),
        ),
        (
            "code at https://github.com/org/repo. Also see www.example.org/x.",
            ("https://github.com/org/repo", "www.example.org/x"),
        ),
        ("RL-based SCI-PRM and CoRe-MoE for AgentJet", ("RL", "SCI-PRM", "CoRe-MoE", "AgentJet")),
        # plural acronyms lose their s (Chinese writes LLM); factors keep only the number (2.5倍)
        ("LLMs are 2.5x faster than SVGD-Based baselines", ("LLM", "2.5", "SVGD")),
        ("Kullback-Leibler divergence of Markov Decision Processes", ()),
        ("\\emph{indistinguishable} outputs", ()),
    ],
)
def test_spans_of(text: str, spans: tuple[str, ...]) -> None:
    assert spans_of(text) == spans


def test_protect_replaces_spans_with_numbered_placeholders_and_restores() -> None:
    text = "GRPO beats PPO; GRPO uses $\\epsilon=0.2$ and Qwen2.5-7B."
    protected = protect(text)
    assert protected.text == "[[M0]] beats [[M1]]; [[M0]] uses [[M2]] and [[M3]]."
    assert protected.spans == ("GRPO", "PPO", "$\\epsilon=0.2$", "Qwen2.5-7B")
    assert protected.placeholders == tuple(placeholder(i) for i in range(4))
    assert restore(protected.text, protected) == text
    chinese = "[[M0]] 优于 [[M1]]；[[M0]] 使用 [[M2]] 和 [[M3]]。"
    assert restore(chinese, protected) == "GRPO 优于 PPO；GRPO 使用 $\\epsilon=0.2$ 和 Qwen2.5-7B。"


def test_restore_accepts_placeholder_variants_models_produce() -> None:
    protected = protect("GRPO and PPO and DPO")
    mangled = "［［M0］］与[M1]及【 m2 】"
    assert restore(mangled, protected) == "GRPO与PPO及DPO"
    # an unknown number is left alone, and reported
    assert restore("[[M7]] 多余", protected) == "[[M7]] 多余"
    assert leftover_placeholders("[[M7]] 多余") == ["[[M7]]"]


def test_placeholder_text_in_the_source_is_itself_protected() -> None:
    text = "The token [[M0]] and [M3] appear in GRPO prompts."
    protected = protect(text)
    assert protected.spans == ("[[M0]]", "[M3]", "GRPO")
    assert restore(protected.text, protected) == text
    assert leftover_placeholders(text, source=text) == []


def test_round_trip_and_reference_fidelity_on_the_dev_set() -> None:
    """Every dev title and abstract round-trips, and the reviewed reference translations contain
    most spans verbatim (the spans are what translators actually keep)."""
    rows = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines()]
    total = kept = 0
    for row in rows:
        for kind in ("title", "abstract"):
            protected = protect(row[kind])
            assert restore(protected.text, protected) == row[kind]
            for span in spans_of(row[kind]):
                total += 1
                kept += span in row[f"{kind}_zh"]
    assert total > 400
    assert kept / total > 0.9
