"""``paperfeed demo``: the whole pipeline, offline, on a bundled listing.

The bundled listing is the 2026-06-04 example digest's 52 papers plus a few unrelated ones
(recorded rss.arxiv.org items), laid out as rss.arxiv.org feeds and served from a loopback
server. The digest's Chinese translations are imported first as translation memory, so the
``none`` engine still yields a bilingual digest. Nothing touches the network.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path

from paperfeed.app.demo.feeds import archives_of, build_feeds
from paperfeed.app.demo.server import serve
from paperfeed.app.wiring import open_store, run_pipeline
from paperfeed.config import Settings, load_settings
from paperfeed.core.calendar import NEW_YORK
from paperfeed.core.records import ListingItem, RunReport
from paperfeed.importing.loader import import_file
from paperfeed.importing.parsers import parse_seed_text
from paperfeed.sources.arxiv_rss import parse_rss
from paperfeed.stages.contract import Progress

DEMO_DATE = date(2026, 6, 4)
# The morning after the announcement in New York: the RSS feeds show the demo listing.
DEMO_NOW = datetime.combine(DEMO_DATE, time(9, 0), tzinfo=NEW_YORK)
DIGEST_FILE = "digest-2026-06-04.txt"
EXTRA_FEED_FILE = "arxiv_rss_cs_LG.xml"


@dataclass(frozen=True, slots=True)
class DemoResult:
    home: Path
    report: RunReport
    preview: str


def demo_items() -> list[ListingItem]:
    """The demo listing: the example digest's papers (as new submissions) plus recorded extras."""
    data = resources.files("paperfeed.app.demo") / "data"
    digest = parse_seed_text(
        (data / DIGEST_FILE).read_text(encoding="utf-8"), path=DIGEST_FILE
    ).digest
    items = [
        ListingItem(paper=replace(e.paper, version=1), announce_type="new") for e in digest.papers
    ]
    extra = parse_rss((data / EXTRA_FEED_FILE).read_bytes(), "cs.LG")
    known = {i.paper.arxiv_id for i in items}
    items += [i for i in extra.items if i.paper.arxiv_id not in known]
    return items


def run_demo(
    home: Path | None, *, progress: Progress | None = None, engine: str = "none"
) -> DemoResult:
    """Import the bundled translation memory, serve the bundled feeds, run as of ``DEMO_NOW``
    (so the bundled listing is the one the calendar expects), and return the result."""
    home = home or Path(tempfile.mkdtemp(prefix="paperfeed-demo-"))
    items = demo_items()
    feeds = archives_of(items)
    routes = build_feeds(DEMO_DATE, items, feeds)
    data = resources.files("paperfeed.app.demo") / "data"
    with serve(routes) as base_url:
        settings: Settings = load_settings(
            None,
            {
                "PAPERFEED_HOME": str(home),
                "PAPERFEED_ARXIV_RSS_URL": f"{base_url}/rss",
                "PAPERFEED_ARXIV_API_URL": f"{base_url}/api/query",
            },
        )
        settings = replace(
            settings,
            arxiv=replace(settings.arxiv, categories=tuple(feeds), min_interval=0.0),
            # Offline: no community signals from huggingface.co.
            huggingface=replace(settings.huggingface, enabled=False),
            # The bundled translation memory covers all but one paper; another engine is opt-in.
            translate=replace(settings.translate, engine=engine),
        )
        with open_store(settings) as store, resources.as_file(data / DIGEST_FILE) as memory:
            import_file(memory, store, memory_only=True)
            report = run_pipeline(
                settings, store, DEMO_DATE, progress=progress, now=lambda: DEMO_NOW
            )
    text_file = next((Path(f) for f in report.files if f.endswith(".txt") and "digest-" in f), None)
    preview = ""
    if text_file is not None:
        lines = text_file.read_text(encoding="utf-8").split("\n")
        preview = "\n".join(lines[:14]) + f"\n... ({len(lines)} lines in {text_file})"
    return DemoResult(home=home, report=report, preview=preview)
