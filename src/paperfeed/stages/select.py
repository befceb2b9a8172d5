"""The select stage: which of the listing's papers go under which topic, and why; papers a
topic already delivered in an earlier digest are left out."""

from __future__ import annotations

from collections.abc import Sequence

from paperfeed.archive import Archive
from paperfeed.core.records import Listing, Match, Paper, StageName
from paperfeed.core.topics import Topic
from paperfeed.core.topics.select import select_matches
from paperfeed.stages.contract import Done, required

Matches = dict[str, tuple[Match, ...]]


@required(StageName.SELECT)
def select(listing: Listing, topics: Sequence[Topic], store: Archive) -> Done[Matches]:
    delivered = store.delivered([t.name for t in topics], before=listing.listing_date)
    matches = select_matches(listing.items, topics, delivered=delivered)
    store.save_matches(listing.listing_date, matches)
    return Done(matches, ", ".join(f"{t}: {len(m)}" for t, m in matches.items()))


def distinct_papers(matches: Matches) -> list[Paper]:
    """Each paper version the matches name, once, in topic order."""
    seen: dict[str, Paper] = {}
    for found in matches.values():
        for match in found:
            seen.setdefault(match.paper.versioned_id, match.paper)
    return list(seen.values())
