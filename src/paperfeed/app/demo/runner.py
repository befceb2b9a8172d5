"""``paperfeed demo``: the whole pipeline, offline, on a bundled listing.

The bundled listing is the 2026-06-04 example digest's 52 papers plus a few unrelated ones
(recorded rss.arxiv.org items), laid out as rss.arxiv.org feeds and served from a loopback
server. The digest's Chinese translations are imported first as translation memory, so the
``none`` engine still yields a bilingual digest. Nothing touches the network.

The demo keeps its own archive (``demo_home``: beside the real one, never mixed into it), so
``paperfeed serve``, ``search`` and ``digest`` can be pointed at it afterwards; the CLI prints
the exact commands.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path

from paperfeed.app.demo.feeds import archives_of, build_feeds
from paperfeed.app.demo.server import serve
from paperfeed.app.wiring import open_store, run_pipeline
from paperfeed.config import Settings, default_home, load_settings
from paperfeed.core.calendar import NEW_YORK
from paperfeed.core.records import Digest, ListingItem, RunReport
from paperfeed.core.seed_layout import KEYWORD
from paperfeed.importing.loader import import_file
from paperfeed.importing.parsers import parse_seed_text
from paperfeed.publish.seed_text import paper_block
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


def demo_home(environ: Mapping[str, str]) -> Path:
    """Where the demo keeps its archive: ``paperfeed-demo`` beside the real home (never the
    real archive itself)."""
    real = default_home(environ)
    return real.with_name(real.name + "-demo")


def run_demo(
    home: Path | None, *, progress: Progress | None = None, engine: str = "none"
) -> DemoResult:
    """Import the bundled translation memory, serve the bundled feeds, run as of ``DEMO_NOW``
    (so the bundled listing is the one the calendar expects), and return the result."""
    home = home or demo_home(os.environ)
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
    with open_store(settings, read_only=True) as store:
        digest = store.digest(DEMO_DATE)
    if text_file is not None and digest is not None:
        preview = _preview(digest, text_file)
    return DemoResult(home=home, report=report, preview=preview)


def _preview(digest: Digest, text_file: Path) -> str:
    """The digest file's first lines, with the first *translated* paper as the sample block
    (the bundled memory leaves one paper in English: it should not be the first impression)."""
    section, entry = next(
        ((s, e) for s in digest.sections for e in s.entries if e.translated),
        (digest.sections[0], digest.sections[0].entries[0]),
    )
    lines = text_file.read_text(encoding="utf-8").split("\n")
    shown = [*lines[:2], KEYWORD + section.topic, *paper_block(entry)]
    return "\n".join(shown) + f"\n... ({len(lines)} lines in {text_file})"
