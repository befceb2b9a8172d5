"""Topics: the query language, and matching papers against it.

``parse_query`` turns query text into a syntax tree (the language is described in
:mod:`paperfeed.topics.query`); ``compile_topic`` turns a configured :class:`Topic` into a
:class:`TopicMatcher` that says whether a paper belongs to the topic and which terms matched.
"""

from __future__ import annotations

from paperfeed.core.topics.matcher import PaperText, Segment, Topic, TopicMatcher, compile_topic
from paperfeed.core.topics.query import (
    And,
    CategoryTerm,
    Not,
    Or,
    Phrase,
    Query,
    category_term,
    parse_query,
)

__all__ = [
    "And",
    "CategoryTerm",
    "Not",
    "Or",
    "PaperText",
    "Phrase",
    "Query",
    "Segment",
    "Topic",
    "TopicMatcher",
    "category_term",
    "compile_topic",
    "parse_query",
]
