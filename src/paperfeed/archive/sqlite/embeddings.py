"""Sentence embeddings: vectors once per (model, text), linked to paper versions, and the
nearest-neighbour search over them (``vector_index``: exact in numpy, or sqlite-vec codes for
large archives, re-ranked exactly here).

Vectors are raw bytes at the interface (float32, little-endian, unit length). numpy and
sqlite-vec (the relevance extra) are imported only by the search, when it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import paperfeed.archive.sqlite.rows as rows
from paperfeed.archive.records import Neighbour, StoredVector, VectorSearch
from paperfeed.archive.sqlite.connection import Connection
from paperfeed.core.records import Paper

if TYPE_CHECKING:
    from paperfeed.archive.sqlite.vector_index import NumpyIndex, SqliteVecIndex

log = logging.getLogger(__name__)

# Below this many vectors the exact search is as fast as the index and loads in under 1 s.
APPROXIMATE_FROM = 20_000
# sqlite-vec candidates re-ranked per wanted neighbour. The scan's cost grows with the number
# of candidates; 8 kept ~96% of the exact top ten over 200,000 vectors in ~30 ms (benchmarks/).
OVERSAMPLE = 8
MIN_CANDIDATES = 80


class EmbeddingsSql(Connection):
    # -- storing ------------------------------------------------------------------------------

    def embedded_hashes(self, model: str, papers: Sequence[Paper]) -> dict[str, str]:
        rows_of = self._rows_of(papers)
        found: dict[str, str] = {}
        with self._errors("reading embeddings"):
            for chunk in rows.chunks(list(rows_of)):
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(
                    "SELECT pe.paper_id, v.text_hash FROM paper_embeddings pe "
                    "JOIN embedding_vectors v ON v.id = pe.vector_id "
                    f"WHERE pe.model = ? AND pe.paper_id IN ({marks})",
                    (model, *chunk),
                ):
                    found[rows_of[int(row[0])]] = str(row[1])
        return found

    def vectors_by_hash(self, model: str, hashes: Sequence[str]) -> dict[str, bytes]:
        return {h: vector for h, (_, vector) in self._vectors_by_hash(model, hashes).items()}

    def _vectors_by_hash(self, model: str, hashes: Sequence[str]) -> dict[str, tuple[int, bytes]]:
        found: dict[str, tuple[int, bytes]] = {}
        with self._errors("reading embeddings"):
            for chunk in rows.chunks(list(dict.fromkeys(hashes))):
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(
                    "SELECT text_hash, id, vector FROM embedding_vectors "
                    f"WHERE model = ? AND text_hash IN ({marks})",
                    (model, *chunk),
                ):
                    found[str(row[0])] = (int(row[1]), bytes(row[2]))
        return found

    def save_vectors(self, model: str, dim: int, vectors: Iterable[tuple[str, bytes]]) -> None:
        with self.transaction(), self._errors("storing embeddings"):
            for text_hash, vector in vectors:
                if len(vector) != dim * 4:
                    raise ValueError(f"vector of {len(vector)} bytes is not {dim} float32 values")
                self._db.execute(
                    "INSERT INTO embedding_vectors (model, text_hash, dim, vector, created_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (model, text_hash) DO NOTHING",
                    (model, text_hash, dim, vector, self._now()),
                )

    def link_embeddings(self, model: str, links: Iterable[tuple[Paper, str]]) -> None:
        """A paper whose vector changed gets a new row (a higher id, never reused): that is
        how the vector indexes see it."""
        wanted = list(links)
        rows_of = {p.versioned_id: r for r, p in self._papers_by_row(wanted).items()}
        vector_ids = self._vectors_by_hash(model, [h for _, h in wanted])
        with self.transaction(), self._errors("storing embeddings"):
            for paper, text_hash in wanted:
                paper_id = rows_of.get(paper.versioned_id)
                if paper_id is None or text_hash not in vector_ids:
                    continue
                vector_id = vector_ids[text_hash][0]
                self._db.execute(
                    "DELETE FROM paper_embeddings WHERE paper_id = ? AND model = ? "
                    "AND vector_id != ?",
                    (paper_id, model, vector_id),
                )
                self._db.execute(
                    "INSERT INTO paper_embeddings (paper_id, model, vector_id) VALUES (?, ?, ?) "
                    "ON CONFLICT (paper_id, model) DO NOTHING",
                    (paper_id, model, vector_id),
                )

    # -- reading ------------------------------------------------------------------------------

    def paper_vectors(self, model: str, papers: Sequence[Paper]) -> dict[str, bytes]:
        rows_of = self._rows_of(papers)
        return {
            rows_of[paper_id]: vector
            for paper_id, (_, vector) in self._row_vectors(model, list(rows_of)).items()
        }

    def latest_paper_vector(self, model: str, arxiv_id: str) -> StoredVector | None:
        with self._errors("reading embeddings"):
            row = self._db.execute(
                f"SELECT v.vector, {rows.PAPER_COLUMNS_OF_P} FROM paper_embeddings pe "
                "JOIN papers p ON p.id = pe.paper_id JOIN embedding_vectors v "
                "ON v.id = pe.vector_id WHERE pe.model = ? AND p.arxiv_id = ? "
                "ORDER BY p.version DESC LIMIT 1",
                (model, arxiv_id),
            ).fetchone()
        return StoredVector(rows.paper_from_row(row), bytes(row["vector"])) if row else None

    def papers_without_embedding(self, model: str, *, limit: int | None = None) -> list[Paper]:
        """The newest version of each archived paper that has no ``model`` embedding yet."""
        sql = (
            f"SELECT {rows.PAPER_COLUMNS_OF_P} FROM papers p "
            "WHERE p.version = (SELECT max(version) FROM papers q WHERE q.arxiv_id = p.arxiv_id) "
            "AND NOT EXISTS (SELECT 1 FROM paper_embeddings pe WHERE pe.paper_id = p.id "
            "AND pe.model = ?) ORDER BY p.id"
        )
        args: tuple[object, ...] = (model,)
        if limit is not None:
            sql += " LIMIT ?"
            args += (limit,)
        with self._errors("reading papers to embed"):
            return [rows.paper_from_row(r) for r in self._db.execute(sql, args)]

    def embedding_count(self, model: str) -> int:
        with self._errors("counting embeddings"):
            row = self._db.execute(
                "SELECT count(*) FROM paper_embeddings WHERE model = ?", (model,)
            ).fetchone()
        return int(row[0])

    # -- nearest neighbours -------------------------------------------------------------------

    def nearest_papers(
        self,
        model: str,
        vector: bytes,
        *,
        limit: int,
        exclude: Sequence[str] = (),
        method: VectorSearch = "auto",
    ) -> list[Neighbour]:
        if limit <= 0:
            return []
        import numpy as np

        query = np.frombuffer(vector, dtype=np.float32)
        searcher = self._vector_index(model, int(query.shape[0]), method)
        try:
            if searcher.name == "sqlite-vec":
                k = max(MIN_CANDIDATES, OVERSAMPLE * (limit + len(exclude)))
            else:
                k = 3 * (limit + len(exclude)) + 10  # exact: only other versions to step over
            candidates = searcher.candidates(query, k)
        finally:
            searcher.close()
        return self._rerank(model, query, [c.paper_id for c in candidates], limit, set(exclude))

    def refresh_vector_index(
        self, model: str, dim: int, on_progress: Callable[[int], None] | None = None
    ) -> int:
        from paperfeed.archive.sqlite.vector_index import SqliteVecIndex

        with SqliteVecIndex(self, model, dim) as index:
            return index.refresh(on_progress)

    def _vector_index(
        self, model: str, dim: int, method: VectorSearch
    ) -> NumpyIndex | SqliteVecIndex:
        """sqlite-vec for a large archive when it is installed (``auto``), else exact numpy."""
        from paperfeed.archive.sqlite.vector_index import (
            NumpyIndex,
            SqliteVecIndex,
            sqlite_vec_available,
        )

        # The newest embedding id stands for the archive's size: ids only grow, and it is one
        # index lookup where counting 200,000 rows takes milliseconds on every query.
        use_codes = method == "approximate" or (
            method == "auto"
            and sqlite_vec_available()
            and self.latest_embedding_row(model) >= APPROXIMATE_FROM
        )
        if use_codes:
            codes = SqliteVecIndex(self, model, dim)
            codes.refresh()
            return codes
        return NumpyIndex(self, model, dim)

    def _rerank(
        self, model: str, query: Any, paper_ids: Sequence[int], limit: int, exclude: set[str]
    ) -> list[Neighbour]:
        """Exact cosine order of the candidates, newest version per arXiv id, best ``limit``."""
        import numpy as np

        vectors = self._row_vectors(model, paper_ids)
        newest: dict[str, tuple[int, int, float]] = {}  # arxiv id -> (version, row, cosine)
        for paper_id, ((arxiv_id, version), vector) in vectors.items():
            if arxiv_id in exclude:
                continue
            cosine = float(np.frombuffer(vector, dtype=np.float32) @ query)
            known = newest.get(arxiv_id)
            if known is None or version > known[0]:
                newest[arxiv_id] = (version, paper_id, cosine)
        best = sorted(newest.values(), key=lambda v: (-v[2], v[1]))[:limit]
        papers = self._papers_of_rows([b[1] for b in best])
        return [Neighbour(paper=papers[row_id], similarity=cos) for _, row_id, cos in best]

    # -- rows (inside the backend only) -------------------------------------------------------

    def _rows_of(self, papers: Sequence[Paper]) -> dict[int, str]:
        """Paper row -> versioned id, for the stored ones among ``papers``."""
        return {row: p.versioned_id for row, p in self._papers_by_row(papers).items()}

    def _papers_by_row(self, items: Iterable[Paper | tuple[Paper, str]]) -> dict[int, Paper]:
        found: dict[int, Paper] = {}
        with self._errors("reading papers"):
            for item in items:
                paper = item[0] if isinstance(item, tuple) else item
                row = self._paper_row(paper.arxiv_id, paper.version)
                if row is not None:
                    found[row] = paper
        return found

    def _row_vectors(
        self, model: str, paper_ids: Sequence[int]
    ) -> dict[int, tuple[tuple[str, int], bytes]]:
        """Row -> ((arxiv id, version), vector) of those rows embedded with ``model``."""
        out: dict[int, tuple[tuple[str, int], bytes]] = {}
        with self._errors("reading embeddings"):
            for chunk in rows.chunks(list(dict.fromkeys(paper_ids))):
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(
                    "SELECT pe.paper_id, p.arxiv_id, p.version, v.vector FROM paper_embeddings pe "
                    "JOIN papers p ON p.id = pe.paper_id "
                    "JOIN embedding_vectors v ON v.id = pe.vector_id "
                    f"WHERE pe.model = ? AND pe.paper_id IN ({marks})",
                    (model, *chunk),
                ):
                    out[int(row[0])] = ((str(row[1]), int(row[2])), bytes(row[3]))
        return out

    def _papers_of_rows(self, paper_ids: Sequence[int]) -> dict[int, Paper]:
        out: dict[int, Paper] = {}
        with self._errors("reading papers"):
            for chunk in rows.chunks(list(dict.fromkeys(paper_ids))):
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(
                    f"SELECT p.id AS row_id, {rows.PAPER_COLUMNS_OF_P} "
                    f"FROM papers p WHERE p.id IN ({marks})",
                    tuple(chunk),
                ):
                    out[int(row["row_id"])] = rows.paper_from_row(row)
        return out

    def embedded_since(
        self, model: str, after: int, *, batch: int = 5000
    ) -> Iterator[list[tuple[int, int, bytes]]]:
        """(embedding row, paper row, vector) of ``model``'s embeddings after ``after``, in
        order and in batches (the vector indexes catch up with this)."""
        last = after
        while True:
            with self._errors("reading embeddings"):
                found = [
                    (int(r[0]), int(r[1]), bytes(r[2]))
                    for r in self._db.execute(
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

    def sample_vectors(self, model: str, limit: int) -> list[bytes]:
        with self._errors("reading embeddings"):
            return [
                bytes(r[0])
                for r in self._db.execute(
                    "SELECT v.vector FROM paper_embeddings pe JOIN embedding_vectors v "
                    "ON v.id = pe.vector_id WHERE pe.model = ? ORDER BY random() LIMIT ?",
                    (model, limit),
                )
            ]

    def latest_embedding_row(self, model: str) -> int:
        with self._errors("reading embeddings"):
            row = self._db.execute(
                "SELECT coalesce(max(rowid), 0) FROM paper_embeddings WHERE model = ?", (model,)
            ).fetchone()
        return int(row[0])
