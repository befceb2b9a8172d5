"""Selection agrees with the matcher it replaced (tests/support/reference_matcher.py, the code
of 7a4076a) on generated queries and papers: the same matches, order, terms and matched text."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed.core.errors import QueryError
from paperfeed.core.records import ANNOUNCE_TYPES, ListingItem, Paper
from paperfeed.core.topics import Topic, parse_query
from paperfeed.core.topics.select import select_matches
from tests.support import reference_matcher
from tests.support.selection_golden import TOPICS, corpus, delivered

# Few words, so that generated queries and papers meet often; with their plurals, prefixes,
# accents and the letters only the new folding knows.
WORDS = (
    "reinforcement",
    "learning",
    "policy",
    "policies",
    "diffusion",
    "model",
    "models",
    "agent",
    "agentic",
    "robot",
    "robotic",
    "rl",
    "box",
    "boxes",
    "offline",
    "deep",
    "levine",
    "sergey",
    "rémy",
    "remy",
    "lundström",
    "jørgen",
    "naïve",
    "q",
    "4",
    "x2",
    "λ",
    "量子",
)
SEPARATORS = (" ", " ", " ", "-", "\n  ", ", ", "_", "'s ", " (", ") ", " -- ", "\x1f", "/")
CATEGORIES = ("cs.LG", "cs.RO", "cs.SY", "eess.SY", "stat.ML", "math.OC", "hep-th", "cs.CV")


def styled(word: str, style: int) -> str:
    """The word as a paper may write it: as is, capitalised, upper case, in the plural, or
    with its accents as separate combining characters."""
    if style == 1:
        return word.title()
    if style == 2:
        return word.upper()
    if style == 3:
        return word + "s"
    if style == 4:
        return word.replace("é", "e\u0301").replace("ö", "o\u0308").replace("ï", "i\u0308")
    return word


def random_text(rng: random.Random, max_words: int) -> str:
    return "".join(
        styled(rng.choice(WORDS), rng.randrange(6)) + rng.choice(SEPARATORS)
        for _ in range(rng.randrange(max_words + 1))
    )


@st.composite
def papers(draw: st.DrawFn) -> list[ListingItem]:
    # Papers come from a seeded generator (hypothesis draws would cost more than the
    # selection under test); the queries below are hypothesis's, and shrink.
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32)))
    count = draw(st.integers(min_value=0, max_value=30))
    items = []
    for n in range(count):
        number = rng.randrange(count + 3)  # a few ids repeat: the first listing counts
        paper = Paper(
            arxiv_id=f"2606.{number:05d}" if n % 7 else f"hep-th/99{number:05d}",
            version=1,
            title=random_text(rng, 6),
            authors=tuple(random_text(rng, 3) for _ in range(rng.randrange(5))),
            abstract=random_text(rng, 14),
            categories=tuple(rng.sample(CATEGORIES, rng.randrange(4))),
        )
        items.append(ListingItem(paper=paper, announce_type=rng.choice(ANNOUNCE_TYPES)))
    return items


@st.composite
def written_word(draw: st.DrawFn) -> str:
    return styled(draw(st.sampled_from(WORDS)), draw(st.integers(min_value=0, max_value=5)))


@st.composite
def term(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(("word", "prefix", "phrase", "field", "category")))
    if kind == "category":
        return "cat:" + draw(st.sampled_from(("cs", "cs.*", "cs.RO", "eess.SY", "stat", "math")))
    words = draw(st.lists(written_word(), min_size=1, max_size=3))
    if kind == "prefix":
        return words[0][: max(1, len(words[0]) - 2)] + "*"
    if kind == "word":
        return words[0]
    phrase = '"' + " ".join(w + ("*" if draw(st.booleans()) else "") for w in words) + '"'
    if kind == "field":
        return draw(st.sampled_from(("ti:", "abs:", "au:", "all:"))) + phrase
    return phrase


def combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from((" AND ", " OR ", " ")), inner).map("".join),
        inner.map(lambda q: f"NOT {q}"),
        inner.map(lambda q: f"({q})"),
        st.tuples(st.sampled_from(("ti:", "abs:", "au:", "-")), inner).map(
            lambda parts: f"{parts[0]}({parts[1]})"
        ),
    )


queries = st.recursive(term(), combine, max_leaves=6)


@st.composite
def topics(draw: st.DrawFn) -> list[Topic]:
    out = []
    for n in range(draw(st.integers(min_value=1, max_value=4))):
        query = draw(queries)
        exclude = draw(st.one_of(st.just(""), queries))
        restriction = draw(
            st.lists(st.sampled_from(("cs", "cs.RO", "eess", "stat.ML")), max_size=2)
        )
        out.append(
            Topic(
                name=f"t{n}",
                query=query,
                categories=tuple(restriction),
                exclude=exclude,
                include_cross=draw(st.booleans()),
                include_replacements=draw(st.booleans()),
            )
        )
    return out


def parses(topic: Topic) -> bool:
    try:
        parse_query(topic.query)
        if topic.exclude:
            parse_query(topic.exclude)
    except QueryError:
        return False
    return True


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(items=papers(), chosen=topics(), delivered_every=st.integers(min_value=0, max_value=4))
def test_selection_agrees_with_the_old_matcher(
    items: list[ListingItem], chosen: list[Topic], delivered_every: int
) -> None:
    chosen = [t for t in chosen if parses(t)]
    ids = [item.paper.arxiv_id for item in items]
    delivered = {"t0": set(ids[::delivered_every])} if delivered_every else None
    expected = reference_matcher.select_matches(items, chosen, delivered=delivered)
    assert select_matches(items, chosen, delivered=delivered) == expected


def test_selection_agrees_with_the_old_matcher_on_the_recorded_corpus() -> None:
    items = corpus()
    expected = reference_matcher.select_matches(items, TOPICS, delivered=delivered(items))
    assert select_matches(items, TOPICS, delivered=delivered(items)) == expected
