"""Relevance scores of each listing's digest papers, with their breakdown."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

import paperfeed.archive.sqlite.rows as rows
from paperfeed.archive.sqlite.connection import Connection
from paperfeed.core.scoring import Score, score_from_json, score_json


class ScoresSql(Connection):
    def save_scores(self, listing_date: date, scores: Mapping[str, Score]) -> None:
        """Replace the stored scores of a listing's digest."""
        key = rows.day(listing_date)
        with self.transaction(), self._errors("storing relevance scores"):
            self._db.execute("DELETE FROM paper_scores WHERE listing_date = ?", (key,))
            self._db.executemany(
                "INSERT INTO paper_scores (listing_date, arxiv_id, total, breakdown) "
                "VALUES (?, ?, ?, ?)",
                [
                    (key, arxiv_id, score.total, json.dumps(score_json(score), ensure_ascii=False))
                    for arxiv_id, score in scores.items()
                ],
            )

    def scores_for(self, listing_date: date) -> dict[str, Score]:
        """The stored scores of a listing's digest, by arXiv id (empty when it was not scored)."""
        with self._errors("reading relevance scores"):
            found = self._db.execute(
                "SELECT arxiv_id, breakdown FROM paper_scores WHERE listing_date = ?",
                (rows.day(listing_date),),
            ).fetchall()
        return {str(r[0]): score_from_json(str(r[0]), json.loads(r[1])) for r in found}
