"""Conversions between records and SQLite rows: the only place that knows both shapes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import TypeVar

from paperfeed.core.records import (
    ANNOUNCE_TYPES,
    AnnounceType,
    MatchedTerm,
    Paper,
    RunReport,
    StageName,
    StageResult,
    TranslationCost,
)

T = TypeVar("T")


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def day(value: date) -> str:
    return value.isoformat()


def paper_params(paper: Paper, source: str, seen_at: str) -> dict[str, object]:
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "authors": json.dumps(list(paper.authors), ensure_ascii=False),
        "abstract": paper.abstract,
        "categories": json.dumps(list(paper.categories)),
        "primary_category": paper.primary_category,
        "comment": paper.comment,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "license": paper.license,
        "published": iso(paper.published),
        "updated": iso(paper.updated),
        "source": source,
        "first_seen": seen_at,
    }


PAPER_COLUMNS = (
    "arxiv_id, version, title, authors, abstract, categories, comment, journal_ref, doi, "
    "license, published, updated"
)
# The same columns of a table aliased ``p`` (in joins where other tables have an arxiv_id).
PAPER_COLUMNS_OF_P = PAPER_COLUMNS.replace("arxiv_id", "p.arxiv_id")
CHUNK = 500  # values per IN (...) list: well under SQLite's variable limit

Row = sqlite3.Row


def chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def paper_from_row(row: sqlite3.Row) -> Paper:
    return Paper(
        arxiv_id=row["arxiv_id"],
        version=row["version"],
        title=row["title"],
        authors=tuple(json.loads(row["authors"])),
        abstract=row["abstract"],
        categories=tuple(json.loads(row["categories"])),
        comment=row["comment"],
        journal_ref=row["journal_ref"],
        doi=row["doi"],
        license=row["license"],
        published=parse_iso(row["published"]),
        updated=parse_iso(row["updated"]),
    )


def terms_json(terms: tuple[MatchedTerm, ...]) -> str:
    return json.dumps(
        [{"term": t.term, "field": t.field, "text": t.text} for t in terms], ensure_ascii=False
    )


def terms_from_json(value: str) -> tuple[MatchedTerm, ...]:
    return tuple(
        MatchedTerm(term=t["term"], field=t["field"], text=t["text"]) for t in json.loads(value)
    )


def announce_type(value: str | None) -> AnnounceType | None:
    if value is None:
        return None
    for known in ANNOUNCE_TYPES:
        if value == known:
            return known
    raise ValueError(f"unknown announce type {value!r} in the database")


def report_json(report: RunReport) -> str:
    """A run's report as the ``runs.report`` column stores it."""
    return json.dumps(
        {
            "listing_date": report.listing_date.isoformat(),
            "status": report.status,
            "reason": report.reason,
            "stages": [
                {"stage": s.stage.value, "status": s.status, "detail": s.detail}
                for s in report.stages
            ],
            "listing_size": report.listing_size,
            "topic_counts": dict(report.topic_counts),
            "paper_count": report.paper_count,
            "untranslated": report.untranslated,
            "files": list(report.files),
            "failures": list(report.failures),
            "translation": None if report.translation is None else asdict(report.translation),
        },
        ensure_ascii=False,
    )


_STAGE_NAMES = {s.value: s for s in StageName}
_STAGE_STATUSES = ("ok", "failed", "skipped")


def report_from_json(text: str) -> RunReport | None:
    """The report a finished run stored; None for a run still running (or an unreadable one)."""
    data = json.loads(text or "{}")
    if not isinstance(data, dict) or "status" not in data or "listing_date" not in data:
        return None
    stages = tuple(
        StageResult(_STAGE_NAMES[s["stage"]], s["status"], s.get("detail", ""))
        for s in data.get("stages", ())
        if s.get("stage") in _STAGE_NAMES and s.get("status") in _STAGE_STATUSES
    )
    cost = data.get("translation")  # absent from runs recorded before it was
    return RunReport(
        listing_date=date.fromisoformat(data["listing_date"]),
        status=data["status"],
        reason=data.get("reason", ""),
        stages=stages,
        listing_size=int(data.get("listing_size", 0)),
        topic_counts=tuple((str(k), int(v)) for k, v in data.get("topic_counts", {}).items()),
        paper_count=int(data.get("paper_count", 0)),
        untranslated=int(data.get("untranslated", 0)),
        files=tuple(data.get("files", ())),
        failures=tuple(data.get("failures", ())),
        translation=TranslationCost(**cost) if cost else None,
    )
