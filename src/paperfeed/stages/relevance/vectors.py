"""Embed what the archive lacks, and find the papers nearest to a vector.

A paper version's text (title + abstract) is hashed; a text already embedded with the model,
for this version or any other paper, is not embedded again. Nearest papers come from an index
(``store.vector_index``) as candidates and are re-ranked here with the exact vectors, one per
arXiv id (its newest embedded version).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np

from paperfeed.archive.sqlite import rows
from paperfeed.archive.sqlite.embeddings import (
    latest_embedding_rowid,
    link_papers,
    linked_hashes,
    paper_vectors,
    papers_by_row_id,
    save_vectors,
    vectors_by_hash,
)
from paperfeed.archive.sqlite.store import Store
from paperfeed.archive.sqlite.vector_index import NumpyIndex, SqliteVecIndex, sqlite_vec_available
from paperfeed.core.records import Paper
from paperfeed.engines.embed.embedder import Embedder, Matrix, document_text

log = logging.getLogger(__name__)

INDEXES = ("auto", "sqlite-vec", "numpy")
SQLITE_VEC_FROM = 20_000  # vectors; below this the exact search is as fast and loads in < 1 s
# sqlite-vec candidates re-ranked per wanted neighbour. The scan's cost grows with the number
# of candidates; 8 kept ~96% of the exact top ten over 200,000 vectors in ~30 ms (benchmarks/).
OVERSAMPLE = 8
MIN_CANDIDATES = 80
CHUNK = 64  # texts embedded and stored together (progress moves per chunk)


@dataclass(frozen=True, slots=True)
class EmbedReport:
    embedded: int = 0  # texts run through the model
    reused: int = 0  # papers linked to the stored vector of the same text
    unchanged: int = 0  # papers already embedded with their current text
    skipped: int = 0  # papers not in the archive


@dataclass(frozen=True, slots=True)
class Neighbour:
    paper: Paper
    similarity: float  # cosine of the two embeddings


def as_vector(blob: bytes) -> Matrix:
    return np.frombuffer(blob, dtype=np.float32)


def text_key(text: str) -> str:
    return rows.text_hash(text)


def embed_papers(
    store: Store,
    embedder: Embedder,
    papers: Sequence[Paper],
    *,
    on_progress: Callable[[int], None] | None = None,
) -> EmbedReport:
    """Make sure each stored paper version in ``papers`` has an embedding of its current text."""
    model = embedder.model_name
    wanted: dict[int, str] = {}  # paper row id -> text hash
    texts: dict[str, str] = {}  # text hash -> text
    skipped = 0
    for paper in papers:
        row_id = store.paper_row_id(paper.arxiv_id, paper.version)
        if row_id is None:
            skipped += 1
            continue
        text = document_text(paper)
        wanted[row_id] = text_key(text)
        texts[wanted[row_id]] = text
    current = linked_hashes(store, model, list(wanted))
    todo = {pid: h for pid, h in wanted.items() if current.get(pid) != h}
    stored = vectors_by_hash(store, model, list(set(todo.values())))
    new_hashes = [h for h in dict.fromkeys(todo.values()) if h not in stored]
    vector_ids = {h: found[0] for h, found in stored.items()}
    for start in range(0, len(new_hashes), CHUNK):
        chunk = new_hashes[start : start + CHUNK]
        matrix = embedder.embed([texts[h] for h in chunk])
        vector_ids.update(
            save_vectors(
                store, model, embedder.dim, ((h, matrix[i].tobytes()) for i, h in enumerate(chunk))
            )
        )
        if on_progress is not None:
            on_progress(len(chunk))
    link_papers(store, model, ((pid, vector_ids[h]) for pid, h in todo.items()))
    fresh = set(new_hashes)
    report = EmbedReport(
        embedded=len(new_hashes),
        reused=sum(1 for h in todo.values() if h not in fresh),
        unchanged=len(wanted) - len(todo),
        skipped=skipped,
    )
    log.info("embeddings (%s): %s", model, report)
    return report


def embed_texts(store: Store, embedder: Embedder, texts: Sequence[str]) -> Matrix:
    """Vectors of texts that are not archive papers (profile entries), cached by text."""
    model = embedder.model_name
    keys = [text_key(t) for t in texts]
    stored = vectors_by_hash(store, model, keys)
    missing = [k for k in dict.fromkeys(keys) if k not in stored]
    if missing:
        by_key = dict(zip(keys, texts, strict=True))
        matrix = embedder.embed([by_key[k] for k in missing])
        blobs = {k: matrix[i].tobytes() for i, k in enumerate(missing)}
        save_vectors(store, model, embedder.dim, blobs.items())
        stored.update({k: (0, b) for k, b in blobs.items()})
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for i, k in enumerate(keys):
        out[i] = as_vector(stored[k][1])
    return out


def open_index(
    store: Store, model: str, dim: int, index: str = "auto"
) -> NumpyIndex | SqliteVecIndex:
    """The index to search ``model``'s vectors with: sqlite-vec for a large archive when it is
    installed (``auto``), else the exact numpy search."""
    if index not in INDEXES:
        raise ValueError(f"unknown index {index!r}; use one of {', '.join(INDEXES)}")
    # The newest embedding id stands for the archive's size: ids only grow, and it is one
    # index lookup where counting 200,000 rows takes milliseconds on every query.
    use_vec = index == "sqlite-vec" or (
        index == "auto"
        and sqlite_vec_available()
        and latest_embedding_rowid(store, model) >= SQLITE_VEC_FROM
    )
    if use_vec:
        vec = SqliteVecIndex(store, model, dim)
        vec.refresh()
        return vec
    return NumpyIndex(store, model, dim)


def nearest_papers(
    store: Store,
    model: str,
    query: Matrix,
    *,
    limit: int,
    exclude: Collection[str] = (),
    index: str = "auto",
) -> list[Neighbour]:
    """The ``limit`` archive papers whose embeddings are nearest to ``query`` (one version per
    arXiv id, its newest embedded one), leaving out the ids in ``exclude``."""
    if limit <= 0:
        return []
    searcher = open_index(store, model, int(query.shape[0]), index)
    try:
        if isinstance(searcher, SqliteVecIndex):
            k = max(MIN_CANDIDATES, OVERSAMPLE * (limit + len(exclude)))
        else:
            k = 3 * (limit + len(exclude)) + 10  # exact: only other versions to step over
        candidates = searcher.candidates(query, k)
    finally:
        if isinstance(searcher, SqliteVecIndex):
            searcher.close()
    return rerank(store, model, query, [c.paper_id for c in candidates], limit, exclude)


def rerank(
    store: Store,
    model: str,
    query: Matrix,
    paper_ids: Sequence[int],
    limit: int,
    exclude: Collection[str] = (),
) -> list[Neighbour]:
    """Exact cosine order of the candidates, newest version per arXiv id, best ``limit``."""
    found = paper_vectors(store, model, paper_ids)
    newest: dict[str, tuple[int, int, float]] = {}  # arxiv id -> (version, row id, cosine)
    for item in found:
        if item.arxiv_id in exclude:
            continue
        cosine = float(as_vector(item.vector) @ query)
        known = newest.get(item.arxiv_id)
        if known is None or item.version > known[0]:
            newest[item.arxiv_id] = (item.version, item.paper_id, cosine)
    best = sorted(newest.values(), key=lambda v: (-v[2], v[1]))[:limit]
    papers = papers_by_row_id(store, [b[1] for b in best])
    return [Neighbour(paper=papers[row_id], similarity=cos) for _, row_id, cos in best]
