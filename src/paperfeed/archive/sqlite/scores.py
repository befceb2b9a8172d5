"""Relevance scores of digest papers, and the stars a profile is built from.

These functions share the ``Store``'s connection (they are part of the store package), so their
writes join its transactions and its error translation.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import date

from paperfeed.archive.sqlite import rows
from paperfeed.archive.sqlite.store import Store
from paperfeed.core.scoring import Score, score_from_json, score_json


def all_starred(store: Store) -> list[str]:
    """arXiv ids any reader of the web app starred, most starred first, then newest."""
    with store._translate_errors("reading stars"):
        return [
            str(r[0])
            for r in store._db.execute(
                "SELECT arxiv_id FROM web_stars GROUP BY arxiv_id "
                "ORDER BY count(*) DESC, max(created_at) DESC, arxiv_id"
            )
        ]


def has_community_signals(store: Store) -> bool:
    """Whether any community signals (Hugging Face Daily Papers) are stored at all."""
    with store._translate_errors("reading community signals"):
        try:
            row = store._db.execute("SELECT 1 FROM paper_signals LIMIT 1").fetchone()
        except sqlite3.OperationalError:  # an archive without the signals table
            return False
    return row is not None


def save_scores(store: Store, listing_date: date, scores: Mapping[str, Score]) -> None:
    """Replace the stored scores of a listing's digest."""
    key = rows.day(listing_date)
    with store.transaction(), store._translate_errors("storing relevance scores"):
        store._db.execute("DELETE FROM paper_scores WHERE listing_date = ?", (key,))
        store._db.executemany(
            "INSERT INTO paper_scores (listing_date, arxiv_id, total, breakdown) VALUES (?, ?, ?, ?)",
            [
                (key, arxiv_id, score.total, json.dumps(score_json(score), ensure_ascii=False))
                for arxiv_id, score in scores.items()
            ],
        )


def scores_for(store: Store, listing_date: date) -> dict[str, Score]:
    """The stored scores of a listing's digest, by arXiv id (empty when it was not scored)."""
    with store._translate_errors("reading relevance scores"):
        found = store._db.execute(
            "SELECT arxiv_id, breakdown FROM paper_scores WHERE listing_date = ?",
            (rows.day(listing_date),),
        ).fetchall()
    return {str(r[0]): score_from_json(str(r[0]), json.loads(r[1])) for r in found}
