"""Embedding throughput: plain sentence-transformers against the fast backends (PyTorch's
bfloat16 autocast, ONNX Runtime), side by side.

Run (the machine's cores are shared: take the benchmark lock):
    flock /tmp/paperfeed-bench.lock .venv/bin/python benchmarks/bench_embeddings.py [--repeat 5]

The texts are the example digests' 87 real papers (title + abstract, as the relevance stage
embeds them; most are longer than the model's 256 tokens), three times over: 261 texts. Each
variant embeds them all once per round; the rounds interleave the variants so that a busy
neighbour slows them alike; figures are medians. Every variant's vectors are compared with
the reference (sentence-transformers, its default batch of 32): the cosine must stay >= 0.999.
Results go to benchmarks/results/bench_embeddings.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import onnxruntime  # noqa: E402
import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402
from tests.support.listing_builder import example_digest  # noqa: E402

from paperfeed.engines.embed.embedder import (  # noqa: E402
    OnnxEmbedder,
    document_text,
    native_bfloat16,
    resolve_model,
)
from paperfeed.engines.embed.onnx_export import onnx_model_for  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "bench_embeddings.json"


def texts() -> list[str]:
    papers = [
        e.paper
        for name in ("digest-2026-06-04.txt", "digest-2026-04-22.txt")
        for e in example_digest(name).papers
    ]
    return [document_text(p) for p in papers] * 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    sample = texts()
    source = resolve_model("all-MiniLM-L6-v2")
    load_started = time.perf_counter()
    model = SentenceTransformer(str(source.path), device="cpu", local_files_only=True)
    st_load = time.perf_counter() - load_started
    with tempfile.TemporaryDirectory() as cache:
        export_started = time.perf_counter()
        onnx_path = onnx_model_for(source, Path(cache))
        export_seconds = time.perf_counter() - export_started
        onnx = {
            (batch, threads): OnnxEmbedder(source, onnx_path, batch_size=batch, threads=threads)
            for batch, threads in ((16, None), (8, None), (16, 1))
        }

        def st(batch: int, bfloat16: bool = False) -> Callable[[list[str]], np.ndarray]:
            def embed(t: list[str]) -> np.ndarray:
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16):
                    return np.asarray(
                        model.encode(
                            t, batch_size=batch, normalize_embeddings=True, show_progress_bar=False
                        )
                    )

            return embed

        variants: dict[str, Callable[[list[str]], np.ndarray]] = {
            "sentence-transformers, batch 32 (library default)": st(32),
            "sentence-transformers, batch 16": st(16),
            "sentence-transformers, bfloat16 autocast, batch 16 (auto on bf16 CPUs)": st(
                16, bfloat16=True
            ),
            "sentence-transformers, bfloat16 autocast, batch 32": st(32, bfloat16=True),
            "ONNX Runtime, batch 16, 2 threads": onnx[(16, None)].embed,
            "ONNX Runtime, batch 8, 2 threads (auto elsewhere)": onnx[(8, None)].embed,
            "ONNX Runtime, batch 16, 1 thread": onnx[(16, 1)].embed,
        }
        reference = variants["sentence-transformers, batch 32 (library default)"](sample)
        seconds: dict[str, list[float]] = {name: [] for name in variants}
        agreement: dict[str, float] = {}
        load_before = os.getloadavg()[0]
        for _ in range(args.repeat):
            for name, embed in variants.items():
                started = time.perf_counter()
                vectors = embed(sample)
                seconds[name].append(time.perf_counter() - started)
                agreement[name] = float((vectors * reference).sum(axis=1).min())
        load_after = os.getloadavg()[0]

    rows = []
    for name, runs in seconds.items():
        median = statistics.median(runs)
        rows.append(
            {
                "variant": name,
                "median_seconds": round(median, 3),
                "abstracts_per_second": round(len(sample) / median, 1),
                "runs_seconds": [round(r, 3) for r in runs],
                "min_cosine_to_reference": round(agreement[name], 6),
            }
        )
        print(
            f"{name:<72} {len(sample) / median:6.1f} abstracts/s  "
            f"(median {median:.2f} s; min cosine {agreement[name]:.6f})"
        )
    print(
        f"load: sentence-transformers model {st_load:.1f} s; one-time ONNX export {export_seconds:.1f} s"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "bench_embeddings",
                "texts": len(sample),
                "repeat": args.repeat,
                "cpu_count": os.cpu_count(),
                "machine": platform.processor() or platform.machine(),
                "torch": torch.__version__,
                "torch_threads": torch.get_num_threads(),
                "native_bfloat16": native_bfloat16(),
                "onnxruntime": onnxruntime.__version__,
                "load_average_before_after": [round(load_before, 2), round(load_after, 2)],
                "sentence_transformers_load_seconds": round(st_load, 2),
                "onnx_export_seconds": round(export_seconds, 2),
                "results": rows,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
