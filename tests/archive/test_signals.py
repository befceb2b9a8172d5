"""Community signals in a real SQLite archive: newest counts win, growth is kept, the trending
list is ranked, windowed, restricted to topics and shown with Chinese text; and the refresh
that fills it, against real loopback servers for Hugging Face and the arXiv API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from paperfeed.archive import Archive, open_archive
from paperfeed.archive.records import ArchivedPaper, SearchQuery, TranslationKey
from paperfeed.core.errors import StoreError
from paperfeed.core.records import Listing, ListingItem, Paper, StageName
from paperfeed.core.signals import CommunitySignals
from paperfeed.sources.arxiv_api import ArxivApiClient
from paperfeed.sources.http import PoliteClient, make_http_client
from paperfeed.sources.huggingface import HuggingFacePapers, parse_daily_papers, parse_paper
from paperfeed.stages.contract import StageLog, optional
from paperfeed.stages.signals import (
    SignalsRefresh,
    refresh_dates,
    refresh_days,
    refresh_window,
    run_stage,
    translate_shown,
)
from tests.support.fake_engine import FakeEngine
from tests.support.hf_samples import daily_item, daily_pages, encode, recorded

T0 = datetime(2026, 6, 4, 1, 0, tzinfo=UTC)
JUNE_4 = date(2026, 6, 4)


def signal(arxiv_id: str, upvotes: int, day: date = JUNE_4, **more: object) -> CommunitySignals:
    return CommunitySignals(
        arxiv_id=arxiv_id,
        title=f"Title of {arxiv_id}",
        summary=f"Abstract of {arxiv_id}.",
        upvotes=upvotes,
        daily_date=day,
        **more,  # type: ignore[arg-type]
    )


def archive_paper(arxiv_id: str, title: str, abstract: str, cats: tuple[str, ...]) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        version=1,
        title=title,
        authors=("A. Author",),
        abstract=abstract,
        categories=cats,
    )


RL_PAPER = archive_paper(
    "2606.00001",
    "Offline Reinforcement Learning with Diffusion Critics",
    "We study reinforcement learning from logged data.",
    ("cs.LG",),
)
VISION_PAPER = archive_paper(
    "2606.00002",
    "A Vision Transformer for Satellite Images",
    "We classify satellite images.",
    ("cs.CV",),
)


def store_listing(store: Archive, *papers: Paper) -> None:
    store.save_listing(
        Listing(
            listing_date=JUNE_4,
            items=tuple(ListingItem(paper=p, announce_type="new") for p in papers),
        )
    )


# -- saving ----------------------------------------------------------------------------------


def test_upvotes_grow_on_a_later_observation_and_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    with open_archive(path) as store:
        first = store.save_signals([signal("2606.00001", 3, comments=0)], observed_at=T0)
        assert (first.new, first.changed) == (1, 0)
    with open_archive(path) as store:
        later = T0 + timedelta(days=1)
        again = store.save_signals([signal("2606.00001", 41, comments=5)], observed_at=later)
        assert (again.new, again.changed) == (0, 1)
    with open_archive(path) as store:
        kept = store.stored_signals(["2606.00001"])["2606.00001"]
        assert kept.signals.upvotes == 41 and kept.signals.comments == 5
        assert kept.first_seen == T0 and kept.updated == T0 + timedelta(days=1)
        assert kept.first_upvotes == 3
        assert store.upvote_history("2606.00001") == [(T0, 3), (T0 + timedelta(days=1), 41)]
        assert store._db.execute("PRAGMA user_version").fetchone()[0] >= 5


def test_unchanged_counts_write_no_history_row(store: Archive) -> None:
    store.save_signals([signal("2606.00001", 3)], observed_at=T0)
    saved = store.save_signals([signal("2606.00001", 3)], observed_at=T0 + timedelta(hours=6))
    assert saved.changed == 0
    assert len(store.upvote_history("2606.00001")) == 1
    kept = store.stored_signals(["2606.00001"])["2606.00001"]
    assert kept.updated == T0 + timedelta(hours=6)  # but it was seen again


def test_an_older_observation_only_fills_what_is_missing(store: Archive) -> None:
    store.save_signals([signal("2606.00001", 30)], observed_at=T0)
    stale = signal("2606.00001", 12, github_repo="https://github.com/a/b", github_stars=4)
    store.save_signals([stale], observed_at=T0 - timedelta(days=2))
    kept = store.stored_signals(["2606.00001"])["2606.00001"].signals
    assert kept.upvotes == 30  # the newer count stays
    assert kept.github_repo == "https://github.com/a/b" and kept.github_stars == 4


def test_the_paper_page_and_the_daily_list_complete_each_other(store: Archive) -> None:
    daily = parse_daily_papers(recorded("hf_daily_papers.json"))[0]
    page = replace(parse_paper(recorded("hf_paper.json")), upvotes=12)
    store.save_signals([daily], observed_at=T0)
    store.save_signals([page], observed_at=T0 + timedelta(hours=1))
    kept = store.stored_signals(["2602.23229"])["2602.23229"].signals
    assert kept.upvotes == 12  # newest
    assert kept.comments == 1  # from the daily list; the paper page does not say
    assert kept.models == () and kept.models_total == 0  # from the paper page
    assert kept.daily_date == date(2026, 3, 6)
    assert kept.ai_keywords == daily.ai_keywords
    assert kept.authors == daily.authors


def test_new_counts_invalidate_the_web_apps_cached_pages(store: Archive) -> None:
    before = store.stamps().archive
    store.save_signals([signal("2606.00001", 3)], observed_at=T0)
    inserted = store.stamps().archive
    assert inserted > before
    store.save_signals([signal("2606.00001", 3)], observed_at=T0 + timedelta(hours=1))
    assert store.stamps().archive == inserted  # nothing a page shows changed
    store.save_signals([signal("2606.00001", 4)], observed_at=T0 + timedelta(hours=2))
    assert store.stamps().archive > inserted


def test_papers_missing_from_the_archive(store: Archive) -> None:
    store_listing(store, RL_PAPER)
    assert store.missing_from_archive(["2606.00001", "2606.00009", "2606.00009"]) == ("2606.00009",)


# -- the trending list -----------------------------------------------------------------------


def test_trending_ranks_by_upvotes_within_the_window(store: Archive) -> None:
    store.save_signals(
        [
            signal("2606.00001", 10, comments=1),
            signal("2606.00002", 10, comments=4),  # same votes, more comments: ahead
            signal("2606.00003", 50, day=JUNE_4 - timedelta(days=3)),
            signal("2606.00004", 99, day=JUNE_4 - timedelta(days=10)),
            signal("2606.00005", 500, day=JUNE_4 + timedelta(days=1)),  # after the window
        ],
        observed_at=T0,
    )

    def ids(window: str, limit: int = 30) -> list[str]:
        found = store.community_trending(window=window, end_date=JUNE_4, limit=limit)
        return [t.arxiv_id for t in found]

    assert ids("day") == ["2606.00002", "2606.00001"]
    assert ids("week") == ["2606.00003", "2606.00002", "2606.00001"]
    assert ids("month") == ["2606.00004", "2606.00003", "2606.00002", "2606.00001"]
    assert ids("month", limit=2) == ["2606.00004", "2606.00003"]
    with pytest.raises(ValueError, match="window"):
        store.community_trending(window="year", end_date=JUNE_4)


def test_trending_rows_join_the_archive_with_chinese_text_and_growth(store: Archive) -> None:
    store_listing(store, RL_PAPER)
    row_id = store.paper(RL_PAPER.arxiv_id, 1)
    assert row_id is not None
    store.set_paper_translation(row_id, "带扩散评论家的离线强化学习", "我们研究离线强化学习。")
    # A paper the archive lacks: its Hugging Face title was translated before (cache).
    outsider = signal("2606.00009", 7)
    store.save_translation(
        outsider.title, "title", "外部论文的标题", TranslationKey("openai", "m", "v1")
    )
    store.save_signals([signal("2606.00001", 5), outsider], observed_at=T0)
    store.save_signals([signal("2606.00001", 9)], observed_at=T0 + timedelta(hours=5))

    first, second = store.community_trending(window="day", end_date=JUNE_4)
    assert first.arxiv_id == "2606.00001" and first.upvotes == 9 and first.gained == 4
    assert first.paper == RL_PAPER and first.title == RL_PAPER.title  # arXiv's metadata
    assert first.title_zh == "带扩散评论家的离线强化学习"
    assert first.abstract_zh == "我们研究离线强化学习。"
    assert first.listing_date == JUNE_4
    assert second.arxiv_id == "2606.00009" and second.paper is None
    assert second.title == "Title of 2606.00009"  # Hugging Face's copy
    assert second.title_zh == "外部论文的标题" and second.abstract_zh is None
    assert second.listing_date is None and second.gained == 0


def test_trending_restricted_to_a_topic(store: Archive) -> None:
    store_listing(store, RL_PAPER, VISION_PAPER)
    outsider = replace(
        signal("2606.00009", 80),
        title="Scaling Reinforcement Learning for Language Models",
        summary="Policy optimization at scale.",
    )
    store.save_signals(
        [signal("2606.00001", 5), signal("2606.00002", 60), outsider],
        observed_at=T0,
    )
    rl = store.community_trending(window="week", end_date=JUNE_4, topic="reinforcement learning")
    # The archive paper matches on arXiv's abstract; the outsider on Hugging Face's title.
    assert [t.arxiv_id for t in rl] == ["2606.00009", "2606.00001"]
    assert {m.field for m in rl[1].terms} == {"title", "abstract"}
    assert [m.text for m in rl[0].terms] == ["Reinforcement Learning"]
    from paperfeed.core.topics import Topic

    vision_only = Topic(name="cv", query="images", categories=("cs.CV",))
    found = store.community_trending(window="week", end_date=JUNE_4, topic=vision_only)
    assert [t.arxiv_id for t in found] == ["2606.00002"]
    assert store.community_trending(window="week", end_date=JUNE_4, topic="diffusion policy") == ()
    assert (
        len(store.community_trending(window="week", end_date=JUNE_4, topic="learning", limit=1))
        == 1
    )


def test_translating_the_shown_papers(store: Archive) -> None:
    store_listing(store, RL_PAPER)
    store.save_signals([signal("2606.00001", 5), signal("2606.00009", 3)], observed_at=T0)
    engine = FakeEngine()
    shown = store.community_trending(window="day", end_date=JUNE_4)
    run = translate_shown(store, engine, shown)
    assert run is not None and run.translated == 4
    first, second = store.community_trending(window="day", end_date=JUNE_4)
    assert first.title_zh == "【标题】" + RL_PAPER.title  # recorded on the archive's paper
    assert search(store, "标题")[0].paper.arxiv_id == "2606.00001"
    assert second.title_zh == "【标题】Title of 2606.00009"  # found again through the cache
    assert second.abstract_zh == "【摘要】Abstract of 2606.00009."
    assert translate_shown(store, engine, (first, second)) is None  # nothing left to do
    assert len(engine.calls) == 1


# -- refreshing ------------------------------------------------------------------------------


def test_refresh_dates_leave_out_the_future() -> None:
    assert refresh_dates(JUNE_4, 3, today=date(2026, 6, 10)) == (
        JUNE_4,
        date(2026, 6, 3),
        date(2026, 6, 2),
    )
    assert refresh_dates(JUNE_4, 3, today=date(2026, 6, 3)) == (date(2026, 6, 3), date(2026, 6, 2))


@pytest.fixture
def polite() -> Iterator[PoliteClient]:
    with make_http_client("paperfeed-tests", timeout=5.0) as client:
        yield PoliteClient(client, min_interval=0.0, retries=0, sleep=lambda s: None)


def test_a_refresh_stores_the_days_and_brings_missing_papers_into_the_archive(
    httpserver: HTTPServer, store: Archive, polite: PoliteClient
) -> None:
    store_listing(store, RL_PAPER)
    httpserver.expect_request("/hf/api/daily_papers").respond_with_handler(
        daily_pages(
            {
                "2026-06-04": [
                    daily_item("2606.00001", RL_PAPER.title, RL_PAPER.abstract, upvotes=8),
                    # In the recorded arXiv API response below, not in the archive.
                    daily_item("2202.12139", "HF title", "HF abstract.", upvotes=30),
                ],
                "2026-06-03": [daily_item("2606.00003", "Other", "Other.", upvotes=2)],
            }
        )
    )
    # The arXiv API answers with its recorded 4-entry response; only the asked-for id is kept.
    httpserver.expect_request("/api/query").respond_with_data(recorded("arxiv_api_query.xml"))
    hf = HuggingFacePapers(polite, httpserver.url_for("/hf"))
    arxiv = ArxivApiClient(polite, httpserver.url_for("/api/query"))

    result = refresh_days(
        hf, store, [JUNE_4, date(2026, 6, 3), date(2026, 6, 2)], now=lambda: T0, arxiv=arxiv
    )
    assert result.failures == ()
    assert (result.fetched, result.new, result.joined) == (3, 3, 1)
    assert result.stage().status == "ok"
    assert "3 papers (3 new" in result.detail and "1 added to the archive" in result.detail
    api_requests = [r for r in httpserver.log if r[0].path == "/api/query"]
    assert len(api_requests) == 1
    assert set(api_requests[0][0].args["id_list"].split(",")) == {"2202.12139", "2606.00003"}
    joined = store.paper("2202.12139")
    assert joined is not None and joined.version == 1 and joined.primary_category
    assert store.paper("2007.09895") is None  # in the response, but not asked for
    stored = store.stored_signals(["2606.00001", "2606.00003"])
    assert stored["2606.00001"].signals.daily_date == JUNE_4
    assert stored["2606.00003"].signals.daily_date == date(2026, 6, 3)
    top = store.community_trending(window="week", end_date=JUNE_4)
    assert [t.arxiv_id for t in top] == ["2202.12139", "2606.00001", "2606.00003"]
    assert top[0].paper is not None and top[0].title == joined.title


def test_a_failing_day_stops_the_refresh_and_keeps_what_was_stored(
    httpserver: HTTPServer, store: Archive, polite: PoliteClient
) -> None:
    httpserver.expect_request(
        "/api/daily_papers", query_string={"date": "2026-06-04", "p": "0", "limit": "100"}
    ).respond_with_data(encode([daily_item("2606.00001", "A", "B.", upvotes=4)]))
    httpserver.expect_request("/api/daily_papers").respond_with_data(b"down", status=503)
    hf = HuggingFacePapers(polite, httpserver.url_for("/"))
    result = refresh_days(hf, store, [JUNE_4, date(2026, 6, 3), date(2026, 6, 2)], now=lambda: T0)
    assert result.fetched == 1
    assert len(result.failures) == 1 and "2026-06-03" in result.failures[0]
    assert "HTTP 503" in result.failures[0]
    assert len(httpserver.log) == 2  # 2026-06-02 was not asked: Hugging Face is down
    stage = result.stage()
    assert stage.stage == "signals" and stage.status == "failed" and "HTTP 503" in stage.detail
    assert store.stored_signals(["2606.00001"])["2606.00001"].signals.upvotes == 4


def test_an_arxiv_failure_is_reported_and_the_signals_kept(
    httpserver: HTTPServer, store: Archive, polite: PoliteClient
) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_handler(
        daily_pages({"2026-06-04": [daily_item("2606.00009", "A", "B.", upvotes=4)]})
    )
    httpserver.expect_request("/api/query").respond_with_data(b"", status=503)
    hf = HuggingFacePapers(polite, httpserver.url_for("/"))
    arxiv = ArxivApiClient(polite, httpserver.url_for("/api/query"))
    result = refresh_days(hf, store, [JUNE_4], now=lambda: T0, arxiv=arxiv)
    assert result.fetched == 1 and result.joined == 0
    assert result.failures and result.failures[0].startswith("arXiv metadata of 1 paper:")
    assert store.community_trending(window="day", end_date=JUNE_4)[0].paper is None


def test_a_window_refresh_asks_for_the_weeks_and_months_it_spans(
    httpserver: HTTPServer, store: Archive, polite: PoliteClient
) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_data(b"[]")
    hf = HuggingFacePapers(polite, httpserver.url_for("/"))
    week = refresh_window(hf, store, "week", date(2026, 6, 4), now=lambda: T0)
    month = refresh_window(hf, store, "month", date(2026, 6, 4), now=lambda: T0)
    day = refresh_window(hf, store, "day", date(2026, 6, 4), now=lambda: T0)
    asked = [dict(r[0].args) for r in httpserver.log]
    assert [a.get("week") for a in asked[:2]] == ["2026-W22", "2026-W23"]
    assert [a.get("month") for a in asked[2:4]] == ["2026-05", "2026-06"]
    assert asked[4]["date"] == "2026-06-04"
    assert week.asked == "week 2026-W22, week 2026-W23"
    assert month.asked == "month 2026-05, month 2026-06"
    assert day.asked == "day 2026-06-04" and day.fetched == 0 and day.failures == ()


def test_the_stage_never_raises(
    httpserver: HTTPServer, store: Archive, polite: PoliteClient
) -> None:
    def locked() -> SignalsRefresh:
        raise StoreError("the database is locked by another process while storing")

    stages = StageLog()
    assert stages.run(optional(StageName.SIGNALS)(lambda: locked().done())) is None
    stage = stages.results[-1]
    assert (stage.stage, stage.status) == ("signals", "failed")
    assert "locked" in stage.detail

    httpserver.expect_request("/api/daily_papers").respond_with_data(b"[]")
    hf = HuggingFacePapers(polite, httpserver.url_for("/"))
    today = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
    result = run_stage(hf, store, days=4, now=lambda: today)(JUNE_4)
    assert result.status == "ok"
    # The listing date is still in the future for the clock: only the three days before it.
    assert [r[0].args["date"] for r in httpserver.log] == ["2026-06-03", "2026-06-02", "2026-06-01"]


def search(store: Archive, text: str) -> list[ArchivedPaper]:
    """The first page of the archive's one search, for ``text``."""
    return list(store.search(SearchQuery(text)).papers)
