"""``paperfeed init``, ``run``, ``demo`` and ``daemon``: the day's job, once or forever."""

from __future__ import annotations

import logging
import shlex
import sys
from pathlib import Path

import click

from paperfeed import config
from paperfeed.app.cli.common import (
    config_option,
    err,
    load_settings,
    out,
    parse_date,
    print_report,
    progress_bars,
    utc_now,
)
from paperfeed.core.errors import UsageError


@click.command()
@click.option(
    "--path",
    "target",
    default=config.CONFIG_FILE_NAME,
    show_default=True,
    help="Where to write the file.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(target: str, force: bool) -> None:
    """Write a commented starter paperfeed.toml with the defaults."""
    path = Path(target)
    if path.exists() and not force:
        raise UsageError(
            f"{path} already exists",
            hint="use --force to overwrite it, or --path to write elsewhere",
        )
    path.write_text(config.starter_config(), encoding="utf-8")
    out.print(f"wrote {path}; edit the topics, then run: paperfeed run", markup=False)


@click.command()
@click.option(
    "--date",
    "date_text",
    metavar="YYYY-MM-DD",
    help="arXiv listing date (as printed on the listing); default: the latest announced.",
)
@config_option
def run(date_text: str | None, config_path: str | None) -> None:
    """Fetch, select, translate and write the digest of one arXiv listing."""
    from paperfeed.app.wiring import engine_choice, open_store, run_pipeline

    settings = load_settings(config_path)
    listing_date = parse_date(date_text)
    with open_store(settings) as store, progress_bars() as bars:
        report = run_pipeline(settings, store, listing_date, progress=bars)
    _, hint = engine_choice(settings)
    if hint and report.status != "no-listing":
        err.print(f"note: {hint}", markup=False, soft_wrap=True)
    from paperfeed.app.wiring import relevance_stage

    _, relevance_hint = relevance_stage(settings)
    if relevance_hint and report.status != "no-listing":
        err.print(f"note: {relevance_hint}", markup=False, soft_wrap=True)
    print_report(report)


@click.command()
@click.option(
    "--home",
    "home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo keeps its archive and digests (default: paperfeed-demo beside your "
    "home, e.g. ~/.local/share/paperfeed-demo).",
)
@click.option(
    "--engine",
    type=click.Choice(["none", "local", "openai", "auto"]),
    default="none",
    show_default=True,
    help="Translation engine for the papers the bundled translation memory does not cover.",
)
def demo(home: Path | None, engine: str) -> None:
    """Run the whole pipeline offline on a bundled sample listing served from loopback."""
    from paperfeed.app.demo.runner import run_demo

    with progress_bars() as bars:
        result = run_demo(home, progress=bars, engine=engine)
    out.print(f"demo archive: {result.home}", markup=False)
    print_report(result.report)
    out.print("", markup=False)
    out.print(result.preview, markup=False)
    out.print("", markup=False)
    shown = shlex.quote(str(result.home))
    out.print("look around the demo archive (your own archive is not touched):", markup=False)
    for command in ("serve", 'search "diffusion policy"', "digest --format markdown", "runs"):
        out.print(f"  PAPERFEED_HOME={shown} paperfeed {command}", markup=False)


@click.command()
@click.option("--once", is_flag=True, help="Process what is due now and exit (cron, CI).")
@config_option
def daemon(once: bool, config_path: str | None) -> None:
    """Run after every arXiv announcement: fetch, digest, deliver; catch up after downtime."""
    import signal
    import threading
    import time

    from paperfeed.app.daemon import STATUS_FILE, PipelineJobs, run_daemon

    settings = load_settings(config_path)
    logging.getLogger("paperfeed.app.daemon").setLevel(logging.INFO)  # one status line per run
    stopping = threading.Event()
    # SIGTERM (systemd stop) ends the wait at once; a run in progress finishes first.
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        results = run_daemon(
            PipelineJobs(settings, utc_now, time.sleep),
            settings.calendar(),
            settings.delivery.daemon,
            clock=utc_now,
            sleep=stopping.wait,
            status_path=settings.home / STATUS_FILE,
            max_ticks=1 if once else None,
            stop=stopping.is_set,
        )
    except KeyboardInterrupt:
        err.print("stopped", markup=False)
        return
    if once and results and results[-1].failures:
        for failure in results[-1].failures:
            err.print(f"failed: {failure}", markup=False)
        sys.exit(1)
