"""``paperfeed digest``, ``import``, ``search`` and ``runs``: what the archive holds."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from paperfeed import config
from paperfeed.app.cli.common import config_option, err, load_settings, out, parse_date, utc_now
from paperfeed.core.errors import UsageError


@click.command()
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

    settings = load_settings(config_path)
    wanted = parse_date(date_text)
    with open_store(settings, read_only=True) as store:
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


@click.command(name="import")
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

    settings = load_settings(config_path)
    listing_date = parse_date(date_text)
    with open_store(settings) as store:
        for path in files:
            result = import_file(path, store, listing_date=listing_date, memory_only=memory_only)
            out.print(result.summary(), markup=False)


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True, help="How many results.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON lines.")
@config_option
def search(query: tuple[str, ...], limit: int, as_json: bool, config_path: str | None) -> None:
    """Full-text search of the archive, in English and Chinese."""
    import json

    from paperfeed.app.wiring import open_store
    from paperfeed.archive.records import SearchQuery

    settings = load_settings(config_path)
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


@click.command()
@click.option("--limit", default=10, show_default=True)
@config_option
def runs(limit: int, config_path: str | None) -> None:
    """Show recent runs: date, status, counts, failures."""
    from paperfeed.app.health import check_health
    from paperfeed.app.wiring import open_store

    settings = load_settings(config_path)
    with open_store(settings, read_only=True) as store:
        found = store.runs(limit)
        health = check_health(store, settings.calendar(), utc_now(), None)
    if health.lag:  # the health news `runs` must not hide: runs look fine, days are missing
        err.print(f"behind: {health.lag}", markup=False, soft_wrap=True)
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
