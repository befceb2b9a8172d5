"""Words: the fast ways of splitting and folding a text agree with the definition, word by
word (WORD_PATTERN and fold_word), and the scan form holds every word."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperfeed.core.topics.words import (
    WORD_PATTERN,
    fold_word,
    scan_form,
    scan_word,
    words_of,
)


def definition(text: str) -> tuple[str, ...]:
    return tuple(fold_word(token) for token in WORD_PATTERN.findall(text))


def check(text: str) -> None:
    words = words_of(text)
    assert words == definition(text)
    form = b" " + scan_form(text) + b" "
    for word in words:
        assert scan_word(word) in form
        assert scan_word(word[:1], prefix=True) in form


TRICKY = "éöřøłıæœþðßİ\u0301\u0308\u034f\u20dd\u0483½⑴™ﬁ²αβ量子\u00a0\u2003—−≤_'-\x1f\ufdfa\uff9e"


@settings(max_examples=400, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list(TRICKY + "aZ09 .,")), max_size=40) | st.text())
def test_words_agree_with_the_definition(text: str) -> None:
    check(text)


@pytest.mark.slow
def test_every_character_in_every_position() -> None:
    # Each code point after a letter, alone, and before a letter, in texts of 64 code points
    # each (surrogates cannot be encoded and are left out).
    points = [c for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]
    for begin in range(0, len(points), 64):
        block = [chr(c) for c in points[begin : begin + 64]]
        check(" ".join(f"a{c} {c} {c}b" for c in block))
