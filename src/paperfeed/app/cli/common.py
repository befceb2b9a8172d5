"""What every command shares: the consoles (the only place that prints), progress bars,
one clear message per error, settings and date options, the run summary."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from paperfeed import config
from paperfeed.core.calendar import FIRST_DAY, LAST_DAY
from paperfeed.core.errors import PaperfeedError, UsageError
from paperfeed.core.records import RunReport, StageName
from paperfeed.core.wording import counted

err = Console(stderr=True, highlight=False)


out = Console(highlight=False, soft_wrap=True)


class BarProgress:
    """pipeline.Progress drawn as Rich bars on stderr."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}
        self.live = False

    def start(self, stage: str, total: int | None) -> Callable[[int], None]:
        if not self.live:  # drawn only once there is something to show
            self._progress.start()
            self.live = True
        task = self._progress.add_task(stage, total=total)
        self._tasks[stage] = task

        def advance(n: int) -> None:
            self._progress.advance(task, n)

        return advance

    def finish(self, stage: str) -> None:
        task = self._tasks.pop(stage, None)
        if task is not None:
            total = self._progress.tasks[task].total
            self._progress.update(
                task, completed=total if total is not None else 1, total=total or 1
            )


@contextmanager
def progress_bars() -> Iterator[BarProgress]:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    bars = BarProgress(progress)
    try:
        yield bars
    finally:
        if bars.live:
            progress.stop()


def fail(exc: PaperfeedError) -> None:
    # Escaped: messages name config tables ("[arxiv] ..."), which Rich would take for markup.
    message = escape(exc.message)
    err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False, soft_wrap=True)
    if exc.hint:
        err.print(f"  hint: {exc.hint}", markup=False, soft_wrap=True)
    sys.exit(exc.exit_code)


class PaperfeedGroup(click.Group):
    """Turns paperfeed's own errors into one clear message and the right exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PaperfeedError as exc:
            fail(exc)
        return None


def load_settings(config_path: str | None) -> config.Settings:
    path = config.find_config(config_path, os.environ, Path.cwd())
    return config.load_settings(path, os.environ)


def parse_date(value: str | None, option: str = "--date") -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {value!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-06-04"
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UsageError(
            f"{option} {value}: arXiv has no listings "
            + (f"before {FIRST_DAY}" if day < FIRST_DAY else f"after {LAST_DAY}"),
            hint="give a listing date from August 1991 on, e.g. 2026-06-04",
        )
    return day


config_option = click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help="Config file (default: $PAPERFEED_CONFIG, then ./paperfeed.toml).",
)


def utc_now() -> datetime:
    return datetime.now(UTC)


# The stages a run's summary has a line for (the others' news is in the counts and files).
SUMMARY_STAGES = frozenset(
    {StageName.RELEVANCE, StageName.TRANSLATE, StageName.DELIVER, StageName.SIGNALS}
)


def print_report(report: RunReport) -> None:
    if report.status == "no-listing":
        out.print(f"no arXiv listing for {report.listing_date} ({report.reason})", markup=False)
        return
    out.print(
        f"listing {report.listing_date}: {counted(report.listing_size, 'paper')} announced, "
        f"{report.paper_count} in the digest",
        markup=False,
    )
    for topic, count in report.topic_counts:
        out.print(f"  {topic}: {count}", markup=False)
    if report.untranslated:
        noun = "paper" if report.untranslated == 1 else "papers"
        out.print(f"  {report.untranslated} {noun} without Chinese translation", markup=False)
    for path in report.files:
        out.print(f"  wrote {path}", markup=False)
    for stage in report.stages:
        if (
            stage.stage in SUMMARY_STAGES
        ):  # a failed stage on stderr, whether or not it failed the run
            shown = err if stage.status == "failed" else out
            shown.print(f"  {stage.stage.label}: {stage.detail}", markup=False, soft_wrap=True)
    for failure in report.failures:
        err.print(f"  failed: {failure}", markup=False)
    if report.status in ("failed", "partial"):
        sys.exit(1)
