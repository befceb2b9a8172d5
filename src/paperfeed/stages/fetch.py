"""The fetch stage: the day's listing, from the archive when it has it, else from the RSS feeds
while they show it, else back-filled through the arXiv API from its submission window."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from paperfeed.archive import Archive
from paperfeed.config.sections import ArxivSettings
from paperfeed.core import taxonomy
from paperfeed.core.calendar import ArxivCalendar
from paperfeed.core.errors import SourceError
from paperfeed.core.records import Listing, ListingItem, StageName
from paperfeed.core.wording import counted
from paperfeed.sources.arxiv_api import ArxivApiClient
from paperfeed.sources.arxiv_rss import fetch_feed, fetch_listing
from paperfeed.sources.http import PoliteClient
from paperfeed.stages.contract import Done, Progress, required

log = logging.getLogger(__name__)

# Back-filling a whole day through the API: big pages, fewer 3-second waits.
BACKFILL_PAGE_SIZE = 500


@required(StageName.FETCH)
def fetch(
    target: date,
    store: Archive,
    http: PoliteClient,
    settings: ArxivSettings,
    calendar: ArxivCalendar,
    progress: Progress,
) -> Done[Listing | None]:
    """The listing dated ``target``, stored; None when arXiv announced an empty one."""
    listing = store.listing(target)
    if listing is not None:
        return Done(listing, "listing already in the archive", "skipped")
    listing = fetch_listing_for(target, settings, http, calendar, progress)
    if listing is None:
        return Done(None, "arXiv published an empty listing for this date")
    store.save_listing(listing)
    detail = f"{counted(len(listing.items), 'paper')} from {counted(len(listing.feeds), 'feed')} ({listing.source})"
    return Done(listing, detail)


def fetch_listing_for(
    target: date,
    settings: ArxivSettings,
    http: PoliteClient,
    calendar: ArxivCalendar,
    progress: Progress,
) -> Listing | None:
    """The listing dated ``target``: from the RSS feeds while they show it, otherwise back-filled
    through the API. One feed is probed first: the feeds show a single day (switching at
    midnight US Eastern, four hours after the announcement), and asking every archive for a day
    they no longer show would cost a minute of polite waiting for nothing."""
    categories = settings.categories
    probe = fetch_feed(http, settings.rss_url, categories[0])
    if probe.listing_date == target:
        advance = progress.start("fetch", len(categories))
        result = fetch_listing(
            http,
            settings.rss_url,
            categories,
            split_feed=taxonomy.archive_categories,
            on_feed=lambda feed, n: advance(1),
        )
        progress.finish("fetch")
        if not result.items and result.listing_date in (target, None):
            return None  # the feeds are dated today and empty: arXiv announced nothing
        if result.listing_date == target:
            return Listing(
                listing_date=target, items=result.items, feeds=result.feeds, source="rss"
            )
    log.info(
        "the RSS feeds show the listing of %s, not %s: back-filling through the API",
        probe.listing_date,
        target,
    )
    return backfill_listing(target, settings, http, calendar, progress)


def backfill_listing(
    target: date,
    settings: ArxivSettings,
    http: PoliteClient,
    calendar: ArxivCalendar,
    progress: Progress,
) -> Listing:
    """A past listing rebuilt from the API: new submissions in its submission window.

    The API knows submission times, not announcements, so replacements are not included and
    papers held in moderation may land a day off; the RSS listing is exact, this is the fallback.
    An empty answer for a listing day raises ``SourceError``: it is suspect, not a holiday.
    """
    start, end = calendar.submission_window(target)
    categories = expand_categories(settings.categories)
    api = ArxivApiClient(http, settings.api_url, page_size=BACKFILL_PAGE_SIZE)
    progress.start("back-fill", None)
    papers = api.submitted_between(categories, start, end)
    progress.finish("back-fill")
    if not papers:
        # The calendar says arXiv announced a listing that day (holidays and weekends never
        # get here): an empty answer is arXiv's search index lagging or failing, not a day
        # without papers. Saying "no listing" would look exactly like a holiday.
        raise SourceError(
            f"arXiv returned no papers for the listing of {target} (a listing day: "
            f"submissions {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC); rerun later",
            url=settings.api_url,
            hint="arXiv's API sometimes answers empty for a while; if arXiv really announced "
            "nothing that day (an unscheduled closure), add it to [calendar] extra_holidays",
        )
    watched = set(categories)
    items = tuple(
        ListingItem(paper=p, announce_type="new" if p.primary_category in watched else "cross")
        for p in papers
    )
    return Listing(listing_date=target, items=items, feeds=tuple(settings.categories), source="api")


def expand_categories(specs: Sequence[str]) -> tuple[str, ...]:
    """Archives ("cs") as their categories ("cs.AI", "cs.CL", ...), categories as they are."""
    out: list[str] = []
    for spec in specs:
        for code in taxonomy.archive_categories(spec) if "." not in spec else (spec,):
            if code not in out:
                out.append(code)
    return tuple(out)
