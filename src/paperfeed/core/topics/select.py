"""Selection: which of a listing's papers go under which topic, and why.

Each paper is tokenized once and matched against every topic. A topic takes papers announced
as new, cross-lists when its ``include_cross`` is set, and replacements (``replace``, and
``replace-cross`` when cross-lists are wanted too) when its ``include_replacements`` is set.
Papers already delivered under a topic in an earlier digest are not repeated there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence, Set

from paperfeed.core.records import ListingItem, Match
from paperfeed.core.topics import PaperText, Topic, compile_topic

__all__ = ["arxiv_id_sort_key", "select_matches"]

log = logging.getLogger(__name__)

_NEW_STYLE = re.compile(r"(\d{2})(\d{2})\.(\d{4,5})(?:v\d+)?")
_OLD_STYLE = re.compile(r"([a-z][a-z.-]*)/(\d{2})(\d{2})(\d{3})(?:v\d+)?", re.IGNORECASE)


def arxiv_id_sort_key(arxiv_id: str) -> tuple[int, int, int, str]:
    """Sort key putting arXiv ids in submission order: (year, month, number, archive).

    New-style ids ("2606.04029", "0704.0001") compare by month then number, numerically.
    Old-style ids ("hep-th/9901001", from 1991 to March 2007) are older than every new-style
    id and sort before them, by month then number then archive. A version suffix is ignored.
    Anything else sorts last, by its text.
    """
    text = arxiv_id.strip()
    if m := _NEW_STYLE.fullmatch(text):
        return (2000 + int(m.group(1)), int(m.group(2)), int(m.group(3)), "")
    if m := _OLD_STYLE.fullmatch(text):
        yy = int(m.group(2))
        year = 1900 + yy if yy >= 91 else 2000 + yy
        return (year, int(m.group(3)), int(m.group(4)), m.group(1).lower())
    return (9999, 99, 0, text)


def select_matches(
    items: Sequence[ListingItem],
    topics: Sequence[Topic],
    *,
    delivered: Mapping[str, Set[str]] | None = None,
) -> dict[str, tuple[Match, ...]]:
    """Each topic's matches, keyed by topic name in topic order, each in ascending arXiv id order.

    ``delivered[topic name]`` holds the arXiv ids delivered under that topic before; they are
    left out. A paper listed twice keeps its first listing. Raises QueryError (naming the
    topic) when a topic's query does not parse.
    """
    matchers = [compile_topic(topic) for topic in topics]
    ordered = sorted(
        _first_listings(items), key=lambda item: arxiv_id_sort_key(item.paper.arxiv_id)
    )
    texts = [PaperText.of(item.paper) for item in ordered]
    out: dict[str, tuple[Match, ...]] = {}
    for matcher in matchers:
        name = matcher.topic.name
        seen = delivered.get(name, frozenset()) if delivered is not None else frozenset()
        matches: list[Match] = []
        for item, text in zip(ordered, texts, strict=True):
            if item.paper.arxiv_id in seen or not matcher.accepts(item.announce_type):
                continue
            terms = matcher.match_text(text)
            if terms is not None:
                matches.append(
                    Match(
                        topic=name, paper=item.paper, announce_type=item.announce_type, terms=terms
                    )
                )
        out[name] = tuple(matches)
        log.debug("topic %r: %d of %d papers selected", name, len(matches), len(ordered))
    return out


def _first_listings(items: Sequence[ListingItem]) -> list[ListingItem]:
    seen: set[str] = set()
    out: list[ListingItem] = []
    for item in items:
        if item.paper.arxiv_id not in seen:
            seen.add(item.paper.arxiv_id)
            out.append(item)
    return out
