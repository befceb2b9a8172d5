"""Community signals per arXiv id, and the community trending list built from them.

Signals are kept per paper (no version): the newest observation wins, but a payload that does
not mention something (the daily list has no linked models, the paper endpoint no comment
count) keeps the last known value. Each change of the counts is also written to a short
history, so a paper's growth can be shown. Papers the archive lacks are kept with Hugging
Face's title and abstract; they join ``papers`` by arXiv id once their metadata is stored.

"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta

import paperfeed.archive.sqlite.rows as rows
from paperfeed.archive.records import SavedSignals, TranslationKey
from paperfeed.archive.sqlite.papers import PapersSql
from paperfeed.archive.sqlite.translations import TranslationsSql
from paperfeed.core.records import MatchedTerm, Paper
from paperfeed.core.signals import (
    WINDOW_DAYS,
    CommunitySignals,
    StoredSignals,
    TrendingPaper,
    hf_paper,
)
from paperfeed.core.topics import Topic, TopicMatcher, compile_topic

# Any engine's cached translation will do for a trending row (the cache prefers imported
# translation memory, then the newest).
_ANY_ENGINE = TranslationKey(engine="", model="", prompt_version="")

# Fields where an empty value means the payload left them out, not that they are empty. (An
# empty list of linked models is information: the paper page says it has none.)
_EMPTY_IS_SILENT = frozenset({"summary", "authors", "ai_keywords"})

_COLUMNS = (
    "arxiv_id, title, summary, authors, upvotes, comments, daily_date, published, submitted_by, "
    "organization, organization_name, github_repo, github_stars, project_page, ai_summary, "
    "ai_keywords, models, datasets, spaces, models_total, datasets_total, spaces_total"
)


def merge_signals(old: CommunitySignals, new: CommunitySignals) -> CommunitySignals:
    """``new`` (the newer observation) wins wherever it says something; where it is silent
    (None; an empty summary, author or keyword list), ``old`` is kept. A paper keeps the first Daily Papers date it was
    given: it is featured on one day."""
    merged = {}
    for spec in fields(CommunitySignals):
        value = getattr(new, spec.name)
        if value is None or (spec.name in _EMPTY_IS_SILENT and not value):
            value = getattr(old, spec.name)
        merged[spec.name] = value
    merged["daily_date"] = old.daily_date or new.daily_date
    return CommunitySignals(**merged)


def _record_history(db: sqlite3.Connection, signals: CommunitySignals, when: str) -> None:
    db.execute(
        "INSERT INTO paper_signal_history (arxiv_id, observed_at, upvotes, comments, github_stars) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (arxiv_id, observed_at) DO UPDATE SET "
        "upvotes = excluded.upvotes, comments = excluded.comments, "
        "github_stars = excluded.github_stars",
        (signals.arxiv_id, when, *_counts(signals)),
    )


def _counts(signals: CommunitySignals) -> tuple[int, int | None, int | None]:
    return (signals.upvotes, signals.comments, signals.github_stars)


def _matcher(topic: Topic | str | None) -> TopicMatcher | None:
    if topic is None:
        return None
    if isinstance(topic, str):
        topic = Topic(name=topic, query=topic)
    return compile_topic(topic)


def _first_upvotes(row: sqlite3.Row, signals: CommunitySignals) -> int:
    first = row["first_upvotes"]
    return int(first) if first is not None else signals.upvotes


# -- rows ----------------------------------------------------------------------------------


def _params(s: CommunitySignals) -> tuple[object, ...]:
    """Column values in ``_COLUMNS`` order."""
    return (
        s.arxiv_id,
        s.title,
        s.summary,
        json.dumps(list(s.authors), ensure_ascii=False),
        s.upvotes,
        s.comments,
        rows.day(s.daily_date) if s.daily_date else None,
        _iso(s.published) if s.published else None,
        s.submitted_by,
        s.organization,
        s.organization_name,
        s.github_repo,
        s.github_stars,
        s.project_page,
        s.ai_summary,
        json.dumps(list(s.ai_keywords), ensure_ascii=False),
        _json_ids(s.models),
        _json_ids(s.datasets),
        _json_ids(s.spaces),
        s.models_total,
        s.datasets_total,
        s.spaces_total,
    )


def signals_from_row(row: sqlite3.Row) -> CommunitySignals:
    return CommunitySignals(
        arxiv_id=row["arxiv_id"],
        title=row["title"],
        summary=row["summary"],
        upvotes=int(row["upvotes"]),
        authors=tuple(json.loads(row["authors"])),
        comments=row["comments"],
        daily_date=date.fromisoformat(row["daily_date"]) if row["daily_date"] else None,
        published=datetime.fromisoformat(row["published"]) if row["published"] else None,
        submitted_by=row["submitted_by"],
        organization=row["organization"],
        organization_name=row["organization_name"],
        github_repo=row["github_repo"],
        github_stars=row["github_stars"],
        project_page=row["project_page"],
        ai_summary=row["ai_summary"],
        ai_keywords=tuple(json.loads(row["ai_keywords"])),
        models=_ids(row["models"]),
        datasets=_ids(row["datasets"]),
        spaces=_ids(row["spaces"]),
        models_total=row["models_total"],
        datasets_total=row["datasets_total"],
        spaces_total=row["spaces_total"],
    )


def _json_ids(ids: tuple[str, ...] | None) -> str | None:
    return None if ids is None else json.dumps(list(ids), ensure_ascii=False)


def _ids(value: str | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(json.loads(value))


def _iso(moment: datetime) -> str:
    # Milliseconds: two observations within one second (quick reruns) keep two history rows.
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class SignalsSql(PapersSql, TranslationsSql):
    def save_signals(
        self, found: Sequence[CommunitySignals], *, observed_at: datetime
    ) -> SavedSignals:
        """Store what one fetch observed at ``observed_at``, in one transaction. An observation older
        than the stored one only fills in what the stored one lacks."""
        when = _iso(observed_at)
        new = changed = 0
        db = self._db
        with self.transaction(), self._errors("storing community signals"):
            for signals in found:
                row = db.execute(
                    f"SELECT {_COLUMNS}, updated FROM paper_signals WHERE arxiv_id = ?",
                    (signals.arxiv_id,),
                ).fetchone()
                if row is None:
                    db.execute(
                        f"INSERT INTO paper_signals ({_COLUMNS}, first_seen, updated) VALUES "
                        f"({', '.join('?' * (len(_params(signals)) + 2))})",
                        (*_params(signals), when, when),
                    )
                    new += 1
                    _record_history(db, signals, when)
                    continue
                stored = signals_from_row(row)
                if when >= row["updated"]:
                    merged, updated = merge_signals(stored, signals), when
                else:
                    merged, updated = merge_signals(signals, stored), row["updated"]
                if merged == stored and updated == row["updated"]:
                    continue
                assignments = ", ".join(f"{c.strip()} = ?" for c in _COLUMNS.split(",")[1:])
                db.execute(
                    f"UPDATE paper_signals SET {assignments}, updated = ? WHERE arxiv_id = ?",
                    (*_params(merged)[1:], updated, signals.arxiv_id),
                )
                if _counts(merged) != _counts(stored):
                    changed += 1
                    _record_history(db, merged, updated)
        return SavedSignals(new=new, changed=changed)

    def stored_signals(self, arxiv_ids: Sequence[str]) -> dict[str, StoredSignals]:
        """The stored signals of those of ``arxiv_ids`` that have any."""
        out: dict[str, StoredSignals] = {}
        with self._errors("reading community signals"):
            for arxiv_id in dict.fromkeys(arxiv_ids):
                row = self._db.execute(
                    f"SELECT {_COLUMNS}, first_seen, updated, "
                    "(SELECT h.upvotes FROM paper_signal_history h WHERE h.arxiv_id = s.arxiv_id "
                    "ORDER BY h.observed_at LIMIT 1) AS first_upvotes "
                    "FROM paper_signals s WHERE arxiv_id = ?",
                    (arxiv_id,),
                ).fetchone()
                if row is not None:
                    signals = signals_from_row(row)
                    out[arxiv_id] = StoredSignals(
                        signals=signals,
                        first_seen=datetime.fromisoformat(row["first_seen"]),
                        updated=datetime.fromisoformat(row["updated"]),
                        first_upvotes=_first_upvotes(row, signals),
                    )
        return out

    def upvote_history(self, arxiv_id: str) -> list[tuple[datetime, int]]:
        """(observed at, upvotes) of each recorded change, oldest first."""
        with self._errors("reading community signals"):
            found = self._db.execute(
                "SELECT observed_at, upvotes FROM paper_signal_history WHERE arxiv_id = ? "
                "ORDER BY observed_at",
                (arxiv_id,),
            ).fetchall()
        return [(datetime.fromisoformat(r[0]), int(r[1])) for r in found]

    def community_trending(
        self,
        *,
        window: str,
        end_date: date,
        topic: Topic | str | None = None,
        limit: int = 30,
    ) -> tuple[TrendingPaper, ...]:
        """Papers featured on Hugging Face Daily Papers in the ``window`` ("day", "week" or "month":
        1, 7 or 30 days) ending with ``end_date``, most upvoted first (ties: more comments, then
        the newer id). ``topic``: only papers matching it (a ``Topic``, or a query string such as
        a topic's name), tested on the archive's metadata, or Hugging Face's title and abstract
        for papers the archive lacks. Chinese text comes from the archive's translations, else the
        translation cache. Raises ``QueryError`` for a topic query that does not parse."""
        if window not in WINDOW_DAYS:
            raise ValueError(f"window must be day, week or month; got {window!r}")
        start = end_date - timedelta(days=WINDOW_DAYS[window] - 1)
        matcher = _matcher(topic)
        sql = (
            f"SELECT {_COLUMNS}, "
            "(SELECT h.upvotes FROM paper_signal_history h WHERE h.arxiv_id = s.arxiv_id "
            "ORDER BY h.observed_at LIMIT 1) AS first_upvotes "
            "FROM paper_signals s WHERE daily_date BETWEEN ? AND ? "
            "ORDER BY upvotes DESC, coalesce(comments, 0) DESC, arxiv_id DESC"
        )
        args: tuple[object, ...] = (rows.day(start), rows.day(end_date))
        if matcher is None:
            sql += " LIMIT ?"
            args += (limit,)
        out: list[TrendingPaper] = []
        with self._errors("ranking community trending papers"):
            for row in self._db.execute(sql, args).fetchall():
                if len(out) >= limit:
                    break
                signals = signals_from_row(row)
                paper = self.paper(signals.arxiv_id)
                terms: tuple[MatchedTerm, ...] = ()
                if matcher is not None:
                    matched = matcher.match(paper or hf_paper(signals))
                    if matched is None:
                        continue
                    terms = matched
                title_zh, abstract_zh = self._chinese(signals, paper)
                listed = self._db.execute(
                    "SELECT max(listing_date) FROM listing_items WHERE arxiv_id = ?",
                    (signals.arxiv_id,),
                ).fetchone()[0]
                out.append(
                    TrendingPaper(
                        signals=signals,
                        paper=paper,
                        title_zh=title_zh,
                        abstract_zh=abstract_zh,
                        listing_date=date.fromisoformat(listed) if listed else None,
                        gained=signals.upvotes - _first_upvotes(row, signals),
                        terms=terms,
                    )
                )
        return tuple(out)

    def _chinese(
        self, signals: CommunitySignals, paper: Paper | None
    ) -> tuple[str | None, str | None]:
        title_zh = abstract_zh = None
        if paper is not None:
            row = self._db.execute(
                "SELECT t.title_zh, t.abstract_zh FROM papers p JOIN paper_translations t "
                "ON t.paper_id = p.id WHERE p.arxiv_id = ? ORDER BY p.version DESC LIMIT 1",
                (paper.arxiv_id,),
            ).fetchone()
            if row is not None:
                title_zh, abstract_zh = row["title_zh"], row["abstract_zh"]
        source = paper or hf_paper(signals)
        if title_zh is None:
            title_zh = self.cached_translation(source.title, "title", _ANY_ENGINE)
        if abstract_zh is None and source.abstract:
            abstract_zh = self.cached_translation(source.abstract, "abstract", _ANY_ENGINE)
        return title_zh, abstract_zh

    def has_community_signals(self) -> bool:
        """Whether any community signals (Hugging Face Daily Papers) are stored at all."""
        with self._errors("reading community signals"):
            row = self._db.execute("SELECT 1 FROM paper_signals LIMIT 1").fetchone()
        return row is not None
