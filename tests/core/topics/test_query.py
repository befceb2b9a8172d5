"""The topic query language: parsing into a syntax tree, and syntax errors with exact positions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperfeed.core.errors import QueryError
from paperfeed.core.topics import And, CategoryTerm, Not, Or, Phrase, parse_query
from paperfeed.core.topics.query import MAX_NESTING, TextField

TA: tuple[TextField, ...] = ("title", "abstract")


def words(term: str, *folded: str, fields: tuple[TextField, ...] = TA) -> Phrase:
    return Phrase(term=term, words=folded or (term.lower(),), fields=fields)


# --- the plain-string rule ---------------------------------------------------------------------


def test_plain_string_is_one_phrase() -> None:
    assert parse_query("reinforcement learning") == words(
        "reinforcement learning", "reinforcement", "learning"
    )


def test_plain_string_folds_white_space_in_the_term() -> None:
    assert parse_query("  diffusion \n policy ") == words("diffusion policy", "diffusion", "policy")


def test_lower_case_operators_are_search_words() -> None:
    assert parse_query("learning not from rewards or demos") == words(
        "learning not from rewards or demos",
        "learning",
        "not",
        "from",
        "rewards",
        "or",
        "demos",
    )


def test_a_word_starting_with_a_hyphen_ends_the_plain_string_rule() -> None:
    assert parse_query("reinforcement learning -robot") == And(
        (words("reinforcement"), words("learning"), Not(words("robot")))
    )


def test_inner_punctuation_makes_a_phrase_of_parts() -> None:
    assert parse_query("Q-learning") == words("Q-learning", "q", "learning")
    assert parse_query("GPT-4 OR LLM") == Or((words("GPT-4", "gpt", "4"), words("LLM")))


# --- operators and precedence ------------------------------------------------------------------


def test_quoted_phrase_or_word() -> None:
    assert parse_query('"reinforcement learning" OR RL') == Or(
        (words("reinforcement learning", "reinforcement", "learning"), words("RL"))
    )


def test_precedence_not_then_and_then_or() -> None:
    assert parse_query("a OR b c AND NOT d") == Or(
        (words("a"), And((words("b"), words("c"), Not(words("d")))))
    )


def test_parentheses_group() -> None:
    assert parse_query("(a OR b) c") == And((Or((words("a"), words("b"))), words("c")))


def test_minus_is_not() -> None:
    expected = And((words("a"), Not(words("b"))))
    assert parse_query("a -b") == expected
    assert parse_query("a NOT b") == expected
    assert parse_query("a AND NOT b") == expected


def test_not_binds_to_one_term() -> None:
    assert parse_query("NOT a b") == And((Not(words("a")), words("b")))
    assert parse_query("NOT (a b)") == Not(And((words("a"), words("b"))))
    assert parse_query('-"a b"') == Not(words("a b", "a", "b"))


def test_prefix_wildcard_is_kept_on_the_word() -> None:
    assert parse_query("robot* OR arm") == Or((words("robot*", "robot*"), words("arm")))
    assert parse_query('"deep reinforce*"') == words("deep reinforce*", "deep", "reinforce*")


# --- field scopes ------------------------------------------------------------------------------


def test_field_scope_on_a_group() -> None:
    assert parse_query("ti:(diffusion OR flow) policy") == And(
        (
            Or((words("diffusion", fields=("title",)), words("flow", fields=("title",)))),
            words("policy"),
        )
    )


def test_inner_scope_overrides_outer() -> None:
    assert parse_query("ti:(a OR abs:b)") == Or(
        (words("a", fields=("title",)), words("b", fields=("abstract",)))
    )


def test_author_and_all_scopes_and_accent_folding() -> None:
    assert parse_query('au:"Sergey Levine"') == words(
        "Sergey Levine", "sergey", "levine", fields=("authors",)
    )
    assert parse_query("au:Sébastien") == words("Sébastien", "sebastien", fields=("authors",))
    assert parse_query("all:bandit") == words("bandit", fields=("title", "abstract", "authors"))
    assert parse_query("TI:x") == words("x", fields=("title",))


def test_category_terms() -> None:
    assert parse_query("cat:cs.RO") == CategoryTerm(term="cs.RO", codes=frozenset({"cs.ro"}))
    assert parse_query("cat:CS.ro") == CategoryTerm(term="CS.ro", codes=frozenset({"cs.ro"}))
    assert parse_query("cat:cs") == CategoryTerm(term="cs", archive="cs")
    assert parse_query("cat:cs.*") == CategoryTerm(term="cs.*", archive="cs")
    assert parse_query("cat:hep-th") == CategoryTerm(term="hep-th", archive="hep-th")
    # arXiv aliases: eess.SY and cs.SY are one category under two codes
    assert parse_query("cat:eess.SY") == CategoryTerm(
        term="eess.SY", codes=frozenset({"eess.sy", "cs.sy"})
    )
    assert parse_query("cat:(cs.RO OR cs.LG)") == Or(
        (
            CategoryTerm(term="cs.RO", codes=frozenset({"cs.ro"})),
            CategoryTerm(term="cs.LG", codes=frozenset({"cs.lg"})),
        )
    )


def test_positions_point_at_the_term() -> None:
    query = parse_query('a OR ti:"b c" OR cat:cs')
    assert isinstance(query, Or)
    first, second, third = query.operands
    assert isinstance(first, Phrase) and isinstance(second, Phrase)
    assert isinstance(third, CategoryTerm)
    assert (first.position, second.position, third.position) == (0, 8, 21)


# --- syntax errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("", 0, "empty query"),
        ("   ", 0, "empty query"),
        ("RL AND", 3, "'AND' needs a term after it"),
        ("RL OR", 3, "'OR' needs a term after it"),
        ("a NOT", 2, "'NOT' needs a term after it"),
        ("NOT", 0, "'NOT' needs a term after it"),
        ("AND RL", 0, "'AND' needs a term before it"),
        ("(OR a)", 1, "'OR' needs a term before it"),
        ("a AND OR b", 6, "'OR' follows 'AND' with no term between them"),
        ("a AND (b OR )", 9, "'OR' needs a term after it"),
        ("(a OR b", 0, "this '(' is never closed"),
        ("x (a OR (b)", 2, "this '(' is never closed"),
        ("(", 0, "this '(' is never closed"),
        ("a OR b)", 6, "this ')' has no matching '('"),
        (")", 0, "this ')' has no matching '('"),
        ("()", 0, "empty group '()'"),
        ("a AND ()", 6, "empty group '()'"),
        ('"reinforcement learning', 0, "unterminated quote"),
        ('ti:"open', 3, "unterminated quote"),
        ("foo:bar", 0, "unknown field 'foo:' (use ti:, abs:, au:, cat:, all:)"),
        ("RL AND xyz:abc", 7, "unknown field 'xyz:'"),
        ("ti: diffusion", 0, "'ti:' must be followed directly by a word"),
        ("a ti:", 2, "'ti:' must be followed directly by a word"),
        ("ti:AND x", 0, "'ti:' must be followed directly by a word"),
        ("cat:cs.XX", 4, "unknown arXiv category or archive 'cs.XX'"),
        ("a - b", 2, "'-' must be written directly before the term"),
        ('x ""', 2, 'empty phrase ""'),
        ("x OR *", 5, "nothing to search for in '*'"),
    ],
)
def test_syntax_error_positions(query: str, position: int, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.position == position
    assert caught.value.query == query
    assert message in caught.value.message


def test_error_names_the_topic_and_points_at_the_position() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query("RL AND", topic="rl")
    error = caught.value
    assert error.topic == "rl"
    assert error.exit_code == 2
    lines = str(error).splitlines()
    assert lines[0] == "topic 'rl': 'AND' needs a term after it at position 4"
    assert lines[1:3] == ["    RL AND", "       ^"]


# --- nesting and fuzzing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ("(" * 250 + "a" + ")" * 250, 50),
        ("NOT " * 1000 + "a", 200),
        ("-" * 10_000 + "a", 50),
        ("(" * 5000 + "a" + ")" * 5000, 50),
        ("(NOT " * 2000 + "a" + ")" * 2000, 125),
        ("ti:(" * 3000 + "a" + ")" * 3000, 203),  # the 51st "("
    ],
)
def test_nesting_beyond_the_limit_is_one_clear_error(query: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query, topic="deep")
    assert caught.value.position == position
    assert "too deeply nested: at most 50 levels" in str(caught.value)


def test_nesting_up_to_the_limit_parses() -> None:
    assert parse_query("(" * MAX_NESTING + "a" + ")" * MAX_NESTING) == words("a")
    deep = parse_query("NOT " * MAX_NESTING + "a")
    for _ in range(MAX_NESTING):
        assert isinstance(deep, Not)
        deep = deep.operand
    assert deep == words("a")


def test_long_flat_queries_parse() -> None:
    query = " OR ".join(f"w{n}" for n in range(2000))
    parsed = parse_query(query)
    assert isinstance(parsed, Or) and len(parsed.operands) == 2000


QUERY_ALPHABET = st.sampled_from(
    [
        *'()"-*: \n\tabcAND OR NOT ti: abs: au: cat: all: cs.RO éøł量_.,',
        *("AND", "OR", "NOT", "ti:", "au:", "cat:", "cs", "cs.*", "foo:", '"', "(", ")", "-"),
    ]
)


@settings(max_examples=500, deadline=None, database=None)
@given(st.lists(QUERY_ALPHABET, max_size=60).map("".join) | st.text(max_size=80))
def test_any_query_text_parses_or_raises_query_error(text: str) -> None:
    try:
        parsed = parse_query(text)
    except QueryError as problem:
        assert 0 <= problem.position <= len(text)
    else:
        assert isinstance(parsed, Phrase | CategoryTerm | Not | And | Or)


@settings(max_examples=50, deadline=None, database=None)
@given(st.lists(st.sampled_from(["(", ")", "NOT ", "-", "a ", "OR ", "ti:", '"x" ']), min_size=1))
def test_deep_random_queries_of_10000_characters(parts: list[str]) -> None:
    text = ("".join(parts) * (10_000 // len("".join(parts)) + 1))[:10_000]
    try:
        parse_query(text)
    except QueryError as problem:
        assert 0 <= problem.position <= len(text)
