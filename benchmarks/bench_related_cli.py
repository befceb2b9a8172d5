"""`paperfeed related ID` from the command line on an embedded 200,000-paper archive: the
target is under 2 s per command, start-up included.

Run (the machine's cores are shared: take the benchmark lock):
    flock /tmp/paperfeed-bench.lock .venv/bin/python benchmarks/bench_related_cli.py \\
        [--vectors 200000] [--runs 5] [--before /tmp/before/src]

The archive is bench_related.py's (synthetic vectors shaped like real ones), stored under the
name of the packaged default model, so the real CLI with default settings finds them. Each
command is a fresh process (`python -m paperfeed related ID --limit 10`) for a different
random paper; the first run of each tree is a warm-up (it builds the sqlite-vec codes beside
the archive if missing) and is reported apart. ``--before`` runs the same commands with
another checkout's sources (``git worktree add /tmp/before <commit>``), side by side on the
same archive. Medians in seconds; results go to benchmarks/results/bench_related_cli.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "bench_related_cli.json"
MODEL = "sentence-transformers/all-MiniLM-L6-v2"  # what the default settings read


def _bench_related() -> object:
    spec = importlib.util.spec_from_file_location(
        "bench_related", ROOT / "benchmarks" / "bench_related.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_archive(path: Path, count: int) -> None:
    related = _bench_related()
    related.MODEL = MODEL  # type: ignore[attr-defined]
    rng = np.random.default_rng(20260604)
    seeds = related.seed_vectors(path.parent / "models")  # type: ignore[attr-defined]
    vectors = related.synthetic_vectors(seeds, count, rng)  # type: ignore[attr-defined]
    related.build(path, vectors)  # type: ignore[attr-defined]


def paper_ids(count: int, rng: np.random.Generator, n: int) -> list[str]:
    return [f"{2500 + k // 100000}.{k % 100000:05d}" for k in rng.integers(count, size=n)]


def time_commands(src: Path, home: Path, ids: list[str]) -> tuple[float, list[float]]:
    env = {
        **os.environ,
        "PYTHONPATH": str(src),
        "PAPERFEED_HOME": str(home),
        "PAPERFEED_DB": str(home / "related.db"),
        "PAPERFEED_CONFIG": "",
        "HF_HUB_OFFLINE": "1",
    }
    times = []
    for arxiv_id in ids:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "paperfeed", "related", arxiv_id, "--limit", "10"],
            env=env,
            capture_output=True,
            text=True,
            cwd=home,
        )
        times.append(time.perf_counter() - started)
        if done.returncode != 0 or "2500." not in done.stdout:
            raise SystemExit(f"paperfeed related {arxiv_id} failed:\n{done.stdout}\n{done.stderr}")
    return times[0], times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, help="src/ folder of the checkout to compare")
    parser.add_argument("--home", type=Path, help="keep the archive here (default: temp folder)")
    args = parser.parse_args()
    home = args.home or Path(tempfile.gettempdir()) / f"paperfeed-related-cli-{args.vectors}"
    home.mkdir(parents=True, exist_ok=True)
    database = home / "related.db"
    if not database.exists():
        print(f"building {args.vectors} embedded papers in {database} (once) ...", flush=True)
        build_archive(database, args.vectors)
    rng = np.random.default_rng(7)
    trees = {"after": ROOT / "src"}
    if args.before is not None:
        trees = {"before": args.before, **trees}
    results: dict[str, object] = {}
    for name, src in trees.items():
        first, rest = time_commands(src, home, paper_ids(args.vectors, rng, args.runs + 1))
        results[name] = {
            "first_command_s": round(first, 2),
            "median_s": round(statistics.median(rest), 2),
            "runs_s": [round(t, 2) for t in rest],
        }
        print(
            f"{name:>6}: median {statistics.median(rest):.2f} s over {len(rest)} commands "
            f"(first {first:.2f} s)",
            flush=True,
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "bench_related_cli",
                "vectors": args.vectors,
                "target_s": 2.0,
                "cpu_count": os.cpu_count(),
                "load_average": round(os.getloadavg()[0], 2),
                "results": results,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
