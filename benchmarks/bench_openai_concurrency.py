"""Time the openai engine against a loopback OpenAI-compatible server that answers after 200 ms.

Run: .venv/bin/python benchmarks/bench_openai_concurrency.py [--repeat 3] [--delay 0.2]

1. 100 abstracts, concurrency 8 vs serial (concurrency 1), side by side in one run: each request
   costs the server's 200 ms, so serial needs ~20 s and eight in flight ~2.5 s.
2. A translated day (the 87 papers of the dev set: 87 titles + 87 abstracts) through
   ``translate_papers`` with the SQLite cache in front, then the same day again: the rerun must
   make zero model calls (asserted).

The server is ``tests/chat_server.py``'s fake translator (real HTTP on 127.0.0.1, real SDK,
real parsing and checks); only the model is simulated. Figures are medians over --repeat runs.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openai  # noqa: E402
from tests.support.chat_server import FakeTranslator, chat_server  # noqa: E402

from paperfeed.archive import open_archive  # noqa: E402
from paperfeed.core.records import Paper  # noqa: E402
from paperfeed.engines.translate import Segment  # noqa: E402
from paperfeed.engines.translate.glossary import Glossary  # noqa: E402
from paperfeed.engines.translate.openai_engine import OpenAIEngine  # noqa: E402
from paperfeed.stages.translate.service import translate_papers  # noqa: E402

EVAL = ROOT / "tests" / "fixtures" / "eval" / "translation-dev.jsonl"


def dev_rows() -> list[dict[str, str]]:
    return [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines()]


def abstracts(n: int) -> list[Segment]:
    """``n`` distinct abstracts: the dev set's, then the same with a numbered sentence added."""
    rows = dev_rows()
    out = []
    for i in range(n):
        text = rows[i % len(rows)]["abstract"]
        if i >= len(rows):
            text += f" We release variant {i} of the code."
        out.append(Segment("abstract", text))
    return out


def engine_for(url: str, concurrency: int) -> OpenAIEngine:
    client = openai.OpenAI(base_url=url, api_key="bench", timeout=30, max_retries=0)
    return OpenAIEngine(client, "fake", glossary=Glossary.load(), concurrency=concurrency)


def time_batch(url: str, segments: list[Segment], concurrency: int) -> tuple[float, int]:
    engine = engine_for(url, concurrency)
    started = time.perf_counter()
    out = engine.translate(segments)
    elapsed = time.perf_counter() - started
    assert all(t is not None for t in out), "every abstract should pass the checks"
    return elapsed, engine.usage.requests


def day_papers() -> list[Paper]:
    return [
        Paper(
            arxiv_id=row["id"],
            version=1,
            title=row["title"],
            authors=("A. Author",),
            abstract=row["abstract"],
            categories=("cs.LG",),
        )
        for row in dev_rows()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.2, help="server reply delay, seconds")
    parser.add_argument("--abstracts", type=int, default=100)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request

    translator = FakeTranslator(delay=args.delay)
    segments = abstracts(args.abstracts)
    with chat_server(translator) as url:
        engine_for(url, 1).translate(segments[:1])  # warm up: imports, glossary, connection
        timings: dict[int, list[float]] = {8: [], 1: []}
        for _ in range(args.repeat):
            for concurrency in (8, 1):
                elapsed, requests = time_batch(url, segments, concurrency)
                assert requests == len(segments)
                timings[concurrency].append(elapsed)
        concurrent = statistics.median(timings[8])
        serial = statistics.median(timings[1])
        ideal = args.delay * -(-len(segments) // 8)
        print(
            f"{len(segments)} abstracts, server answers after {args.delay * 1000:.0f} ms, "
            f"median of {args.repeat}:"
        )
        print("| concurrency | wall time | per abstract |")
        print("|---:|---:|---:|")
        print(f"| 1 (serial) | {serial:.2f} s | {serial / len(segments) * 1000:.0f} ms |")
        print(f"| 8 | {concurrent:.2f} s | {concurrent / len(segments) * 1000:.0f} ms |")
        print(
            f"speed-up {serial / concurrent:.1f}x; the 200 ms floor at 8 in flight is {ideal:.2f} s"
        )
        assert concurrent <= 4.0, f"concurrency 8 took {concurrent:.2f} s (target <= 4 s)"

        papers = day_papers()
        with tempfile.TemporaryDirectory() as folder, open_archive(Path(folder) / "a.db") as store:
            engine = engine_for(url, 8)
            before = len(translator.requests)
            started = time.perf_counter()
            first = translate_papers(papers, engine, store)
            first_time = time.perf_counter() - started
            first_calls = len(translator.requests) - before
            reruns = []
            for _ in range(args.repeat):
                before = len(translator.requests)
                started = time.perf_counter()
                again = translate_papers(papers, engine, store)
                reruns.append(time.perf_counter() - started)
                calls = len(translator.requests) - before
                assert calls == 0 and again.usage.requests == 0, f"rerun made {calls} model calls"
                assert again.cached == 2 * len(papers)
        print(
            f"a day of {len(papers)} papers: first run {first_time:.2f} s, {first_calls} model "
            f"calls, {first.usage.total_tokens} tokens; cached rerun {statistics.median(reruns) * 1000:.0f} ms, "
            f"0 model calls"
        )


if __name__ == "__main__":
    main()
