"""The ML/RL glossary: matching terms in English text and measuring their use in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperfeed.core.errors import ConfigError
from paperfeed.engines.translate.glossary import (
    Glossary,
    GlossaryTerm,
    builtin_terms,
    parse_glossary,
)


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load()


def ens(terms: list[GlossaryTerm]) -> list[str]:
    return [t.en for t in terms]


def test_builtin_glossary_has_a_few_hundred_distinct_entries(glossary: Glossary) -> None:
    assert len(glossary) >= 300
    assert len(glossary) == len(builtin_terms())  # no duplicate English terms
    expected = {
        "policy": "策略",
        "agent": "智能体",
        "reward": "奖励",
        "reinforcement learning": "强化学习",
        "diffusion policy": "扩散策略",
        "fine-tuning": "微调",
        "distillation": "蒸馏",
        "on-policy": "同策略",
        "off-policy": "异策略",
        "value function": "价值函数",
    }
    for en, zh in expected.items():
        term = glossary.get(en)
        assert term is not None and term.zh == zh, en


def test_longest_match_first_and_whole_words(glossary: Glossary) -> None:
    found = ens(glossary.terms_in("A diffusion policy beats the policy of URL agents."))
    assert found == ["diffusion policy", "policy", "agent"]
    # "agent" inside "Agentic" or "RL" inside "URL" do not count: whole words only
    assert "agent" not in ens(glossary.terms_in("Agentic workflows"))


def test_case_hyphens_line_breaks_and_plurals(glossary: Glossary) -> None:
    text = "Diffusion-Policies for Fine Tuning;\nreinforcement\nlearning with sparse rewards and Q-functions"
    found = ens(glossary.terms_in(text))
    assert found == [
        "diffusion policy",
        "fine-tuning",
        "reinforcement learning",
        "sparse reward",
        "Q-function",
    ]
    assert ens(glossary.terms_in("off policy evaluation of stochastic policies")) == [
        "off-policy evaluation",
        "stochastic policy",
    ]


def test_compliance_counts_distinct_terms_and_accepts_variants(glossary: Glossary) -> None:
    source = "On-policy distillation of a policy with rewards; the policy gets a reward."
    assert ens(glossary.terms_in(source)) == ["on-policy distillation", "policy", "reward"]
    assert glossary.compliance(source, "同策略蒸馏把策略和奖励结合") == (3, 3)
    assert glossary.compliance(source, "在策略蒸馏将政策与回报结合") == (3, 1)  # variant accepted
    assert glossary.compliance("no terms here", "没有术语") == (0, 0)


def test_user_glossary_adds_and_overrides(tmp_path: Path) -> None:
    user = tmp_path / "terms.tsv"
    user.write_text(
        "# my terms\nrollout\t推演\nagent\t代理|智能体\nworld-action model  世界-动作模型\n",
        encoding="utf-8",
    )
    glossary = Glossary.load(user)
    assert len(glossary) == len(builtin_terms()) + 1
    rollout = glossary.get("Rollout")
    assert rollout is not None and rollout.zh == "推演"
    agent = glossary.get("agent")
    assert agent is not None and agent.renderings == ("代理", "智能体")
    assert ens(glossary.terms_in("World-Action Models")) == ["world-action model"]
    assert glossary.fingerprint != Glossary.load().fingerprint


def test_user_glossary_errors_name_the_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="glossary file not found"):
        Glossary.load(tmp_path / "missing.tsv")
    bad = tmp_path / "bad.tsv"
    bad.write_text("policy\t策略\njust one column\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.tsv: line 2: expected 'English term<TAB>中文'"):
        Glossary.load(bad)


def test_parse_glossary_variants() -> None:
    (term,) = parse_glossary("rollout\trollout|展开 | 推演\n")
    assert term == GlossaryTerm("rollout", "rollout", ("展开", "推演"))
