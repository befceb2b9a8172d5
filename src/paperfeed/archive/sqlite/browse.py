"""Read queries for browsing the archive (the web app's pages): a paper's versions and
appearances, related papers, digest dates, and search with filters.

Like ``reactions``, these share the ``Store``'s connection. ``search`` uses the same full-text
indexes and query translation as ``Store.search``, with filters applied inside the SQL so that
pages of filtered results are full pages.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from paperfeed.archive.sqlite import rows
from paperfeed.archive.sqlite.store import _CJK, Store, _fts_query
from paperfeed.core.records import AnnounceType, MatchedTerm, Paper
from paperfeed.core.taxonomy import normalize_code

# How deep one may page through search results.
MAX_SEARCH_RESULTS = 1000
_WORD = re.compile(r"\w+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Related papers are looked for among this many recent digest entries of the paper's topics.
_RELATED_WINDOW = 400


@dataclass(frozen=True, slots=True)
class ArchivedPaper:
    """The latest version of a paper with what the archive knows around it."""

    paper: Paper
    title_zh: str | None
    abstract_zh: str | None
    listing_date: date | None  # the latest listing or digest it appeared in
    announce_type: AnnounceType | None  # how that listing announced it


@dataclass(frozen=True, slots=True)
class PaperVersion:
    version: int  # 0: unknown (an imported digest named the paper without a version)
    source: str  # rss | api | import | import-compact
    first_seen: str  # ISO 8601 UTC: when this archive first stored it
    updated: str | None  # ISO 8601 UTC: when arXiv received this version, if known


@dataclass(frozen=True, slots=True)
class ListingAppearance:
    listing_date: date
    announce_type: AnnounceType


@dataclass(frozen=True, slots=True)
class DigestAppearance:
    listing_date: date
    topic: str
    terms: tuple[MatchedTerm, ...]


@dataclass(frozen=True, slots=True)
class RelatedPaper:
    arxiv_id: str
    shared_terms: tuple[str, ...]
    shared_topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str = ""
    topic: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    category: str | None = None  # a category ("cs.LG") or a whole archive ("cs")
    author: str | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.text.strip()
            or self.topic
            or self.date_from
            or self.date_to
            or self.category
            or self.author
        )


@dataclass(frozen=True, slots=True)
class SearchPage:
    arxiv_ids: tuple[str, ...]
    has_more: bool


# -- digests by date --------------------------------------------------------------------------


def latest_digest_date(store: Store) -> date | None:
    with store._translate_errors("reading digests"):
        row = store._db.execute("SELECT max(listing_date) FROM digests").fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def neighbouring_digests(store: Store, day: date) -> tuple[date | None, date | None]:
    """The archive's nearest digest dates before and after ``day``."""
    key = rows.day(day)
    with store._translate_errors("reading digests"):
        before = store._db.execute(
            "SELECT max(listing_date) FROM digests WHERE listing_date < ?", (key,)
        ).fetchone()[0]
        after = store._db.execute(
            "SELECT min(listing_date) FROM digests WHERE listing_date > ?", (key,)
        ).fetchone()[0]
    return (
        date.fromisoformat(before) if before else None,
        date.fromisoformat(after) if after else None,
    )


def digest_sizes(store: Store, start: date, end: date) -> dict[date, int]:
    """Digest dates from ``start`` to ``end`` (inclusive) -> distinct papers in each."""
    with store._translate_errors("reading digests"):
        found = store._db.execute(
            "SELECT d.listing_date, count(DISTINCT e.arxiv_id) FROM digests d "
            "LEFT JOIN digest_entries e ON e.digest_id = d.id "
            "WHERE d.listing_date BETWEEN ? AND ? GROUP BY d.listing_date",
            (rows.day(start), rows.day(end)),
        ).fetchall()
    return {date.fromisoformat(r[0]): int(r[1]) for r in found}


def has_listing(store: Store, day: date) -> bool:
    return store.has_listing(day)


def topic_names(store: Store) -> list[str]:
    """Every topic a stored digest has, most recently used first."""
    with store._translate_errors("reading topics"):
        found = store._db.execute(
            "SELECT name FROM digest_topics GROUP BY name ORDER BY max(digest_id) DESC, name"
        ).fetchall()
    return [r[0] for r in found]


# -- one paper --------------------------------------------------------------------------------

_ARCHIVED_COLUMNS = (
    f"p.id, {rows.PAPER_COLUMNS.replace('arxiv_id', 'p.arxiv_id')}, "
    "t.title_zh AS t_title_zh, t.abstract_zh AS t_abstract_zh, "
    "(SELECT max(li.listing_date) FROM listing_items li WHERE li.arxiv_id = p.arxiv_id) AS listed, "
    "(SELECT max(d.listing_date) FROM digest_entries e JOIN digests d ON d.id = e.digest_id "
    " WHERE e.arxiv_id = p.arxiv_id) AS digested"
)


def archived_papers(store: Store, arxiv_ids: Sequence[str]) -> dict[str, ArchivedPaper]:
    """The latest stored version of each paper, with its Chinese text and latest listing."""
    wanted = list(dict.fromkeys(arxiv_ids))
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    db = store._db
    with store._translate_errors("reading papers"):
        found = db.execute(
            f"SELECT {_ARCHIVED_COLUMNS} FROM papers p "
            "LEFT JOIN paper_translations t ON t.paper_id = p.id "
            f"WHERE p.arxiv_id IN ({marks}) AND p.version = "
            "(SELECT max(version) FROM papers v WHERE v.arxiv_id = p.arxiv_id)",
            wanted,
        ).fetchall()
        out: dict[str, ArchivedPaper] = {}
        for row in found:
            title_zh, abstract_zh = row["t_title_zh"], row["t_abstract_zh"]
            if title_zh is None or abstract_zh is None:
                # A digest may carry the text (imported digests do) where the paper row has none.
                entry = db.execute(
                    "SELECT title_zh, abstract_zh FROM digest_entries WHERE arxiv_id = ? "
                    "AND paper_id = ? AND (title_zh IS NOT NULL OR abstract_zh IS NOT NULL) "
                    "ORDER BY digest_id DESC LIMIT 1",
                    (row["arxiv_id"], row["id"]),
                ).fetchone()
                if entry is not None:
                    title_zh = title_zh if title_zh is not None else entry["title_zh"]
                    abstract_zh = abstract_zh if abstract_zh is not None else entry["abstract_zh"]
            listed = max(d for d in (row["listed"], row["digested"], "") if d is not None)
            kind = None
            if row["listed"]:
                found_kind = db.execute(
                    "SELECT announce_type FROM listing_items WHERE arxiv_id = ? AND listing_date = ?",
                    (row["arxiv_id"], row["listed"]),
                ).fetchone()
                kind = rows.announce_type(found_kind[0]) if found_kind else None
            out[row["arxiv_id"]] = ArchivedPaper(
                paper=rows.paper_from_row(row),
                title_zh=title_zh,
                abstract_zh=abstract_zh,
                listing_date=date.fromisoformat(listed) if listed else None,
                announce_type=kind,
            )
    return out


def paper_versions(store: Store, arxiv_id: str) -> list[PaperVersion]:
    with store._translate_errors("reading a paper's versions"):
        found = store._db.execute(
            "SELECT version, source, first_seen, updated FROM papers WHERE arxiv_id = ? "
            "ORDER BY version",
            (arxiv_id,),
        ).fetchall()
    return [PaperVersion(r[0], r[1], r[2], r[3]) for r in found]


def listing_appearances(store: Store, arxiv_id: str) -> list[ListingAppearance]:
    with store._translate_errors("reading a paper's listings"):
        found = store._db.execute(
            "SELECT listing_date, announce_type FROM listing_items WHERE arxiv_id = ? "
            "ORDER BY listing_date DESC",
            (arxiv_id,),
        ).fetchall()
    out = []
    for r in found:
        kind = rows.announce_type(r[1])
        assert kind is not None  # the column is NOT NULL with a CHECK
        out.append(ListingAppearance(date.fromisoformat(r[0]), kind))
    return out


def digest_appearances(store: Store, arxiv_id: str) -> list[DigestAppearance]:
    with store._translate_errors("reading a paper's digests"):
        found = store._db.execute(
            "SELECT d.listing_date, e.topic, e.terms FROM digest_entries e "
            "JOIN digests d ON d.id = e.digest_id WHERE e.arxiv_id = ? "
            "ORDER BY d.listing_date DESC, e.topic_position",
            (arxiv_id,),
        ).fetchall()
    return [
        DigestAppearance(date.fromisoformat(r[0]), r[1], rows.terms_from_json(r[2])) for r in found
    ]


def related_papers(store: Store, arxiv_id: str, *, limit: int = 8) -> list[RelatedPaper]:
    """Papers that digests listed under the same topics for the same matched terms, most shared
    terms first, then most recent; papers of the same topics fill up when few share terms."""
    db = store._db
    with store._translate_errors("finding related papers"):
        mine = db.execute(
            "SELECT DISTINCT topic, terms FROM digest_entries WHERE arxiv_id = ?", (arxiv_id,)
        ).fetchall()
        if not mine:
            return []
        topics = sorted({r[0] for r in mine})
        my_terms = {t.term.casefold(): t.term for r in mine for t in rows.terms_from_json(r[1])}
        my_needles = [
            ('"term": ' + json.dumps(folded, ensure_ascii=False), term)
            for folded, term in my_terms.items()
        ]
        marks = ",".join("?" * len(topics))
        candidates = db.execute(
            f"SELECT arxiv_id, topic, terms, digest_id FROM digest_entries "
            f"WHERE topic IN ({marks}) AND arxiv_id != ? ORDER BY digest_id DESC LIMIT ?",
            (*topics, arxiv_id, _RELATED_WINDOW),
        ).fetchall()
    scores: dict[str, tuple[set[str], set[str], int]] = {}
    for other, topic, terms, digest_id in candidates:
        shared_terms, shared_topics, _ = scores.setdefault(other, (set(), set(), digest_id))
        shared_topics.add(topic)
        # The stored JSON is rows.terms_json's: look for '"term": "<term>"' without parsing it.
        folded_json = terms.casefold()
        for needle, term in my_needles:
            if needle in folded_json:
                shared_terms.add(term)
    ranked = sorted(
        scores.items(),
        key=lambda kv: (-len(kv[1][0]), -len(kv[1][1]), -kv[1][2], kv[0]),
    )
    return [
        RelatedPaper(other, tuple(sorted(terms)), tuple(sorted(tops)))
        for other, (terms, tops, _) in ranked[:limit]
    ]


# -- search -----------------------------------------------------------------------------------


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _author_match(author: str) -> str | None:
    """An FTS5 expression for the authors column: every word of the name, as a word prefix."""
    words = [w.replace('"', '""') for w in _WORD.findall(author)]
    return "authors : (" + " ".join(f'"{w}"*' for w in words) + ")" if words else None


@dataclass(frozen=True, slots=True)
class _Filter:
    """One search filter, two ways: as the set of matching papers-table rows (``members``),
    best when few papers pass, or as a test of one row (``test``, ``{id}`` standing for the
    row id), best when many do. ``args`` fit both."""

    members: str
    test: str
    args: tuple[object, ...]


# Above this many matching rows a filter tests each candidate instead of building its set.
_SET_LIMIT = 50_000


def _filters(query: SearchQuery) -> list[_Filter]:
    found: list[_Filter] = []
    if query.topic:
        found.append(
            _Filter(
                "SELECT paper_id FROM digest_entries WHERE topic = ?",
                "EXISTS (SELECT 1 FROM digest_entries e WHERE e.paper_id = {id} AND e.topic = ?)",
                (query.topic,),
            )
        )
    if query.date_from or query.date_to:
        start = rows.day(query.date_from) if query.date_from else "0000-01-01"
        end = rows.day(query.date_to) if query.date_to else "9999-12-31"
        found.append(
            _Filter(
                "SELECT paper_id FROM listing_items WHERE listing_date BETWEEN ? AND ? UNION ALL "
                "SELECT e.paper_id FROM digests d JOIN digest_entries e ON e.digest_id = d.id "
                "WHERE d.listing_date BETWEEN ? AND ?",
                "(EXISTS (SELECT 1 FROM listing_items li WHERE li.paper_id = {id} "
                "AND li.listing_date BETWEEN ? AND ?) OR EXISTS (SELECT 1 FROM digest_entries e "
                "JOIN digests d ON d.id = e.digest_id WHERE e.paper_id = {id} "
                "AND d.listing_date BETWEEN ? AND ?))",
                (start, end, start, end),
            )
        )
    if query.category and query.category.strip():
        code = query.category.strip()
        code = normalize_code(code) or code
        # A category ("cs.LG") or every category of an archive ("cs" -> "cs.*").
        found.append(
            _Filter(
                "SELECT paper_id FROM web_paper_categories "
                "WHERE category = ? OR (category > ? AND category < ?)",
                "EXISTS (SELECT 1 FROM web_paper_categories c WHERE c.paper_id = {id} "
                "AND (c.category = ? OR (c.category > ? AND c.category < ?)))",
                (code, code + ".", code + "/"),
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class _Extent:
    size: int  # rows, counted up to _SET_LIMIT
    low: int | None  # the smallest and largest row id among them (when counted in full)
    high: int | None


# Filter extents by archive, filter, arguments, the archive's change stamp and its newest paper
# row: counting a filter's rows costs up to 15 ms (50,000 index entries), more than many a
# search. Every change that can add a member moves the stamp (digests, listings) or adds a
# paper row, so a kept extent is never stale.
_EXTENTS: OrderedDict[tuple[str, str, tuple[object, ...], int, int], _Extent] = OrderedDict()
_EXTENTS_LOCK = threading.Lock()
_EXTENTS_KEPT = 512


def _extent(store: Store, f: _Filter, newest_row: int) -> _Extent:
    stamp = store._db.execute("SELECT value FROM web_stamps WHERE name = 'archive'").fetchone()
    key = (str(store.path), f.members, f.args, int(stamp[0]) if stamp else 0, newest_row)
    with _EXTENTS_LOCK:
        if key in _EXTENTS:
            _EXTENTS.move_to_end(key)
            return _EXTENTS[key]
    # Every ``members`` query selects one column named paper_id.
    size, low, high = store._db.execute(
        f"SELECT count(*), min(paper_id), max(paper_id) FROM ({f.members} LIMIT {_SET_LIMIT})",
        f.args,
    ).fetchone()
    found = _Extent(int(size), low, high)
    with _EXTENTS_LOCK:
        _EXTENTS[key] = found
        while len(_EXTENTS) > _EXTENTS_KEPT:
            _EXTENTS.popitem(last=False)
    return found


def _conditions(
    store: Store, filters: Sequence[_Filter], id_column: str, cap: int
) -> tuple[list[str], list[object]]:
    """SQL conditions on ``id_column`` (qualified: ``papers.id``, ``papers_fts.rowid``) for
    every filter, each in its cheaper form for finding ``cap`` rows."""
    conditions: list[str] = []
    args: list[object] = []
    rows_in_archive = store._db.execute("SELECT max(id) FROM papers").fetchone()[0] or 0
    for f in filters:
        extent = _extent(store, f, rows_in_archive)
        # Building the set costs about a quarter of a microsecond per member; testing rows
        # about two microseconds per candidate, and the scan meets a member every
        # rows_in_archive / size candidates: the set pays when size^2 < 8 * cap * rows.
        if extent.size < _SET_LIMIT and extent.size**2 < 8 * cap * rows_in_archive:
            # On the papers table a set drives the scan. On a full-text table it only filters;
            # the unary plus keeps SQLite from handing it to the full-text table as a rowid
            # constraint, which would re-run the text match once per member (minutes).
            plus = "" if id_column == "papers.id" else "+"
            conditions.append(f"{plus}{id_column} IN ({f.members})")
        else:
            conditions.append(f.test.format(id=id_column))
        args += f.args
        if extent.low is not None and extent.high is not None:
            # A row id range the index can seek to: a date filter's papers are a narrow
            # block of ids, so the scan skips the newer and older papers at once.
            conditions.append(f"{id_column} BETWEEN ? AND ?")
            args += [extent.low, extent.high]
    return conditions, args


def _newest(
    store: Store,
    source: str,
    args: Sequence[object],
    where: tuple[list[str], list[object]],
    id_column: str,
    cap: int,
) -> list[Any]:
    """Up to ``cap`` row ids from ``source`` (a SELECT of one id column with its own WHERE),
    newest first, meeting every condition of ``where``. A second column in ``source`` comes
    back with each id."""
    conditions, condition_args = where
    sql = source + "".join(f" AND {c}" for c in conditions)
    sql += f" ORDER BY {id_column} DESC LIMIT ?"
    found = store._db.execute(sql, [*args, *condition_args, cap]).fetchall()
    return [r[0] if len(r) == 1 else (r[0], r[1]) for r in found]


def search(store: Store, query: SearchQuery, *, limit: int = 20, offset: int = 0) -> SearchPage:
    """One page of papers (latest versions) matching the words and every filter given.

    English words search titles, abstracts and authors (stemmed: "policies" finds "policy");
    Chinese matches the Chinese titles and abstracts by substring. Papers with the words in
    their title come first, then the rest; newest first within each. Without words, papers
    are listed newest first. Filters: topic (a digest listed the paper under it), listing
    dates, category or archive, author (every word of the name, as a word prefix).

    Why not BM25: ranking needs each word's count over the whole archive, which for a common
    word or phrase ("reinforcement learning" in an ML archive) means reading every posting on
    each search (20-30 ms at 200,000 papers), and buys an order barely different from this one.
    """
    # A NUL ends an FTS5 query string early ("unterminated string"): no control character is
    # part of a word anyway.
    text = _CONTROL.sub(" ", query.text).strip()
    filters = _filters(query)
    author = _author_match(query.author) if query.author else None
    if query.author and author is None:
        return SearchPage((), False)  # an author filter without a single word matches nobody
    # Rows are versions: twice the papers wanted (and one more, to know if a next page exists)
    # leaves room for papers found in several versions.
    cap = 2 * min(offset + limit + 1, MAX_SEARCH_RESULTS) + 10
    in_title: list[int] = []
    with store._translate_errors("searching"):
        if text and _CJK.search(text):
            terms = text.split()
            trigrams = all(len(t) >= 3 for t in terms)
            column = "zh_fts.rowid" if trigrams else "paper_translations.paper_id"
            where = _conditions(store, filters, column, cap)
            if author is not None:
                # Always a set: testing one row against a full-text match re-runs the match.
                where[0].append(
                    f"+{column} IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)"
                )
                where[1].append(author)
            if trigrams:
                match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
                fts = "SELECT rowid FROM zh_fts WHERE zh_fts MATCH ?"
                in_title = _newest(store, fts, [f"title_zh : ({match})"], where, column, cap)
                anywhere = _newest(store, fts, [match], where, column, cap)
            else:
                # Trigrams cannot find one- or two-character words: scan the translations,
                # once, newest first, noting which matched in the title.
                patterns = [_like_pattern(t) for t in terms]
                like = " AND ".join("coalesce({column}, '') LIKE ? ESCAPE '\\'" for _ in terms)
                in_title_test = like.format(column="title_zh")
                anywhere_test = like.format(column="title_zh || ' ' || abstract_zh")
                scan = f"SELECT paper_id, {in_title_test} FROM paper_translations WHERE 1"
                # The filters' cheap tests first: the text test reads a whole abstract.
                tests = ([*where[0], anywhere_test], [*where[1], *patterns])
                found = _newest(store, scan, patterns, tests, column, cap)
                in_title = [row_id for row_id, title_hit in found if title_hit]
                anywhere = [row_id for row_id, _ in found]
        elif text or author is not None:
            words = _fts_query(text) if text else ""
            if text and words == '""':
                return SearchPage((), False)  # punctuation only: no word to look for
            column = "papers_fts.rowid"
            where = _conditions(store, filters, column, cap)
            fts = "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?"
            with_author = f" AND {author}" if author is not None else ""
            if words:
                title = f"title : ({words}){with_author}"
                in_title = _newest(store, fts, [title], where, column, cap)
                anywhere = _newest(store, fts, [f"({words}){with_author}"], where, column, cap)
            else:
                anywhere = _newest(store, fts, [author or ""], where, column, cap)
        else:
            where = _conditions(store, filters, "papers.id", cap)
            anywhere = _newest(store, "SELECT id FROM papers WHERE 1", [], where, "papers.id", cap)
        ids = list(dict.fromkeys([*in_title, *anywhere]))
        names: dict[int, str] = {}
        if ids:
            marks = ",".join("?" * len(ids))
            names.update(
                store._db.execute(f"SELECT id, arxiv_id FROM papers WHERE id IN ({marks})", ids)
            )
    # One row per version was found: keep each paper once, at its best-placed version.
    distinct = list(dict.fromkeys(names[i] for i in ids if i in names))[:MAX_SEARCH_RESULTS]
    return SearchPage(
        arxiv_ids=tuple(distinct[offset : offset + limit]),
        has_more=len(distinct) > offset + limit,
    )
