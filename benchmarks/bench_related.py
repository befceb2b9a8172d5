"""Related-papers queries over 200,000 stored vectors: sqlite-vec against brute-force numpy.

Run (the machine's cores are shared: take the benchmark lock):
    flock /tmp/paperfeed-bench.lock .venv/bin/python benchmarks/bench_related.py [--vectors 200000]

The archive is a real SQLite archive (``Archive``) holding that many papers, each with a
384-dimensional embedding stored the way the relevance stage stores them. Embedding 200,000
abstracts would take hours, so the vectors are synthetic but shaped like real ones: the real
model's embeddings of the fixtures' ~100 real papers are mixed into 20,000 "topics", and each
paper is a topic plus noise, tuned so that similarities fade the way they do in a real archive
(median cosine of a paper's nearest neighbour ~0.7, of its 10th ~0.63, of its 100th ~0.44;
printed with the results).

Each query is ``related_papers(store, id, 10)``: look up the paper's vector, search, re-rank
exactly, load the ten papers. Timed per index over the same random papers; p50 and p95 in
milliseconds. The numpy index loads every vector once per process (timed apart, "cold");
sqlite-vec builds its codes once (timed apart) and then opens its own file for every query.
Recall@10 compares sqlite-vec's answers with the exact ones. Results go to
benchmarks/results/bench_related.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from tests.support.relevance_samples import rl_papers, unrelated_papers  # noqa: E402

from paperfeed.archive import Archive, open_archive  # noqa: E402
from paperfeed.archive.sqlite.vector_index import SqliteVecIndex, vec_path  # noqa: E402
from paperfeed.config.relevance import RelevanceSettings  # noqa: E402
from paperfeed.core.records import Listing, ListingItem, Paper  # noqa: E402
from paperfeed.engines.embed.embedder import document_text, make_embedder  # noqa: E402
from paperfeed.stages.relevance.related import related_papers  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "bench_related.json"
MODEL = "bench/synthetic-minilm"
DIM = 384
PER_LISTING = 2000
TOPICS = 20_000  # about ten papers a topic: neighbours fade from ~0.7 to ~0.45 by the 100th


def seed_vectors(cache: Path) -> np.ndarray:
    papers = rl_papers() + rl_papers("digest-2026-04-22.txt") + unrelated_papers()
    embedder = make_embedder(RelevanceSettings(), cache_dir=cache)
    return embedder.embed([document_text(p) for p in papers])


def synthetic_vectors(seeds: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    topics = np.zeros((TOPICS, DIM), np.float32)
    for i in range(len(topics)):
        mix = rng.dirichlet(np.ones(3)).astype(np.float32)
        topics[i] = mix @ seeds[rng.choice(len(seeds), 3, replace=False)]
    topics += rng.standard_normal(topics.shape).astype(np.float32) * 0.035
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    out = topics[rng.integers(len(topics), size=count)]
    out = out + rng.standard_normal(out.shape).astype(np.float32) * 0.035
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def build(path: Path, vectors: np.ndarray) -> None:
    started = time.perf_counter()
    with open_archive(path) as store:
        day = date(2025, 1, 1)
        for first in range(0, len(vectors), PER_LISTING):
            papers = [
                Paper(
                    arxiv_id=f"{2500 + first // 100000}.{n % 100000:05d}",
                    version=1,
                    title=f"Synthetic paper {n}",
                    authors=("A. Author",),
                    abstract=f"Synthetic abstract {n}.",
                    categories=("cs.LG",),
                )
                for n in range(first, min(first + PER_LISTING, len(vectors)))
            ]
            store.save_listing(Listing(day, tuple(ListingItem(p, "new") for p in papers)))
            day += timedelta(days=1)
            keys = [f"synthetic-{n}" for n in range(first, first + len(papers))]
            store.save_vectors(
                MODEL, DIM, ((k, vectors[first + i].tobytes()) for i, k in enumerate(keys))
            )
            store.link_embeddings(MODEL, zip(papers, keys, strict=True))
    print(f"built {len(vectors)} papers with vectors in {time.perf_counter() - started:.0f} s")


def timed(store: Archive, ids: list[str], index: str) -> tuple[list[float], list[list[str]]]:
    times: list[float] = []
    answers: list[list[str]] = []
    for arxiv_id in ids:
        started = time.perf_counter()
        found = related_papers(store, arxiv_id, 10, model=MODEL, index=index)
        times.append((time.perf_counter() - started) * 1000)
        answers.append([n.paper.arxiv_id for n in found])
    return times, answers


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vectors", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--keep", type=Path, help="Folder to keep (and reuse) the archive in.")
    args = parser.parse_args()

    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"related-{args.vectors}.db"
        seeds = seed_vectors(Path(scratch) / "models")
        vectors = synthetic_vectors(seeds, args.vectors, rng)
        if not path.exists():
            build(path, vectors)
        sample = vectors[rng.integers(len(vectors), size=200)]
        similarities = sample @ vectors.T
        similarities.sort(axis=1)
        nearest = similarities[:, -2]  # -1 is the paper itself
        tenth = similarities[:, -11]
        del similarities

        results: dict[str, object] = {}
        with open_archive(path) as store:
            ids = [
                f"{2500 + n // 100000}.{n % 100000:05d}"
                for n in rng.integers(len(vectors), size=args.queries)
            ]
            started = time.perf_counter()  # a fresh archive: its exact index is not loaded yet
            related_papers(store, ids[0], 10, model=MODEL, index="numpy")
            numpy_cold = (time.perf_counter() - started) * 1000
            numpy_times, exact = timed(store, ids, "numpy")

            vec_path(path).unlink(missing_ok=True)  # time building the codes from scratch
            started = time.perf_counter()
            with SqliteVecIndex(store, MODEL, DIM) as index:
                index.refresh()
            vec_build = time.perf_counter() - started
            related_papers(store, ids[0], 10, model=MODEL, index="sqlite-vec")
            vec_times, coded = timed(store, ids, "sqlite-vec")
        recall = statistics.mean(
            len(set(a) & set(b)) / 10 for a, b in zip(exact, coded, strict=True)
        )
        for name, times in (("numpy (exact, warm)", numpy_times), ("sqlite-vec", vec_times)):
            results[name] = {
                "p50_ms": round(percentile(times, 0.5), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                "mean_ms": round(statistics.mean(times), 1),
            }
            print(
                f"{name:<22} p50 {percentile(times, 0.5):6.1f} ms   p95 {percentile(times, 0.95):6.1f} ms"
            )
        print(f"numpy first query (loads {args.vectors} vectors): {numpy_cold:.0f} ms")
        print(f"sqlite-vec index build ({args.vectors} codes): {vec_build:.1f} s")
        print(f"sqlite-vec recall@10 against the exact search: {recall:.3f}")
        print(
            f"nearest-neighbour cosine: median {np.median(nearest):.3f}, "
            f"10th neighbour median {np.median(tenth):.3f}"
        )
        sizes = {p.name: p.stat().st_size for p in folder.glob(f"related-{args.vectors}.db*")}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "bench_related",
                "vectors": args.vectors,
                "dim": DIM,
                "queries": args.queries,
                "limit": 10,
                "cpu_count": os.cpu_count(),
                "load_average": round(os.getloadavg()[0], 2),
                "results": results,
                "numpy_first_query_ms": round(numpy_cold),
                "sqlite_vec_build_seconds": round(vec_build, 1),
                "sqlite_vec_recall_at_10": round(recall, 3),
                "nearest_neighbour_cosine_median": round(float(np.median(nearest)), 3),
                "tenth_neighbour_cosine_median": round(float(np.median(tenth)), 3),
                "file_bytes": sizes,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
