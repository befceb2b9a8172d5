"""export.arxiv.org/api/query: papers by id, by search, and by submission window.

``parse_api_feed`` is pure and reads both Atom layouts the API has served (the current one,
since the late-2025 migration, and the legacy one with hard-wrapped text and namespaces
declared per element). ``ArxivApiClient`` pages through results via the polite HTTP layer
and works around the API's intermittent "empty page" answers.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from paperfeed.core.errors import ParseError, SourceError
from paperfeed.core.records import Paper, fold_whitespace
from paperfeed.sources.http import PoliteClient
from paperfeed.sources.tex_text import tex_to_unicode
from paperfeed.sources.xml_text import find_text, untrusted_xml_parser

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_PAGE_SIZE = 100
API_RESULT_LIMIT = 30000  # the API serves at most this many results of one query

_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
    "arxiv": "http://arxiv.org/schemas/atom",
}
_ENTRY_ID = re.compile(r"/abs/(?P<id>.+)v(?P<version>\d+)$")
# arXiv category codes ("cs.LG", "hep-th", "physics.space-ph", "cond-mat.stat-mech"); the API
# lists ACM ("I.2.6") and MSC ("68T05") classes as categories too, and those are dropped.
_CATEGORY = re.compile(r"^[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[a-z]+)*)?$")
_FORMAT_HINT = "the arXiv API may have changed its format; please report this"


@dataclass(frozen=True, slots=True)
class ApiPage:
    """One page of API results."""

    total_results: int
    start_index: int
    items_per_page: int
    papers: tuple[Paper, ...]


# -- parsing (pure) ------------------------------------------------------------------------


def parse_api_feed(body: bytes, *, url: str = "", status: int | None = None) -> ApiPage:
    """One API response as an ``ApiPage``. Raises ``SourceError`` for the API's error feed
    (bad id, bad paging value) and ``ParseError`` for anything that is not an API feed."""
    try:
        root = etree.fromstring(body, untrusted_xml_parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(
            f"the arXiv API response is not well-formed XML: {exc}",
            url=url,
            status=status,
            hint="the response may have been cut off or be an error page; run again later",
        ) from None
    if root is None or root.tag != f"{{{_NS['atom']}}}feed":
        raise ParseError(
            "the arXiv API response is not an Atom feed",
            url=url,
            status=status,
            hint="check [arxiv] api_url in paperfeed.toml",
        )
    entries = root.findall("atom:entry", namespaces=_NS)
    for entry in entries:
        if "/api/errors" in (entry.findtext("atom:id", namespaces=_NS) or ""):
            message = fold_whitespace(find_text(entry, "atom:summary", _NS) or "")
            raise SourceError(
                f"the arXiv API rejected the request: {message or 'error'}",
                url=url,
                status=status,
                hint="check the arXiv ids or the search query",
            )
    return ApiPage(
        total_results=_count(root, "totalResults", url),
        start_index=_count(root, "startIndex", url),
        items_per_page=_count(root, "itemsPerPage", url),
        papers=tuple(_paper(entry, url) for entry in entries),
    )


def _count(root: etree._Element, name: str, url: str) -> int:
    text = (root.findtext(f"opensearch:{name}", namespaces=_NS) or "").strip()
    if not text.isdigit():
        raise ParseError(
            f"the arXiv API response has no opensearch:{name}", url=url, hint=_FORMAT_HINT
        )
    return int(text)


def _paper(entry: etree._Element, url: str) -> Paper:
    entry_id = (entry.findtext("atom:id", namespaces=_NS) or "").strip()
    found = _ENTRY_ID.search(entry_id)
    if found is None:
        raise ParseError(
            f"the arXiv API entry id {entry_id!r} has no versioned arXiv id",
            url=url,
            hint=_FORMAT_HINT,
        )
    primary = entry.find("arxiv:primary_category", namespaces=_NS)
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [c.get("term", "") for c in entry.iterfind("atom:category", namespaces=_NS)]
    return Paper(
        arxiv_id=found["id"],
        version=int(found["version"]),
        title=_tex_text(entry, "atom:title"),
        authors=tuple(
            name
            for author in entry.iterfind("atom:author", namespaces=_NS)
            if (name := _tex_text(author, "atom:name"))
        ),
        abstract=_tex_text(entry, "atom:summary"),
        categories=arxiv_categories(terms),
        comment=_optional(find_text(entry, "arxiv:comment", _NS)),
        journal_ref=_optional(find_text(entry, "arxiv:journal_ref", _NS)),
        doi=_optional(find_text(entry, "arxiv:doi", _NS)),
        published=_timestamp(entry.findtext("atom:published", namespaces=_NS), entry_id, url),
        updated=_timestamp(entry.findtext("atom:updated", namespaces=_NS), entry_id, url),
    )


def _tex_text(parent: etree._Element, path: str) -> str:
    """A name, title or abstract: folded to one line, TeX accents and letters as Unicode (the
    RSS parser reads them the same way, so both sources give the same record)."""
    return tex_to_unicode(fold_whitespace(find_text(parent, path, _NS) or ""))


def arxiv_categories(terms: Sequence[str]) -> tuple[str, ...]:
    """arXiv category codes among ``terms``, in order, each once; ACM and MSC classes dropped."""
    out: list[str] = []
    for term in terms:
        code = term.strip()
        if _CATEGORY.match(code) and code not in out:
            out.append(code)
    return tuple(out)


def _optional(text: str | None) -> str | None:
    folded = fold_whitespace(text or "")
    return folded or None


def _timestamp(text: str | None, entry_id: str, url: str) -> datetime | None:
    if not text or not text.strip():
        return None
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ParseError(
            f"the arXiv API entry {entry_id} has an unreadable date {text!r}",
            url=url,
            hint=_FORMAT_HINT,
        ) from None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def submitted_query(categories: Sequence[str], start: datetime, end: datetime) -> str:
    """``(cat:A OR cat:B) AND submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]``, times in GMT."""
    if not categories:
        raise ValueError("submitted_query needs at least one category")
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("submitted_query needs timezone-aware datetimes")
    cats = " OR ".join(f"cat:{c}" for c in categories)
    return (
        f"({cats}) AND submittedDate:[{start.astimezone(UTC):%Y%m%d%H%M} "
        f"TO {end.astimezone(UTC):%Y%m%d%H%M}]"
    )


# -- fetching ------------------------------------------------------------------------------


class ArxivApiClient:
    """Papers from the arXiv API. Every request goes through ``http`` (spaced, retried)."""

    def __init__(
        self,
        http: PoliteClient,
        base_url: str = DEFAULT_API_URL,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        empty_page_retries: int = 3,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self._http = http
        self.base_url = base_url
        self.page_size = page_size
        self.empty_page_retries = empty_page_retries

    def fetch_ids(self, ids: Sequence[str]) -> tuple[Paper, ...]:
        """The papers with these ids (``2104.12255``, ``2104.12255v1``, ``hep-th/9901001``), in
        the API's order; ids it does not know are simply missing from the result."""
        papers: list[Paper] = []
        for first in range(0, len(ids), self.page_size):
            chunk = ids[first : first + self.page_size]
            page = self._page({"id_list": ",".join(chunk), "start": 0, "max_results": len(chunk)})
            papers.extend(page.papers)
        return tuple(papers)

    def search(
        self,
        search_query: str,
        *,
        sort_by: str = "submittedDate",
        sort_order: str = "ascending",
        max_results: int | None = None,
    ) -> Iterator[Paper]:
        """Every paper matching ``search_query`` (arXiv's syntax), page by page."""
        start = 0
        expected = 0  # the largest totalResults seen: a later page may wrongly claim 0
        yielded = 0
        while max_results is None or yielded < max_results:
            if start >= API_RESULT_LIMIT:
                raise SourceError(
                    f"the arXiv API query {search_query!r} matches more than {API_RESULT_LIMIT} "
                    "papers, the most the API serves",
                    url=self.base_url,
                    hint="narrow the query (fewer categories or a shorter date range)",
                )
            wanted = (
                self.page_size
                if max_results is None
                else min(self.page_size, max_results - yielded)
            )
            params: dict[str, str | int] = {
                "search_query": search_query,
                "sortBy": sort_by,
                "sortOrder": sort_order,
                "start": start,
                "max_results": wanted,
            }
            page = self._page_expecting_entries(params, start, expected)
            expected = max(expected, page.total_results)
            for paper in page.papers:
                yield paper
                yielded += 1
                if max_results is not None and yielded >= max_results:
                    return
            start += len(page.papers)
            if not page.papers or start >= page.total_results:
                return

    def submitted_between(
        self, categories: Sequence[str], start: datetime, end: datetime
    ) -> tuple[Paper, ...]:
        """Papers listed in any of ``categories`` whose first version was submitted in
        ``[start, end)``, oldest first: a past listing's new submissions and cross-lists.

        The API's range is by the minute and includes both ends, so the results are cut to
        the exact half-open window here; a paper is returned once even if several of the
        categories match it.
        """
        papers: dict[str, Paper] = {}
        for paper in self.search(submitted_query(categories, start, end)):
            if paper.published is not None and not start <= paper.published < end:
                continue
            papers.setdefault(paper.arxiv_id, paper)
        return tuple(papers.values())

    def _page_expecting_entries(
        self, params: dict[str, str | int], start: int, expected: int
    ) -> ApiPage:
        """A page, asked again when it is empty although results were promised (the API
        sometimes answers a valid page with no entries and totalResults 0)."""
        page = self._page(params)
        retries = 0
        while not page.papers and start < max(expected, page.total_results):
            if retries >= self.empty_page_retries:
                raise SourceError(
                    f"the arXiv API kept returning an empty page at start={start} of "
                    f"{max(expected, page.total_results)} results ({retries + 1} tries)",
                    url=self.base_url,
                    hint="a known intermittent API fault; run again later",
                )
            retries += 1
            log.warning(
                "arXiv API: empty page at start=%d of %d results; retry %d of %d",
                start,
                max(expected, page.total_results),
                retries,
                self.empty_page_retries,
            )
            page = self._page(params)
        return page

    def _page(self, params: dict[str, str | int]) -> ApiPage:
        result = self._http.get(self.base_url, params=params, accept_status=(400,))
        if result.status == 400:
            # The API's error feed says what was wrong; any other 400 is just a refusal.
            with contextlib.suppress(ParseError):
                parse_api_feed(result.body, url=result.url, status=400)
            raise SourceError(
                f"GET {result.url} answered HTTP 400",
                url=result.url,
                status=400,
                hint="check the arXiv ids or the search query",
            )
        return parse_api_feed(result.body, url=result.url, status=result.status)
