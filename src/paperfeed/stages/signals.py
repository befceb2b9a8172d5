"""Community signals in a run and on the command line.

``refresh_days`` is the run's "signals" stage: after the digest, it fetches the Hugging Face
Daily Papers pages of the listing date and the few days before (upvotes keep growing for
days), stores the counts, and fetches the arXiv metadata of featured papers the archive lacks
so they join it (with abstracts, ready to translate). ``refresh_window`` does the same for a
trending window. A failure is reported in the result, never raised: the arXiv digest must not
depend on Hugging Face being up. ``paperfeed.publish.trending`` renders the list that
``store.signals.community_trending`` ranks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial

from paperfeed.archive import Archive
from paperfeed.core.errors import SourceError
from paperfeed.core.records import StageName, StageResult
from paperfeed.core.signals import WINDOW_DAYS, CommunitySignals, TrendingPaper, hf_paper
from paperfeed.core.wording import counted
from paperfeed.engines.translate import Engine
from paperfeed.sources.arxiv_api import ArxivApiClient
from paperfeed.sources.huggingface import HuggingFacePapers, iso_week
from paperfeed.stages.contract import Done, OptionalStage, optional
from paperfeed.stages.translate.service import (
    TranslationRun,
    record_translations,
    translate_papers,
)

log = logging.getLogger(__name__)

DEFAULT_REFRESH_DAYS = 4  # the listing date and the three days before it


@dataclass(frozen=True, slots=True)
class SignalsRefresh:
    """What one refresh did."""

    asked: str  # what was fetched: "2 days (2026-03-05 .. 2026-03-06)", "week 2026-W10"
    fetched: int = 0  # distinct papers in the payloads
    new: int = 0  # seen for the first time
    changed: int = 0  # upvotes, comments or stars changed
    joined: int = 0  # papers added to the archive from the arXiv API
    failures: tuple[str, ...] = ()

    @property
    def detail(self) -> str:
        text = (
            f"Hugging Face {self.asked}: {counted(self.fetched, 'paper')} ({self.new} new, "
            f"{self.changed} with new counts)"
        )
        if self.joined:
            text += f"; {self.joined} added to the archive from arXiv"
        if self.failures:
            text += "; failed: " + "; ".join(self.failures)
        return text

    def done(self) -> Done[SignalsRefresh]:
        """This refresh as the signals stage's outcome: a failed fetch fails the stage, never
        the run (the next run refreshes those days again), so it adds no run failures."""
        return Done(self, self.detail, "failed" if self.failures else "ok")

    def stage(self) -> StageResult:
        """The run report's line for this refresh."""
        return StageResult(StageName.SIGNALS, self.done().status, self.detail)


def refresh_dates(listing_date: date, days: int, today: date) -> tuple[date, ...]:
    """The Daily Papers dates a run refreshes: ``listing_date`` and the ``days - 1`` before it,
    newest first, leaving out dates after ``today`` (the API refuses future dates)."""
    return tuple(
        day
        for offset in range(max(days, 0))
        if (day := listing_date - timedelta(days=offset)) <= today
    )


def refresh_days(
    hf: HuggingFacePapers,
    store: Archive,
    days: Sequence[date],
    *,
    now: Callable[[], datetime],
    arxiv: ArxivApiClient | None = None,
) -> SignalsRefresh:
    """Fetch and store the Daily Papers of each of ``days``; then the arXiv metadata of the
    papers the archive lacks (when ``arxiv`` is given)."""
    asked = (
        f"{counted(len(days), 'day')} ({min(days)} .. {max(days)})"
        if len(days) > 1
        else f"day {days[0]}"
        if days
        else "no days"
    )
    return _refresh(store, asked, [(str(d), partial(hf.daily, d)) for d in days], now, arxiv)


def refresh_window(
    hf: HuggingFacePapers,
    store: Archive,
    window: str,
    end_date: date,
    *,
    now: Callable[[], datetime],
    arxiv: ArxivApiClient | None = None,
) -> SignalsRefresh:
    """Fetch what a trending window needs: the day's page, or the ISO weeks or calendar months
    that the 7 or 30 days ending with ``end_date`` fall in."""
    if window not in WINDOW_DAYS:
        raise ValueError(f"window must be day, week or month; got {window!r}")
    if window == "day":
        return refresh_days(hf, store, [end_date], now=now, arxiv=arxiv)
    span = [end_date - timedelta(days=n) for n in range(WINDOW_DAYS[window])]
    if window == "week":
        weeks = {iso_week(d): d for d in reversed(span)}
        fetches = [(f"week {w}", partial(hf.week, d)) for w, d in weeks.items()]
    else:
        months = {f"{d:%Y-%m}": d for d in reversed(span)}
        fetches = [(f"month {m}", partial(hf.month, d)) for m, d in months.items()]
    return _refresh(store, ", ".join(label for label, _ in fetches), fetches, now, arxiv)


def _refresh(
    store: Archive,
    asked: str,
    fetches: Iterable[tuple[str, Callable[[], tuple[CommunitySignals, ...]]]],
    now: Callable[[], datetime],
    arxiv: ArxivApiClient | None,
) -> SignalsRefresh:
    seen: dict[str, None] = {}
    new = changed = 0
    failures: list[str] = []
    for label, fetch in fetches:
        try:
            found = fetch()
        except SourceError as exc:
            # Hugging Face is down or refusing: later pages would fail the same way, and each
            # failure costs the polite layer's retries. What was stored so far is kept.
            log.warning("community signals: %s: %s", label, exc.message)
            failures.append(f"{label}: {exc.message}")
            break
        saved = store.save_signals(found, observed_at=now())
        new += saved.new
        changed += saved.changed
        seen.update(dict.fromkeys(s.arxiv_id for s in found))
    joined = 0
    if arxiv is not None and seen:
        missing = store.missing_from_archive(list(seen))
        if missing:
            try:
                papers = arxiv.fetch_ids(missing)
            except SourceError as exc:
                log.warning("community signals: arXiv metadata: %s", exc.message)
                failures.append(
                    f"arXiv metadata of {counted(len(missing), 'paper')}: {exc.message}"
                )
            else:
                # Only what was asked for: a mirror may answer with more than the ids.
                wanted = set(missing)
                with store.transaction():
                    for paper in papers:
                        if paper.arxiv_id in wanted:
                            store.upsert_paper(paper, "api")
                joined = len({p.arxiv_id for p in papers} & wanted)
    return SignalsRefresh(
        asked=asked,
        fetched=len(seen),
        new=new,
        changed=changed,
        joined=joined,
        failures=tuple(failures),
    )


def translate_shown(
    store: Archive, engine: Engine, papers: Sequence[TrendingPaper]
) -> TranslationRun | None:
    """Translate the shown papers that lack Chinese text (cache first, then ``engine``). The
    archive's papers get their Chinese text recorded; the others are found again through the
    translation cache. None when there is nothing to translate."""
    todo = [t for t in papers if t.title_zh is None or t.abstract_zh is None]
    if not todo:
        return None
    sources = [t.paper or hf_paper(t.signals) for t in todo]
    run = translate_papers(sources, engine, store)
    # Not onto a version-0 paper: Hugging Face's stand-in, or an imported one of unknown version.
    record_translations(store, [s for s in sources if s.version], run)
    return run


def run_stage(
    hf: HuggingFacePapers,
    store: Archive,
    *,
    days: int,
    now: Callable[[], datetime],
    arxiv: ArxivApiClient | None = None,
) -> OptionalStage[[date], SignalsRefresh]:
    """The run's "signals" stage (``Deps.signals``): refresh the Daily Papers of a listing
    date and the ``days - 1`` days before it. Optional: any paperfeed error (a locked database
    too) is a failed stage in the run report, never a failed run."""

    @optional(StageName.SIGNALS)
    def refresh_signals(listing_date: date) -> Done[SignalsRefresh]:
        today = now().astimezone(UTC).date()
        dates = refresh_dates(listing_date, days, today)
        return refresh_days(hf, store, dates, now=now, arxiv=arxiv).done()

    return refresh_signals
