"""The archive's search speaks the topic query language: one language, one implementation.

``parse_search(text)`` reads what a reader typed into the search box (CLI, web, API) as a topic
query: ``reward AND NOT language``, ``reward -language``, ``ti:robot*``, ``"offline RL" OR IQL``
mean in search exactly what they mean in a topic, because a backend's full-text index only
proposes candidates and ``search_matcher`` (the topic matcher) decides.

A search box is not a config file, and reads a few things the way search boxes do:

- words without any syntax are all required, in any order (``diffusion policy`` finds
  "policy ... diffusion"; quote them for the phrase), where a topic reads such a string as one
  phrase;
- a term without a scope searches the title, the abstract *and the authors*;
- a plural also finds the singular (``policies`` finds "Policy"), as the singular always
  finds the plural;
- text that is not a valid query (an unbalanced quote or parenthesis) is read as its words,
  all required; control characters are spaces; text without a single word searches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from paperfeed.core.errors import QueryError
from paperfeed.core.records import MatchedTerm, Paper
from paperfeed.core.topics.matcher import query_matcher
from paperfeed.core.topics.query import And, Not, Or, Phrase, Query, TextField, parse_query
from paperfeed.core.topics.words import WORD_PATTERN, fold_word

SEARCH_FIELDS: tuple[TextField, ...] = ("title", "abstract", "authors")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_search_text(text: str) -> str:
    """The text with control characters as spaces (a NUL ends a full-text query early), trimmed."""
    return _CONTROL.sub(" ", text).strip()


def parse_search(text: str) -> Query | None:
    """The query a search box's text asks for; None when it holds no word to look for."""
    clean = clean_search_text(text)
    if not clean:
        return None
    try:
        query = parse_query(clean, default_fields=SEARCH_FIELDS)
    except QueryError:
        query = None
    if query is None or (isinstance(query, Phrase) and '"' not in clean and len(query.words) > 1):
        # Not a valid query, or plain words: every word, in any order.
        words: list[Query] = [
            Phrase(
                term=m.group() + ("*" if clean[m.end() : m.end() + 1] == "*" else ""),
                words=(
                    fold_word(m.group()) + ("*" if clean[m.end() : m.end() + 1] == "*" else ""),
                ),
                fields=SEARCH_FIELDS,
            )
            for m in WORD_PATTERN.finditer(clean)
        ]
        if not words:
            return None
        query = words[0] if len(words) == 1 else And(tuple(words))
    return _with_singulars(query)


def singular(word: str) -> str | None:
    """The singular a plural English word is likely to be ("policies" -> "policy",
    "boxes" -> "box", "robots" -> "robot"); None for a word that does not look plural."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return None
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def _with_singulars(node: Query) -> Query:
    if isinstance(node, Phrase):
        last = node.words[-1]
        one = singular(last) if not last.endswith("*") else None
        if one is None:
            return node
        return Or((node, replace(node, words=(*node.words[:-1], one))))
    if isinstance(node, Not):
        return Not(_with_singulars(node.operand))
    if isinstance(node, And):
        return And(tuple(_with_singulars(op) for op in node.operands))
    if isinstance(node, Or):
        return Or(tuple(_with_singulars(op) for op in node.operands))
    return node


def search_matcher(query: Query) -> Callable[[Paper], tuple[MatchedTerm, ...] | None]:
    """What decides whether a candidate paper is a result: the topic matcher."""
    return query_matcher(query)
