"""``paperfeed site build DIR``: the archive as a static site for any static host or GitHub Pages.

    index.html              latest digest, recent days, topics, search box
    archive.html            every day, by month
    days/YYYY-MM-DD.html    one digest (bilingual titles and abstracts, anchors per paper)
    topics/<slug>.html      every paper of one topic, newest day first
    search.html             client-side search: assets/search.js over search-index.json
    feeds/all.xml, feeds/<slug>.xml   Atom feeds (see ``feed``)
    assets/style.css, .nojekyll

Every link is relative, so the folder works under any URL prefix (``user.github.io/repo/``)
and from disk; no page loads anything from another site. Pages are rendered by pure functions;
``build_site`` streams digests from the archive one day at a time (a year of busy days does not
sit in memory), writes only files whose bytes changed, and removes files it wrote before that
are no longer part of the site (listed in ``.paperfeed-site.json``), never anything else.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from paperfeed.core.errors import DeliveryError
from paperfeed.core.records import Digest
from paperfeed.publish.feed import add_slug, build_feeds
from paperfeed.publish.mathtext import plain_math, readable_math
from paperfeed.publish.view import digest_view

MANIFEST = ".paperfeed-site.json"
SEARCH_INDEX = "search-index.json"
SEARCH_SCHEMA = "paperfeed.search/1"
FEED_DAYS = 60  # feeds are built from the newest listings only
RECENT_DAYS = 30
_ASSETS = ("style.css", "search.js")


def _math(text: str) -> Markup:
    return Markup("").join(
        Markup('<span class="math">{}</span>').format(piece) if is_math else escape(piece)
        for is_math, piece in readable_math(text)
    )


def url_part(text: str) -> str:
    """A path segment or fragment as it goes into an ``href`` (non-ASCII percent-encoded)."""
    return quote(text, safe="-._~")


def id_safe(arxiv_id: str) -> str:
    return arxiv_id.replace("/", "-")


def paper_anchor(slug: str, arxiv_id: str) -> str:
    """The element id of a paper on its day page, under one topic."""
    return f"{slug}-{id_safe(arxiv_id)}"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("paperfeed.publish", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["math"] = _math
    env.filters["urlpart"] = url_part
    env.filters["idsafe"] = id_safe
    return env


def _render(template: str, **context: Any) -> bytes:
    return _environment().get_template(f"site/{template}").render(**context).encode("utf-8")


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
    digest: Digest,
    *,
    site: SiteContext,
    slugs: Mapping[str, str],
    prev: str = "",
    next_: str = "",
    subject_names: Mapping[str, str] | None = None,
) -> bytes:
    return _render(
        "day.html.j2",
        site=site,
        page_title=f"arXiv 速递 {digest.listing_date.isoformat()}",
        day=digest_view(digest, subject_names),
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


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless the file already holds exactly it; True if written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    Path(tmp).replace(path)
    return True


def write_feeds(folder: Path, feeds: Mapping[str, bytes]) -> list[Path]:
    """``[feed] dir``: the Atom files written (unchanged ones are left alone)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
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
        writer.put(
            f"days/{day.isoformat()}.html",
            render_day(
                digest,
                site=nested,
                slugs=slugs,
                prev=prev,
                next_=next_,
                subject_names=subject_names,
            ),
        )
        summaries.append(summarize(digest))
        recent.append(digest)
        _collect(digest, slugs, topic_days, index_rows)
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
    digest: Digest,
    slugs: Mapping[str, str],
    topic_days: dict[str, list[tuple[str, list[TopicRow]]]],
    index_rows: list[list[Any]],
) -> None:
    """Add one digest's papers to the topic pages and the search index."""
    day = digest.listing_date.isoformat()
    topic_numbers = {name: n for n, name in enumerate(slugs)}
    rows: dict[str, list[Any]] = {}
    for section in digest.sections:
        slug = slugs[section.topic]
        topic_rows: list[TopicRow] = []
        for entry in section.entries:
            paper = entry.paper
            anchor = paper_anchor(slug, paper.arxiv_id)
            title_zh = entry.title_zh if entry.translated and entry.title_zh else ""
            topic_rows.append((anchor, paper.title, title_zh, bool(title_zh)))
            if paper.arxiv_id in rows:
                rows[paper.arxiv_id][6].append(topic_numbers[section.topic])
            else:
                rows[paper.arxiv_id] = [  # titles with TeX shown readably, as on the pages
                    paper.arxiv_id,
                    day,
                    plain_math(paper.title),
                    plain_math(title_zh),
                    _short_authors(paper.authors),
                    anchor,
                    [topic_numbers[section.topic]],
                ]
        days = topic_days.setdefault(section.topic, [])
        if topic_rows:
            days.append((day, topic_rows))
    index_rows.extend(rows.values())
