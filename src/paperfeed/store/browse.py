"""Read queries for browsing the archive (the web app's pages): a paper's versions and
appearances, related papers, digest dates, and search with filters.

Like ``reactions``, these share the ``Store``'s connection. ``search`` uses the same full-text
indexes and query translation as ``Store.search``, with filters applied inside the SQL so that
pages of filtered results are full pages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from paperfeed.models import AnnounceType, MatchedTerm, Paper
from paperfeed.store import rows
from paperfeed.store.sqlite import _CJK, Store, _fts_query

# Search ranks every full-text match before cutting a page; this bounds how deep one may page.
MAX_SEARCH_RESULTS = 1000
# Related papers are looked for among this many recent digest entries of the paper's topics.
_RELATED_WINDOW = 5000


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
                    "SELECT title_zh, abstract_zh FROM digest_entries WHERE paper_id = ? "
                    "AND (title_zh IS NOT NULL OR abstract_zh IS NOT NULL) "
                    "ORDER BY digest_id DESC LIMIT 1",
                    (row["id"],),
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
        my_terms = {
            t.term.casefold(): t.term for r in mine for t in rows.terms_from_json(r[1])
        }
        marks = ",".join("?" * len(topics))
        candidates = db.execute(
            f"SELECT arxiv_id, topic, terms, digest_id FROM digest_entries "
            f"WHERE topic IN ({marks}) AND arxiv_id != ? ORDER BY digest_id DESC LIMIT ?",
            (*topics, arxiv_id, _RELATED_WINDOW),
        ).fetchall()
    scores: dict[str, tuple[set[str], set[str], int]] = {}
    for other, topic, terms, digest_id in candidates:
        shared_terms, shared_topics, latest = scores.setdefault(other, (set(), set(), digest_id))
        shared_topics.add(topic)
        if my_terms and terms != "[]":
            for item in json.loads(terms):
                folded = str(item.get("term", "")).casefold()
                if folded in my_terms:
                    shared_terms.add(my_terms[folded])
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


def _author_match(author: str) -> str:
    """An FTS5 expression for the authors column: every word of the name, as a prefix."""
    words = [w for w in author.replace('"', " ").split() if w]
    return "authors : (" + " ".join(f'"{w}"*' for w in words) + ")" if words else '""'


def search(store: Store, query: SearchQuery, *, limit: int = 20, offset: int = 0) -> SearchPage:
    """One page of papers (latest versions) matching the words and every filter given.

    English words search titles, abstracts and authors (stemmed, ranked by BM25 with titles
    weighted most); Chinese matches the translations by substring; without words, papers are
    listed newest id first. Filters: topic (a digest listed the paper under it), listing dates,
    category or archive, author (every word of the name, as a word prefix).
    """
    text = query.text.strip()
    want = min(offset + limit, MAX_SEARCH_RESULTS)
    # One row per version: fetch extra so that dropping older versions still fills the page.
    fetch = want * 2 + 20
    where: list[str] = []
    args: list[object] = []

    if text and _CJK.search(text):
        terms = text.split()
        if all(len(t) >= 3 for t in terms):
            source = (
                "(SELECT rowid AS id, bm25(zh_fts, 10.0, 1.0) AS score FROM zh_fts "
                "WHERE zh_fts MATCH ?) src"
            )
            args.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in terms))
            order = "src.score, p.version DESC"
        else:
            # Trigrams cannot find one- or two-character words: scan the translations.
            like = " AND ".join(
                "(coalesce(t.title_zh, '') || ' ' || coalesce(t.abstract_zh, '')) LIKE ? ESCAPE '\\'"
                for _ in terms
            )
            source = f"(SELECT t.paper_id AS id, 0 AS score FROM paper_translations t WHERE {like}) src"
            args += [_like_pattern(t) for t in terms]
            order = "p.arxiv_id DESC, p.version DESC"
        join = "JOIN papers p ON p.id = src.id"
    elif text:
        source = (
            "(SELECT rowid AS id, bm25(papers_fts, 10.0, 3.0, 2.0) AS score FROM papers_fts "
            "WHERE papers_fts MATCH ?) src"
        )
        args.append(_fts_query(text))
        join = "JOIN papers p ON p.id = src.id"
        order = "src.score, p.version DESC"
    else:
        source = "papers p"
        join = ""
        order = "p.arxiv_id DESC, p.version DESC"

    if query.author:
        where.append("p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
        args.append(_author_match(query.author))
    if query.topic:
        where.append("p.arxiv_id IN (SELECT arxiv_id FROM digest_entries WHERE topic = ?)")
        args.append(query.topic)
    if query.category:
        code = query.category.strip()
        where.append(
            "EXISTS (SELECT 1 FROM json_each(p.categories) c "
            "WHERE lower(c.value) = lower(?) OR lower(c.value) LIKE lower(?) ESCAPE '\\')"
        )
        args += [code, _like_pattern(code).removeprefix("%").removesuffix("%") + ".%"]
    if query.date_from or query.date_to:
        start = rows.day(query.date_from) if query.date_from else "0000-01-01"
        end = rows.day(query.date_to) if query.date_to else "9999-12-31"
        where.append(
            "(EXISTS (SELECT 1 FROM listing_items li WHERE li.arxiv_id = p.arxiv_id "
            "AND li.listing_date BETWEEN ? AND ?) OR EXISTS (SELECT 1 FROM digest_entries e "
            "JOIN digests d ON d.id = e.digest_id WHERE e.arxiv_id = p.arxiv_id "
            "AND d.listing_date BETWEEN ? AND ?))"
        )
        args += [start, end, start, end]

    sql = f"SELECT p.id, p.arxiv_id FROM {source} {join}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {order} LIMIT ?"
    args.append(fetch)
    with store._translate_errors("searching"):
        found = store._db.execute(sql, args).fetchall()
    seen: list[str] = []
    for row in found:
        if row[1] not in seen:
            seen.append(row[1])
    page = seen[offset : offset + limit]
    more = len(seen) > offset + limit and offset + limit < MAX_SEARCH_RESULTS
    return SearchPage(arxiv_ids=tuple(page), has_more=more)
