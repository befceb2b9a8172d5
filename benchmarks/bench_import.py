"""`paperfeed import` of 100,000 papers: the target is under 30 s.

Run (the machine's cores are shared: take the benchmark lock):
    flock /tmp/paperfeed-bench.lock .venv/bin/python benchmarks/bench_import.py \\
        [--papers 100000] [--per-file 1000] [--runs 3] [--before /tmp/before/src]

The input is seed-text digests (the established format, with Chinese titles and abstracts),
``--per-file`` papers a file, one listing date a file: the example digests' real papers
varied into new ids, titles and abstracts spliced from two originals (so no two texts are
equal and the full-text indexes do real work). Each run imports every file into a new archive
with the real command, in one process (``python -m paperfeed import FILE...``), and records
the wall time, the archive's size and the process's peak memory. ``--before`` runs the same
import with another checkout's sources (``git worktree add /tmp/before <commit>``), side by
side. Medians; results go to benchmarks/results/bench_import.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.listing_builder import example_digest  # noqa: E402

from paperfeed.core.calendar import ArxivCalendar  # noqa: E402
from paperfeed.core.records import DigestEntry, DigestSection  # noqa: E402
from paperfeed.publish.seed_text import render_seed_text  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "bench_import.json"
TOPICS = ("reinforcement learning", "diffusion policy", "large language models")


def _splice(a: str, b: str) -> str:
    left, right = a.split(), b.split()
    return " ".join(left[: len(left) // 2] + right[len(right) // 2 :])


def write_digests(folder: Path, papers: int, per_file: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    base = [
        e
        for name in ("digest-2026-06-04.txt", "digest-2026-04-22.txt")
        for e in example_digest(name).papers
        if e.title_zh and e.abstract_zh
    ]
    template = example_digest("digest-2026-06-04.txt")
    calendar = ArxivCalendar()
    day = date(2026, 6, 4)
    files: list[Path] = []
    number = 0
    while number < papers:
        while not calendar.is_listing_day(day):
            day -= timedelta(days=1)
        entries = []
        for _ in range(min(per_file, papers - number)):
            a, b = rng.sample(base, 2)
            paper = replace(
                a.paper,
                arxiv_id=f"{24 + number // 1_000_000:02d}{1 + (number // 99_999) % 12:02d}."
                f"{number % 99_999 + 1:05d}",
                title=_splice(a.paper.title, b.paper.title),
                abstract=_splice(a.paper.abstract, b.paper.abstract),
            )
            entries.append(
                DigestEntry(
                    paper=paper,
                    title_zh=(a.title_zh or "")[: len(a.title_zh or "") // 2] + (b.title_zh or ""),
                    abstract_zh=(a.abstract_zh or "") + (b.abstract_zh or "")[:80],
                    announce_type=None,
                )
            )
            number += 1
        third = len(entries) // 3 + 1
        digest = replace(
            template,
            listing_date=day,
            sections=tuple(
                DigestSection(topic, tuple(entries[i * third : (i + 1) * third]))
                for i, topic in enumerate(TOPICS)
            ),
        )
        path = folder / f"digest-{day.isoformat()}.txt"
        path.write_text(render_seed_text(digest), encoding="utf-8")
        files.append(path)
        day -= timedelta(days=1)
    return files


def import_once(src: Path, files: list[Path], home: Path) -> dict[str, float]:
    env = {
        **os.environ,
        "PYTHONPATH": str(src),
        "PAPERFEED_HOME": str(home),
        "PAPERFEED_CONFIG": "",
    }
    started = time.perf_counter()
    # GNU time reports the process's peak resident memory (both trees run `python -m paperfeed`).
    done = subprocess.run(
        ["/usr/bin/time", "-f", "peak_kb %M", sys.executable, "-m", "paperfeed", "import"]
        + [str(f) for f in files],
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    peak = next(
        int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("peak_kb")
    )
    database = home / "paperfeed.db"
    size = sum(p.stat().st_size for p in home.glob("paperfeed.db*"))
    return {"seconds": elapsed, "peak_mb": peak / 1024, "bytes": size, "db": str(database)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--per-file", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="src/ folder of the checkout to compare")
    args = parser.parse_args()
    trees = {"after": ROOT / "src"}
    if args.before is not None:
        trees = {"before": args.before, **trees}
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "digests"
        folder.mkdir()
        files = write_digests(folder, args.papers, args.per_file)
        print(f"{args.papers} papers in {len(files)} digest files", flush=True)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for run in range(args.runs):
            for name, src in trees.items():  # interleaved: the machine's noise hits both alike
                home = Path(scratch) / f"{name}-{run}"
                found = import_once(src, files, home)
                runs[name].append(found)
                print(
                    f"{name:>6} run {run + 1}: {found['seconds']:.1f} s, "
                    f"{found['peak_mb']:.0f} MB peak, {found['bytes'] / args.papers:.0f} B/paper",
                    flush=True,
                )
                for extra in home.glob("paperfeed.db*"):
                    extra.unlink()
        for name, found in runs.items():
            results[name] = {
                "median_s": round(statistics.median(f["seconds"] for f in found), 1),
                "runs_s": [round(f["seconds"], 1) for f in found],
                "peak_mb": round(statistics.median(f["peak_mb"] for f in found)),
                "bytes_per_paper": round(
                    statistics.median(f["bytes"] for f in found) / args.papers
                ),
            }
    for name, figures in results.items():
        print(f"{name:>6}: median {figures['median_s']} s", flush=True)  # type: ignore[index]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "bench_import",
                "papers": args.papers,
                "files": -(-args.papers // args.per_file),
                "target_s": 30,
                "cpu_count": os.cpu_count(),
                "load_average": round(os.getloadavg()[0], 2),
                "peak_rss_note": "ru_maxrss of the importing process",
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
