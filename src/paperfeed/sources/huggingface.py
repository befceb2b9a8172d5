"""huggingface.co/api: Daily Papers (community upvotes, comments, code, linked models).

``parse_daily_papers`` and ``parse_paper`` are pure and turn the two payloads into
``CommunitySignals``. Only the keys the Hub's schema marks required are required (the paper's
id, title and upvotes); every other key is optional, unknown keys are ignored, and an optional
key of an unexpected type is treated as absent: the API grows fields over time and older items
lack newer ones. ``HuggingFacePapers`` fetches through a ``PoliteClient`` of its own (Hugging
Face is not arXiv: about one request a second is polite, and its rate limit answers 429 with
``Retry-After``), pages through results, and says in every error that the arXiv digest does
not depend on it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, Literal

from paperfeed.core.errors import ParseError, SourceError
from paperfeed.core.records import fold_whitespace
from paperfeed.core.signals import CommunitySignals
from paperfeed.sources.http import HttpResult, PoliteClient

log = logging.getLogger(__name__)

DEFAULT_HF_URL = "https://huggingface.co"
DEFAULT_MIN_INTERVAL = 1.0  # the API allows ~500 requests per 5 minutes per address
MAX_PAGE_SIZE = 100  # /api/daily_papers refuses limit > 100
DEFAULT_MAX_PAGES = 20  # a month is ~500 papers: 5 pages of 100

Sort = Literal["publishedAt", "trending"]

# New-style ids (2602.23229) and old-style ones (hep-th/9901001), with an optional version.
_ARXIV_ID = re.compile(r"^(?P<id>\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
_HINT = (
    "Hugging Face may be busy or unreachable; the arXiv digest does not depend on it. Set "
    "[huggingface] base_url (or PAPERFEED_HF_URL) to a reachable mirror, or enabled = false"
)
_FORMAT_HINT = "the Hugging Face papers API may have changed its format; please report this"


def iso_week(day: date) -> str:
    """The ISO week containing ``day`` as the API writes it: ``2026-W10``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


# -- parsing (pure) ------------------------------------------------------------------------


def parse_daily_papers(
    body: bytes, *, url: str = "", daily_date: date | None = None
) -> tuple[CommunitySignals, ...]:
    """One ``/api/daily_papers`` page. ``daily_date``: the page asked for (``date=``), which is
    then every item's date; otherwise an item's date is the day it was featured
    (``submittedOnDailyAt``, UTC). Items whose id is not an arXiv id are skipped."""
    data = _load(body, url)
    if not isinstance(data, list):
        raise ParseError(
            f"the Hugging Face daily papers response is a JSON {_kind(data)}, not an array",
            url=url,
            hint=_FORMAT_HINT,
        )
    out: list[CommunitySignals] = []
    for index, item in enumerate(data):
        where = f"item {index}"
        if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
            raise ParseError(
                f"the Hugging Face daily papers response's {where} has no paper object",
                url=url,
                hint=_FORMAT_HINT,
            )
        signals = _signals(item["paper"], item, url, where)
        if signals is None:
            continue
        out.append(replace(signals, daily_date=daily_date) if daily_date else signals)
    return tuple(out)


def parse_paper(body: bytes, *, url: str = "") -> CommunitySignals:
    """One ``/api/papers/{id}`` response: the paper object, with its linked models, datasets
    and Spaces (comments are not in it)."""
    data = _load(body, url)
    if not isinstance(data, dict):
        raise ParseError(
            f"the Hugging Face paper response is a JSON {_kind(data)}, not an object",
            url=url,
            hint=_FORMAT_HINT,
        )
    signals = _signals(data, None, url, "paper")
    if signals is None:
        raise ParseError(
            f"the Hugging Face paper response names no arXiv paper (id {data.get('id')!r})",
            url=url,
            hint=_FORMAT_HINT,
        )
    return signals


def _load(body: bytes, url: str) -> Any:
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(
            f"the Hugging Face response is not valid JSON: {exc}",
            url=url,
            hint="the response may have been cut off or be an error page; run again later",
        ) from None


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string" if isinstance(value, str) else type(value).__name__


def _signals(
    paper: dict[str, Any], item: dict[str, Any] | None, url: str, where: str
) -> CommunitySignals | None:
    """Signals from a ``paper`` object and the daily item wrapping it (None: the single-paper
    endpoint). None when the id is not an arXiv id."""
    outer = item or {}
    raw_id = paper.get("id")
    found = _ARXIV_ID.match(raw_id.strip()) if isinstance(raw_id, str) else None
    if found is None:
        log.warning("Hugging Face %s has no arXiv id (%r): skipped", where, raw_id)
        return None
    arxiv_id = found["id"]
    title = fold_whitespace(_text(paper, "title") or _text(outer, "title") or "")
    if not title:
        raise ParseError(
            f"the Hugging Face {where} ({arxiv_id}) has no title", url=url, hint=_FORMAT_HINT
        )
    upvotes = _count(paper, "upvotes")
    if upvotes is None:
        raise ParseError(
            f"the Hugging Face {where} ({arxiv_id}) has no upvote count",
            url=url,
            hint=_FORMAT_HINT,
        )
    featured = _timestamp(paper.get("submittedOnDailyAt"))
    organization = _object(outer, "organization") or _object(paper, "organization")
    submitter = _object(outer, "submittedBy")
    models, models_total = _linked(paper, "linkedModels", "numTotalModels")
    datasets, datasets_total = _linked(paper, "linkedDatasets", "numTotalDatasets")
    spaces, spaces_total = _linked(paper, "linkedSpaces", "numTotalSpaces")
    return CommunitySignals(
        arxiv_id=arxiv_id,
        title=title,
        summary=fold_whitespace(_text(paper, "summary") or _text(outer, "summary") or ""),
        upvotes=upvotes,
        authors=tuple(
            name
            for author in _list(paper, "authors")
            if isinstance(author, dict) and (name := fold_whitespace(_text(author, "name") or ""))
        ),
        comments=_count(outer, "numComments") if item is not None else _count(paper, "numComments"),
        daily_date=featured.date() if featured else None,
        published=_timestamp(paper.get("publishedAt")),
        # submittedBy (daily item) names the user in "name"; submittedOnDailyBy in "user".
        submitted_by=(_text(submitter, "name") if submitter else None)
        or _text(_object(paper, "submittedOnDailyBy") or {}, "user"),
        organization=_text(organization, "name") if organization else None,
        organization_name=_text(organization, "fullname") if organization else None,
        github_repo=_text(paper, "githubRepo"),
        github_stars=_count(paper, "githubStars"),
        project_page=_text(paper, "projectPage"),
        ai_summary=_text(paper, "ai_summary"),
        ai_keywords=tuple(
            fold_whitespace(k) for k in _list(paper, "ai_keywords") if isinstance(k, str) and k
        ),
        models=models,
        datasets=datasets,
        spaces=spaces,
        models_total=models_total,
        datasets_total=datasets_total,
        spaces_total=spaces_total,
    )


def _text(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _count(obj: Mapping[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _object(obj: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    value = obj.get(key)
    return value if isinstance(value, dict) else None


def _list(obj: Mapping[str, Any], key: str) -> list[Any]:
    value = obj.get(key)
    return value if isinstance(value, list) else []


def _linked(
    paper: Mapping[str, Any], key: str, total_key: str
) -> tuple[tuple[str, ...] | None, int | None]:
    """Linked repos as ids (elements are ``{"id": "org/name", ...}``; plain strings accepted)
    and their total; (None, None) when the payload does not carry them."""
    value = paper.get(key)
    total = _count(paper, total_key)
    if not isinstance(value, list):
        return None, total
    ids: list[str] = []
    for entry in value:
        repo = (
            entry
            if isinstance(entry, str)
            else _text(entry, "id")
            if isinstance(entry, dict)
            else None
        )
        if repo and repo not in ids:
            ids.append(repo)
    return tuple(ids), total if total is not None else len(ids)


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


# -- fetching ------------------------------------------------------------------------------


class HuggingFacePapers:
    """Hugging Face Daily Papers and paper pages. Every request goes through ``http``, a
    ``PoliteClient`` used for Hugging Face only (spaced, retried, honouring ``Retry-After``)."""

    def __init__(
        self,
        http: PoliteClient,
        base_url: str = DEFAULT_HF_URL,
        *,
        page_size: int = MAX_PAGE_SIZE,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        self._http = http
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.max_pages = max_pages

    def daily(self, day: date, *, sort: Sort = "publishedAt") -> tuple[CommunitySignals, ...]:
        """Every paper featured on the Daily Papers page of ``day`` (weekends: none)."""
        return self._all({"date": day.isoformat()}, sort, daily_date=day)

    def week(self, day: date, *, sort: Sort = "publishedAt") -> tuple[CommunitySignals, ...]:
        """Every paper featured in the ISO week containing ``day``."""
        return self._all({"week": iso_week(day)}, sort)

    def month(self, day: date, *, sort: Sort = "publishedAt") -> tuple[CommunitySignals, ...]:
        """Every paper featured in the calendar month containing ``day``."""
        return self._all({"month": f"{day:%Y-%m}"}, sort)

    def trending(self, *, limit: int = 50) -> tuple[CommunitySignals, ...]:
        """Hugging Face's own trending list (its formula is undocumented and ignores dates)."""
        return self.page({}, sort="trending", limit=limit)

    def page(
        self,
        filters: Mapping[str, str],
        *,
        page: int = 0,
        limit: int | None = None,
        sort: Sort = "publishedAt",
        daily_date: date | None = None,
    ) -> tuple[CommunitySignals, ...]:
        """One page of ``/api/daily_papers`` with ``filters`` (``date``, ``week``, ``month``,
        ``submitter``); a page past the end is empty."""
        size = limit if limit is not None else self.page_size
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be 1..{MAX_PAGE_SIZE}")
        params: dict[str, str | int] = {**filters, "p": page, "limit": size}
        if sort != "publishedAt":
            params["sort"] = sort
        result = self._get(f"{self.base_url}/api/daily_papers", params)
        if result.status == 400:
            raise SourceError(
                f"Hugging Face refused GET {result.url}: {_error_text(result.body)}",
                url=result.url,
                status=400,
                hint="dates must be real days, not in the future (YYYY-MM-DD, YYYY-Www, YYYY-MM)",
            )
        if result.status == 404:
            raise _not_found(result)
        return parse_daily_papers(result.body, url=result.url, daily_date=daily_date)

    def paper(self, arxiv_id: str) -> CommunitySignals | None:
        """One paper's page data with its linked models, datasets and Spaces; None when Hugging
        Face has no page for it."""
        result = self._get(f"{self.base_url}/api/papers/{arxiv_id}", None)
        if result.status == 404:
            return None
        if result.status == 400:
            raise SourceError(
                f"Hugging Face refused GET {result.url}: {_error_text(result.body)}",
                url=result.url,
                status=400,
                hint="give an arXiv id without version, e.g. 2602.23229",
            )
        return parse_paper(result.body, url=result.url)

    def _all(
        self, filters: Mapping[str, str], sort: Sort, *, daily_date: date | None = None
    ) -> tuple[CommunitySignals, ...]:
        found: dict[str, CommunitySignals] = {}
        for number in range(self.max_pages):
            items = self.page(filters, page=number, sort=sort, daily_date=daily_date)
            for signals in items:
                found.setdefault(signals.arxiv_id, signals)
            if len(items) < self.page_size:
                return tuple(found.values())
        log.warning(
            "Hugging Face daily papers %s: stopped after %d pages of %d",
            dict(filters),
            self.max_pages,
            self.page_size,
        )
        return tuple(found.values())

    def _get(self, url: str, params: Mapping[str, str | int] | None) -> HttpResult:
        try:
            return self._http.get(url, params=params, accept_status=(400, 404))
        except SourceError as exc:
            # The polite layer's hints speak of arXiv; these requests are Hugging Face's.
            raise SourceError(exc.message, url=exc.url, status=exc.status, hint=_HINT) from exc


def _error_text(body: bytes) -> str:
    """The ``{"error": ...}`` message of a refusal, or the start of the body."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return str(data["error"])
    return fold_whitespace(body[:200].decode("utf-8", "replace")) or "HTTP 400"


def _not_found(result: HttpResult) -> SourceError:
    return SourceError(
        f"GET {result.url} answered HTTP 404: not a Hugging Face papers API",
        url=result.url,
        status=404,
        hint=f"check [huggingface] base_url (or PAPERFEED_HF_URL); the default is {DEFAULT_HF_URL}",
    )
