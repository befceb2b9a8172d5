"""Build rss.arxiv.org-shaped feeds from listing items.

The layout follows arXiv/arxiv-feed's serializer (element order, namespaces, the
``Announce Type: <type> \\nAbstract:`` description, one ``dc:creator``), so the demo and the tests
exercise the real parser on realistic bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime

from lxml import etree

from paperfeed.core import taxonomy
from paperfeed.core.calendar import NEW_YORK
from paperfeed.core.records import AnnounceType, ListingItem

NS = {
    "arxiv": "http://arxiv.org/schemas/atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
_TYPE_ORDER: dict[AnnounceType, int] = {"new": 0, "cross": 1, "replace": 2, "replace-cross": 3}


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def _in_feed(categories: Iterable[str], members: set[str]) -> bool:
    return any(c in members for c in categories)


def feed_items(items: Sequence[ListingItem], feed: str) -> list[ListingItem]:
    """The items an archive or category feed lists, typed as arXiv types them for that feed:
    ``new``/``replace`` when the primary category is in the feed, else ``cross``/``replace-cross``."""
    members = set(taxonomy.archive_categories(feed)) if "." not in feed else {feed}
    out = []
    for item in items:
        if not _in_feed(item.paper.categories, members):
            continue
        primary_here = item.paper.primary_category in members
        replaced = item.announce_type in ("replace", "replace-cross")
        kind: AnnounceType = (
            ("replace" if primary_here else "replace-cross")
            if replaced
            else ("new" if primary_here else "cross")
        )
        out.append(ListingItem(paper=item.paper, announce_type=kind))
    out.sort(key=lambda i: (_TYPE_ORDER[i.announce_type], i.paper.arxiv_id))
    return out


def build_rss(
    feed: str,
    listing_date: date,
    items: Sequence[ListingItem],
    *,
    base_url: str = "http://rss.arxiv.org/rss",
) -> bytes:
    """One RSS 2.0 feed for ``feed`` dated ``listing_date`` (midnight America/New_York)."""
    midnight = datetime.combine(listing_date, time(0, 0), tzinfo=NEW_YORK)
    built = (midnight + timedelta(seconds=2)).astimezone(UTC)  # arXiv builds just after midnight
    rss = etree.Element("rss", nsmap=NS, version="2.0")
    channel = etree.SubElement(rss, "channel")
    link = f"{base_url}/{feed}"
    for tag, text in (
        ("title", f"{feed.replace('+', ', ')} updates on arXiv.org"),
        ("link", link),
        ("description", f"{feed} updates on the arXiv.org e-print archive."),
    ):
        etree.SubElement(channel, tag).text = text
    etree.SubElement(channel, _q("atom", "link"), href=link, rel="self", type="application/rss+xml")
    etree.SubElement(channel, "docs").text = "http://www.rssboard.org/rss-specification"
    etree.SubElement(channel, "language").text = "en-us"
    etree.SubElement(channel, "lastBuildDate").text = format_datetime(built)
    etree.SubElement(channel, "managingEditor").text = "rss-help@arxiv.org"
    etree.SubElement(channel, "pubDate").text = format_datetime(midnight)
    skip = etree.SubElement(channel, "skipDays")
    for day in ("Sunday", "Saturday"):
        etree.SubElement(skip, "day").text = day
    for item in items:
        paper = item.paper
        node = etree.SubElement(channel, "item")
        etree.SubElement(node, "title").text = paper.title
        etree.SubElement(node, "link").text = paper.abs_url
        etree.SubElement(node, "description").text = (
            f"arXiv:{paper.arxiv_id}v{max(paper.version, 1)} Announce Type: {item.announce_type} \n"
            f"Abstract: {paper.abstract}"
        )
        guid = etree.SubElement(node, "guid", isPermaLink="false")
        guid.text = f"oai:arXiv.org:{paper.arxiv_id}v{max(paper.version, 1)}"
        for category in paper.categories:
            etree.SubElement(node, "category").text = category
        etree.SubElement(node, "pubDate").text = format_datetime(midnight)
        etree.SubElement(node, _q("arxiv", "announce_type")).text = item.announce_type
        etree.SubElement(node, _q("dc", "rights")).text = (
            paper.license or "http://creativecommons.org/licenses/by/4.0/"
        )
        if paper.doi:
            etree.SubElement(node, _q("arxiv", "DOI")).text = paper.doi
        if paper.journal_ref:
            etree.SubElement(node, _q("arxiv", "journal_reference")).text = paper.journal_ref
        etree.SubElement(node, _q("dc", "creator")).text = ", ".join(paper.authors)
    body: bytes = etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return body


def build_feeds(
    listing_date: date, items: Sequence[ListingItem], feeds: Iterable[str]
) -> dict[str, bytes]:
    """``{"/rss/<feed>": body}`` for each feed, ready to serve."""
    return {
        f"/rss/{feed}": build_rss(feed, listing_date, feed_items(items, feed)) for feed in feeds
    }


def etag(body: bytes) -> str:
    """rss.arxiv.org's ETag: the SHA-256 of the body."""
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def archives_of(items: Sequence[ListingItem]) -> list[str]:
    """Every archive any item is listed in, in taxonomy order."""
    seen = {taxonomy.archive_of(c) for item in items for c in item.paper.categories}
    return [a for a in taxonomy.ALL_ARCHIVES if a in seen]
