"""Matching topics against papers: phrases, plurals, prefixes, fields, categories, and why."""

from __future__ import annotations

import re

import pytest

from paperfeed.core.errors import QueryError
from paperfeed.core.records import MatchedTerm, Paper
from paperfeed.core.topics import PaperText, Topic, compile_topic
from tests.support import FIXTURES

DIGEST = FIXTURES / "topics" / "digest-2026-06-04.txt"


def paper(
    title: str = "A study",
    abstract: str = "",
    *,
    authors: tuple[str, ...] = ("Ada Lovelace",),
    categories: tuple[str, ...] = ("cs.LG",),
    arxiv_id: str = "2606.00001",
) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        version=1,
        title=title,
        authors=authors,
        abstract=abstract,
        categories=categories,
    )


def match(query: str, target: Paper, **topic: object) -> tuple[MatchedTerm, ...] | None:
    return compile_topic(Topic(name="t", query=query, **topic)).match(target)  # type: ignore[arg-type]


def matched_texts(query: str, target: Paper) -> list[str] | None:
    terms = match(query, target)
    return None if terms is None else [t.text for t in terms]


# --- phrases -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Deep Reinforcement-Learning for Control", "Reinforcement-Learning"),
        ("Scaling reinforcement\n  learning", "reinforcement\n  learning"),
        ("Reinforcement Learning's Blind Spots", "Reinforcement Learning"),
        ("REINFORCEMENT LEARNING", "REINFORCEMENT LEARNING"),
        ("On (reinforcement) -- learning", "reinforcement) -- learning"),
    ],
)
def test_phrase_matches_across_case_hyphens_line_breaks_and_punctuation(
    title: str, text: str
) -> None:
    assert match("reinforcement learning", paper(title)) == (
        MatchedTerm(term="reinforcement learning", field="title", text=text),
    )


def test_plain_string_is_a_phrase_not_two_words() -> None:
    far_apart = paper("Learning to walk", "We study reinforcement of habits through practice.")
    assert match("reinforcement learning", far_apart) is None
    assert match("learning reinforcement", paper("reinforcement learning")) is None
    # written with an operator, the words need not be adjacent
    assert matched_texts("reinforcement AND learning", far_apart) == ["reinforcement", "Learning"]


@pytest.mark.parametrize(
    ("query", "title", "text"),
    [
        ("diffusion policy", "Diffusion Policies for Manipulation", "Diffusion Policies"),
        ("policy gradient", "Natural policy gradients revisited", "policy gradients"),
        ("transformer", "Transformers are RNNs", "Transformers"),
        ("bounding box", "Predicting bounding boxes", "bounding boxes"),
        ("agent", "Multi-Agent Coordination", "Agent"),
        ("agent", "LLM agents at scale", "agents"),
    ],
)
def test_last_word_matches_its_plural(query: str, title: str, text: str) -> None:
    assert matched_texts(query, paper(title)) == [text]


def test_plural_applies_to_the_last_word_only_and_only_one_way() -> None:
    assert match("policy gradient", paper("policies gradient")) is None
    assert match("transformers", paper("A transformer for vision")) is None


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("RL", "A URL shortener"),
        ("agent", "Agentic workflows"),
        ("policy", "Policymaking with data"),
        ("learning", "Unlearning facts"),
    ],
)
def test_words_match_whole_words_only(query: str, title: str) -> None:
    assert match(query, paper(title)) is None


def test_prefix_wildcard() -> None:
    assert matched_texts("robot*", paper("Robotic grasping")) == ["Robotic"]
    assert matched_texts("robot*", paper("Two robots")) == ["robots"]
    assert match("robot*", paper("Microrobots in fluid")) is None
    assert matched_texts('"deep reinforce*"', paper("Deep Reinforcement signals")) == [
        "Deep Reinforcement"
    ]
    assert match('"deep reinforce*"', paper("Deep Reinforcing signals")) is None


def test_accents_fold_both_ways() -> None:
    author = paper(authors=("Sébastien Bubeck",))
    assert match("au:sebastien", author) == (MatchedTerm("sebastien", "authors", "Sébastien"),)
    assert matched_texts("au:Sébastien", paper(authors=("Sebastien Bubeck",))) == ["Sebastien"]
    # the same name with the accent as a separate combining character (not NFC)
    decomposed = paper(authors=("Se\u0301bastien Bubeck",))
    assert matched_texts('au:"sebastien bubeck"', decomposed) == ["Se\u0301bastien Bubeck"]
    assert matched_texts("naive bayes", paper("A naïve Bayes baseline")) == ["naïve Bayes"]


# --- fields ------------------------------------------------------------------------------------


def test_field_scopes() -> None:
    target = paper(
        "Diffusion models", "We train a flow policy.", authors=("Sergey Levine", "Chelsea Finn")
    )
    assert matched_texts("ti:diffusion", target) == ["Diffusion"]
    assert match("ti:flow", target) is None
    assert matched_texts("abs:flow", target) == ["flow"]
    assert match("abs:diffusion", target) is None
    assert matched_texts("ti:(diffusion OR flow) AND policy", target) == ["Diffusion", "policy"]


def test_authors_are_searched_only_when_asked() -> None:
    target = paper("Offline methods", authors=("Sergey Levine", "Chelsea Finn"))
    assert match("levine", target) is None
    assert match("au:levine", target) == (MatchedTerm("levine", "authors", "Levine"),)
    assert match("all:levine", target) == (MatchedTerm("levine", "authors", "Levine"),)
    assert match('au:"Sergey Levine"', target) == (
        MatchedTerm("Sergey Levine", "authors", "Sergey Levine"),
    )


def test_author_phrase_does_not_join_two_authors() -> None:
    target = paper(authors=("Sergey Levine", "Chelsea Finn"))
    assert match('au:"Levine Chelsea"', target) is None
    assert matched_texts('au:"Chelsea Finn"', target) == ["Chelsea Finn"]


def test_author_names_get_no_plural() -> None:
    assert match("au:finn", paper(authors=("Ann Finns",))) is None


def test_categories() -> None:
    target = paper(categories=("stat.ML", "cs.RO", "cs.LG"))
    assert match("cat:cs.RO", target) == (MatchedTerm("cs.RO", "categories", "cs.RO"),)
    assert match("cat:cs.ro", target) == (MatchedTerm("cs.ro", "categories", "cs.RO"),)
    assert match("cat:cs", target) == (MatchedTerm("cs", "categories", "cs.RO"),)
    assert match("cat:cs.*", target) == (MatchedTerm("cs.*", "categories", "cs.RO"),)
    assert match("cat:stat", target) == (MatchedTerm("stat", "categories", "stat.ML"),)
    assert match("cat:cs.CV", target) is None
    assert match("cat:math", target) is None
    # an alias matches the code the paper carries
    assert match("cat:eess.SY", paper(categories=("cs.SY",))) == (
        MatchedTerm("eess.SY", "categories", "cs.SY"),
    )


# --- boolean structure -------------------------------------------------------------------------


def test_precedence_and_implicit_and() -> None:
    only_a = paper("alpha")
    only_b = paper("beta")
    b_and_c = paper("beta gamma")
    assert match("alpha OR beta gamma", only_a) is not None
    assert match("alpha OR beta gamma", only_b) is None  # AND binds tighter than OR
    assert match("alpha OR beta gamma", b_and_c) is not None
    assert match("(alpha OR beta) gamma", only_a) is None
    assert match("NOT alpha OR beta", only_a) is None  # (NOT alpha) OR beta
    assert match("NOT (alpha OR beta)", only_b) is None


def test_not_excludes_and_contributes_no_terms() -> None:
    target = paper("Reinforcement learning for robot arms")
    assert match('"reinforcement learning" NOT robot*', target) is None
    assert match('"reinforcement learning" -robot*', target) is None
    assert match('"reinforcement learning" -vision', target) == (
        MatchedTerm("reinforcement learning", "title", "Reinforcement learning"),
    )
    # a NOT whose inner query fails matches, yet its matching parts are not reasons
    assert match("learning NOT (robot* AND vision)", target) == (
        MatchedTerm("learning", "title", "learning"),
    )
    assert match("NOT vision", target) == ()


def test_why_matched_lists_every_or_alternative_once_per_term_and_field() -> None:
    target = paper(
        "Policy learning with RL",
        "Offline rl is hard. We use RL and reinforcement-learning policies.",
        categories=("cs.LG", "cs.AI"),
    )
    query = '"reinforcement learning" OR RL OR (ti:policy -survey) OR cat:cs.LG OR vision'
    assert match(query, target) == (
        MatchedTerm("reinforcement learning", "abstract", "reinforcement-learning"),
        MatchedTerm("RL", "title", "RL"),
        MatchedTerm("RL", "abstract", "rl"),  # the first occurrence, as written
        MatchedTerm("policy", "title", "Policy"),
        MatchedTerm("cs.LG", "categories", "cs.LG"),
    )


def test_a_term_repeated_in_the_query_is_reported_once() -> None:
    target = paper("Robot learning")
    assert match("robot AND (robot OR arm)", target) == (MatchedTerm("robot", "title", "Robot"),)


# --- topics ------------------------------------------------------------------------------------


def test_category_restriction_still_needs_the_query() -> None:
    robotics = paper("Reinforcement learning for grasping", categories=("cs.RO",))
    theory = paper("Reinforcement learning bounds", categories=("stat.ML", "cs.LG"))
    restricted = {"categories": ("cs.RO", "eess")}
    assert match("reinforcement learning", robotics, **restricted) is not None
    assert match("reinforcement learning", theory, **restricted) is None
    assert match("grasping", theory, categories=("cs",)) is None
    assert match("bounds", theory, categories=("cs",)) is not None  # cs.LG is in cs


def test_exclude_query_drops_a_match() -> None:
    survey = paper("Reinforcement learning: a survey")
    method = paper("Reinforcement learning with critics")
    assert match("reinforcement learning", survey, exclude="survey OR review") is None
    assert match("reinforcement learning", method, exclude="survey OR review") is not None


def test_compile_topic_names_the_topic_in_query_errors() -> None:
    with pytest.raises(QueryError) as caught:
        compile_topic(Topic(name="rl", query="RL AND"))
    assert (caught.value.topic, caught.value.query, caught.value.position) == ("rl", "RL AND", 3)

    with pytest.raises(QueryError) as caught:
        compile_topic(Topic(name="rl", query="RL", exclude="survey OR (review"))
    error = caught.value
    assert (error.topic, error.query, error.position) == ("rl", "survey OR (review", 10)
    assert str(error).startswith("topic 'rl': exclude query: unbalanced parenthesis")


def test_announce_types_a_topic_accepts() -> None:
    default = compile_topic(Topic(name="t", query="x"))
    assert [default.accepts(t) for t in ("new", "cross", "replace", "replace-cross", None)] == [
        True,
        True,
        False,
        False,
        True,
    ]
    everything = compile_topic(Topic(name="t", query="x", include_replacements=True))
    assert all(everything.accepts(t) for t in ("new", "cross", "replace", "replace-cross"))
    primary_only = compile_topic(
        Topic(name="t", query="x", include_cross=False, include_replacements=True)
    )
    assert [primary_only.accepts(t) for t in ("new", "cross", "replace", "replace-cross")] == [
        True,
        False,
        True,
        False,
    ]


def test_paper_text_is_tokenized_once_per_paper() -> None:
    target = paper("Cached title", arxiv_id="2606.99999")
    assert PaperText.of(target) is PaperText.of(target)
    assert PaperText.of(target).title.words == ("cached", "title")


# --- real data ---------------------------------------------------------------------------------


def digest_papers() -> list[Paper]:
    """The papers of a seed-text digest: each block's title line and abstract line(s)."""
    lines = DIGEST.read_text(encoding="utf-8").split("\n")
    papers: list[Paper] = []
    i = 3  # header, count, first "Keyword:" line
    while not lines[i].startswith("Keyword: "):
        assert lines[i + 2].startswith("- Authors: ") and lines[i + 7] == "- Abstract"
        end = lines.index("- 中文摘要", i + 8)
        arxiv_id = lines[i + 5].removeprefix("- Arxiv link: https://arxiv.org/abs/")
        codes = tuple(re.findall(r"\(([^()]+)\)(?:;|$)", lines[i + 4]))
        papers.append(
            Paper(
                arxiv_id=arxiv_id,
                version=1,
                title=lines[i],
                abstract="\n".join(lines[i + 8 : end]),
                authors=tuple(lines[i + 2].removeprefix("- Authors: ").split(", ")),
                categories=codes,
            )
        )
        i = end + 2
    assert lines[i:] == ["Keyword: diffusion policy", "There is no result"]
    return papers


def test_every_paper_of_a_real_digest_matches_its_topic() -> None:
    papers = digest_papers()
    assert len(papers) == 52
    wrapped = next(p for p in papers if p.arxiv_id == "2606.04735")
    assert wrapped.abstract.count("\n") == 1  # the abstract that spans two lines
    rl = compile_topic(Topic(name="reinforcement learning", query="reinforcement learning"))
    assert [p.arxiv_id for p in papers if rl.match(p) is None] == []
    first = rl.match(papers[0])
    assert papers[0].arxiv_id == "2606.04029"
    assert first == (
        MatchedTerm("reinforcement learning", "title", "Reinforcement Learning"),
        MatchedTerm("reinforcement learning", "abstract", "Reinforcement Learning"),
    )
    assert rl.match(wrapped) == (
        MatchedTerm("reinforcement learning", "title", "Reinforcement Learning"),
        MatchedTerm("reinforcement learning", "abstract", "reinforcement learning"),
    )


def test_no_paper_of_the_real_digest_matches_diffusion_policy() -> None:
    papers = digest_papers()
    diffusion = compile_topic(Topic(name="diffusion policy", query="diffusion policy"))
    assert [p.arxiv_id for p in papers if diffusion.match(p) is not None] == []
    # ...though some are about diffusion, and many about policies
    assert sum(compile_topic(Topic("d", "diffusion")).match(p) is not None for p in papers) == 1
    assert sum(compile_topic(Topic("p", "policy")).match(p) is not None for p in papers) > 20


@pytest.mark.parametrize(
    ("query", "oracle"),
    [
        ("policy gradient", r"\bpolicy\W+gradient(s|es)?\b"),
        ("language model", r"\blanguage\W+model(s|es)?\b"),
        ("RL", r"\bRL(s|es)?\b"),
        ("agent", r"\bagent(s|es)?\b"),
        ("reward model*", r"\breward\W+model"),
    ],
)
def test_real_digest_agrees_with_a_regular_expression(query: str, oracle: str) -> None:
    pattern = re.compile(oracle.replace(r"\W", r"[\W_]"), re.IGNORECASE)
    matcher = compile_topic(Topic(name="t", query=query))
    papers = digest_papers()
    expected = [p.arxiv_id for p in papers if pattern.search(p.title) or pattern.search(p.abstract)]
    assert expected, "the oracle should find something"
    assert [p.arxiv_id for p in papers if matcher.match(p) is not None] == expected


# --- diacritics ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "author", "text"),
    [
        ("au:lundstrom", "Anna Lundström", "Lundström"),
        ("au:remy", "Benjamin Rémy", "Rémy"),
        ('au:"Benjamin Remy"', "Benjamin Rémy", "Benjamin Rémy"),
        ("au:Rémy", "Benjamin Remy", "Remy"),
        ("au:jorgensen", "Søren Jørgensen", "Jørgensen"),
        ("au:lukasz", "Łukasz Kaiser", "Łukasz"),
        ("au:yilmaz", "Ayşe Yılmaz", "Yılmaz"),
        ("au:dordevic", "Đorđe Đorđević", "Đorđević"),
        ("au:aero", "Ærø Smith", "Ærø"),
        ("au:Jørgensen", "Soren Jorgensen", "Jorgensen"),
    ],
)
def test_author_names_fold_diacritics_and_keep_the_written_text(
    query: str, author: str, text: str
) -> None:
    assert match(query, paper(authors=(author,))) == (
        MatchedTerm(query.split(":")[1].strip('"'), "authors", text),
    )


def test_diacritics_fold_in_every_field() -> None:
    target = paper(
        "Terrés on Gödel", "After Jørgensen and Łukasiewicz.", authors=("Eduardo Terrés",)
    )
    assert match("Terres", target) == (MatchedTerm("Terres", "title", "Terrés"),)
    assert match("all:terres", target) == (
        MatchedTerm("terres", "title", "Terrés"),
        MatchedTerm("terres", "authors", "Terrés"),
    )
    assert matched_texts("godel", target) == ["Gödel"]
    assert matched_texts("abs:jorgensen abs:lukasiewicz", target) == ["Jørgensen", "Łukasiewicz"]
