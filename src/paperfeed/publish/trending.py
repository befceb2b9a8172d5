"""The community trending list (``paperfeed trending``) as text and as JSON (schema
``paperfeed.trending/1``): pure functions over the archive's ``TrendingPaper`` rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from paperfeed.core.signals import WINDOW_DAYS, TrendingPaper

TRENDING_SCHEMA = "paperfeed.trending/1"


def trending_heading(window: str, end_date: date, topic: str | None, count: int) -> str:
    span = "" if window == "day" else f"{WINDOW_DAYS[window]} days to "
    about = f", topic {topic!r}" if topic else ""
    noun = "paper" if count == 1 else "papers"
    return f"Hugging Face Daily Papers, {span}{end_date}{about}: {count} {noun} by upvotes"


def trending_text(
    papers: Sequence[TrendingPaper], *, window: str, end_date: date, topic: str | None = None
) -> str:
    """The trending list as plain text: rank, upvotes, id and title, the Chinese title, and
    one line of community details."""
    lines = [trending_heading(window, end_date, topic, len(papers))]
    width = len(str(len(papers)))
    for rank, item in enumerate(papers, start=1):
        s = item.signals
        growth = f", +{item.gained}" if item.gained > 0 else ""
        lines.append(f"{rank:>{width}}. [{s.upvotes} upvotes{growth}] {item.arxiv_id} {item.title}")
        indent = " " * (width + 2)
        if item.title_zh and item.title_zh != item.title:
            lines.append(f"{indent}{item.title_zh}")
        lines.append(f"{indent}{' | '.join(_details(item))}")
    return "\n".join(lines) + "\n"


def _details(item: TrendingPaper) -> list[str]:
    s = item.signals
    parts: list[str] = []
    if s.comments:
        parts.append(f"{s.comments} comment{'s' if s.comments != 1 else ''}")
    if s.organization_name or s.organization:
        parts.append(str(s.organization_name or s.organization))
    if s.github_repo:
        stars = f" ({s.github_stars} stars)" if s.github_stars is not None else ""
        parts.append(f"code {s.github_repo}{stars}")
    if s.project_page and s.project_page != s.github_repo:
        parts.append(f"project {s.project_page}")
    linked = [
        f"{n} {kind}"
        for n, kind in (
            (s.models_total, "models"),
            (s.datasets_total, "datasets"),
            (s.spaces_total, "Spaces"),
        )
        if n
    ]
    if linked:
        parts.append(", ".join(linked))
    if item.listing_date is not None:
        parts.append(f"listed {item.listing_date}")
    parts.append(s.hf_url)
    return parts


def trending_json(
    papers: Sequence[TrendingPaper], *, window: str, end_date: date, topic: str | None = None
) -> dict[str, object]:
    """The trending list as a JSON-ready document (schema ``paperfeed.trending/1``)."""
    return {
        "schema": TRENDING_SCHEMA,
        "window": window,
        "end_date": end_date.isoformat(),
        "start_date": (end_date - timedelta(days=WINDOW_DAYS[window] - 1)).isoformat(),
        "topic": topic,
        "papers": [_paper_json(rank, item) for rank, item in enumerate(papers, start=1)],
    }


def _paper_json(rank: int, item: TrendingPaper) -> dict[str, object]:
    s = item.signals
    return {
        "rank": rank,
        "id": item.arxiv_id,
        "title": item.title,
        "title_zh": item.title_zh,
        "abstract": item.abstract,
        "abstract_zh": item.abstract_zh,
        "in_archive": item.paper is not None,
        "listing_date": item.listing_date.isoformat() if item.listing_date else None,
        "upvotes": s.upvotes,
        "gained": item.gained,
        "comments": s.comments,
        "daily_date": s.daily_date.isoformat() if s.daily_date else None,
        "submitted_by": s.submitted_by,
        "organization": s.organization,
        "organization_name": s.organization_name,
        "github_repo": s.github_repo,
        "github_stars": s.github_stars,
        "project_page": s.project_page,
        "ai_summary": s.ai_summary,
        "ai_keywords": list(s.ai_keywords),
        "models": list(s.models) if s.models is not None else None,
        "datasets": list(s.datasets) if s.datasets is not None else None,
        "spaces": list(s.spaces) if s.spaces is not None else None,
        "models_total": s.models_total,
        "datasets_total": s.datasets_total,
        "spaces_total": s.spaces_total,
        "matched": [{"term": t.term, "field": t.field, "text": t.text} for t in item.terms],
        "url": item.abs_url,
        "hf_url": s.hf_url,
    }
