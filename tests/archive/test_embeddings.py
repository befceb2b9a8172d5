"""Embeddings in the archive and the two vector indexes, on real SQLite files.

A hash-based stand-in embedder (tests/relevance_samples.py) makes the vectors: these tests are
about storage and search; the real model's meaning is tested in test_relevance_model.py.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("numpy")

import numpy as np

from paperfeed.archive import Archive, open_archive
from paperfeed.archive.sqlite.vector_index import (
    NumpyIndex,
    SqliteVecIndex,
    vec_path,
)
from paperfeed.core.errors import RelevanceError
from paperfeed.core.records import Listing, ListingItem, Paper
from paperfeed.stages.relevance.related import embed_archive, related_papers
from paperfeed.stages.relevance.vectors import embed_papers, embed_texts, nearest_papers
from tests.support.relevance_samples import HashEmbedder, rl_papers

DAY = date(2026, 6, 4)


def save(store: Archive, papers: list[Paper], day: date = DAY) -> None:
    store.save_listing(Listing(day, tuple(ListingItem(p, "new") for p in papers)))


def synthetic(count: int, start: int = 0) -> list[Paper]:
    return [
        Paper(
            arxiv_id=f"2606.{n:05d}",
            version=1,
            title=f"Synthetic paper {n}",
            authors=("A. Author",),
            abstract=f"Abstract number {n} about topic {n % 7}.",
            categories=("cs.LG",),
        )
        for n in range(start, start + count)
    ]


def test_embeddings_are_stored_once_per_text_and_survive_reopening(tmp_path: Path) -> None:
    embedder = HashEmbedder()
    papers = rl_papers()[:12]
    with open_archive(tmp_path / "a.db") as store:
        save(store, papers)
        first = embed_papers(store, embedder, papers)
        assert (first.embedded, first.unchanged) == (12, 0)
        assert embedder.embedded == 12
        again = embed_papers(store, embedder, papers)
        assert (again.embedded, again.unchanged) == (0, 12)
    with open_archive(tmp_path / "a.db") as store:
        # A new version with the same title and abstract reuses the stored vector...
        same = replace(papers[0], version=2)
        # ...a new version with a changed abstract is embedded.
        changed = replace(papers[1], version=2, abstract=papers[1].abstract + " Code released.")
        save(store, [same, changed], date(2026, 6, 5))
        report = embed_papers(store, embedder, [same, changed, *papers])
        assert (report.embedded, report.reused, report.unchanged) == (1, 1, 12)
        assert embedder.embedded == 13
        assert store.embedding_count(embedder.model_name) == 14  # paper versions
        assert store.count("embedding_vectors") == 13  # distinct texts
        # White space differences are the same text.
        spaced = replace(papers[2], version=3, abstract=papers[2].abstract.replace(" ", "\n  "))
        save(store, [spaced], date(2026, 6, 8))
        assert embed_papers(store, embedder, [spaced]).reused == 1
        assert embedder.embedded == 13


def test_a_paper_whose_stored_text_changes_is_embedded_again(store: Archive) -> None:
    embedder = HashEmbedder()
    (paper,) = synthetic(1)
    save(store, [paper])
    embed_papers(store, embedder, [paper])
    richer = replace(paper, abstract=paper.abstract + " With more detail.")
    store.upsert_paper(richer, "api")  # the same version, refreshed from a richer source
    assert embed_papers(store, embedder, [richer]).embedded == 1
    assert store.embedding_count(embedder.model_name) == 1


def test_texts_outside_the_archive_are_cached_too(store: Archive) -> None:
    embedder = HashEmbedder()
    first = embed_texts(store, embedder, ["A profile entry.", "Another one.", "A profile entry."])
    assert embedder.embedded == 2
    second = embed_texts(store, embedder, ["Another one."])
    assert embedder.embedded == 2
    assert np.array_equal(first[1], second[0])
    assert np.array_equal(first[0], first[2])


def test_related_papers_leave_the_paper_out_and_keep_one_version(store: Archive) -> None:
    embedder = HashEmbedder()
    papers = synthetic(30)
    save(store, papers)
    newer = replace(papers[3], version=2)
    save(store, [newer], date(2026, 6, 5))
    assert len(store.papers_without_embedding(embedder.model_name)) == 30  # newest versions
    embed_archive(store, embedder)
    embed_papers(store, embedder, [papers[3]])  # the old version too: both are stored
    found = related_papers(store, papers[0].arxiv_id, 40, model=embedder.model_name)
    ids = [n.paper.arxiv_id for n in found]
    assert papers[0].arxiv_id not in ids
    assert len(ids) == len(set(ids)) == 29
    assert next(n.paper for n in found if n.paper.arxiv_id == newer.arxiv_id).version == 2
    similarities = [n.similarity for n in found]
    assert similarities == sorted(similarities, reverse=True)
    query = embedder.embed([f"{papers[0].title}. {papers[0].abstract}"])[0]
    assert found[0].similarity == pytest.approx(
        max(float(embedder.embed([f"{p.title}. {p.abstract}"])[0] @ query) for p in papers[1:]),
        abs=1e-6,
    )


def test_related_papers_of_an_unknown_or_unembedded_paper(store: Archive) -> None:
    save(store, synthetic(3))
    with pytest.raises(RelevanceError, match="not in the archive"):
        related_papers(store, "2101.00001", 5)
    assert related_papers(store, "2606.00001", 5, model="never/embedded") == []
    # With an embedder the paper itself is embedded on demand.
    embedder = HashEmbedder()
    assert related_papers(store, "2606.00001", 5, embedder=embedder) == []  # nothing else yet
    assert embedder.embedded == 1


def test_sqlite_vec_and_the_numpy_fallback_give_the_same_neighbours(store: Archive) -> None:
    pytest.importorskip("sqlite_vec")
    embedder = HashEmbedder(dim=48)
    save(store, synthetic(80))
    embed_archive(store, embedder)
    model = embedder.model_name
    for query_id in ("2606.00000", "2606.00017", "2606.00042", "2606.00079"):
        exact = related_papers(store, query_id, 8, model=model, index="numpy")
        coded = related_papers(store, query_id, 8, model=model, index="sqlite-vec")
        assert [(n.paper.arxiv_id, n.similarity) for n in coded] == [
            (n.paper.arxiv_id, n.similarity) for n in exact
        ]
    # Both catch up with papers embedded after their first use.
    save(store, synthetic(20, start=80), date(2026, 6, 5))
    embed_archive(store, embedder)
    query = embedder.embed(["Synthetic paper 95. Abstract number 95 about topic 4."])[0]
    for index in ("numpy", "sqlite-vec"):
        (best,) = nearest_papers(store, model, query, limit=1, index=index)
        assert best.paper.arxiv_id == "2606.00095"
        assert best.similarity == pytest.approx(1.0, abs=1e-5)


def test_sqlite_vec_codes_find_the_exact_neighbours_among_candidates(store: Archive) -> None:
    """On a larger archive the codes are approximate: their candidates must still hold nearly
    all of the exact top ten (re-ranking then puts them in exact order)."""
    pytest.importorskip("sqlite_vec")
    embedder = HashEmbedder(dim=64)
    save(store, synthetic(1500))
    embed_archive(store, embedder)
    model = embedder.model_name
    exact = NumpyIndex(store, model, 64)
    with SqliteVecIndex(store, model, 64) as coded:
        coded.refresh()
        found = 0
        for n in range(0, 1500, 100):
            query = embedder.embed(
                [f"Synthetic paper {n}. Abstract number {n} about topic {n % 7}."]
            )[0]
            truth = {c.paper_id for c in exact.candidates(query, 10)}
            found += len(truth & {c.paper_id for c in coded.candidates(query, 100)})
    assert found / (15 * 10) >= 0.9


def test_the_codes_live_beside_the_archive_and_are_rebuilt_when_lost(store: Archive) -> None:
    pytest.importorskip("sqlite_vec")
    embedder = HashEmbedder()
    save(store, synthetic(12))
    embed_archive(store, embedder)
    model = embedder.model_name
    first = related_papers(store, "2606.00001", 3, model=model, index="sqlite-vec")
    sidecar = vec_path(store.path)
    assert sidecar.is_file()
    # The archive itself holds no vec0 table: any SQLite can open it.
    plain = sqlite3.connect(store.path)
    try:
        sql = [r[0] or "" for r in plain.execute("SELECT sql FROM sqlite_master")]
    finally:
        plain.close()
    assert sql and not [s for s in sql if "vec0" in s]
    assert store.integrity_ok()
    sidecar.unlink()
    assert related_papers(store, "2606.00001", 3, model=model, index="sqlite-vec") == first
    assert sidecar.is_file()
