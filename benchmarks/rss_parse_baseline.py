"""Today's RSS parse path, as of commit 7a4076a (before the speed work), kept callable so that
``bench_rss_parse.py`` times the old and the new implementation side by side in one run.

A verbatim copy of the pure parsing section of ``src/paperfeed/sources/arxiv_rss.py`` and of
``fold_whitespace`` (``src/paperfeed/core/records.py``) at that commit; not used by paperfeed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from lxml import etree

from paperfeed.core.errors import ParseError, SourceError
from paperfeed.core.records import ANNOUNCE_TYPES, AnnounceType, FeedPage, ListingItem, Paper

log = logging.getLogger(__name__)

_WHITESPACE = re.compile(r"\s+")


def fold_whitespace(text: str) -> str:
    """One line: line breaks and runs of white space folded to one space, ends trimmed."""
    return _WHITESPACE.sub(" ", text).strip()


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

# Rendered order of a listing, as rss.arxiv.org renders one feed.
_TYPE_RANK: dict[str, int] = {t: i for i, t in enumerate(ANNOUNCE_TYPES)}


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
    title = channel.findtext("title") or ""
    if title.startswith(_ERROR_TITLE):
        raise _feed_error(feed, url, channel.findtext("description") or title)
    items = tuple(
        item
        for index, node in enumerate(channel.iterfind("item"))
        if (item := _rss_item(node, feed, url, index)) is not None
    )
    listing_date = _rfc822_day(channel.findtext("pubDate"), feed, url)
    if listing_date is None and items:
        listing_date = _rfc822_day(channel.findtext("item/pubDate"), feed, url)
    return FeedPage(feed=feed, listing_date=listing_date, items=items)


def _parse_xml(body: bytes, feed: str, url: str) -> etree._Element:
    # No entity resolution and no network: the body is untrusted input.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(body, parser)
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
    description = node.findtext("description") or ""
    arxiv_id, version = _item_id(node.findtext("guid"), description, feed, url, index)
    announce = _announce_type(node.findtext("arxiv:announce_type", namespaces=_NS), description)
    if announce is None:
        log.warning("feed %s: skipping %sv%d: unknown announce type", feed, arxiv_id, version)
        return None
    paper = Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=fold_whitespace(node.findtext("title") or ""),
        authors=split_authors(node.findtext("dc:creator", namespaces=_NS) or ""),
        abstract=abstract_of(description),
        categories=_unique(c.text or "" for c in node.iterfind("category")),
        journal_ref=_optional(node.findtext("arxiv:journal_reference", namespaces=_NS)),
        doi=_optional(node.findtext("arxiv:DOI", namespaces=_NS)),
        license=_optional(node.findtext("dc:rights", namespaces=_NS)),
    )
    return ListingItem(paper=paper, announce_type=announce)


def _parse_atom(root: etree._Element, feed: str, url: str) -> FeedPage:
    title = root.findtext("atom:title", namespaces=_NS) or ""
    if title.startswith(_ERROR_TITLE):
        raise _feed_error(feed, url, root.findtext("atom:subtitle", namespaces=_NS) or title)
    items: list[ListingItem] = []
    listing_date: date | None = None
    for index, node in enumerate(root.iterfind("atom:entry", namespaces=_NS)):
        summary = node.findtext("atom:summary", namespaces=_NS) or ""
        arxiv_id, version = _item_id(
            node.findtext("atom:id", namespaces=_NS), summary, feed, url, index
        )
        announce = _announce_type(node.findtext("arxiv:announce_type", namespaces=_NS), summary)
        if listing_date is None:
            listing_date = _iso_day(node.findtext("atom:published", namespaces=_NS), feed, url)
        if announce is None:
            log.warning("feed %s: skipping %sv%d: unknown announce type", feed, arxiv_id, version)
            continue
        paper = Paper(
            arxiv_id=arxiv_id,
            version=version,
            title=fold_whitespace(node.findtext("atom:title", namespaces=_NS) or ""),
            authors=split_authors(node.findtext("dc:creator", namespaces=_NS) or ""),
            abstract=abstract_of(summary),
            categories=_unique(
                c.get("term", "") for c in node.iterfind("atom:category", namespaces=_NS)
            ),
            journal_ref=_optional(node.findtext("arxiv:journal_reference", namespaces=_NS)),
            doi=_optional(node.findtext("arxiv:DOI", namespaces=_NS)),
            license=_optional(node.findtext("dc:rights", namespaces=_NS)),
        )
        items.append(ListingItem(paper=paper, announce_type=announce))
    if listing_date is None:
        # No entries: the build time, taken in New York, is the feed day (built at midnight).
        built = _iso_datetime(root.findtext("atom:updated", namespaces=_NS), feed, url)
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


def _announce_type(element_text: str | None, description: str) -> AnnounceType | None:
    text = (element_text or "").strip()
    if not text:
        found = _DESCRIPTION_TYPE.search(description)
        text = found["type"] if found else ""
    for known in ANNOUNCE_TYPES:
        if text == known:
            return known
    return None


def abstract_of(description: str) -> str:
    """The abstract in an item's description: the text after ``Abstract: ``, folded."""
    _, mark, abstract = description.partition(_ABSTRACT_MARK)
    if not mark:  # no marker: drop the "arXiv:<id> Announce Type: <type>" line if present
        head, newline, rest = description.partition("\n")
        abstract = rest if newline and "Announce Type:" in head else description
    return fold_whitespace(abstract)


def split_authors(creator: str) -> tuple[str, ...]:
    """``dc:creator``'s one string as one entry per author, each as arXiv wrote it, with any
    affiliations in parentheses kept ("Jane Doe (MIT, Harvard)"): the digest formats print
    the authors line as arXiv lists it. Authors are joined by ", " and so are affiliations,
    so split only outside parentheses; joining the result with ", " gives the line back."""
    names: list[str] = []
    depth = 0
    start = 0
    for i, char in enumerate(creator):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            names.append(creator[start:i])
            start = i + 1
    names.append(creator[start:])
    cleaned = (fold_whitespace(name) for name in names)
    return tuple(name for name in cleaned if name)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        text = value.strip()
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _optional(text: str | None) -> str | None:
    folded = fold_whitespace(text or "")
    return folded or None


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
