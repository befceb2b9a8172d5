"""The cache in front of the engines: budgets, forced re-translation, failures, TL;DRs (with a
deterministic fake engine: the engine is not the subject here)."""

from __future__ import annotations

from pathlib import Path

from paperfeed.archive import Archive, open_archive
from paperfeed.core.records import Paper
from paperfeed.engines.translate import NoneEngine
from paperfeed.stages.translate.service import summarize_papers, translate_papers
from tests.support.fake_engine import FakeEngine


def paper(n: int, abstract: str = "") -> Paper:
    return Paper(
        arxiv_id=f"2606.{n:05d}",
        version=1,
        title=f"Title {n}",
        authors=("A. Author",),
        abstract=abstract or f"Abstract number {n}.",
        categories=("cs.LG",),
    )


def open_store(tmp_path: Path) -> Archive:
    store = open_archive(tmp_path / "archive.db")
    return store


def test_translations_are_cached_and_a_rerun_costs_nothing(tmp_path: Path) -> None:
    papers = [paper(n) for n in range(1, 4)]
    engine = FakeEngine()
    with open_store(tmp_path) as store:
        first = translate_papers(papers, engine, store)
        assert first.translated == 6 and first.cached == 0 and first.failed == ()
        assert first.usage.requests == 6 and first.usage.total_tokens > 0
        assert first.translations["2606.00001v1"].title == "【标题】Title 1"
        second = translate_papers(papers, engine, store)
    assert second.cached == 6 and second.translated == 0 and second.usage.requests == 0
    assert len(engine.calls) == 1


def test_force_asks_the_engine_again(tmp_path: Path) -> None:
    papers = [paper(1)]
    with open_store(tmp_path) as store:
        translate_papers(papers, FakeEngine(), store)
        engine = FakeEngine()
        forced = translate_papers(papers, engine, store, force=True)
        assert forced.translated == 2 and forced.cached == 0
        # force is about asking again; the none engine has nothing to ask, so it reads the cache
        kept = translate_papers(papers, NoneEngine(), store, force=True)
        assert kept.translations["2606.00001v1"].complete


def test_a_budget_defers_whole_batches_and_failures_are_not_deferred(tmp_path: Path) -> None:
    papers = [paper(n) for n in range(1, 6)]
    engine = FakeEngine(fail=["Abstract number 1."])
    with open_store(tmp_path) as store:
        run = translate_papers(papers, engine, store, batch_size=4, token_budget=1)
        # the first batch (papers 1 and 2) is sent, then the budget is spent
        assert [len(c) for c in engine.calls] == [4]
        assert run.failed == ("2606.00001v1",)
        assert run.deferred == ("2606.00003v1", "2606.00004v1", "2606.00005v1")
        assert run.budget_exhausted
        assert run.translations["2606.00002v1"].complete


def test_summaries_are_stored_once_and_only_when_asked(tmp_path: Path) -> None:
    papers = [paper(1), paper(2)]
    engine = FakeEngine(fail=["Title 2"])
    with open_store(tmp_path) as store:
        for p in papers:
            store.upsert_paper(p, "rss")
        assert summarize_papers(papers, engine, store, generate=False) == {}
        assert engine.summarized == []
        found = summarize_papers(papers, engine, store, generate=True)
        assert found == {"2606.00001v1": "一句话：Title 1"}
        again = summarize_papers(papers, engine, store, generate=True)
        assert again == found and engine.summarized == ["Title 1", "Title 2", "Title 2"]
        # the none engine cannot summarize, but stored TL;DRs are still shown
        assert summarize_papers(papers, NoneEngine(), store, generate=True) == found
