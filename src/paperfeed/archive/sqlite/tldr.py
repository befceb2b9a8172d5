"""TL;DRs and the digest look-ups ``paperfeed translate`` needs.

These functions share the ``Store``'s connection (they are part of the store package), so their
writes join its transactions and its error translation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from paperfeed.archive.sqlite.store import Store
from paperfeed.core.records import Paper


def save_tldr(store: Store, paper: Paper, tldr: str, *, engine: str, model: str) -> None:
    """Record the TL;DR of a stored paper version (a paper not in the archive is skipped)."""
    row_id = store.paper_row_id(paper.arxiv_id, paper.version)
    if row_id is None:
        return
    with store._translate_errors("storing a TL;DR"):
        store._db.execute(
            "INSERT INTO paper_tldr (paper_id, tldr, engine, model, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (paper_id) DO UPDATE SET tldr = excluded.tldr, "
            "engine = excluded.engine, model = excluded.model, created_at = excluded.created_at",
            (row_id, tldr, engine, model, store._now()),
        )


def tldrs_for(store: Store, papers: Sequence[Paper]) -> dict[str, str]:
    """The stored TL;DRs of ``papers``, keyed by ``Paper.versioned_id``."""
    found: dict[str, str] = {}
    with store._translate_errors("reading TL;DRs"):
        for paper in papers:
            row = store._db.execute(
                "SELECT t.tldr FROM paper_tldr t JOIN papers p ON p.id = t.paper_id "
                "WHERE p.arxiv_id = ? AND p.version = ?",
                (paper.arxiv_id, paper.version),
            ).fetchone()
            if row is not None:
                found[paper.versioned_id] = str(row[0])
    return found


def digest_dates_with(store: Store, arxiv_ids: Sequence[str]) -> list[date]:
    """Listing dates of the stored digests that list any of ``arxiv_ids``, oldest first."""
    if not arxiv_ids:
        return []
    marks = ", ".join("?" for _ in arxiv_ids)
    with store._translate_errors("reading digests"):
        found = store._db.execute(
            "SELECT DISTINCT d.listing_date FROM digests d JOIN digest_entries e "
            f"ON e.digest_id = d.id WHERE e.arxiv_id IN ({marks}) ORDER BY d.listing_date",
            tuple(arxiv_ids),
        ).fetchall()
    return [date.fromisoformat(r[0]) for r in found]
