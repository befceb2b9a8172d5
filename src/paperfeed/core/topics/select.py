"""Selection: which of a listing's papers go under which topic, and why.

A topic takes papers announced as new, cross-lists when its ``include_cross`` is set, and
replacements (``replace``, and ``replace-cross`` when cross-lists are wanted too) when its
``include_replacements`` is set. Papers already delivered under a topic in an earlier digest
are not repeated there.

Each topic is first narrowed to the papers that can match it, in one scan of the listing's
text (:mod:`paperfeed.core.topics.prefilter`); then each of those papers is split into words
once, the fields it needs only, and matched exactly against every topic it is a candidate
for. The result is what matching every paper against every topic gives.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence, Set

from paperfeed.core.records import ListingItem, Match
from paperfeed.core.topics.matcher import Topic, compile_topic
from paperfeed.core.topics.prefilter import scan_listing

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
    if len(text) in (9, 10) and text[4] == "." and text[:4].isdecimal() and text[5:].isdecimal():
        # The usual id, without the regular expression: a listing has thousands.
        return (2000 + int(text[:2]), int(text[2:4]), int(text[5:]), "")
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
    # Which topics each paper is a candidate for, papers in id order, topics in topic order.
    wanted: defaultdict[int, list[int]] = defaultdict(list)
    everyone = range(len(ordered))
    scan = scan_listing(matchers, [item.paper for item in ordered])
    for number, found in enumerate(scan.candidates):
        for index in everyone if found is None else found:
            wanted[index].append(number)
    seen = [
        delivered.get(m.topic.name, frozenset()) if delivered is not None else frozenset()
        for m in matchers
    ]
    selected: list[list[Match]] = [[] for _ in matchers]
    for index in sorted(wanted):
        item = ordered[index]
        text = scan.text(index, item.paper)  # one per paper, for all its topics
        for number in wanted[index]:
            matcher = matchers[number]
            if item.paper.arxiv_id in seen[number] or not matcher.accepts(item.announce_type):
                continue
            terms = matcher.match_text(text)
            if terms is not None:
                selected[number].append(
                    Match(
                        topic=matcher.topic.name,
                        paper=item.paper,
                        announce_type=item.announce_type,
                        terms=terms,
                    )
                )
    out: dict[str, tuple[Match, ...]] = {}
    for matcher, matches in zip(matchers, selected, strict=True):
        out[matcher.topic.name] = tuple(matches)
        log.debug(
            "topic %r: %d of %d papers selected", matcher.topic.name, len(matches), len(ordered)
        )
    return out


def _first_listings(items: Sequence[ListingItem]) -> list[ListingItem]:
    seen: set[str] = set()
    out: list[ListingItem] = []
    for item in items:
        if item.paper.arxiv_id not in seen:
            seen.add(item.paper.arxiv_id)
            out.append(item)
    return out
