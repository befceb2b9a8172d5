"""Embed what the archive lacks, and find the papers nearest to a vector.

A paper version's text (title + abstract) is hashed; a text already embedded with the model,
for this version or any other paper, is not embedded again. The nearest-neighbour search is the
archive's (``Embeddings.nearest_papers``): exact, or through an index and re-ranked exactly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np

from paperfeed.archive import Archive
from paperfeed.archive.records import Neighbour, VectorSearch
from paperfeed.core.records import Paper, text_hash
from paperfeed.engines.embed.embedder import Embedder, document_text
from paperfeed.engines.embed.model import Matrix

log = logging.getLogger(__name__)

# How `paperfeed related --index` and the benchmarks name the archive's two search methods.
INDEXES: dict[str, VectorSearch] = {"auto": "auto", "numpy": "exact", "sqlite-vec": "approximate"}
CHUNK = 64  # texts embedded and stored together (progress moves per chunk)


@dataclass(frozen=True, slots=True)
class EmbedReport:
    embedded: int = 0  # texts run through the model
    reused: int = 0  # papers linked to the stored vector of the same text
    unchanged: int = 0  # papers already embedded with their current text
    skipped: int = 0  # papers not in the archive


def as_vector(blob: bytes) -> Matrix:
    return np.frombuffer(blob, dtype=np.float32)


def embed_papers(
    store: Archive,
    embedder: Embedder,
    papers: Sequence[Paper],
    *,
    on_progress: Callable[[int], None] | None = None,
) -> EmbedReport:
    """Make sure each stored paper version in ``papers`` has an embedding of its current text."""
    model = embedder.model_name
    stored_ids = store.stored_versions(papers)
    wanted: dict[str, tuple[Paper, str]] = {}  # versioned id -> (paper, text hash)
    texts: dict[str, str] = {}  # text hash -> text
    for paper in papers:
        if paper.versioned_id not in stored_ids:
            continue
        text = document_text(paper)
        wanted[paper.versioned_id] = (paper, text_hash(text))
        texts[text_hash(text)] = text
    skipped = sum(1 for p in papers if p.versioned_id not in stored_ids)
    current = store.embedded_hashes(model, [p for p, _ in wanted.values()])
    todo = {vid: (p, h) for vid, (p, h) in wanted.items() if current.get(vid) != h}
    hashes = list(dict.fromkeys(h for _, h in todo.values()))
    stored = store.vectors_by_hash(model, hashes)
    new_hashes = [h for h in hashes if h not in stored]
    for start in range(0, len(new_hashes), CHUNK):
        chunk = new_hashes[start : start + CHUNK]
        matrix = embedder.embed([texts[h] for h in chunk])
        store.save_vectors(
            model, embedder.dim, ((h, matrix[i].tobytes()) for i, h in enumerate(chunk))
        )
        if on_progress is not None:
            on_progress(len(chunk))
    store.link_embeddings(model, todo.values())
    fresh = set(new_hashes)
    report = EmbedReport(
        embedded=len(new_hashes),
        reused=sum(1 for _, h in todo.values() if h not in fresh),
        unchanged=len(wanted) - len(todo),
        skipped=skipped,
    )
    log.info("embeddings (%s): %s", model, report)
    return report


def embed_texts(store: Archive, embedder: Embedder, texts: Sequence[str]) -> Matrix:
    """Vectors of texts that are not archive papers (profile entries), cached by text."""
    model = embedder.model_name
    keys = [text_hash(t) for t in texts]
    stored = store.vectors_by_hash(model, keys)
    missing = [k for k in dict.fromkeys(keys) if k not in stored]
    if missing:
        by_key = dict(zip(keys, texts, strict=True))
        matrix = embedder.embed([by_key[k] for k in missing])
        blobs = {k: matrix[i].tobytes() for i, k in enumerate(missing)}
        store.save_vectors(model, embedder.dim, blobs.items())
        stored.update(blobs)
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for i, k in enumerate(keys):
        out[i] = as_vector(stored[k])
    return out


def nearest_papers(
    store: Archive,
    model: str,
    query: Matrix,
    *,
    limit: int,
    exclude: Collection[str] = (),
    index: str = "auto",
) -> list[Neighbour]:
    """The ``limit`` archive papers whose embeddings are nearest to ``query`` (one version per
    arXiv id, its newest embedded one), leaving out the ids in ``exclude``. ``index``: auto,
    numpy (exact) or sqlite-vec (approximate, re-ranked exactly)."""
    if index not in INDEXES:
        raise ValueError(f"unknown index {index!r}; use one of {', '.join(INDEXES)}")
    return store.nearest_papers(
        model,
        np.ascontiguousarray(query, dtype=np.float32).tobytes(),
        limit=limit,
        exclude=tuple(exclude),
        method=INDEXES[index],
    )
