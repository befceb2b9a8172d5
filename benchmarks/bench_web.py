"""Load-test `paperfeed serve` on a 200,000-paper archive with wrk and 50 concurrent clients.

Run: flock /tmp/paperfeed-bench.lock .venv/bin/python benchmarks/bench_web.py [--db PATH]
     [--workers 2] [--duration 20]      (the lock keeps benchmarks on a shared machine apart)

Builds the archive once (benchmarks/web_archive.py; about half a minute) and keeps it in the
temp folder for later runs (or uses --db), starts the real `paperfeed serve` on a free loopback
port, and runs wrk (Debian package `wrk`, 2 threads, 50 connections) on each scenario twice:

  clients     each of the 50 clients waits 0.5-1.5 s after an answer before its next request
              (a reader clicking once a second: far busier than people reading papers)
  saturation  no waiting at all (closed loop): the most the server can answer, and the latency
              when 50 requests are always queued

Scenarios rotate over many URLs so that caches do not flatter them:

  home    /                                   (the latest digest: one URL, as in real use)
  paper   /papers/<id>, 2,000 different papers (more than the page cache holds: mostly misses)
  search  /search?q=..., 300 different queries in English and Chinese, some with filters
  api     /api/digests/<date>, /api/papers/<id>, /api/search?q=... mixed

Then one client times single searches over the whole archive. Percentiles come from wrk's own
latency histogram (its Lua `done` hook); latency excludes the clients' waiting. Results go to
benchmarks/results/bench_web.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.web_archive import build_archive  # noqa: E402

LUA = """
local paths = {%s}
local n = math.random(#paths)
request = function()
  n = n %% #paths + 1
  return wrk.format("GET", paths[n])
end
%s
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%.3f %%.3f %%.3f %%.3f %%d %%d\\n",
    summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""

ENGLISH_QUERIES = (
    "reinforcement learning",
    "diffusion policy",
    "offline",
    "robot manipulation",
    "policy",
    "language model",
    "transformer",
    "reward",
    "safety",
    "multi-agent",
    '"world model"',
    "exploration",
    "benchmark",
    "graph",
    "control",
    "learning",
    "agents",
    "vision",
    "planning",
    "imitation",
    "sample efficiency",
    "robust*",
    "reasoning",
    "preference",
    "theory",
)
CHINESE_QUERIES = ("强化学习", "扩散", "策略", "机器人", "语言模型", "奖励", "智能体", "基准")


def cached_archive(papers: int) -> Path:
    """The synthetic archive, built once and kept in the temp folder. Its name carries a hash
    of the builder and the schema migrations: when either changes, a new one is built."""
    digest = hashlib.sha256((ROOT / "benchmarks" / "web_archive.py").read_bytes())
    for migration in sorted((ROOT / "src" / "paperfeed" / "store" / "migrations").glob("*.sql")):
        digest.update(migration.read_bytes())
    path = (
        Path(tempfile.gettempdir()) / f"paperfeed-bench-web-{papers}-{digest.hexdigest()[:12]}.db"
    )
    if path.exists():
        print(f"using the archive built earlier: {path}", flush=True)
        return path
    partial = path.with_suffix(".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    counts = build_archive(partial, papers=papers)
    partial.rename(path)
    print(f"built {path}: {counts} in {time.perf_counter() - start:.0f} s", flush=True)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sample_urls(db_path: Path, rng: random.Random) -> dict[str, list[str]]:
    db = sqlite3.connect(db_path)
    ids = [r[0] for r in db.execute("SELECT arxiv_id FROM papers ORDER BY random() LIMIT 2000")]
    dates = [r[0] for r in db.execute("SELECT listing_date FROM digests")]
    topics = [r[0] for r in db.execute("SELECT DISTINCT name FROM digest_topics")]
    db.close()
    searches = []
    for n in range(300):
        params: dict[str, str] = {
            "q": rng.choice(CHINESE_QUERIES if n % 5 == 0 else ENGLISH_QUERIES)
        }
        if n % 7 == 1:
            params["topic"] = rng.choice(topics)
        if n % 7 == 2:
            params["category"] = rng.choice(("cs.LG", "cs.RO", "cs", "stat.ML", "eess.SY"))
        if n % 7 == 3:
            day = rng.choice(dates)
            params["from"], params["to"] = day[:8] + "01", day
        if n % 11 == 4:
            params["page"] = str(rng.randint(2, 5))
        searches.append("/search?" + urlencode(params))
    api = []
    for n in range(600):
        kind = n % 3
        if kind == 0:
            api.append(f"/api/digests/{rng.choice(dates)}")
        elif kind == 1:
            api.append(f"/api/papers/{rng.choice(ids)}")
        else:
            api.append("/api" + rng.choice(searches))
    return {
        "home": ["/"],
        "paper": [f"/papers/{i}" for i in ids],
        "search": searches,
        "api": api,
    }


def run_wrk(
    base: str, paths: list[str], seconds: int, connections: int, think_ms: tuple[int, int] | None
) -> dict[str, float]:
    """wrk with ``connections`` clients; each waits a random ``think_ms`` (low, high) before its
    next request, or none (closed loop) when None. Latency excludes the waiting."""
    listed = ",".join(json.dumps(p) for p in paths)
    delay = (
        f"delay = function() return math.random({think_ms[0]}, {think_ms[1]}) end"
        if think_ms
        else ""
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (listed, delay))
    try:
        found = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(script.name).unlink()
    line = next(x for x in found.splitlines() if x.startswith("RESULT"))
    requests, duration_us, p50, p95, p99, worst, bad_status, socket_errors = line.split()[1:]
    return {
        "requests_per_s": round(int(requests) / (int(duration_us) / 1e6), 1),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "max_ms": float(worst),
        "non_2xx": int(bad_status),
        "socket_errors": int(socket_errors),
    }


def single_searches(base: str, rng: random.Random) -> dict[str, float]:
    """One client, one search at a time: the time a reader waits for a search of everything."""
    times = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for query in (*ENGLISH_QUERIES, *CHINESE_QUERIES):
            for path in (f"/search?q={quote(query)}", f"/api/search?q={quote(query)}"):
                start = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
                response.raise_for_status()
    times.sort()
    return {
        "requests": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "max_ms": round(times[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="an archive built earlier by web_archive.py")
    parser.add_argument("--papers", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=20, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="paperfeed-bench-web-"))
    db = args.db or cached_archive(args.papers)
    rng = random.Random(11)
    urls = sample_urls(db, rng)

    port = free_port()
    env = {**os.environ, "PAPERFEED_HOME": str(work), "PAPERFEED_DB": str(db)}
    env.pop("PAPERFEED_CONFIG", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "paperfeed",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/api/session", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit(
                "paperfeed serve did not start: " + (server.stderr.read() if server.stderr else "")
            )
        results: dict[str, object] = {
            "papers": args.papers,
            "workers": args.workers,
            "connections": args.connections,
            "duration_s": args.duration,
            "cpus": os.cpu_count(),
        }
        modes = {
            # 50 readers, each clicking again 0.5-1.5 s after an answer: far busier than people
            # reading papers, the load a small lab's server would see at its worst.
            "clients": (500, 1500),
            # No pause at all: 50 connections hammering; shows the ceiling (requests per second)
            # and what latency becomes when demand exceeds it.
            "saturation": None,
        }
        for mode, think in modes.items():
            label = (
                f"{args.connections} clients, think {think[0]}-{think[1]} ms"
                if think
                else (f"{args.connections} connections, no think time (closed loop)")
            )
            print(f"\n{label}")
            print(
                f"{'scenario':8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}"
            )
            results[mode] = measured = {}
            for name, paths in urls.items():
                run_wrk(base, paths, 2, args.connections, None)  # warm up
                found = run_wrk(base, paths, args.duration, args.connections, think)
                measured[name] = found
                print(
                    f"{name:8} {found['requests_per_s']:8.0f} {found['p50_ms']:8.1f} {found['p95_ms']:8.1f} "
                    f"{found['p99_ms']:8.1f} {found['max_ms']:8.1f} {found['non_2xx'] + found['socket_errors']:7d}",
                    flush=True,
                )
        results["single_search"] = single = single_searches(base, rng)
        print(
            f"single searches over the whole archive: p50 {single['p50_ms']} ms, "
            f"p95 {single['p95_ms']} ms, max {single['max_ms']} ms ({single['requests']} requests)"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_web.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
