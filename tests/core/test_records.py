"""fold_whitespace: the fast path (look with `in` before splitting) folds exactly what the
regex it replaced folded, for every white-space character Unicode has, in short and long
texts, ASCII and not, inside and at the ends."""

from __future__ import annotations

import re
import sys

import pytest

from paperfeed.core.records import _UNICODE_SPACES, fold_whitespace

ALL_SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
LONG_ASCII = "Reinforcement learning from human feedback " * 4
LONG_OTHER = "Schrödinger bridges — 强化学习 with ≥ 95 % " * 4


def folded_by_regex(text: str) -> str:
    """The implementation before: one regex substitution, then strip."""
    return re.sub(r"\s+", " ", text).strip()


def test_the_unicode_space_list_is_every_non_ascii_space() -> None:
    assert sorted(_UNICODE_SPACES) == [c for c in ALL_SPACES if not c.isascii()]


@pytest.mark.parametrize("space", ALL_SPACES, ids=lambda c: f"U+{ord(c):04X}")
def test_every_space_folds_as_the_regex_folded_it(space: str) -> None:
    for body in ("a b", LONG_ASCII, LONG_OTHER):
        for text in (
            f"{body}{space}{body}",
            f"{body}{space}{space}{body}",
            f"{space}{body}",
            f"{body}{space}",
            f"{body} {space} {body}",
            space,
        ):
            assert fold_whitespace(text) == folded_by_regex(text), repr(text)


def test_texts_without_anything_to_fold_come_back_as_they_are() -> None:
    for text in (LONG_ASCII.strip(), LONG_OTHER.strip(), "", "x"):
        assert fold_whitespace(text) == text == folded_by_regex(text)
    assert fold_whitespace(f" {LONG_ASCII} ") == LONG_ASCII.strip()
