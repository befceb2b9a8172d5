"""Topic selection, before (commit 7a4076a) and now, side by side: 20 topics over 100,000 papers.

Run: flock /tmp/paperfeed-bench.lock .venv/bin/python benchmarks/bench_select.py [--repeat 5]

The day is synthetic with a real day's hit rates (tests/support/synthetic_day.py: most papers
match no topic, "reinforcement learning" a few percent); the topics are bench_daily_run.py's
twenty. Each implementation runs in its own process on the same papers (the old one from
``git archive 7a4076a``), cold (nothing cached), --repeat times; the figure is the median.
Peak memory is measured in one more run under tracemalloc (Python allocations during the
selection), and the process's peak RSS is printed too. The two selections are compared
(every topic's papers, order and terms) and must be identical.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tracemalloc
from dataclasses import asdict
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE_COMMIT = "7a4076a"


def _worker(day_file: str, repeat: int) -> None:
    """Runs inside the measured tree: select ``repeat`` times, print one JSON line."""
    from paperfeed.core.records import ListingItem, Paper
    from paperfeed.core.topics import Topic
    from paperfeed.core.topics.matcher import _paper_text
    from paperfeed.core.topics.select import select_matches

    # The topics come with the papers: the old tree imports nothing of today's benchmarks.
    day = json.loads(Path(day_file).read_text(encoding="utf-8"))
    topics = [Topic(**topic) for topic in day["topics"]]
    rows = day["papers"]
    items = [
        ListingItem(
            paper=Paper(
                arxiv_id=r["arxiv_id"],
                version=1,
                title=r["title"],
                authors=tuple(r["authors"]),
                abstract=r["abstract"],
                categories=tuple(r["categories"]),
            ),
            announce_type=r["announce_type"],
        )
        for r in rows
    ]
    times = []
    for _ in range(repeat):
        _paper_text.cache_clear()
        start = time.perf_counter()
        matches = select_matches(items, topics)
        times.append(time.perf_counter() - start)
    _paper_text.cache_clear()
    tracemalloc.start()
    select_matches(items, topics)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    summary = {
        name: [[m.paper.arxiv_id, [asdict(t) for t in m.terms]] for m in found]
        for name, found in matches.items()
    }
    digest = hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()
    rates = {name: len(found) / len(items) for name, found in matches.items()}
    matched = {m.paper.arxiv_id for found in matches.values() for m in found}
    print(
        json.dumps(
            {
                "times": times,
                "peak": peak,
                "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                "digest": digest,
                "rates": rates,
                "any": len(matched) / len(items),
            }
        )
    )


def _run(src: Path, day_file: Path, repeat: int) -> dict[str, object]:
    env_path = f"{src}:{ROOT}"
    done = subprocess.run(
        [sys.executable, __file__, "--worker", str(day_file), "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker, args.repeat)
        return

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_daily_run import TOPICS
    from tests.support.synthetic_day import realistic_day

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "base"
        archive = subprocess.run(
            ["git", "archive", BASE_COMMIT, "src"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(base, filter="data")
        day = realistic_day(args.papers, TOPICS)
        day_file = Path(folder) / "day.json"
        rows = [
            {
                "arxiv_id": i.paper.arxiv_id,
                "title": i.paper.title,
                "authors": list(i.paper.authors),
                "abstract": i.paper.abstract,
                "categories": list(i.paper.categories),
                "announce_type": i.announce_type,
            }
            for i in day
        ]
        topics = [asdict(topic) for topic in TOPICS]
        day_file.write_text(json.dumps({"topics": topics, "papers": rows}), encoding="utf-8")
        before = _run(base / "src", day_file, args.repeat)
        after = _run(ROOT / "src", day_file, args.repeat)

    print(f"select: {len(TOPICS)} topics over {args.papers:,} papers, median of {args.repeat}")
    print(f"{'':10s} {'median s':>9s} {'min s':>7s} {'peak MiB':>9s} {'max RSS MiB':>12s}")
    for label, run in (("before", before), ("after", after)):
        times = run["times"]
        assert isinstance(times, list)
        print(
            f"{label:10s} {statistics.median(times):9.3f} {min(times):7.3f} "
            f"{int(run['peak']) / 2**20:9.1f} {int(run['rss']) / 2**20:12.1f}"  # type: ignore[call-overload]
        )
    same = before["digest"] == after["digest"]
    print(f"selections identical (papers, order, terms): {'yes' if same else 'NO'}")
    rates = after["rates"]
    assert isinstance(rates, dict)
    print("hit rates:", ", ".join(f"{name} {rate:.2%}" for name, rate in rates.items()))
    print(f"papers matching any topic: {float(after['any']):.1%}")  # type: ignore[arg-type]
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
