"""A corpus and a set of topics whose selection was recorded from the matcher of commit 7a4076a.

``tests/fixtures/topics/selection-7a4076a.json`` holds what ``select_matches`` returned for
these papers and topics before the matcher was rewritten for speed; the tests check that the
current matcher returns exactly the same matches, in the same order, with the same recorded
terms. To record it again from that commit (only if the corpus or the topics change)::

    git archive 7a4076a src | tar -x -C /tmp/base
    PYTHONPATH=/tmp/base/src:. python -m tests.support.selection_golden > \
        tests/fixtures/topics/selection-7a4076a.json

Use only what that commit already had (``select_matches``, ``Topic``, the parsers), so the
recording runs there unchanged. No paper here uses a letter that diacritic folding gained
later (ø, ł, ı, æ, ...): on those the old and new matcher differ by design.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace

from paperfeed.core.records import AnnounceType, ListingItem, Match, Paper
from paperfeed.core.topics import Topic
from paperfeed.sources.arxiv_api import parse_api_feed
from paperfeed.sources.arxiv_rss import parse_rss
from tests.support import FIXTURES
from tests.support.listing_builder import example_items

_ANNOUNCE_CYCLE: tuple[AnnounceType, ...] = ("new", "new", "cross", "replace", "replace-cross")


def _crafted(arxiv_id: str, title: str, abstract: str = "", **fields: object) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        version=1,
        title=title,
        authors=fields.get("authors", ("Ada Lovelace",)),  # type: ignore[arg-type]
        abstract=abstract,
        categories=fields.get("categories", ("cs.LG",)),  # type: ignore[arg-type]
    )


# Hand-written papers for the corners the real ones do not reach.
CRAFTED: tuple[Paper, ...] = (
    _crafted(
        "2606.90001",
        "Diffusion Policies for Robotic Manipulation",
        "We study diffusion policy learning.\nReinforcement-\nlearning baselines and RL.",
        authors=("Sergey Levine", "Chelsea Finn", "Benjamin Rémy"),
        categories=("cs.RO", "cs.LG"),
    ),
    _crafted(
        "2606.90002",
        "Naïve Bayes and the Schrödinger bridge",
        "Se\u0301bastien's naïve policies; Poincaré maps; Erdős numbers; straße.",
        authors=("Se\u0301bastien Bubeck", "Anna Lundström", "Jörg Müller"),
        categories=("math.PR", "stat.ML"),
    ),
    _crafted(
        "2606.90003",
        "Q-learning with GPT-4: bounding boxes, policies and agents",
        "Multi-agent RL (MARL) with PPO/GRPO for feedback control; a URL shortener; agentic "
        "workflows; un-learning.",
        authors=("Levine Chelsea", "Finn Sergey"),
        categories=("cs.SY", "eess.SY"),
    ),
    _crafted(
        "2606.90004",
        "World Models, reward models and reward-shaping",
        "A world model; the reward model; sample complexity and regret bounds; safe constraints; "
        "score-based diffusion.",
        authors=("Émilie Terrés", "Zoë Saldaña"),
        categories=("cs.AI",),
    ),
    _crafted(
        "2606.90005",
        "Vision-Language-Action models (VLA) for robots on graphs",
        "Graph neural networks; transformer(s); exploration without bandits; shielding.",
        authors=("Li Wei", "Wang Fang"),
        categories=("cs.CV", "cs.RO"),
    ),
    _crafted(
        "2606.90006",
        "αβ-divergences and 量子 learning: ﬁne-tuning x² and ½ steps",
        "Contrastive ﬁne-tuning with λ-returns; café latte; résumé; CO₂ emissions; ⅓ of tokens.",
        authors=("Ünal Çelik", "Ñoño Ibáñez"),
        categories=("physics.comp-ph",),
    ),
    _crafted(
        "hep-th/9901001",
        "Strings and reinforcement learning",
        "An old-style identifier; reinforcement learning of strings.",
        categories=("hep-th",),
    ),
    _crafted(
        "2606.90007",
        "reinforcement___learning and reinforcement__ learning",
        "Underscores separate words: reinforcement_learning; offline_RL; offline RL.",
        categories=("cs.LG",),
    ),
    _crafted(
        "2606.90008",
        "Large Language Model Agents",
        "LLMs as agents; large language models; a language-model agent.",
        authors=("Sergey Levine",),
        categories=("cs.CL", "cs.AI"),
    ),
    _crafted("2606.90009", "", "", authors=(), categories=()),
)

TOPICS: tuple[Topic, ...] = (
    # the benchmark's twenty (benchmarks/bench_daily_run.py)
    Topic("reinforcement learning", "reinforcement learning"),
    Topic("diffusion policy", "diffusion policy"),
    Topic("offline rl", '"offline reinforcement learning" OR "offline RL"'),
    Topic("robots", "ti:robot* OR cat:cs.RO"),
    Topic("llm agents", '("language model" OR LLM) AND agent'),
    Topic("policy gradient", '"policy gradient" OR PPO OR GRPO'),
    Topic("world models", '"world model"'),
    Topic("imitation", '"imitation learning" OR "behavior cloning"'),
    Topic("safety", "safe AND (constraint OR shield*)"),
    Topic("multi-agent", '"multi-agent" OR MARL'),
    Topic("reward", '"reward model" OR "reward shaping"'),
    Topic("control", "cat:eess.SY AND control"),
    Topic("theory", '"regret bound" OR "sample complexity"'),
    Topic("vision-language-action", '"vision-language-action" OR VLA'),
    Topic("exploration", "exploration NOT bandit"),
    Topic("bandits", "bandit*"),
    Topic("diffusion", "diffusion AND ti:model"),
    Topic("transformers", "transformer"),
    Topic("authors", 'au:"Sergey Levine" OR au:levine'),
    Topic("graphs", '"graph neural network"'),
    # more of the language
    Topic("q1", "policy"),
    Topic("q2", "policies"),
    Topic("q3", "agent"),
    Topic("q4", "RL"),
    Topic("q5", "model*"),
    Topic("q6", '"reward model*" OR "deep reinforce*"'),
    Topic("q7", 'au:"Levine Chelsea" OR au:"Chelsea Finn"'),
    Topic("q8", "all:finn OR all:sergey"),
    Topic("q9", "au:sebastien OR au:remy OR au:lundstrom OR au:muller OR au:terres"),
    Topic("q10", 'naive OR sebastien OR "schrodinger bridge" OR poincare OR erdos OR strasse'),
    Topic("q11", "Q-learning OR GPT-4 OR ti:box"),
    Topic("q12", "ti:(diffusion OR flow) AND policy"),
    Topic("q13", 'abs:"sample efficiency" OR abs:"sample complexity"'),
    Topic("q14", "cat:cs OR cat:stat.*"),
    Topic("q15", "cat:cs.SY -cat:eess.SY"),
    Topic("q16", "robot* NOT cat:cs.CV"),
    Topic("q17", "NOT (learning OR model*)"),
    Topic("q18", "NOT vision"),
    Topic("q19", "(((RL))) OR ((offline AND (rl OR reinforcement)))"),
    Topic("q20", '"vision-language" AND (robot* OR manipulation)'),
    Topic("q21", "learning -reinforcement -deep"),
    Topic("q22", "αβ OR 量子 OR fine OR x2 OR café OR resume OR co2 OR λ"),
    Topic("q23", "learn*"),
    Topic("q24", '"large language model" OR llms'),
    Topic("q25", "ti:graph* abs:network*"),
    Topic("q26", "all:(levine OR terres) OR au:zoe"),
    Topic("restricted", "reinforcement learning", categories=("cs.RO", "eess")),
    Topic("cs only", "learning", categories=("cs",)),
    Topic("excluded", "reinforcement learning", exclude="survey OR review OR robot*"),
    Topic("primary only", "learning", include_cross=False),
    Topic("with replacements", "reinforcement learning", include_replacements=True),
    Topic("replacements only", "learning", include_cross=False, include_replacements=True),
    Topic("delivered", "reinforcement learning"),
)


def corpus() -> list[ListingItem]:
    """The example digests' 87 real papers and the recorded API papers under every announce
    type, the crafted papers as new, the recorded feeds' items; one paper listed twice."""
    papers = [i.paper for i in example_items("digest-2026-06-04.txt")]
    papers += [i.paper for i in example_items("digest-2026-04-22.txt")]
    api = parse_api_feed((FIXTURES / "upstream" / "arxiv_api_query.xml").read_bytes())
    papers += list(api.papers)
    items = [
        ListingItem(paper=paper, announce_type=_ANNOUNCE_CYCLE[n % len(_ANNOUNCE_CYCLE)])
        for n, paper in enumerate(papers)
    ]
    items += [ListingItem(paper=paper, announce_type="new") for paper in CRAFTED]
    for name, feed in (("arxiv_rss_cs_LG.xml", "cs.LG"), ("arxiv_rss_cs_LG+cs_SE.xml", "cs.LG")):
        page = parse_rss((FIXTURES / "upstream" / name).read_bytes(), feed)
        items += list(page.items)
    # a paper listed again later, differently: the first listing is the one selected
    items.append(replace(items[0], announce_type="cross"))
    return items


def delivered(items: Sequence[ListingItem]) -> dict[str, set[str]]:
    """Every third paper counts as delivered under the topic named "delivered"."""
    return {"delivered": {item.paper.arxiv_id for item in items[::3]}}


def summary(matches: Mapping[str, Sequence[Match]]) -> dict[str, list[list[object]]]:
    """The selection as plain data: per topic, each match's id, announce type and terms."""
    return {
        topic: [
            [
                m.paper.arxiv_id,
                m.announce_type,
                [[t.term, t.field, t.text] for t in m.terms],
            ]
            for m in found
        ]
        for topic, found in matches.items()
    }


def record() -> dict[str, list[list[object]]]:
    from paperfeed.core.topics.select import select_matches

    items = corpus()
    return summary(select_matches(items, TOPICS, delivered=delivered(items)))


if __name__ == "__main__":
    json.dump(record(), sys.stdout, ensure_ascii=False, indent=1, sort_keys=False)
    sys.stdout.write("\n")
