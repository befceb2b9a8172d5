"""The command line: a thin shell over the pipeline. The only module that prints.

Exit codes: 0 done (also "no arXiv listing today"), 1 a stage failed, 2 usage or input error.
"""

from __future__ import annotations

import logging
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

from paperfeed import __version__, config
from paperfeed.core.errors import PaperfeedError, UsageError
from paperfeed.core.records import RunReport, StageName

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


def _fail(exc: PaperfeedError) -> None:
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
            _fail(exc)
        return None


def _settings(config_path: str | None) -> config.Settings:
    path = config.find_config(config_path, os.environ, Path.cwd())
    return config.load_settings(path, os.environ)


def _parse_date(value: str | None, option: str = "--date") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {value!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-06-04"
        ) from None


config_option = click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help="Config file (default: $PAPERFEED_CONFIG, then ./paperfeed.toml).",
)


@click.group(cls=PaperfeedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paperfeed")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
def main(verbose: int) -> None:
    """paperfeed: a daily arXiv radar with Chinese translations, from your own machine."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


@main.command()
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


@main.command()
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

    settings = _settings(config_path)
    listing_date = _parse_date(date_text)
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


# The stages a run's summary has a line for (the others' news is in the counts and files).
SUMMARY_STAGES = frozenset(
    {StageName.RELEVANCE, StageName.TRANSLATE, StageName.DELIVER, StageName.SIGNALS}
)


def print_report(report: RunReport) -> None:
    if report.status == "no-listing":
        out.print(f"no arXiv listing for {report.listing_date} ({report.reason})", markup=False)
        return
    out.print(
        f"listing {report.listing_date}: {report.listing_size} papers announced, "
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
        if stage.stage in SUMMARY_STAGES:  # a failed stage on stderr, whether or not it failed the run
            shown = err if stage.status == "failed" else out
            shown.print(f"  {stage.stage.label}: {stage.detail}", markup=False, soft_wrap=True)
    for failure in report.failures:
        err.print(f"  failed: {failure}", markup=False)
    if report.status in ("failed", "partial"):
        sys.exit(1)


@main.command()
@click.option(
    "--date", "date_text", metavar="YYYY-MM-DD", help="Listing date (default: the latest digest)."
)
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    type=click.Choice(config.FORMAT_NAMES),
    help="Output format.",
)
@config_option
def digest(date_text: str | None, fmt: str, config_path: str | None) -> None:
    """Print an archived digest to stdout."""
    from paperfeed.app.wiring import open_store
    from paperfeed.publish.formats import render_digest

    settings = _settings(config_path)
    wanted = _parse_date(date_text)
    with open_store(settings) as store:
        dates = store.digest_dates()
        if not dates:
            raise UsageError(
                "the archive has no digests yet",
                hint="run `paperfeed run` or `paperfeed import FILE`",
            )
        day = wanted or dates[-1]
        found = store.digest(day)
        if found is None:
            near = ", ".join(str(d) for d in dates[-5:])
            raise UsageError(
                f"no digest for {day} in the archive (latest: {near})",
                hint=f"run `paperfeed run --date {day}` to make it",
            )
        tldrs = store.tldrs_for([e.paper for e in found.papers])
        text = render_digest(
            found,
            fmt,
            subject_names=store.subject_names(),
            tldrs=tldrs,
            scores=store.scores_for(day),
        )
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


@main.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option(
    "--date",
    "date_text",
    metavar="YYYY-MM-DD",
    help="Translate the papers of this digest (default: the latest digest, or the IDs given).",
)
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(config.ENGINE_NAMES),
    help="Engine to use instead of [translate] engine.",
)
@click.option("--force", is_flag=True, help="Ask the engine again even for cached translations.")
@config_option
def translate(
    ids: tuple[str, ...],
    date_text: str | None,
    engine_name: str | None,
    force: bool,
    config_path: str | None,
) -> None:
    """(Re)translate stored papers and update the digests that list them."""
    from dataclasses import replace

    from paperfeed.app.wiring import engine_choice, make_engine, open_store
    from paperfeed.stages.translate.retranslate import retranslate

    settings = _settings(config_path)
    if ids and date_text:
        raise UsageError("give either --date or paper ids, not both")
    if engine_name:
        settings = replace(settings, translate=replace(settings.translate, engine=engine_name))
    name, hint = engine_choice(settings)
    if name == "none":
        raise UsageError(
            "no translation engine to translate with",
            hint=hint or "choose --engine openai or local",
        )
    engine = make_engine(settings)
    with open_store(settings) as store, progress_bars() as bars:

        def on_start(total: int) -> Callable[[int], None]:
            return bars.start("translate", total)

        result = retranslate(
            settings,
            store,
            engine,
            listing_date=_parse_date(date_text),
            ids=ids,
            force=force,
            on_start=on_start,
        )
        bars.finish("translate")
    run = result.run
    out.print(
        f"{len(result.papers)} papers ({engine.name}): {run.translated} texts translated, "
        f"{run.cached} from the cache",
        markup=False,
    )
    if run.usage.requests:
        out.print(
            f"  {run.usage.total_tokens} tokens ({run.usage.prompt_tokens} prompt + "
            f"{run.usage.completion_tokens} completion) in {run.usage.requests} requests",
            markup=False,
        )
    for day in result.digests:
        out.print(f"  updated the digest of {day}", markup=False)
    for path in result.files:
        out.print(f"  wrote {path}", markup=False)
    if run.deferred:
        out.print(
            f"  token budget reached: {len(run.deferred)} papers left in English", markup=False
        )
    for pid in run.failed:
        err.print(f"  failed: {pid}: not translated", markup=False)
    if run.error:
        err.print(f"  failed: translation stopped: {run.error}", markup=False)
    if run.failed or run.error:
        sys.exit(1)


@main.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--date",
    "date_text",
    metavar="YYYY-MM-DD",
    help="Listing date for compact files (default: a date in the file name).",
)
@click.option(
    "--memory-only", is_flag=True, help="Import papers and translations, not the digests."
)
@config_option
def import_(
    files: tuple[Path, ...], date_text: str | None, memory_only: bool, config_path: str | None
) -> None:
    """Import existing digests (seed text or compact format) into the archive."""
    from paperfeed.app.wiring import open_store
    from paperfeed.importing.loader import import_file

    settings = _settings(config_path)
    listing_date = _parse_date(date_text)
    with open_store(settings) as store:
        for path in files:
            result = import_file(path, store, listing_date=listing_date, memory_only=memory_only)
            out.print(result.summary(), markup=False)


@main.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True, help="How many results.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON lines.")
@config_option
def search(query: tuple[str, ...], limit: int, as_json: bool, config_path: str | None) -> None:
    """Full-text search of the archive, in English and Chinese."""
    import json

    from paperfeed.app.wiring import open_store
    from paperfeed.archive.records import SearchQuery

    settings = _settings(config_path)
    text = " ".join(query)
    with open_store(settings, read_only=True) as store:
        hits = store.search(SearchQuery(text=text), limit=limit).papers
    if not hits:
        out.print(f"no papers match {text!r}", markup=False)
        return
    for hit in hits:
        p = hit.paper
        if as_json:
            out.print(
                json.dumps(
                    {
                        "id": p.arxiv_id,
                        "version": p.version,
                        "title": p.title,
                        "title_zh": hit.title_zh,
                        "listing_date": str(hit.listing_date or ""),
                        "url": p.abs_url,
                    },
                    ensure_ascii=False,
                ),
                markup=False,
            )
            continue
        when = f" [{hit.listing_date}]" if hit.listing_date else ""
        out.print(f"{p.arxiv_id}{when} {p.title}", markup=False)
        if hit.title_zh and hit.title_zh != p.title:
            out.print(f"    {hit.title_zh}", markup=False)


@main.command()
@click.option("--limit", default=10, show_default=True)
@config_option
def runs(limit: int, config_path: str | None) -> None:
    """Show recent runs: date, status, counts, failures."""
    from paperfeed.app.wiring import open_store

    settings = _settings(config_path)
    with open_store(settings, read_only=True) as store:
        found = store.runs(limit)
    if not found:
        out.print("no runs yet", markup=False)
    for run in found:
        report = run.report
        counts = ", ".join(f"{k}: {v}" for k, v in report.topic_counts) if report else ""
        cost = report.translation if report else None
        spent = (
            f"  {cost.total_tokens} tokens in {cost.requests} requests "
            f"({' '.join(filter(None, (cost.engine, cost.model)))})"
            if cost and cost.requests
            else ""
        )
        out.print(
            f"#{run.id} {run.listing_date} {run.status:<10} started {run.started_at.isoformat()}"
            f"{'  ' + counts if counts else ''}{spent}"
            f"{'  ' + run.reason if run.reason else ''}",
            markup=False,
        )
        for stage in report.stages if report else ():
            if stage.status == "failed":
                out.print(f"    {stage.stage.label} failed: {stage.detail}", markup=False)


@main.command()
@click.option(
    "--home",
    "home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo keeps its archive and digests (default: a new temporary folder).",
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


def _utc_now() -> datetime:
    return datetime.now(UTC)


@main.command()
@click.option(
    "--date", "date_text", metavar="YYYY-MM-DD", help="Listing date (default: the latest digest)."
)
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and record nothing.")
@click.option(
    "--resend-uncertain",
    is_flag=True,
    help="Also resend deliveries whose outcome is unknown (the process died while sending).",
)
@config_option
def deliver(
    date_text: str | None, dry_run: bool, resend_uncertain: bool, config_path: str | None
) -> None:
    """Send a digest to the e-mail recipients and chat webhooks, once each; retry failures."""
    import time

    from paperfeed.app.wiring import open_store
    from paperfeed.stages.deliver.service import open_delivery

    settings = _settings(config_path)
    wanted = _parse_date(date_text)
    with (
        open_store(settings) as store,
        open_delivery(settings, store, now=_utc_now, sleep=time.sleep) as delivery,
    ):
        if delivery is None:
            out.print(
                "nothing to deliver: no [[recipients]], [[webhooks]], [feed] dir or [site] dir "
                "in the configuration",
                markup=False,
            )
            return
        dates = store.digest_dates()
        day = wanted or (dates[-1] if dates else None)
        if day is None or day not in dates:
            raise UsageError(
                f"no digest for {day} in the archive" if day else "the archive has no digests yet",
                hint=f"run `paperfeed run{' --date ' + str(day) if day else ''}` first",
            )
        report = delivery.deliver([day], dry_run=dry_run, resend_uncertain=resend_uncertain)
    for outcome in report.outcomes:
        (err if outcome.is_failure else out).print(outcome.line, markup=False)
    for written in report.written:
        out.print(f"wrote {written}", markup=False)
    for error in report.errors:
        err.print(f"failed: {error}", markup=False)
    if not report.outcomes and not report.written:
        out.print("nothing to send", markup=False)
    if report.failures:
        sys.exit(1)


@main.group()
def site() -> None:
    """The archive as a static site (daily pages, archive, topics, search, Atom feeds)."""


@site.command("build")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--base-url", metavar="URL", help="Public URL of the site (default: [site] base_url)."
)
@config_option
def site_build(folder: Path, base_url: str | None, config_path: str | None) -> None:
    """Build (or update) the static site in FOLDER, ready for GitHub Pages or any host."""
    from paperfeed.app.wiring import open_store
    from paperfeed.publish.site import build_site

    settings = _settings(config_path)
    options = settings.delivery.site
    url = (base_url.rstrip("/") + "/") if base_url else options.base_url
    with open_store(settings) as store:
        result = build_site(
            folder,
            store.digest_dates(),
            store.digest,
            title=options.title,
            base_url=url,
            subject_names=store.subject_names(),
            max_feed_entries=settings.delivery.feed.max_entries,
        )
    out.print(
        f"site in {result.folder}: {result.days} days, {result.files} files "
        f"({result.changed} written, {result.removed} removed)",
        markup=False,
    )


@main.command()
@click.option("--once", is_flag=True, help="Process what is due now and exit (cron, CI).")
@config_option
def daemon(once: bool, config_path: str | None) -> None:
    """Run after every arXiv announcement: fetch, digest, deliver; catch up after downtime."""
    import signal
    import threading
    import time

    from paperfeed.app.daemon import STATUS_FILE, PipelineJobs, run_daemon

    settings = _settings(config_path)
    logging.getLogger("paperfeed.app.daemon").setLevel(logging.INFO)  # one status line per run
    stopping = threading.Event()
    # SIGTERM (systemd stop) ends the wait at once; a run in progress finishes first.
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        results = run_daemon(
            PipelineJobs(settings, _utc_now, time.sleep),
            settings.calendar(),
            settings.delivery.daemon,
            clock=_utc_now,
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


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Any but loopback: starring and upvoting need PAPERFEED_WEB_TOKEN.",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Server processes."
)
@click.option("--access-log", is_flag=True, help="Log every request on stderr.")
@config_option
def serve(host: str, port: int, workers: int, access_log: bool, config_path: str | None) -> None:
    """Serve the archive as a website with a JSON API: today's digest, search, trending, stars."""
    from paperfeed.app.daemon import STATUS_FILE
    from paperfeed.app.web import WebOptions
    from paperfeed.app.web.security import is_loopback
    from paperfeed.app.web.server import TOKEN_VARIABLE, serve_forever

    settings = _settings(config_path)
    token = os.environ.get(TOKEN_VARIABLE) or None
    options = WebOptions(
        database=settings.database_path,
        calendar=settings.calendar(),
        bind_host=host,
        write_token=token,
        status_path=settings.home / STATUS_FILE,
    )
    shown = f"[{host}]" if ":" in host else host
    out.print(
        f"paperfeed: serving {settings.database_path} on http://{shown}:{port}/", markup=False
    )
    if not is_loopback(host):
        if token is None:
            err.print(
                f"warning: {host} is reachable from other machines and {TOKEN_VARIABLE} is not "
                "set: the site is read-only (no stars, no upvotes)",
                markup=False,
            )
        else:
            out.print(
                f"  writes need the token from {TOKEN_VARIABLE} (log in at /login)", markup=False
            )
    serve_forever(options, port=port, workers=workers, access_log=access_log)


@main.command()
@click.option(
    "--window",
    type=click.Choice(["day", "week", "month"]),
    default="week",
    show_default=True,
    help="Rank the papers featured on this day, or in the 7 or 30 days ending with it.",
)
@click.option(
    "--topic", metavar="T", help="Only papers matching T: a configured topic's name, or a query."
)
@click.option(
    "--date",
    "date_text",
    metavar="YYYY-MM-DD",
    help="Last day of the window (default: today, UTC).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500))
@click.option("--refresh", is_flag=True, help="Fetch the window from Hugging Face first.")
@click.option(
    "--translate",
    "translate_shown",
    is_flag=True,
    help="Translate the shown papers that lack Chinese text with the configured engine.",
)
@config_option
def trending(
    window: str,
    topic: str | None,
    date_text: str | None,
    fmt: str,
    limit: int,
    refresh: bool,
    translate_shown: bool,
    config_path: str | None,
) -> None:
    """Community trending papers: Hugging Face Daily Papers by upvotes, with Chinese titles."""
    import json

    from paperfeed.app.wiring import engine_choice, make_engine, open_store, refresh_community
    from paperfeed.core.signals import TrendingPaper
    from paperfeed.stages import signals as community

    settings = _settings(config_path)
    end = _parse_date(date_text) or _utc_now().date()
    # A configured topic's name means its whole definition; anything else is a query.
    chosen = next((t for t in settings.topics if t.name == topic), None) if topic else None
    failures: tuple[str, ...] = ()
    with open_store(settings) as store:
        if refresh:
            if not settings.huggingface.enabled:
                raise UsageError(
                    "community signals are turned off ([huggingface] enabled = false)",
                    hint="set enabled = true in paperfeed.toml to fetch from Hugging Face",
                )
            result = refresh_community(settings, store, window, end, now=_utc_now)
            err.print(f"refreshed: {result.detail}", markup=False, soft_wrap=True)
            failures = result.failures

        def ranked() -> tuple[TrendingPaper, ...]:
            return store.community_trending(window=window, end_date=end, topic=chosen or topic, limit=limit
            )

        papers = ranked()
        if translate_shown and papers:
            name, hint = engine_choice(settings)
            if name == "none":
                raise UsageError("no translation engine to translate with", hint=hint)
            if community.translate_shown(store, make_engine(settings), papers) is not None:
                papers = ranked()
    if fmt == "json":
        document = community.trending_json(papers, window=window, end_date=end, topic=topic)
        out.print(json.dumps(document, ensure_ascii=False, indent=2), markup=False)
    elif papers:
        text = community.trending_text(papers, window=window, end_date=end, topic=topic)
        out.print(text, markup=False, end="")
    else:
        span = f"{end}" if window == "day" else f"the {window} ending {end}"
        matching = f" matching {topic!r}" if topic else ""
        hint = "" if refresh else " (add --refresh to fetch them from Hugging Face)"
        out.print(f"no Hugging Face Daily Papers{matching} stored for {span}{hint}", markup=False)
    for failure in failures:
        err.print(f"failed: {failure}", markup=False, soft_wrap=True)
    if failures:
        sys.exit(1)


def _add_relevance_commands() -> None:
    from paperfeed.app.cli.relevance import profile, related

    main.add_command(related)
    main.add_command(profile)


_add_relevance_commands()


if __name__ == "__main__":
    main()
