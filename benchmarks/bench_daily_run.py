"""Time the daily run's local stages on a realistic day: 3,000 papers, 20 topics.

Run: .venv/bin/python benchmarks/bench_daily_run.py [--repeat 5]

The papers are the example digests' real papers, varied (ids, word order of titles) to make a
3,000-paper listing like a busy arXiv day across all archives. Network time is not measured
(arXiv's 3-second rule dominates it: ~20 archive feeds take ~60 s whatever the code does).
Figures are medians over --repeat runs; the machine is noisy, so compare within one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.listing_builder import example_digest, example_items  # noqa: E402

from paperfeed.app.demo.feeds import build_rss  # noqa: E402
from paperfeed.archive import open_archive  # noqa: E402
from paperfeed.archive.records import SearchQuery  # noqa: E402
from paperfeed.core.records import Listing, ListingItem  # noqa: E402
from paperfeed.core.topics import Topic  # noqa: E402
from paperfeed.core.topics.matcher import _paper_text  # noqa: E402
from paperfeed.core.topics.select import select_matches  # noqa: E402
from paperfeed.publish.formats import render_digest  # noqa: E402
from paperfeed.sources.arxiv_rss import parse_rss  # noqa: E402

DAY = date(2026, 6, 4)
TOPICS = (
    Topic("reinforcement learning", "reinforcement learning"),
    Topic("diffusion policy", "diffusion policy"),
    Topic("offline rl", '"offline reinforcement learning" OR "offline RL"'),
    Topic("robots", "ti:robot* OR cat:cs.RO"),
    Topic("llm agents", '("language model" OR LLM) AND agent'),
    Topic("policy gradient", '"policy gradient" OR PPO OR GRPO'),
    Topic("world models", '"world model"'),
    Topic("imitation", '"imitation learning" OR "behavior cloning"'),
    Topic("safety", "safe AND (constraint OR shield*)"),
    Topic("multi-agent", '"multi-agent" OR MARL'),
    Topic("reward", '"reward model" OR "reward shaping"'),
    Topic("control", "cat:eess.SY AND control"),
    Topic("theory", '"regret bound" OR "sample complexity"'),
    Topic("vision-language-action", '"vision-language-action" OR VLA'),
    Topic("exploration", "exploration NOT bandit"),
    Topic("bandits", "bandit*"),
    Topic("diffusion", "diffusion AND ti:model"),
    Topic("transformers", "transformer"),
    Topic("authors", 'au:"Sergey Levine" OR au:levine'),
    Topic("graphs", '"graph neural network"'),
)


def listing(size: int) -> list[ListingItem]:
    base = example_items("digest-2026-06-04.txt") + example_items("digest-2026-04-22.txt")
    out = []
    for n in range(size):
        item = base[n % len(base)]
        words = item.paper.title.split()
        title = " ".join(words[n % 3 :] + words[: n % 3])  # vary the text a little
        paper = replace(item.paper, arxiv_id=f"2606.{10000 + n:05d}", title=title)
        out.append(ListingItem(paper=paper, announce_type="new"))
    return out


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--papers", type=int, default=3000)
    args = parser.parse_args()
    items = listing(args.papers)
    rss = build_rss("cs", DAY, items)

    def select_cold() -> object:
        _paper_text.cache_clear()  # cold: every paper tokenized, as on a new day
        return select_matches(items, TOPICS)

    def store_listing() -> object:
        with tempfile.TemporaryDirectory() as folder, open_archive(Path(folder) / "db") as store:
            store.save_listing(Listing(listing_date=DAY, items=tuple(items), feeds=("cs",)))
            return store.search(SearchQuery("reinforcement learning"))

    digest = example_digest("digest-2026-06-04.txt")
    rows = [
        (
            f"parse one {len(rss) // 1024} KiB RSS feed ({len(items)} items)",
            lambda: parse_rss(rss, "cs"),
        ),
        (f"select: {len(TOPICS)} topics over {len(items)} papers (tokenize once)", select_cold),
        (f"store: save a {len(items)}-paper listing + FTS index, one search", store_listing),
        (
            "render a 52-paper digest in all 5 formats",
            lambda: [
                render_digest(digest, f) for f in ("text", "compact", "markdown", "html", "json")
            ],
        ),
    ]
    print(f"median of {args.repeat} runs")
    for label, fn in rows:
        print(f"  {median_seconds(fn, args.repeat) * 1000:9.1f} ms  {label}")


if __name__ == "__main__":
    main()
