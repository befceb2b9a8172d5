"""Synthetic arXiv days whose topic hit rates look like a real day's, for benchmarks and tests.

The example digests' 87 real papers (tests/fixtures/digests) all contain "reinforcement
learning", so a day recycled from them alone makes every paper match that topic. Here the real
papers are only templates: their sentences keep their length and punctuation, every word any
benchmark topic searches for is replaced, and so are 30 % of the other words, by words drawn
(Zipf-like) from the templates' vocabulary and 20,000 made-up words, so that a day's
vocabulary is a real day's size. The words topics look for are then put back at chosen rates:

- common words a topic combines with others ("learning", "model", "control", "policy", ...)
  in a share of papers like a broad arXiv day's (``GENERIC``);
- each topic's own terms in its share of papers (``INJECTED``, a few percent for "reinforcement
  learning", a fraction of a percent for narrow topics), written as papers write them
  (capitalised, hyphenated, in the plural).

Categories follow arXiv's daily volume across archives (computer science a third, then
mathematics, physics, astrophysics, ...); 8 % of papers have an author name with accents,
8 % an abstract with an accented word or a symbol. Every figure is a stated assumption, not a
measurement: the benchmark prints the hit rates it got so a reader can judge them.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from paperfeed.core.records import AnnounceType, ListingItem, Paper
from paperfeed.core.topics import Topic, parse_query
from paperfeed.core.topics.query import And, CategoryTerm, Not, Or, Phrase, Query
from tests.support.listing_builder import example_items

# Share of papers whose abstract has the word (topic words that are common on their own).
GENERIC: dict[str, float] = {
    "learning": 0.30,
    "model": 0.45,
    "models": 0.30,
    "network": 0.15,
    "networks": 0.10,
    "neural": 0.12,
    "graph": 0.06,
    "language": 0.07,
    "world": 0.05,
    "sample": 0.05,
    "complexity": 0.05,
    "vision": 0.04,
    "control": 0.08,
    "policy": 0.04,
    "agent": 0.03,
    "behavior": 0.04,
    "gradient": 0.06,
    "bound": 0.05,
    "constraint": 0.04,
    "constraints": 0.04,
    "multi": 0.05,
    "action": 0.05,
    "cloning": 0.002,
    "shaping": 0.005,
}


@dataclass(frozen=True, slots=True)
class Injection:
    """A topic's terms, put into a share of papers: into the abstract, and with ``in_title``
    probability into the title too (or only there, for title terms)."""

    rate: float
    variants: tuple[str, ...]
    in_title: float = 0.3
    title_only: bool = False
    categories: tuple[str, ...] = ()  # the paper is given these categories too


INJECTED: dict[str, Injection] = {
    "reinforcement learning": Injection(
        0.030,
        (
            "reinforcement learning",
            "Reinforcement Learning",
            "reinforcement-learning",
            "deep reinforcement learning",
        ),
    ),
    "diffusion policy": Injection(0.002, ("diffusion policy", "Diffusion Policies")),
    "offline rl": Injection(0.003, ("offline RL", "offline reinforcement learning")),
    "robots": Injection(0.010, ("Robot", "Robotic", "robots"), title_only=True),
    "llm agents": Injection(0.012, ("LLM agents", "large language model agent", "LLM-based agent")),
    "policy gradient": Injection(0.004, ("policy gradient", "PPO", "GRPO", "policy gradients")),
    "world models": Injection(0.004, ("world model", "World Models")),
    "imitation": Injection(0.003, ("imitation learning", "behavior cloning")),
    "safety": Injection(0.002, ("safe exploration under constraints", "safe shielding")),
    "multi-agent": Injection(0.006, ("multi-agent", "Multi-Agent", "MARL")),
    "reward": Injection(0.004, ("reward model", "reward shaping", "reward models")),
    "control": Injection(0.004, ("control", "feedback control"), categories=("eess.SY",)),
    "theory": Injection(0.004, ("regret bound", "sample complexity", "regret bounds")),
    "vision-language-action": Injection(0.0015, ("vision-language-action", "VLA")),
    "exploration": Injection(0.006, ("exploration", "exploration bonus", "bandit exploration")),
    "bandits": Injection(0.003, ("bandit", "multi-armed bandits", "bandits")),
    "diffusion": Injection(0.025, ("diffusion", "Diffusion"), in_title=0.3),
    "diffusion models": Injection(0.006, ("Diffusion Models", "diffusion model"), in_title=1.0),
    "transformers": Injection(0.025, ("transformer", "Transformers", "transformer-based")),
    "graphs": Injection(0.006, ("graph neural network", "Graph Neural Networks")),
}
AUTHOR_INJECTED = ("Sergey Levine", 0.0003)

# (category, share of papers with it as the primary), after arXiv's daily volume.
PRIMARY: tuple[tuple[str, float], ...] = (
    ("cs.LG", 0.07),
    ("cs.CV", 0.06),
    ("cs.CL", 0.045),
    ("cs.AI", 0.03),
    ("cs.RO", 0.015),
    ("cs.CR", 0.015),
    ("cs.SE", 0.01),
    ("cs.HC", 0.01),
    ("cs.IT", 0.01),
    ("cs.DS", 0.008),
    ("cs.NI", 0.007),
    ("cs.DC", 0.007),
    ("cs.IR", 0.008),
    ("eess.SY", 0.01),
    ("eess.SP", 0.012),
    ("eess.IV", 0.008),
    ("stat.ML", 0.012),
    ("stat.ME", 0.012),
    ("math.AP", 0.015),
    ("math.PR", 0.015),
    ("math.CO", 0.015),
    ("math.NA", 0.015),
    ("math.OC", 0.015),
    ("math.AG", 0.012),
    ("math.NT", 0.01),
    ("math.DG", 0.01),
    ("math.FA", 0.01),
    ("math.ST", 0.01),
    ("quant-ph", 0.05),
    ("hep-th", 0.025),
    ("hep-ph", 0.03),
    ("hep-ex", 0.008),
    ("gr-qc", 0.02),
    ("cond-mat.mtrl-sci", 0.025),
    ("cond-mat.str-el", 0.015),
    ("cond-mat.stat-mech", 0.012),
    ("cond-mat.soft", 0.01),
    ("cond-mat.mes-hall", 0.015),
    ("astro-ph.GA", 0.02),
    ("astro-ph.CO", 0.015),
    ("astro-ph.SR", 0.015),
    ("astro-ph.HE", 0.015),
    ("astro-ph.EP", 0.01),
    ("physics.optics", 0.015),
    ("physics.flu-dyn", 0.012),
    ("physics.comp-ph", 0.008),
    ("q-bio.NC", 0.008),
    ("q-bio.QM", 0.006),
    ("econ.EM", 0.005),
    ("q-fin.ST", 0.004),
    ("nucl-th", 0.008),
    ("math-ph", 0.01),
    ("nlin.CD", 0.004),
)
ANNOUNCE: tuple[tuple[AnnounceType, float], ...] = (
    ("new", 0.62),
    ("cross", 0.28),
    ("replace", 0.07),
    ("replace-cross", 0.03),
)
ACCENTED_WORDS = ("Schrödinger", "Poincaré", "naïve", "Erdős", "Gödel", "Möbius", "Lévy", "Bézier")
SYMBOLS = ("≤", "α", "−", "×", "β", "∈", "→", "±")
# Only letters both the old and the new matcher fold (not ø, ł, ı: only the new one does).
ACCENTED_NAMES = (
    "José Pérez",
    "Zoë Müller",
    "Émilie Dubois",
    "Jiří Novák",
    "Ayşe Kaya",
    "Lucía Nowak",
    "François Lefèvre",
    "Ángel Núñez",
    "Sören Berg",
    "Gönül Çelik",
)

_WORD = re.compile(r"([A-Za-z]+)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SYLLABLES = tuple(
    c + v for c in "bcdfghjklmnprstvz" for v in ("a", "e", "i", "o", "u", "ar", "en", "is", "on")
)


def _searched_words(topics: tuple[Topic, ...]) -> tuple[set[str], tuple[str, ...]]:
    """Every word the topics search for (with plural forms), and their prefixes."""
    words: set[str] = set()
    prefixes: list[str] = []

    def walk(node: Query) -> None:
        if isinstance(node, Phrase):
            for word in node.words:
                if word.endswith("*"):
                    prefixes.append(word[:-1])
                else:
                    words.update((word, word + "s", word + "es"))
                    if word.endswith("y"):
                        words.add(word[:-1] + "ies")
        elif isinstance(node, Not):
            walk(node.operand)
        elif isinstance(node, And | Or):
            for operand in node.operands:
                walk(operand)
        else:
            assert isinstance(node, CategoryTerm)

    for topic in topics:
        walk(parse_query(topic.query))
    return words, tuple(prefixes)


class _Vocabulary:
    def __init__(self, rng: random.Random, template_words: list[str], banned: set[str]) -> None:
        self.banned = banned
        made_up = set()
        while len(made_up) < 20_000:
            word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randrange(2, 5)))
            if word not in banned:
                made_up.add(word)
        words = sorted(set(template_words) - banned) + sorted(made_up)
        rng.shuffle(words)
        weights = [1.0 / (rank + 10) for rank in range(len(words))]
        self.pool = rng.choices(words, weights=weights, k=200_000)
        self.next = 0

    def take(self) -> str:
        self.next = (self.next + 1) % len(self.pool)
        return self.pool[self.next]


def _varied(
    text: str,
    rng: random.Random,
    vocabulary: _Vocabulary,
    searched: set[str],
    prefixes: tuple[str, ...],
) -> str:
    """The text with every searched word and 30 % of the others replaced."""
    parts = _WORD.split(text)
    for i in range(1, len(parts), 2):
        word = parts[i].lower()
        if word in searched or word.startswith(prefixes) or rng.random() < 0.3:
            replacement = vocabulary.take()
            parts[i] = replacement.title() if parts[i][0].isupper() else replacement
    return "".join(parts)


def realistic_day(
    size: int, topics: tuple[Topic, ...], *, seed: int = 20260604
) -> list[ListingItem]:
    """``size`` papers of a synthetic day (ids 2606.00000 on), deterministic for a seed."""
    rng = random.Random(seed)
    templates = [i.paper for i in example_items("digest-2026-06-04.txt")]
    templates += [i.paper for i in example_items("digest-2026-04-22.txt")]
    searched, prefixes = _searched_words(topics)
    template_words = [
        w.lower() for p in templates for w in _WORD.findall(p.title + " " + p.abstract)
    ]
    banned = searched | {w for w in template_words if w.startswith(prefixes)}
    vocabulary = _Vocabulary(rng, template_words, banned)

    # Variants of every sentence and title, combined per paper: cheap, and no two alike.
    sentences = [s for p in templates for s in _SENTENCE_END.split(p.abstract) if s]
    sentence_variants = [
        _varied(s, rng, vocabulary, searched, prefixes) for s in sentences for _ in range(24)
    ]
    title_variants = [
        _varied(p.title, rng, vocabulary, searched, prefixes) for p in templates for _ in range(120)
    ]
    names = sorted({name for p in templates for name in p.authors if name.isascii()})
    primaries, primary_weights = zip(*PRIMARY, strict=True)
    announce_types, announce_weights = zip(*ANNOUNCE, strict=True)
    generic = list(GENERIC.items())
    injections = list(INJECTED.values())

    items: list[ListingItem] = []
    for n in range(size):
        abstract = [rng.choice(sentence_variants) for _ in range(rng.randrange(5, 11))]
        title = rng.choice(title_variants)
        for word, rate in generic:
            if rng.random() < rate:
                k = rng.randrange(len(abstract))
                abstract[k] = abstract[k].rstrip(".") + f" with {word}."
        primary = rng.choices(primaries, primary_weights)[0]
        categories = [primary]
        if rng.random() < 0.35:
            cross = rng.choices(primaries, primary_weights)[0]
            if cross != primary:
                categories.append(cross)
        for injection in injections:
            if rng.random() >= injection.rate:
                continue
            variant = rng.choice(injection.variants)
            if injection.title_only or rng.random() < injection.in_title:
                title = f"{variant} {title}" if rng.random() < 0.5 else f"{title} with {variant}"
            if not injection.title_only:
                k = rng.randrange(len(abstract))
                abstract[k] = f"We use {variant} here. " + abstract[k]
            categories += [c for c in injection.categories if c not in categories]
        if primary == "eess.SY" and rng.random() < 0.5:
            abstract.append("The control law is stable.")
        if rng.random() < 0.05:
            abstract.append(f"The {rng.choice(ACCENTED_WORDS)} case is treated too.")
        if rng.random() < 0.04:
            abstract.append(f"Errors stay {rng.choice(SYMBOLS)} 0.1.")
        authors = rng.sample(names, rng.randrange(1, 9))
        if rng.random() < 0.08:
            authors[rng.randrange(len(authors))] = rng.choice(ACCENTED_NAMES)
        if rng.random() < AUTHOR_INJECTED[1]:
            authors.append(AUTHOR_INJECTED[0])
        paper = Paper(
            arxiv_id=f"2606.{n:05d}",
            version=1,
            title=title,
            authors=tuple(authors),
            abstract=" ".join(abstract),
            categories=tuple(categories),
        )
        announce = rng.choices(announce_types, announce_weights)[0]
        items.append(ListingItem(paper=paper, announce_type=announce))
    return items
