"""The SQLite archive: real files, closed and reopened."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from paperfeed.archive import Archive, open_archive
from paperfeed.archive.records import ArchivedPaper, SearchQuery, TranslationKey
from paperfeed.core.errors import StoreError
from paperfeed.core.records import (
    Digest,
    DigestEntry,
    DigestSection,
    Listing,
    ListingItem,
    MatchedTerm,
    Paper,
    RunReport,
)

DAY = date(2026, 6, 4)


def paper(
    arxiv_id: str = "2606.04029",
    version: int = 1,
    title: str = "Deployed Reinforcement Learning",
    abstract: str = "We study continual reinforcement learning.",
) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        authors=("Ada Lovelace", "Émile Borel"),
        abstract=abstract,
        categories=("cs.LG", "cs.AI"),
        published=datetime(2026, 6, 3, 12, 0, tzinfo=UTC),
    )


def listing(*papers: Paper) -> Listing:
    return Listing(
        listing_date=DAY, items=tuple(ListingItem(p, "new") for p in papers), feeds=("cs",)
    )


def digest_of(*papers: Paper, header: str = "生成时间: x") -> Digest:
    entries = tuple(
        DigestEntry(
            paper=p,
            title_zh="标题",
            abstract_zh=None,
            announce_type="new",
            terms=(MatchedTerm("reinforcement learning", "title", "Reinforcement Learning"),),
        )
        for p in papers
    )
    return Digest(
        listing_date=DAY,
        header=header,
        generated_at=datetime(2026, 6, 4, 1, tzinfo=UTC),
        announced_at=datetime(2026, 6, 4, 0, tzinfo=UTC),
        timezone="Asia/Shanghai",
        sections=(
            DigestSection("reinforcement learning", entries),
            DigestSection("diffusion policy", ()),
        ),
    )


def test_listing_round_trips_through_a_reopened_file(tmp_path: Path) -> None:
    path = tmp_path / "a" / "archive.db"
    with open_archive(path) as store:
        store.save_listing(
            listing(paper(), paper("2606.04036", title="Self-Distilled Policy Gradient"))
        )
    with open_archive(path) as store:
        loaded = store.listing(DAY)
        assert loaded is not None
        assert [i.paper.arxiv_id for i in loaded.items] == ["2606.04029", "2606.04036"]
        assert loaded.items[0].paper == paper()
        assert loaded.feeds == ("cs",)
        assert store.integrity_ok()


def test_saving_a_listing_twice_adds_no_rows(tmp_path: Path) -> None:
    with open_archive(tmp_path / "db") as store:
        for _ in range(3):
            store.save_listing(listing(paper(), paper("2606.04036")))
        assert store.count("papers") == 2
        assert store.count("listing_items") == 2
        assert store.count("listings") == 1


def test_every_version_is_kept_and_the_latest_wins(tmp_path: Path) -> None:
    with open_archive(tmp_path / "db") as store:
        store.upsert_paper(paper(version=1), "rss")
        store.upsert_paper(paper(version=2, title="Deployed RL, revised"), "rss")
        latest = store.paper("2606.04029")
        assert latest is not None and latest.version == 2 and latest.title == "Deployed RL, revised"
        first = store.paper("2606.04029", 1)
        assert first is not None and first.title == "Deployed Reinforcement Learning"


def test_richer_source_refreshes_an_imported_paper_but_not_the_reverse(tmp_path: Path) -> None:
    with open_archive(tmp_path / "db") as store:
        store.upsert_paper(paper(title="From RSS"), "rss")
        store.upsert_paper(paper(title="From an old digest"), "import")
        found = store.paper("2606.04029")
        assert found is not None and found.title == "From RSS"


def test_digest_round_trip_keeps_order_terms_and_empty_topics(tmp_path: Path) -> None:
    path = tmp_path / "db"
    original = digest_of(paper("2606.04036"), paper("2606.04029"))
    with open_archive(path) as store:
        store.save_digest(original)
        store.save_digest(original)  # idempotent
    with open_archive(path) as store:
        loaded = store.digest(DAY)
        assert loaded == original
        assert store.count("digest_entries") == 2
        assert store.digest_dates() == [DAY]


def test_delivered_lists_only_earlier_digests(tmp_path: Path) -> None:
    with open_archive(tmp_path / "db") as store:
        store.save_digest(digest_of(paper()))
        assert store.delivered(["reinforcement learning"], before=DAY) == {
            "reinforcement learning": set()
        }
        later = date(2026, 6, 5)
        assert store.delivered(["reinforcement learning", "other"], before=later) == {
            "reinforcement learning": {"2606.04029"},
            "other": set(),
        }


def test_translation_cache_prefers_own_engine_then_memory(tmp_path: Path) -> None:
    own = TranslationKey("openai", "qwen", "v1")
    memory = TranslationKey("import", "", "")
    other = TranslationKey("local", "gemma", "v1")
    with open_archive(tmp_path / "db") as store:
        assert store.cached_translation("Policy", "title", own) is None
        store.save_translation("Policy", "title", "本地策略", other)
        assert store.cached_translation("Policy", "title", own) == "本地策略"
        store.save_translation("Policy", "title", "策略", memory)
        assert store.cached_translation("Policy", "title", own) == "策略"
        store.save_translation("Policy", "title", "政策", own)
        assert store.cached_translation("Policy", "title", own) == "政策"
        assert store.cached_translation("Policy", "abstract", own) is None


def test_search_finds_english_stems_chinese_substrings_and_survives_punctuation(
    tmp_path: Path,
) -> None:
    with open_archive(tmp_path / "db") as store:
        store.save_listing(
            listing(
                paper(
                    "2606.00001",
                    title="Diffusion Policies for Robots",
                    abstract="Qwen2.5-7B learns to grasp.",
                ),
                paper("2606.00002", title="Graph neural networks", abstract="Message passing."),
            )
        )
        row = store.paper("2606.00001", 1)
        assert row is not None
        store.set_paper_translation(row, "用于机器人的扩散策略", "模型学习抓取。")
        assert [h.paper.arxiv_id for h in search(store, "diffusion policy")] == ["2606.00001"]
        assert [h.paper.arxiv_id for h in search(store, "扩散策略")] == ["2606.00001"]
        assert [h.paper.arxiv_id for h in search(store, "策略")] == ["2606.00001"]  # 2 chars: scan
        assert [h.paper.arxiv_id for h in search(store, "Qwen2.5-7B")] == ["2606.00001"]
        assert search(store, 'unbalanced " quote AND') == []  # no FTS syntax error reaches the user
        assert {h.paper.arxiv_id for h in search(store, "emile")} == {"2606.00001", "2606.00002"}
        hit = search(store, "graph")[0]
        assert hit.listing_date == DAY and hit.title_zh is None


def test_search_returns_one_hit_per_paper_with_its_latest_version(tmp_path: Path) -> None:
    with open_archive(tmp_path / "db") as store:
        store.upsert_paper(paper(version=1), "rss")
        store.upsert_paper(paper(version=2), "rss")
        hits = search(store, "continual")
        assert [(h.paper.arxiv_id, h.paper.version) for h in hits] == [("2606.04029", 2)]


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    with open_archive(tmp_path / "db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.upsert_paper(paper(), "rss")
            raise RuntimeError("killed half-way")
        assert store.count("papers") == 0


def test_a_file_that_is_not_a_database_gets_one_clear_error_and_is_left_alone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError) as info:
        open_archive(path)
    assert "not a paperfeed database, or it is corrupt" in str(info.value)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before


def test_a_locked_database_says_so(tmp_path: Path) -> None:
    path = tmp_path / "db"
    open_archive(path).close()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        store = open_archive(path, timeout=0.1)
        with pytest.raises(StoreError) as info:
            store.upsert_paper(paper(), "rss")
        assert "locked by another process" in str(info.value)
        store.close()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with open_archive(path) as store:
        assert store.count("papers") == 0


def test_a_database_from_a_newer_paperfeed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db"
    open_archive(path).close()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 999")
    raw.close()
    with pytest.raises(StoreError, match="newer than this paperfeed"):
        open_archive(path)


def test_runs_are_recorded(tmp_path: Path) -> None:
    with open_archive(tmp_path / "db") as store:
        run_id = store.start_run(DAY)
        store.finish_run(run_id, RunReport(DAY, "done", topic_counts=(("rl", 3),)))
        (row,) = store.runs()
        assert row.status == "done" and row.listing_date.isoformat() == "2026-06-04"


def search(store: Archive, text: str) -> list[ArchivedPaper]:
    """The first page of the archive's one search, for ``text``."""
    return list(store.search(SearchQuery(text)).papers)
