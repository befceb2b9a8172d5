"""The one search of the archive, for the CLI, the web pages and the API.

English words go through the FTS5 index of titles, abstracts and authors (porter stemming,
diacritics removed); Chinese through the trigram index of the Chinese titles and abstracts
(shorter than three characters: a scan). Filters (topic, listing dates, category or archive,
author) are applied inside the SQL, each in its cheaper form, so pages of filtered results are
full pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import paperfeed.archive.sqlite.rows as rows
from paperfeed.archive.records import SearchPage, SearchQuery
from paperfeed.archive.sqlite.papers import PapersSql
from paperfeed.core.records import MatchedTerm, Paper
from paperfeed.core.taxonomy import normalize_code
from paperfeed.core.topics.query import And, CategoryTerm, Not, Or, Phrase, Query
from paperfeed.core.topics.search_query import clean_search_text, parse_search, search_matcher

# How deep one may page through search results.
MAX_SEARCH_RESULTS = 1000
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"\w+")


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


class SearchSql(PapersSql):
    def search(self, query: SearchQuery, *, limit: int = 20, offset: int = 0) -> SearchPage:
        """One page of papers (latest versions) matching the words and every filter given.

        English words search titles, abstracts and authors (stemmed: "policies" finds
        "policy"); Chinese matches the Chinese titles and abstracts by substring. Papers with
        the words in their title come first, then the rest; newest first within each.
        Without words, papers are listed newest first. Filters: topic (a digest listed the
        paper under it), listing dates, category or archive, author (every word of the name,
        as a word prefix).

        Why not BM25: ranking needs each word's count over the whole archive, which for a
        common word or phrase ("reinforcement learning" in an ML archive) means reading every
        posting on each search (20-30 ms at 200,000 papers), and buys an order barely
        different from this one.
        """
        with self._errors("searching"):
            ids, has_more = self._search_ids(query, limit, offset)
        found = self.archived_papers(ids)
        return SearchPage(tuple(found[i] for i in ids if i in found), has_more)

    def _extent(self, f: _Filter, newest_row: int) -> _Extent:
        """A filter's size and id range. Counting a filter's rows costs up to 15 ms (50,000
        index entries), more than many a search, so extents are kept, keyed by the archive's
        change stamp and its newest paper row: every change that can add a member moves the
        stamp (digests, listings) or adds a paper row, so a kept extent is never stale."""
        stamp = self._db.execute("SELECT value FROM web_stamps WHERE name = 'archive'").fetchone()
        key = (str(self.path), f.members, f.args, int(stamp[0]) if stamp else 0, newest_row)

        def count() -> _Extent:
            # Every ``members`` query selects one column named paper_id.
            size, low, high = self._db.execute(
                f"SELECT count(*), min(paper_id), max(paper_id) FROM ({f.members} LIMIT {_SET_LIMIT})",
                f.args,
            ).fetchone()
            return _Extent(int(size), low, high)

        return self._caches.extents.get(key, count)

    def _conditions(
        self, filters: Sequence[_Filter], id_column: str, cap: int
    ) -> tuple[list[str], list[object]]:
        """SQL conditions on ``id_column`` (qualified: ``papers.id``, ``papers_fts.rowid``)
        for every filter, each in its cheaper form for finding ``cap`` rows."""
        conditions: list[str] = []
        args: list[object] = []
        rows_in_archive = self._db.execute("SELECT max(id) FROM papers").fetchone()[0] or 0
        for f in filters:
            extent = self._extent(f, rows_in_archive)
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

    def _search_ids(self, query: SearchQuery, limit: int, offset: int) -> tuple[list[str], bool]:
        """The arXiv ids of one page of results, and whether there are more."""
        # A NUL ends an FTS5 query string early ("unterminated string"): no control character is
        # part of a word anyway.
        text = clean_search_text(query.text)
        filters = _filters(query)
        author = _author_match(query.author) if query.author else None
        if query.author and author is None:
            return [], False  # an author filter without a single word matches nobody
        if query.text and not text and not (filters or author):
            return [], False  # only control characters: nothing was asked
        # Rows are versions: twice the papers wanted (and one more, to know if a next page exists)
        # leaves room for papers found in several versions.
        cap = 2 * min(offset + limit + 1, MAX_SEARCH_RESULTS) + 10
        in_title: list[int] = []
        if text and _CJK.search(text):
            terms = text.split()
            trigrams = all(len(t) >= 3 for t in terms)
            column = "zh_fts.rowid" if trigrams else "paper_translations.paper_id"
            where = self._conditions(filters, column, cap)
            if author is not None:
                # Always a set: testing one row against a full-text match re-runs the match.
                where[0].append(
                    f"+{column} IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)"
                )
                where[1].append(author)
            if trigrams:
                match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
                fts = "SELECT rowid FROM zh_fts WHERE zh_fts MATCH ?"
                in_title = self._newest(fts, [f"title_zh : ({match})"], where, column, cap)
                anywhere = self._newest(fts, [match], where, column, cap)
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
                found = self._newest(scan, patterns, tests, column, cap)
                in_title = [row_id for row_id, title_hit in found if title_hit]
                anywhere = [row_id for row_id, _ in found]
        elif text or author is not None:
            parsed = parse_search(text) if text else None
            if text and parsed is None:
                return [], False  # punctuation only: no word to look for
            accept = search_matcher(parsed) if parsed is not None else None
            with_author = [author] if author is not None else []
            everywhere = fts_expression(parsed, title_only=False) if parsed else None
            if parsed is not None and searches_titles(parsed):
                in_title = self._verified(
                    _joined(fts_expression(parsed, title_only=True), *with_author),
                    filters,
                    accept,
                    cap,
                    in_title=True,
                )
            anywhere = self._verified(
                _joined(everywhere, *with_author), filters, accept, cap, in_title=False
            )
        else:
            where = self._conditions(filters, "papers.id", cap)
            anywhere = self._newest("SELECT id FROM papers WHERE 1", [], where, "papers.id", cap)
        ids = list(dict.fromkeys([*in_title, *anywhere]))
        names: dict[int, str] = {}
        if ids:
            marks = ",".join("?" * len(ids))
            names.update(
                self._db.execute(f"SELECT id, arxiv_id FROM papers WHERE id IN ({marks})", ids)
            )
        # One row per version was found: keep each paper once, at its best-placed version.
        distinct = list(dict.fromkeys(names[i] for i in ids if i in names))[:MAX_SEARCH_RESULTS]
        return distinct[offset : offset + limit], len(distinct) > offset + limit

    def _newest(
        self,
        source: str,
        args: Sequence[object],
        where: tuple[list[str], list[object]],
        id_column: str,
        cap: int,
    ) -> list[Any]:
        """Up to ``cap`` row ids from ``source`` (a SELECT of one id column with its own
        WHERE), newest first, meeting every condition of ``where``. A second column in
        ``source`` comes back with each id."""
        conditions, condition_args = where
        sql = source + "".join(f" AND {c}" for c in conditions)
        sql += f" ORDER BY {id_column} DESC LIMIT ?"
        found = self._db.execute(sql, [*args, *condition_args, cap]).fetchall()
        return [r[0] if len(r) == 1 else (r[0], r[1]) for r in found]

    def _verified(
        self,
        expression: str | None,
        filters: Sequence[_Filter],
        accept: Callable[[Paper], tuple[MatchedTerm, ...] | None] | None,
        want: int,
        *,
        in_title: bool,
    ) -> list[int]:
        """Rows (paper versions), newest first, that the full-text ``expression`` proposes
        (every row when None) and ``accept`` (the query language's matcher) accepts; with
        ``in_title``, only those with a term matched in the title. Stops once ``want`` papers
        are found, or after scanning ``SCAN_LIMIT`` candidates."""
        if expression is not None:
            column = "papers_fts.rowid"
            source = "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?"
            args: list[object] = [expression]
        else:
            column = "papers.id"
            source = "SELECT id FROM papers WHERE 1"
            args = []
        where = self._conditions(filters, column, want)
        found: list[int] = []
        papers: set[str] = set()
        below: int | None = None
        scanned = 0
        while len(papers) < want and scanned < SCAN_LIMIT:
            conditions = (
                [*where[0], f"{column} < ?"] if below is not None else where[0],
                [*where[1], below] if below is not None else where[1],
            )
            batch = self._newest(source, args, conditions, column, SCAN_BATCH)
            if not batch:
                break
            scanned += len(batch)
            below = batch[-1]
            for row, paper in self._papers_at(batch):
                terms = accept(paper) if accept is not None else ()
                if terms is None:
                    continue
                if in_title and not any(t.field == "title" for t in terms):
                    continue
                found.append(row)
                papers.add(paper.arxiv_id)
            if len(batch) < SCAN_BATCH:
                break
        return found

    def _papers_at(self, rows_ids: Sequence[int]) -> list[tuple[int, Paper]]:
        """(row, paper) of each row, in the order given."""
        marks = ",".join("?" * len(rows_ids))
        found = {
            int(r["id"]): rows.paper_from_row(r)
            for r in self._db.execute(
                f"SELECT id, {rows.PAPER_COLUMNS} FROM papers WHERE id IN ({marks})", list(rows_ids)
            )
        }
        return [(r, found[r]) for r in rows_ids if r in found]


# Candidates are checked in batches, newest first; a query whose full-text part proposes many
# papers the matcher then refuses (a NOT, a cat: term) reads at most this many.
SCAN_BATCH = 500
SCAN_LIMIT = 50_000
_COLUMNS = {"title": "title", "abstract": "abstract", "authors": "authors"}


def fts_expression(node: Query, *, title_only: bool) -> str | None:
    """An FTS5 expression proposing every paper ``node`` can match (a superset: the matcher
    decides), or None when the index cannot narrow it (NOT, cat:, prefix-only text). With
    ``title_only``, terms that search the title are looked for in the title alone."""
    if isinstance(node, Phrase):
        columns = [_COLUMNS[f] for f in node.fields]
        if title_only and "title" in columns:
            columns = ["title"]
        tokens = [w.rstrip("*") for w in node.words]
        prefix = node.words[-1].endswith("*")
        if prefix:
            # The index stores porter stems ("generalization" -> "gener"): a prefix is looked
            # for by its first three letters, which every stem of such a word starts with.
            tokens[-1] = tokens[-1][:3]
        phrase = (
            '"' + " ".join(t.replace('"', '""') for t in tokens) + '"' + ("*" if prefix else "")
        )
        return "{" + " ".join(columns) + "} : " + phrase
    if isinstance(node, CategoryTerm | Not):
        return None
    parts = [fts_expression(op, title_only=title_only) for op in node.operands]
    if isinstance(node, And):
        narrowing = [p for p in parts if p is not None]
        return " AND ".join(f"({p})" for p in narrowing) if narrowing else None
    if isinstance(node, Or):
        return None if any(p is None for p in parts) else " OR ".join(f"({p})" for p in parts)
    raise TypeError(node)


def searches_titles(node: Query) -> bool:
    """Whether a term of ``node`` that can make it match looks in the title (not under NOT)."""
    if isinstance(node, Phrase):
        return "title" in node.fields
    if isinstance(node, CategoryTerm | Not):
        return False
    return any(searches_titles(op) for op in node.operands)


def _joined(expression: str | None, *more: str) -> str | None:
    parts = [p for p in (expression, *more) if p]
    return " AND ".join(f"({p})" for p in parts) if parts else None
