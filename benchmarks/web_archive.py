"""A big synthetic archive for the web benchmark: 200,000 papers in 200 daily listings, a digest
of ~60 papers per day with Chinese text and matched terms, and a month of upvotes and stars.

The papers are the example digests' real papers, varied: a new id each, titles and abstracts
spliced from two originals, authors drawn from the originals' authors. Rows go in with
executemany and the full-text indexes are rebuilt once at the end, which takes about a minute
instead of an hour of one-by-one upserts.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.listing_builder import example_digest  # noqa: E402

from paperfeed.archive import open_archive  # noqa: E402
from paperfeed.core.calendar import ArxivCalendar  # noqa: E402
from paperfeed.core.records import DigestEntry  # noqa: E402

LAST_DAY = date(2026, 6, 4)
TOPICS = ("reinforcement learning", "diffusion policy", "large language models")
NOW = datetime(2026, 6, 4, 12, 0, tzinfo=UTC)


def base_entries() -> list[DigestEntry]:
    entries = list(example_digest("digest-2026-06-04.txt").papers)
    entries += list(example_digest("digest-2026-04-22.txt").papers)
    return [e for e in entries if e.title_zh and e.abstract_zh]


def _splice(a: str, b: str) -> str:
    left, right = a.split(), b.split()
    return " ".join(left[: len(left) // 2] + right[len(right) // 2 :])


def _sentences(a: str, b: str) -> str:
    first = a.split(". ")
    second = b.split(". ")
    return ". ".join(first[: max(1, len(first) // 2)] + second[len(second) // 2 :])


def build_archive(
    path: Path, papers: int = 200_000, days: int = 200, seed: int = 7
) -> dict[str, int]:
    """Write the archive to ``path`` (a new file); returns row counts."""
    rng = random.Random(seed)
    base = base_entries()
    authors_pool = sorted({a for e in base for a in e.paper.authors})
    calendar = ArxivCalendar()
    listing_days: list[date] = []
    day = LAST_DAY
    while len(listing_days) < days:
        if calendar.is_listing_day(day):
            listing_days.append(day)
        day -= timedelta(days=1)
    listing_days.reverse()
    per_day = papers // days

    open_archive(path).close()  # schema and migrations
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    # Index once at the end: per-row triggers would tokenize 200,000 papers one at a time.
    for trigger in ("papers_fts_insert", "zh_fts_insert"):
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute("BEGIN")
    paper_rows = []
    listing_rows = []
    item_rows = []
    chosen: dict[date, list[tuple[int, str, int]]] = {}
    paper_id = 0
    for day_index, listing_day in enumerate(listing_days):
        listing_rows.append(
            (listing_day.isoformat(), "rss", json.dumps(["cs"]), per_day, NOW.isoformat())
        )
        picks = []
        for position in range(per_day):
            paper_id += 1
            n = paper_id
            a = base[n % len(base)]
            b = base[(n * 7 + day_index) % len(base)]
            month = listing_day.month
            arxiv_id = f"{listing_day.year % 100:02d}{month:02d}.{n % 100000:05d}"
            authors = rng.sample(
                authors_pool, k=min(len(authors_pool), rng.choice((2, 3, 4, 6, 9)))
            )
            published = datetime.combine(listing_day, datetime.min.time(), tzinfo=UTC) - timedelta(
                hours=rng.randint(10, 40)
            )
            paper_rows.append(
                (
                    paper_id,
                    arxiv_id,
                    1,
                    _splice(a.paper.title, b.paper.title),
                    json.dumps(authors, ensure_ascii=False),
                    _sentences(a.paper.abstract, b.paper.abstract),
                    json.dumps(list(a.paper.categories)),
                    a.paper.primary_category,
                    published.isoformat(),
                    published.isoformat(),
                    "rss",
                    NOW.isoformat(),
                )
            )
            kind = "new" if position % 5 else "cross"
            item_rows.append((listing_day.isoformat(), arxiv_id, paper_id, kind, position))
            if position % (per_day // 60) == 0:
                picks.append((paper_id, arxiv_id, n))
        chosen[listing_day] = picks
    db.executemany(
        "INSERT INTO papers (id, arxiv_id, version, title, authors, abstract, categories, "
        "primary_category, published, updated, source, first_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        paper_rows,
    )
    db.executemany(
        "INSERT INTO listings (listing_date, source, feeds, item_count, stored_at) VALUES (?, ?, ?, ?, ?)",
        listing_rows,
    )
    db.executemany(
        "INSERT INTO listing_items (listing_date, arxiv_id, paper_id, announce_type, position) "
        "VALUES (?, ?, ?, ?, ?)",
        item_rows,
    )

    translation_rows = []
    for digest_id, (listing_day, picks) in enumerate(chosen.items(), start=1):
        announced = datetime.combine(
            listing_day - timedelta(days=1), datetime.min.time(), tzinfo=UTC
        )
        db.execute(
            "INSERT INTO digests (id, listing_date, header, generated_at, announced_at, timezone, "
            "source, stored_at) VALUES (?, ?, ?, ?, ?, 'Asia/Shanghai', 'run', ?)",
            (
                digest_id,
                listing_day.isoformat(),
                "生成时间: synthetic",
                NOW.isoformat(),
                (announced + timedelta(hours=24)).isoformat(),
                NOW.isoformat(),
            ),
        )
        for position, topic in enumerate(TOPICS):
            db.execute(
                "INSERT INTO digest_topics (digest_id, position, name) VALUES (?, ?, ?)",
                (digest_id, position, topic),
            )
        entries = []
        for index, (row_id, arxiv_id, n) in enumerate(picks):
            source = base[n % len(base)]
            topic_position = index % len(TOPICS)
            terms = [
                {
                    "term": TOPICS[topic_position],
                    "field": "abstract",
                    "text": TOPICS[topic_position],
                }
            ]
            if n % 3 == 0:
                terms.append({"term": "policy", "field": "title", "text": "Policy"})
            entries.append(
                (
                    digest_id,
                    topic_position,
                    index,
                    TOPICS[topic_position],
                    arxiv_id,
                    row_id,
                    source.title_zh,
                    source.abstract_zh,
                    "new",
                    json.dumps(terms),
                )
            )
            translation_rows.append((row_id, source.title_zh, source.abstract_zh))
        db.executemany(
            "INSERT INTO digest_entries (digest_id, topic_position, position, topic, arxiv_id, "
            "paper_id, title_zh, abstract_zh, announce_type, terms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            entries,
        )
    db.executemany(
        "INSERT INTO paper_translations (paper_id, title_zh, abstract_zh) VALUES (?, ?, ?)",
        translation_rows,
    )

    # A month of reactions from 2,000 readers on recent digest papers.
    recent = [arxiv_id for d in listing_days[-22:] for _, arxiv_id, _ in chosen[d]]
    votes = set()
    for _ in range(20_000):
        votes.add((rng.choice(recent), f"reader-{rng.randrange(2000)}"))
    db.executemany(
        "INSERT INTO web_upvotes (arxiv_id, reader, created_at) VALUES (?, ?, ?)",
        [
            (
                a,
                r,
                (NOW - timedelta(minutes=rng.randrange(30 * 24 * 60))).isoformat(
                    timespec="seconds"
                ),
            )
            for a, r in sorted(votes)
        ],
    )
    stars = {(f"reader-{rng.randrange(2000)}", rng.choice(recent)) for _ in range(5000)}
    db.executemany(
        "INSERT INTO web_stars (reader, arxiv_id, created_at) VALUES (?, ?, ?)",
        [(r, a, NOW.isoformat(timespec="seconds")) for r, a in sorted(stars)],
    )
    db.execute("COMMIT")

    db.execute("INSERT INTO papers_fts (papers_fts) VALUES ('rebuild')")
    db.execute("INSERT INTO zh_fts (zh_fts) VALUES ('rebuild')")
    db.executescript(
        """
        CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
            INSERT INTO papers_fts (rowid, title, abstract, authors)
            VALUES (new.id, new.title, new.abstract, new.authors);
        END;
        CREATE TRIGGER zh_fts_insert AFTER INSERT ON paper_translations BEGIN
            INSERT INTO zh_fts (rowid, title_zh, abstract_zh)
            VALUES (new.paper_id, new.title_zh, new.abstract_zh);
        END;
        """
    )
    # No ANALYZE: paperfeed never runs it on a real archive, so the query plans measured here
    # are the ones a real archive gets.
    counts = {
        table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        for table in (
            "papers",
            "listing_items",
            "digests",
            "digest_entries",
            "web_upvotes",
            "web_stars",
        )
    }
    db.close()
    return counts


if __name__ == "__main__":
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Build the web benchmark's synthetic archive.")
    parser.add_argument("target", nargs="?", type=Path, default=Path("/tmp/paperfeed-bench.db"))
    target = parser.parse_args().target
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    print(build_archive(target), f"{time.perf_counter() - start:.1f} s")
