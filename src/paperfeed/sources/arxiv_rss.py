"""rss.arxiv.org daily feeds: one announcement's papers per category or archive.

``parse_rss`` is pure (bytes in, ``FeedPage`` out) and reads both the RSS 2.0 and the Atom
variant. ``fetch_feed`` and ``fetch_listing`` fetch through the polite HTTP layer; the latter
assembles the day's listing from several feeds, splitting any feed that hit arXiv's 2000-item
cap into its categories so no paper is silently lost.

Layout (arXiv/arxiv-feed): each item carries the paper's id and version in ``guid``
(``oai:arXiv.org:<id>v<N>``), the abstract in ``description`` after ``Announce Type: <type>
\\nAbstract: ``, every category (primary first), the licence in ``dc:rights`` and all authors
in one ``dc:creator``. The channel ``pubDate`` is the listing day, midnight US Eastern.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from lxml import etree

from paperfeed.core.errors import ParseError, SourceError
from paperfeed.core.records import (
    ANNOUNCE_TYPES,
    AnnounceType,
    FeedPage,
    ListingItem,
    Paper,
    fold_whitespace,
)
from paperfeed.sources.http import PoliteClient
from paperfeed.sources.tex_text import tex_to_unicode
from paperfeed.sources.xml_text import element_text, find_text, untrusted_xml_parser

log = logging.getLogger(__name__)

DEFAULT_RSS_URL = "https://rss.arxiv.org/rss"
MAX_FEED_ITEMS = 2000  # rss.arxiv.org's cap; it drops the rest without saying so

_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_ATOM_FEED = f"{{{_NS['atom']}}}feed"
_NEW_YORK = ZoneInfo("America/New_York")
_ERROR_TITLE = "Feed error for query:"
_CONFIG_HINT = "check [arxiv] categories in paperfeed.toml"

_GUID = re.compile(r"^oai:arXiv\.org:(?P<id>.+)v(?P<version>\d+)$")
_DESCRIPTION_ID = re.compile(r"^\s*arXiv:(?P<id>\S+)v(?P<version>\d+)\b")
_DESCRIPTION_TYPE = re.compile(r"Announce Type:\s*(?P<type>[\w-]+)")
_ABSTRACT_MARK = "Abstract: "
_AUTHOR_MARKS = re.compile(r"[(),]")
# The item children read, by tag; the rest (link, pubDate) are not needed.
_RSS_FIELDS: dict[str, str] = {
    "title": "title",
    "description": "description",
    "guid": "guid",
    f"{{{_NS['arxiv']}}}announce_type": "announce_type",
    f"{{{_NS['dc']}}}creator": "creator",
    f"{{{_NS['dc']}}}rights": "rights",
    f"{{{_NS['arxiv']}}}DOI": "doi",
    f"{{{_NS['arxiv']}}}journal_reference": "journal_ref",
}

# Rendered order of a listing, as rss.arxiv.org renders one feed.
_TYPE_RANK: dict[str, int] = {t: i for i, t in enumerate(ANNOUNCE_TYPES)}


@dataclass(frozen=True, slots=True)
class RssListing:
    """One day's listing assembled from several feeds.

    ``listing_date`` is None when every feed was empty (weekend, holiday). ``feeds`` are the
    feeds the items were assembled from, in fetch order: a feed that was full is replaced by
    the parts it was split into.
    """

    listing_date: date | None
    items: tuple[ListingItem, ...]
    feeds: tuple[str, ...]


# -- parsing (pure) ------------------------------------------------------------------------


def parse_rss(body: bytes, feed: str, *, url: str = "") -> FeedPage:
    """One rss.arxiv.org feed (RSS 2.0 or Atom) as a ``FeedPage``.

    Raises ``SourceError`` for arXiv's feed-error document (unknown category) and
    ``ParseError`` for anything that is not a feed.
    """
    root = _parse_xml(body, feed, url)
    if root.tag == _ATOM_FEED:
        return _parse_atom(root, feed, url)
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        raise ParseError(
            f"the response for feed '{feed}' is not an RSS or Atom feed (root element "
            f"<{etree.QName(root).localname}>)",
            url=url,
            hint="check [arxiv] rss_url in paperfeed.toml points at rss.arxiv.org/rss",
        )
    title = _find_text(channel, "title") or ""
    if title.startswith(_ERROR_TITLE):
        raise _feed_error(feed, url, _find_text(channel, "description") or title)
    items = tuple(
        item
        for index, node in enumerate(channel.iterfind("item"))
        if (item := _rss_item(node, feed, url, index)) is not None
    )
    listing_date = _rfc822_day(_find_text(channel, "pubDate"), feed, url)
    if listing_date is None and items:
        listing_date = _rfc822_day(_find_text(channel, "item/pubDate"), feed, url)
    return FeedPage(feed=feed, listing_date=listing_date, items=items)


def _parse_xml(body: bytes, feed: str, url: str) -> etree._Element:
    try:
        root = etree.fromstring(body, untrusted_xml_parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(
            f"the RSS feed '{feed}' is not well-formed XML: {exc}",
            url=url,
            hint="the response may have been cut off or be an error page; run again later, "
            "and report it if it keeps happening",
        ) from None
    if root is None:
        raise ParseError(f"the RSS feed '{feed}' is empty", url=url, hint="run again later")
    return root


def _feed_error(feed: str, url: str, message: str) -> SourceError:
    return SourceError(
        f"arXiv RSS rejected feed '{feed}': {fold_whitespace(message)}",
        url=url,
        status=400,
        hint=_CONFIG_HINT,
    )


def _rss_item(node: etree._Element, feed: str, url: str, index: int) -> ListingItem | None:
    # One pass over the item's children (first of each wins, as findtext would take it): a
    # dozen path look-ups per item were a quarter of the parse.
    fields: dict[str, str] = {}
    categories: list[str] = []
    for child in node:
        tag = child.tag
        if tag == "category":
            categories.append(element_text(child))
        elif (key := _RSS_FIELDS.get(tag)) is not None and key not in fields:
            fields[key] = element_text(child)
    description = fields.get("description", "")
    arxiv_id, version = _item_id(fields.get("guid"), description, feed, url, index)
    announce = _announce_type(fields.get("announce_type"), description)
    if announce is None:
        log.warning("feed %s: skipping %sv%d: unknown announce type", feed, arxiv_id, version)
        return None
    paper = Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=tex_to_unicode(fold_whitespace(fields.get("title", ""))),
        authors=split_authors(fields.get("creator", "")),
        abstract=abstract_of(description),
        categories=_unique(categories),
        journal_ref=_optional(fields.get("journal_ref")),
        doi=_optional(fields.get("doi")),
        license=_optional(fields.get("rights")),
    )
    return ListingItem(paper=paper, announce_type=announce)


def _find_text(parent: etree._Element, path: str) -> str | None:
    return find_text(parent, path, _NS)


def _parse_atom(root: etree._Element, feed: str, url: str) -> FeedPage:
    title = _find_text(root, "atom:title") or ""
    if title.startswith(_ERROR_TITLE):
        raise _feed_error(feed, url, _find_text(root, "atom:subtitle") or title)
    items: list[ListingItem] = []
    listing_date: date | None = None
    for index, node in enumerate(root.iterfind("atom:entry", namespaces=_NS)):
        summary = _find_text(node, "atom:summary") or ""
        arxiv_id, version = _item_id(_find_text(node, "atom:id"), summary, feed, url, index)
        announce = _announce_type(_find_text(node, "arxiv:announce_type"), summary)
        if listing_date is None:
            listing_date = _iso_day(_find_text(node, "atom:published"), feed, url)
        if announce is None:
            log.warning("feed %s: skipping %sv%d: unknown announce type", feed, arxiv_id, version)
            continue
        paper = Paper(
            arxiv_id=arxiv_id,
            version=version,
            title=tex_to_unicode(fold_whitespace(_find_text(node, "atom:title") or "")),
            authors=split_authors(_find_text(node, "dc:creator") or ""),
            abstract=abstract_of(summary),
            categories=_unique(
                c.get("term", "") for c in node.iterfind("atom:category", namespaces=_NS)
            ),
            journal_ref=_optional(_find_text(node, "arxiv:journal_reference")),
            doi=_optional(_find_text(node, "arxiv:DOI")),
            license=_optional(_find_text(node, "dc:rights")),
        )
        items.append(ListingItem(paper=paper, announce_type=announce))
    if listing_date is None:
        # No entries: the build time, taken in New York, is the feed day (built at midnight).
        built = _iso_datetime(_find_text(root, "atom:updated"), feed, url)
        listing_date = built.astimezone(_NEW_YORK).date() if built else None
    return FeedPage(feed=feed, listing_date=listing_date, items=tuple(items))


def _item_id(
    guid: str | None, description: str, feed: str, url: str, index: int
) -> tuple[str, int]:
    found = _GUID.match((guid or "").strip()) or _DESCRIPTION_ID.match(description)
    if found is None:
        raise ParseError(
            f"feed '{feed}', item {index + 1}: no arXiv id with version in guid {guid!r}",
            url=url,
            hint="rss.arxiv.org may have changed its format; please report this",
        )
    return found["id"], int(found["version"])


def _announce_type(announced: str | None, description: str) -> AnnounceType | None:
    text = (announced or "").strip()
    if not text:
        found = _DESCRIPTION_TYPE.search(description)
        text = found["type"] if found else ""
    for known in ANNOUNCE_TYPES:
        if text == known:
            return known
    return None


def abstract_of(description: str) -> str:
    """The abstract in an item's description: the text after ``Abstract: ``, folded, with TeX
    accents and letters as Unicode."""
    _, mark, abstract = description.partition(_ABSTRACT_MARK)
    if not mark:  # no marker: drop the "arXiv:<id> Announce Type: <type>" line if present
        head, newline, rest = description.partition("\n")
        abstract = rest if newline and "Announce Type:" in head else description
    return tex_to_unicode(fold_whitespace(abstract))


def split_authors(creator: str) -> tuple[str, ...]:
    """``dc:creator``'s one string as one entry per author, each as arXiv wrote it (TeX accents
    and letters as Unicode), with any affiliations in parentheses kept ("Jane Doe (MIT,
    Harvard)"): the digest formats print the authors line as arXiv lists it. Authors are
    joined by ", " and so are affiliations, so split only outside parentheses; joining the
    result with ", " gives the line back."""
    line = tex_to_unicode(fold_whitespace(creator))  # folded once: the parts need only strip()
    parts = line.split(",") if "(" not in line else _split_outside_parentheses(line)
    return tuple(name for part in parts if (name := part.strip()))


def _split_outside_parentheses(line: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    start = 0
    for mark in _AUTHOR_MARKS.finditer(line):
        char = mark.group()
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(line[start : mark.start()])
            start = mark.end()
    parts.append(line[start:])
    return parts


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        text = value.strip()
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _optional(text: str | None) -> str | None:
    if not text:
        return None
    return fold_whitespace(text) or None


def _rfc822_day(text: str | None, feed: str, url: str) -> date | None:
    if not text or not text.strip():
        return None
    try:
        # The date in the feed's own offset: midnight US Eastern of the listing day.
        return parsedate_to_datetime(text.strip()).date()
    except (TypeError, ValueError, IndexError):
        raise ParseError(
            f"feed '{feed}': unreadable pubDate {text!r}",
            url=url,
            hint="rss.arxiv.org may have changed its format; please report this",
        ) from None


def _iso_datetime(text: str | None, feed: str, url: str) -> datetime | None:
    if not text or not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise ParseError(
            f"feed '{feed}': unreadable date {text!r}",
            url=url,
            hint="rss.arxiv.org may have changed its format; please report this",
        ) from None


def _iso_day(text: str | None, feed: str, url: str) -> date | None:
    when = _iso_datetime(text, feed, url)
    return when.date() if when else None


# -- fetching ------------------------------------------------------------------------------


def feed_url(base_url: str, feed: str) -> str:
    return f"{base_url.rstrip('/')}/{feed}"


def fetch_feed(http: PoliteClient, base_url: str, feed: str) -> FeedPage:
    """Fetch and parse one feed (``cs``, ``cs.LG``, ``cs.LG+stat.ML``) from ``base_url``
    (``DEFAULT_RSS_URL`` for arXiv's own)."""
    url = feed_url(base_url, feed)
    result = http.get(url, accept_status=(400,))
    if result.status == 400:
        # arXiv's error document names the problem; anything else at 400 is just a refusal.
        with contextlib.suppress(ParseError):
            parse_rss(result.body, feed, url=url)
        raise SourceError(
            f"GET {url} answered HTTP 400 for feed '{feed}'", url=url, status=400, hint=_CONFIG_HINT
        )
    page = parse_rss(result.body, feed, url=url)
    log.debug("feed %s: %d items, listing date %s", feed, len(page.items), page.listing_date)
    return page


def fetch_listing(
    http: PoliteClient,
    base_url: str,
    feeds: Sequence[str],
    *,
    split_feed: Callable[[str], tuple[str, ...]],
    on_feed: Callable[[str, int], None] | None = None,
    max_items: int = MAX_FEED_ITEMS,
) -> RssListing:
    """The listing the feeds show now: papers de-duplicated across feeds, in rss.arxiv.org's
    order (new, cross, replace, replace-cross; ascending id within each).

    A feed holding ``max_items`` items or more was cut off by arXiv, so it is fetched again
    split into its categories (``split_feed``, e.g. ``taxonomy.archive_categories``; combined
    feeds split at "+"). Every feed must show the same day, else ``SourceError``: the feeds
    switched days (midnight US Eastern) while they were being fetched. ``on_feed(feed, n)``
    is called once per requested feed with the number of distinct papers it gave.
    """
    pages: list[FeedPage] = []
    for feed in feeds:
        complete = _fetch_complete(http, base_url, feed, split_feed, max_items)
        pages.extend(complete)
        if on_feed is not None:
            on_feed(feed, len({i.paper.arxiv_id for p in complete for i in p.items}))
    listing_date = _agreed_date(pages, base_url)
    items = merge_items(item for page in pages for item in page.items)
    return RssListing(
        listing_date=listing_date, items=items, feeds=tuple(page.feed for page in pages)
    )


def _fetch_complete(
    http: PoliteClient,
    base_url: str,
    feed: str,
    split_feed: Callable[[str], tuple[str, ...]],
    max_items: int,
) -> list[FeedPage]:
    page = fetch_feed(http, base_url, feed)
    if len(page.items) < max_items:
        return [page]
    parts = _split(feed, split_feed)
    if not parts:
        raise SourceError(
            f"feed '{feed}' holds {len(page.items)} items, arXiv's limit, and cannot be split "
            "further: papers beyond the limit would be lost",
            url=feed_url(base_url, feed),
            hint="back-fill this day through the arXiv API, or report the feed size",
        )
    log.info("feed %s is full (%d items): fetching its %d parts", feed, len(page.items), len(parts))
    pages: list[FeedPage] = []
    for part in parts:
        pages.extend(_fetch_complete(http, base_url, part, split_feed, max_items))
    return pages


def _split(feed: str, split_feed: Callable[[str], tuple[str, ...]]) -> tuple[str, ...]:
    """The smaller feeds that together cover ``feed``; () when it cannot be split."""
    if "+" in feed:
        return tuple(part for part in feed.split("+") if part)
    try:
        parts = tuple(split_feed(feed))
    except (ValueError, KeyError):  # a category, not an archive
        return ()
    return () if parts in ((), (feed,)) else parts


def _agreed_date(pages: Sequence[FeedPage], base_url: str) -> date | None:
    """The listing day all feeds show. Empty feeds count too when they carry a date: an empty
    feed dated the next day means the feeds switched while this run was fetching them."""
    dated = [(page.feed, page.listing_date) for page in pages if page.listing_date is not None]
    days = {day for _, day in dated}
    if len(days) > 1:
        shown = ", ".join(f"{feed} shows {day}" for feed, day in dated)
        raise SourceError(
            f"the RSS feeds disagree on the listing date: {shown}",
            url=base_url,
            hint="arXiv switches its feeds at midnight US Eastern; run again in a few minutes",
        )
    if not any(page.items for page in pages):
        return None
    return days.pop() if days else None


def merge_items(items: Iterable[ListingItem]) -> tuple[ListingItem, ...]:
    """One item per paper, in listing order. A cross-listed paper appears in several feeds,
    as ``new`` where its primary category was requested and as ``cross`` elsewhere: the later
    version wins, then the primary reading (``new`` over ``cross``, ``replace`` over
    ``replace-cross``)."""
    chosen: dict[str, ListingItem] = {}
    for item in items:
        key = item.paper.arxiv_id
        seen = chosen.get(key)
        if seen is None or _preference(item) > _preference(seen):
            chosen[key] = item
    return tuple(
        sorted(chosen.values(), key=lambda i: (_TYPE_RANK[i.announce_type], i.paper.arxiv_id))
    )


def _preference(item: ListingItem) -> tuple[int, bool]:
    return item.paper.version, item.announce_type in ("new", "replace")
