"""Hugging Face papers API payloads for the tests: the recorded ones (tests/fixtures/upstream,
see PROVENANCE.md there) and variants built from their structure (other papers, later upvote
counts, keys removed). A loopback handler serves Daily Papers pages by date."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from werkzeug import Request, Response

from tests.support import FIXTURES

UPSTREAM = FIXTURES / "upstream"


def recorded(name: str) -> bytes:
    return (UPSTREAM / name).read_bytes()


def recorded_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(recorded("hf_daily_papers.json"))
    return items


def daily_item(
    arxiv_id: str,
    title: str,
    summary: str,
    *,
    upvotes: int,
    comments: int = 0,
    featured: str = "2026-06-04T03:00:00.000Z",
    stars: int | None = None,
) -> dict[str, Any]:
    """A daily item shaped like the recorded item 0 (all its keys), for another paper."""
    item = copy.deepcopy(recorded_items()[0])
    paper = item["paper"]
    paper.update(id=arxiv_id, title=title, summary=summary, upvotes=upvotes)
    paper["submittedOnDailyAt"] = featured
    if stars is None:
        paper.pop("githubStars")
    else:
        paper["githubStars"] = stars
    item.update(title=title, summary=summary, numComments=comments)
    item["thumbnail"] = (
        f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{arxiv_id}.png"
    )
    return item


def encode(items: Sequence[Mapping[str, Any]]) -> bytes:
    # Real responses are compact single-line JSON.
    return json.dumps(list(items), separators=(",", ":")).encode("utf-8")


def daily_pages(
    pages: Mapping[str, Sequence[Mapping[str, Any]]],
) -> Callable[[Request], Response]:
    """Serve ``/api/daily_papers?date=...`` from ``pages`` (date -> items, paged by ``p`` and
    ``limit`` as the real API does); other dates are empty, as weekends are."""

    def answer(request: Request) -> Response:
        items = list(pages.get(request.args.get("date", ""), ()))
        page, limit = int(request.args.get("p", "0")), int(request.args.get("limit", "50"))
        body = encode(items[page * limit : (page + 1) * limit])
        return Response(body, status=200, content_type="application/json")

    return answer
