"""``paperfeed deliver`` and ``site build``: digests to readers, the archive as a site."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from paperfeed.app.cli.common import config_option, err, load_settings, out, parse_date, utc_now
from paperfeed.core.errors import UsageError
from paperfeed.core.wording import counted


@click.command()
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

    settings = load_settings(config_path)
    wanted = parse_date(date_text)
    with (
        open_store(settings) as store,
        open_delivery(settings, store, now=utc_now, sleep=time.sleep) as delivery,
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


@click.group()
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

    settings = load_settings(config_path)
    options = settings.delivery.site
    url = (base_url.rstrip("/") + "/") if base_url else options.base_url
    with open_store(settings, read_only=True) as store:
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
        f"site in {result.folder}: {counted(result.days, 'day')}, {counted(result.files, 'file')} "
        f"({result.changed} written, {result.removed} removed)",
        markup=False,
    )
