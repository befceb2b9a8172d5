"""Sentence embeddings in the archive: vectors once per (model, text), linked to paper versions.

Vectors are raw bytes here (float32, little-endian, unit length); ``paperfeed.relevance`` turns
them into arrays. The sqlite-vec index over them is ``store.vector_index``.

These functions share the ``Store``'s connection (they are part of the store package), so their
writes join its transactions and its error translation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from paperfeed.archive.sqlite import rows
from paperfeed.archive.sqlite.store import Store
from paperfeed.core.records import Paper

_CHUNK = 500  # ids per IN (...) list: well under SQLite's variable limit


@dataclass(frozen=True, slots=True)
class PaperVector:
    paper_id: int  # row id of the paper version in ``papers``
    arxiv_id: str
    version: int
    vector: bytes


def _chunks(values: Sequence[object]) -> Iterator[Sequence[object]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def linked_hashes(store: Store, model: str, paper_ids: Sequence[int]) -> dict[int, str]:
    """The text hash each of ``paper_ids`` is embedded under (papers without one left out)."""
    found: dict[int, str] = {}
    with store._translate_errors("reading embeddings"):
        for chunk in _chunks(list(dict.fromkeys(paper_ids))):
            marks = ",".join("?" * len(chunk))
            for row in store._db.execute(
                "SELECT pe.paper_id, v.text_hash FROM paper_embeddings pe "
                "JOIN embedding_vectors v ON v.id = pe.vector_id "
                f"WHERE pe.model = ? AND pe.paper_id IN ({marks})",
                (model, *chunk),
            ):
                found[int(row[0])] = str(row[1])
    return found


def vectors_by_hash(
    store: Store, model: str, hashes: Sequence[str]
) -> dict[str, tuple[int, bytes]]:
    """(vector id, vector) of those ``hashes`` already embedded with ``model``."""
    found: dict[str, tuple[int, bytes]] = {}
    with store._translate_errors("reading embeddings"):
        for chunk in _chunks(list(dict.fromkeys(hashes))):
            marks = ",".join("?" * len(chunk))
            for row in store._db.execute(
                "SELECT text_hash, id, vector FROM embedding_vectors "
                f"WHERE model = ? AND text_hash IN ({marks})",
                (model, *chunk),
            ):
                found[str(row[0])] = (int(row[1]), bytes(row[2]))
    return found


def save_vectors(
    store: Store, model: str, dim: int, vectors: Iterable[tuple[str, bytes]]
) -> dict[str, int]:
    """Store (text hash, vector) pairs of ``model``; returns each hash's vector id."""
    ids: dict[str, int] = {}
    with store.transaction(), store._translate_errors("storing embeddings"):
        for text_hash, vector in vectors:
            if len(vector) != dim * 4:
                raise ValueError(f"vector of {len(vector)} bytes is not {dim} float32 values")
            store._db.execute(
                "INSERT INTO embedding_vectors (model, text_hash, dim, vector, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (model, text_hash) DO NOTHING",
                (model, text_hash, dim, vector, store._now()),
            )
            row = store._db.execute(
                "SELECT id FROM embedding_vectors WHERE model = ? AND text_hash = ?",
                (model, text_hash),
            ).fetchone()
            ids[text_hash] = int(row[0])
    return ids


def link_papers(store: Store, model: str, links: Iterable[tuple[int, int]]) -> None:
    """Point paper versions at their vectors: (paper row id, vector id). A paper whose vector
    changed gets a new row (a higher id, never reused): that is how the vector indexes see it."""
    with store.transaction(), store._translate_errors("storing embeddings"):
        for paper_id, vector_id in links:
            store._db.execute(
                "DELETE FROM paper_embeddings WHERE paper_id = ? AND model = ? AND vector_id != ?",
                (paper_id, model, vector_id),
            )
            store._db.execute(
                "INSERT INTO paper_embeddings (paper_id, model, vector_id) VALUES (?, ?, ?) "
                "ON CONFLICT (paper_id, model) DO NOTHING",
                (paper_id, model, vector_id),
            )


def paper_vectors(store: Store, model: str, paper_ids: Sequence[int]) -> list[PaperVector]:
    """The vectors of those ``paper_ids`` that have one."""
    out: list[PaperVector] = []
    with store._translate_errors("reading embeddings"):
        for chunk in _chunks(list(dict.fromkeys(paper_ids))):
            marks = ",".join("?" * len(chunk))
            for row in store._db.execute(
                "SELECT pe.paper_id, p.arxiv_id, p.version, v.vector FROM paper_embeddings pe "
                "JOIN papers p ON p.id = pe.paper_id "
                "JOIN embedding_vectors v ON v.id = pe.vector_id "
                f"WHERE pe.model = ? AND pe.paper_id IN ({marks})",
                (model, *chunk),
            ):
                out.append(PaperVector(int(row[0]), str(row[1]), int(row[2]), bytes(row[3])))
    return out


def latest_paper_vector(store: Store, model: str, arxiv_id: str) -> PaperVector | None:
    """The vector of the newest embedded version of ``arxiv_id``."""
    with store._translate_errors("reading embeddings"):
        row = store._db.execute(
            "SELECT pe.paper_id, p.arxiv_id, p.version, v.vector FROM paper_embeddings pe "
            "JOIN papers p ON p.id = pe.paper_id JOIN embedding_vectors v ON v.id = pe.vector_id "
            "WHERE pe.model = ? AND p.arxiv_id = ? ORDER BY p.version DESC LIMIT 1",
            (model, arxiv_id),
        ).fetchone()
    return PaperVector(int(row[0]), str(row[1]), int(row[2]), bytes(row[3])) if row else None


def embedded_since(
    store: Store, model: str, after: int, *, batch: int = 5000
) -> Iterator[list[tuple[int, int, bytes]]]:
    """(rowid, paper row id, vector) of ``model``'s paper embeddings with rowid > ``after``, in
    rowid order and in batches (the vector indexes catch up with this)."""
    last = after
    while True:
        with store._translate_errors("reading embeddings"):
            found = [
                (int(r[0]), int(r[1]), bytes(r[2]))
                for r in store._db.execute(
                    "SELECT pe.rowid, pe.paper_id, v.vector FROM paper_embeddings pe "
                    "JOIN embedding_vectors v ON v.id = pe.vector_id "
                    "WHERE pe.model = ? AND pe.rowid > ? ORDER BY pe.rowid LIMIT ?",
                    (model, last, batch),
                )
            ]
        if not found:
            return
        yield found
        last = found[-1][0]


def sample_vectors(store: Store, model: str, limit: int) -> list[bytes]:
    """Up to ``limit`` of ``model``'s paper vectors, chosen at random."""
    with store._translate_errors("reading embeddings"):
        return [
            bytes(r[0])
            for r in store._db.execute(
                "SELECT v.vector FROM paper_embeddings pe JOIN embedding_vectors v "
                "ON v.id = pe.vector_id WHERE pe.model = ? ORDER BY random() LIMIT ?",
                (model, limit),
            )
        ]


def embedding_count(store: Store, model: str) -> int:
    with store._translate_errors("counting embeddings"):
        row = store._db.execute(
            "SELECT count(*) FROM paper_embeddings WHERE model = ?", (model,)
        ).fetchone()
    return int(row[0])


def latest_embedding_rowid(store: Store, model: str) -> int:
    with store._translate_errors("reading embeddings"):
        row = store._db.execute(
            "SELECT coalesce(max(rowid), 0) FROM paper_embeddings WHERE model = ?", (model,)
        ).fetchone()
    return int(row[0])


def papers_without_embedding(store: Store, model: str, *, limit: int | None = None) -> list[Paper]:
    """The newest version of each archived paper that has no ``model`` embedding yet."""
    sql = (
        f"SELECT {rows.PAPER_COLUMNS.replace('arxiv_id', 'p.arxiv_id')} FROM papers p "
        "WHERE p.version = (SELECT max(version) FROM papers q WHERE q.arxiv_id = p.arxiv_id) "
        "AND NOT EXISTS (SELECT 1 FROM paper_embeddings pe WHERE pe.paper_id = p.id "
        "AND pe.model = ?) ORDER BY p.id"
    )
    args: tuple[object, ...] = (model,)
    if limit is not None:
        sql += " LIMIT ?"
        args += (limit,)
    with store._translate_errors("reading papers to embed"):
        return [rows.paper_from_row(r) for r in store._db.execute(sql, args)]


def papers_by_row_id(store: Store, paper_ids: Sequence[int]) -> dict[int, Paper]:
    out: dict[int, Paper] = {}
    with store._translate_errors("reading papers"):
        for chunk in _chunks(list(dict.fromkeys(paper_ids))):
            marks = ",".join("?" * len(chunk))
            for row in store._db.execute(
                f"SELECT p.id AS row_id, {rows.PAPER_COLUMNS.replace('arxiv_id', 'p.arxiv_id')} "
                f"FROM papers p WHERE p.id IN ({marks})",
                tuple(chunk),
            ):
                out[int(row["row_id"])] = rows.paper_from_row(row)
    return out
