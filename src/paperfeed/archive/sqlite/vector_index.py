"""Nearest-neighbour search over the archive's paper embeddings.

Two indexes answer the same question, "which paper versions have the vectors nearest to this
one?", as candidate lists that ``EmbeddingsSql.nearest_papers`` re-ranks exactly:

- ``NumpyIndex``: brute force, exact. All vectors of a model in one float32 matrix, kept per
  process and topped up as embeddings are added (a query over 200,000 vectors is one
  matrix-vector product; loading them the first time takes seconds).
- ``SqliteVecIndex``: a sqlite-vec ``vec0`` table of 1,024-bit codes (the signs of random
  projections of the centred vectors: a SimHash, whose Hamming distance follows the angle).
  sqlite-vec scans it inside SQLite, without loading vectors into Python, and the best
  ``candidates`` by Hamming distance are re-ranked with the exact vectors. Approximate: the
  benchmark (benchmarks/bench_related.py) measures its recall against the exact search.

sqlite-vec is a loadable extension, and Python's own sqlite3 module cannot load extensions on
many builds (pyenv, python.org's macOS installers); APSW, which bundles its own SQLite, can. Two
copies of SQLite must never open the same database file in one process (each would release the
other's POSIX locks: https://sqlite.org/howtocorrupt.html#multiple_copies_of_sqlite_linked_into_the_same_application),
so the codes live in their own file next to the archive, ``<archive>-vec``, which only this
module opens, as part of the archive (no other code reaches for it). It is derived data: it is
rebuilt when missing, and catches up with ``paper_embeddings`` by id. The archive itself never
needs the extension.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from paperfeed.archive.sqlite.caches import ArchiveCaches
from paperfeed.core.errors import StoreError

log = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float32]
CODE_BITS = 1024
CODE_SEED = 20260604  # fixed: codes made by any process or version agree
REBUILD_GROWTH = 2.0  # re-centre (rebuild) the codes when the archive has doubled since


class EmbeddingRows(Protocol):
    """What the indexes read of the archive (``EmbeddingsSql``): embeddings by row, in order."""

    path: Path

    @property
    def caches(self) -> ArchiveCaches: ...

    def embedding_count(self, model: str) -> int: ...

    def latest_embedding_row(self, model: str) -> int: ...

    def embedded_since(
        self, model: str, after: int, *, batch: int = 5000
    ) -> Iterator[list[tuple[int, int, bytes]]]: ...

    def sample_vectors(self, model: str, limit: int) -> list[bytes]: ...


@dataclass(frozen=True, slots=True)
class Candidate:
    paper_id: int
    score: float  # cosine for exact indexes; minus the Hamming distance for codes


# -- exact: numpy -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Loaded:
    synced_to: int
    ids: npt.NDArray[np.int64]
    matrix: Matrix


class NumpyIndex:
    """Exact cosine search over an in-memory matrix of every vector of ``model``, kept in the
    archive's caches (shared by the connections a server opens to one file) and topped up as
    embeddings are added."""

    name = "numpy"

    def __init__(self, archive: EmbeddingRows, model: str, dim: int) -> None:
        self._archive = archive
        self._model = model
        self._dim = dim
        self._key = (str(archive.path.resolve()), model)

    def close(self) -> None:
        return None

    def refresh(self) -> int:
        """Top up the cached matrix with embeddings added since; returns its size."""
        caches = self._archive.caches
        with caches.matrices_lock:
            loaded = caches.matrices.get(self._key)
            if loaded is None or loaded.matrix.shape[1] != self._dim:
                loaded = _Loaded(0, np.zeros(0, np.int64), np.zeros((0, self._dim), np.float32))
            if self._archive.latest_embedding_row(self._model) > loaded.synced_to:
                ids = [loaded.ids]
                blocks = [loaded.matrix]
                for batch in self._archive.embedded_since(self._model, loaded.synced_to):
                    ids.append(np.fromiter((b[1] for b in batch), np.int64, len(batch)))
                    blocks.append(
                        np.frombuffer(b"".join(b[2] for b in batch), np.float32).reshape(
                            len(batch), self._dim
                        )
                    )
                    loaded.synced_to = batch[-1][0]
                loaded = _Loaded(loaded.synced_to, np.concatenate(ids), np.concatenate(blocks))
                # A replaced embedding leaves its old row behind: keep each paper's newest row.
                _, last = np.unique(loaded.ids[::-1], return_index=True)
                if len(last) != len(loaded.ids):
                    keep = np.sort(len(loaded.ids) - 1 - last)
                    loaded = _Loaded(loaded.synced_to, loaded.ids[keep], loaded.matrix[keep])
            caches.matrices[self._key] = loaded
            return len(loaded.ids)

    def candidates(self, query: Matrix, k: int) -> list[Candidate]:
        self.refresh()
        loaded: _Loaded = self._archive.caches.matrices[self._key]
        if not len(loaded.ids):
            return []
        scores = loaded.matrix @ query
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [Candidate(int(loaded.ids[i]), float(scores[i])) for i in top]


# -- approximate: sqlite-vec --------------------------------------------------------------------


def sqlite_vec_available() -> bool:
    """sqlite-vec is installed and some SQLite binding here can load it."""
    if importlib.util.find_spec("sqlite_vec") is None:
        return False
    return _stdlib_loads_extensions() or importlib.util.find_spec("apsw") is not None


def _stdlib_loads_extensions() -> bool:
    return hasattr(sqlite3.Connection, "enable_load_extension")


def _connect(path: Path, timeout: float) -> Any:
    """A connection to ``path`` (never the archive itself) with sqlite-vec loaded."""
    import sqlite_vec

    connection: Any
    if _stdlib_loads_extensions():
        connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    else:
        try:
            import apsw
        except ImportError:
            raise StoreError(
                "this Python's sqlite3 cannot load extensions (sqlite-vec) and APSW is not "
                "installed",
                path=str(path),
                hint="pip install 'paperfeed[relevance]' (it includes apsw)",
            ) from None
        connection = apsw.Connection(str(path))
    connection.enable_load_extension(True)
    connection.load_extension(sqlite_vec.loadable_path())
    connection.enable_load_extension(False)
    connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return connection


@functools.cache
def simhash_planes(dim: int) -> Matrix:
    """The random hyperplanes of the codes (made once per process: they take milliseconds)."""
    rng = np.random.default_rng(CODE_SEED)
    return rng.standard_normal((dim, CODE_BITS)).astype(np.float32)


def simhash(vectors: Matrix, center: Matrix, planes: Matrix) -> npt.NDArray[np.uint8]:
    """Each row's 1,024-bit code, packed (128 bytes a row)."""
    return np.packbits((vectors - center) @ planes > 0, axis=1)


def vec_path(archive: Path) -> Path:
    """Where the sqlite-vec index of the archive at ``archive`` lives."""
    return archive.with_name(archive.name + "-vec")


_STATE = (
    "CREATE TABLE IF NOT EXISTS code_tables ("
    "model TEXT PRIMARY KEY, dim INTEGER NOT NULL, vec_table TEXT NOT NULL, "
    "synced_to INTEGER NOT NULL, center BLOB NOT NULL, built_count INTEGER NOT NULL)"
)


class SqliteVecIndex:
    """SimHash codes of one model's vectors in a sqlite-vec vec0 table; Hamming-nearest
    candidates. Opens its own file (``vec_path``); close it, or use it as a context manager."""

    name = "sqlite-vec"

    def __init__(
        self, archive: EmbeddingRows, model: str, dim: int, *, timeout: float = 5.0
    ) -> None:
        self._archive = archive
        self._db = _connect(vec_path(archive.path), timeout)
        self._db.execute(_STATE)
        self._model = model
        self._dim = dim
        self._planes = simhash_planes(dim)
        self._table = ""
        self._center = np.zeros(dim, np.float32)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SqliteVecIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def refresh(self, on_progress: Callable[[int], None] | None = None) -> int:
        """Create the codes if needed and catch up with the archive's embeddings; rebuild them
        (re-centring) when the archive has grown ``REBUILD_GROWTH`` times since they were built,
        or when they are ahead of it (the archive was replaced). Returns how many were added."""
        state = self._state()
        latest = self._archive.latest_embedding_row(self._model)
        stale = (
            state is None
            or not self._table_exists(state[0])
            or int(state[1]) > latest
            or int(state[4]) != self._dim
        )
        if not stale and latest > int(state[1]):
            total = self._archive.embedding_count(self._model)
            stale = total >= 1000 and total >= int(state[3]) * REBUILD_GROWTH
        if stale:
            self._build()
            state = self._state()
        self._table = str(state[0])
        self._center = np.frombuffer(state[2], np.float32).copy()
        return self._catch_up(int(state[1]), on_progress)

    def candidates(self, query: Matrix, k: int) -> list[Candidate]:
        if not self._table:
            self.refresh()
        code = simhash(query[None, :], self._center, self._planes)[0].tobytes()
        found = self._db.execute(
            f"SELECT rowid, distance FROM {self._table} WHERE embedding MATCH vec_bit(?) "
            "AND k = ? ORDER BY distance",
            (code, k),
        ).fetchall()
        return [Candidate(int(r[0]), -float(r[1])) for r in found]

    def _state(self) -> Any:
        return self._db.execute(
            "SELECT vec_table, synced_to, center, built_count, dim FROM code_tables "
            "WHERE model = ?",
            (self._model,),
        ).fetchone()

    def _table_exists(self, name: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    def _build(self) -> None:
        """(Re)make the vec0 table, centred on the mean of (a sample of) the stored vectors."""
        total = self._archive.embedding_count(self._model)
        center = np.zeros(self._dim, np.float32)
        sample = self._archive.sample_vectors(self._model, 20_000)
        if sample:
            vectors = np.frombuffer(b"".join(sample), np.float32).reshape(-1, self._dim)
            center = vectors.mean(axis=0).astype(np.float32)
        number = self._db.execute("SELECT coalesce(max(rowid), 0) + 1 FROM code_tables").fetchone()
        table = f"vec_paper_codes_{int(number[0])}"
        self._db.execute("BEGIN IMMEDIATE")
        try:
            old = self._state()
            if old is not None and self._table_exists(old[0]):
                self._db.execute(f"DROP TABLE {old[0]}")
            self._db.execute(f"CREATE VIRTUAL TABLE {table} USING vec0(embedding bit[{CODE_BITS}])")
            self._db.execute(
                "INSERT INTO code_tables (model, dim, vec_table, synced_to, center, built_count) "
                "VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (model) DO UPDATE SET dim = excluded.dim, "
                "vec_table = excluded.vec_table, synced_to = 0, center = excluded.center, "
                "built_count = excluded.built_count",
                (self._model, self._dim, table, center.tobytes(), total),
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        log.info("built the sqlite-vec index %s for %s (%d vectors)", table, self._model, total)

    def _catch_up(self, synced_to: int, on_progress: Callable[[int], None] | None) -> int:
        added = 0
        for batch in self._archive.embedded_since(self._model, synced_to):
            vectors = np.frombuffer(b"".join(b[2] for b in batch), np.float32).reshape(
                len(batch), self._dim
            )
            codes = simhash(vectors, self._center, self._planes)
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    f"DELETE FROM {self._table} WHERE rowid = ?", [(b[1],) for b in batch]
                )
                self._db.executemany(
                    f"INSERT INTO {self._table} (rowid, embedding) VALUES (?, vec_bit(?))",
                    [(b[1], codes[i].tobytes()) for i, b in enumerate(batch)],
                )
                self._db.execute(
                    "UPDATE code_tables SET synced_to = ? WHERE model = ?",
                    (batch[-1][0], self._model),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            added += len(batch)
            if on_progress is not None:
                on_progress(len(batch))
        return added
