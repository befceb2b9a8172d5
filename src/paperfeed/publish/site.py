"""``paperfeed site build DIR``: the archive as a static site for any static host or GitHub Pages.

    index.html              latest digest, recent days, topics, search box
    archive.html            every day, by month
    days/YYYY-MM-DD.html    one digest (bilingual titles and abstracts, anchors per paper)
    topics/<slug>.html      every paper of one topic, newest day first
    search.html             client-side search: assets/search.js over search-index.json
    feeds/all.xml, feeds/<slug>.xml   Atom feeds (see ``feed``)
    assets/style.css, .nojekyll

Every link is relative, so the folder works under any URL prefix (``user.github.io/repo/``)
and from disk; no page loads anything from another site. Pages are rendered by pure functions
from ``templates/site/``: a day page from the digest's view model (``view``), with TeX shown as
Unicode (no scripts) and each paper's element id from ``anchors.paper_anchor``;
``build_site`` streams digests from the archive one day at a time (a year of busy days does not
sit in memory), writes only files whose bytes changed, and removes files it wrote before that
are no longer part of the site (listed in ``.paperfeed-site.json``), never anything else.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from paperfeed.core.errors import DeliveryError
from paperfeed.core.records import Digest
from paperfeed.publish.anchors import add_slug, paper_anchor
from paperfeed.publish.environment import render_template
from paperfeed.publish.feed import build_feeds
from paperfeed.publish.files import sweep_temporary_files, write_if_changed
from paperfeed.publish.mathtext import plain_math
from paperfeed.publish.view import DigestView, digest_view

MANIFEST = ".paperfeed-site.json"
SEARCH_INDEX = "search-index.json"
SEARCH_SCHEMA = "paperfeed.search/1"
FEED_DAYS = 60  # feeds are built from the newest listings only
RECENT_DAYS = 30
_ASSETS = ("style.css", "search.js")


def _render(template: str, **context: Any) -> bytes:
    return render_template(f"site/{template}", **context).encode("utf-8")


@dataclass(frozen=True, slots=True)
class SiteContext:
    title: str
    root: str  # "" for top-level pages, "../" one folder down
    generated: str


@dataclass(frozen=True, slots=True)
class DaySummary:
    date: str
    paper_count: int
    topic_counts: tuple[tuple[str, int], ...]


def summarize(digest: Digest) -> DaySummary:
    return DaySummary(
        date=digest.listing_date.isoformat(),
        paper_count=digest.paper_count,
        topic_counts=tuple((s.topic, len(s.entries)) for s in digest.sections),
    )


def render_day(
    day: DigestView,
    *,
    site: SiteContext,
    slugs: Mapping[str, str],
    prev: str = "",
    next_: str = "",
) -> bytes:
    return _render(
        "day.html.j2",
        site=site,
        page_title=f"arXiv 速递 {day.listing_date}",
        day=day,
        slugs=slugs,
        prev=prev,
        next=next_,
    )


def render_index(
    *,
    site: SiteContext,
    days: Sequence[DaySummary],
    topics: Sequence[tuple[str, str, int]],
    slugs: Mapping[str, str],
) -> bytes:
    newest_first = list(reversed(days))
    return _render(
        "index.html.j2",
        site=site,
        page_title="arXiv 速递",
        latest=newest_first[0] if newest_first else None,
        recent=newest_first[:RECENT_DAYS],
        topics=[{"name": n, "slug": s, "count": c} for n, s, c in topics],
        slugs=slugs,
    )


def render_archive(*, site: SiteContext, days: Sequence[DaySummary]) -> bytes:
    months: dict[str, list[DaySummary]] = {}
    for day in reversed(days):
        months.setdefault(day.date[:7], []).append(day)
    return _render("archive.html.j2", site=site, page_title="归档 Archive", months=months.items())


TopicRow = tuple[str, str, str, bool]  # anchor, title, title_zh, translated


def render_topic(
    *, site: SiteContext, name: str, slug: str, days: Sequence[tuple[str, list[TopicRow]]]
) -> bytes:
    count = sum(len(rows) for _, rows in days)
    return _render(
        "topic.html.j2",
        site=site,
        page_title=name,
        topic={"name": name, "slug": slug, "count": count},
        days=list(reversed(days)),
    )


def render_search(*, site: SiteContext) -> bytes:
    return _render("search.html.j2", site=site, page_title="搜索 Search")


def _short_authors(authors: Sequence[str]) -> str:
    return ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")


@dataclass(frozen=True, slots=True)
class SiteResult:
    folder: Path
    days: int
    files: int
    changed: int
    removed: int


def write_feeds(folder: Path, feeds: Mapping[str, bytes]) -> list[Path]:
    """``[feed] dir``: the Atom files written (unchanged ones are left alone)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        sweep_temporary_files(folder)
        for name, data in feeds.items():
            write_if_changed(folder / name, data)
    except OSError as exc:
        raise DeliveryError(
            f"{folder}: cannot write the feeds: {exc.strerror}",
            hint="set [feed] dir to a writable folder",
        ) from None
    return [folder / name for name in feeds]


class _Writer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths: list[str] = []
        self.changed = 0

    def put(self, relative: str, data: bytes) -> None:
        self.paths.append(relative)
        if write_if_changed(self.root / relative, data):
            self.changed += 1


def _previous_files(root: Path) -> list[str]:
    try:
        listed = json.loads((root / MANIFEST).read_text(encoding="utf-8")).get("files", [])
    except (FileNotFoundError, ValueError):
        return []
    return [p for p in listed if isinstance(p, str) and ".." not in Path(p).parts]


def build_site(
    folder: Path,
    dates: Sequence[date],
    load_digest: Callable[[date], Digest | None],
    *,
    title: str = "paperfeed",
    base_url: str = "",
    subject_names: Mapping[str, str] | None = None,
    max_feed_entries: int = 300,
) -> SiteResult:
    """Build (or update) the site in ``folder`` from the digests of ``dates`` (days that have
    one: ``Archive.digest_dates()``)."""
    try:
        return _build(
            folder, sorted(dates), load_digest, title, base_url, subject_names, max_feed_entries
        )
    except OSError as exc:
        raise DeliveryError(
            f"{folder}: cannot write the site: {exc.strerror}",
            hint="choose a writable folder for `paperfeed site build` or [site] dir",
        ) from None


def _build(
    folder: Path,
    dates: list[date],
    load_digest: Callable[[date], Digest | None],
    title: str,
    base_url: str,
    subject_names: Mapping[str, str] | None,
    max_feed_entries: int,
) -> SiteResult:
    folder.mkdir(parents=True, exist_ok=True)
    sweep_temporary_files(folder)  # what a killed earlier build left behind
    previous = _previous_files(folder)
    writer = _Writer(folder)
    slugs: dict[str, str] = {}
    summaries: list[DaySummary] = []
    topic_days: dict[str, list[tuple[str, list[TopicRow]]]] = {}
    index_rows: list[list[Any]] = []
    recent: deque[Digest] = deque(maxlen=FEED_DAYS)
    stamp = f"更新至 {dates[-1].isoformat()}" if dates else ""
    top = SiteContext(title=title, root="", generated=stamp)
    nested = SiteContext(title=title, root="../", generated=stamp)
    for position, day in enumerate(dates):
        digest = load_digest(day)
        if digest is None:
            raise DeliveryError(f"no digest for {day} in the archive")
        for section in digest.sections:
            add_slug(slugs, section.topic)
        prev = dates[position - 1].isoformat() if position else ""
        next_ = dates[position + 1].isoformat() if position + 1 < len(dates) else ""
        view = digest_view(digest, subject_names)
        writer.put(
            f"days/{day.isoformat()}.html",
            render_day(view, site=nested, slugs=slugs, prev=prev, next_=next_),
        )
        summaries.append(summarize(digest))
        recent.append(digest)
        _collect(view, slugs, topic_days, index_rows)
    topic_names = list(slugs)
    for name, slug in slugs.items():
        writer.put(
            f"topics/{slug}.html",
            render_topic(site=nested, name=name, slug=slug, days=topic_days.get(name, [])),
        )
    totals = [
        (n, slugs[n], sum(len(rows) for _, rows in topic_days.get(n, []))) for n in topic_names
    ]
    writer.put("index.html", render_index(site=top, days=summaries, topics=totals, slugs=slugs))
    writer.put("archive.html", render_archive(site=top, days=summaries))
    writer.put("search.html", render_search(site=top))
    search_index = {"schema": SEARCH_SCHEMA, "topics": topic_names, "papers": index_rows}
    writer.put(
        SEARCH_INDEX,
        json.dumps(search_index, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
    )
    feeds = build_feeds(
        list(recent),
        title=title,
        base_url=f"{base_url}feeds/" if base_url else "",
        alternate_url=base_url or "../index.html",
        max_entries=max_feed_entries,
        subject_names=subject_names,
        slugs=slugs,
    )
    for name, data in feeds.items():
        writer.put(f"feeds/{name}", data)
    assets = resources.files("paperfeed.publish") / "templates" / "site"
    for asset in _ASSETS:
        writer.put(f"assets/{asset}", (assets / asset).read_bytes())
    writer.put(".nojekyll", b"")  # GitHub Pages: serve the files as they are
    current = set(writer.paths)
    removed = 0
    for stale in previous:
        if stale not in current and (folder / stale).is_file():
            (folder / stale).unlink()
            removed += 1
    manifest = {"generator": "paperfeed", "files": sorted(current)}
    write_if_changed(folder / MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))
    return SiteResult(
        folder=folder, days=len(dates), files=len(current), changed=writer.changed, removed=removed
    )


def _collect(
    view: DigestView,
    slugs: Mapping[str, str],
    topic_days: dict[str, list[tuple[str, list[TopicRow]]]],
    index_rows: list[list[Any]],
) -> None:
    """Add one digest's papers to the topic pages and the search index."""
    topic_numbers = {name: n for n, name in enumerate(slugs)}
    rows: dict[str, list[Any]] = {}
    for topic in view.topics:
        slug = slugs[topic.name]
        topic_rows: list[TopicRow] = []
        for paper in topic.papers:
            anchor = paper_anchor(paper.arxiv_id, slug)
            title_zh = paper.title_zh if paper.translated and paper.title_zh else ""
            topic_rows.append((anchor, paper.title, title_zh, bool(title_zh)))
            if paper.arxiv_id in rows:
                rows[paper.arxiv_id][6].append(topic_numbers[topic.name])
            else:
                rows[paper.arxiv_id] = [  # titles with TeX shown readably, as on the pages
                    paper.arxiv_id,
                    view.listing_date,
                    plain_math(paper.title),
                    plain_math(title_zh),
                    _short_authors(paper.authors),
                    anchor,
                    [topic_numbers[topic.name]],
                ]
        days = topic_days.setdefault(topic.name, [])
        if topic_rows:
            days.append((view.listing_date, topic_rows))
    index_rows.extend(rows.values())
