"""The SQLite archive: WAL, explicit schema, numbered migrations, FTS5.

All SQL lives behind ``Store``'s methods, so a PostgreSQL store can later offer the same
methods without other stages changing. Writes that belong together run in one transaction
(``with store.transaction():``), so a run killed at any point leaves the archive consistent.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from paperfeed.archive.sqlite import rows
from paperfeed.core.errors import StoreError
from paperfeed.core.records import (
    Digest,
    DigestEntry,
    DigestSection,
    Listing,
    ListingItem,
    Match,
    Paper,
    RunReport,
    fold_whitespace,
)

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Which source wins when the same (arxiv_id, version) arrives twice: richer metadata wins.
_SOURCE_RANK = {"import-compact": 0, "import": 1, "rss": 2, "api": 3}


@dataclass(frozen=True, slots=True)
class SearchHit:
    paper: Paper
    title_zh: str | None
    abstract_zh: str | None
    listing_date: date | None  # the latest listing it appeared in, if any


@dataclass(frozen=True, slots=True)
class TranslationKey:
    """What a cached translation is keyed by, besides its source text."""

    engine: str
    model: str
    prompt_version: str
    lang: str = "zh"


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("paperfeed.archive.sqlite") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


def _system_clock() -> datetime:
    return datetime.now(UTC)


class Store:
    """One open archive. Use ``Store.open(path)``; close with ``close()`` or as a context manager."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path,
        clock: Callable[[], datetime] = _system_clock,
    ) -> None:
        self._db = connection
        self.path = path
        self._clock = clock

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="seconds")

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: Path, *, timeout: float = 5.0, clock: Callable[[], datetime] = _system_clock
    ) -> Store:
        """Open (creating if needed) and migrate the archive at ``path``."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder for the database: {exc.strerror}",
                path=str(path),
                hint="set PAPERFEED_DB or PAPERFEED_HOME to a writable place",
            ) from None
        try:
            db = sqlite3.connect(
                path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot open the database: {exc}",
                path=str(path),
                hint="check the path and its permissions",
            ) from None
        db.row_factory = sqlite3.Row
        store = cls(db, path, clock)
        try:
            with store._translate_errors("opening"):
                db.execute("PRAGMA foreign_keys = ON")
                db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
                store._migrate()
        except StoreError:
            db.close()
            raise
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _translate_errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise StoreError(
                    f"the database is locked by another process while {doing}",
                    path=str(self.path),
                    hint="wait for the other paperfeed command to finish, then retry",
                ) from None
            raise StoreError(
                f"database error while {doing}: {text}",
                path=str(self.path),
                hint="check disk space and permissions",
            ) from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"not a paperfeed database, or it is corrupt ({exc}) while {doing}",
                path=str(self.path),
                hint="move the file aside and restore a backup, or point PAPERFEED_DB "
                "at another file; nothing was changed",
            ) from None

    def _migrate(self) -> None:
        current = self._db.execute("PRAGMA user_version").fetchone()[0]
        migrations = _migrations()
        latest = migrations[-1][0] if migrations else 0
        if current > latest:
            raise StoreError(
                f"the database is at schema version {current}, newer than this paperfeed ({latest})",
                path=str(self.path),
                hint="upgrade paperfeed",
            )
        for number, sql in migrations:
            if number <= current:
                continue
            log.info("applying migration %04d to %s", number, self.path)
            # executescript commits first; the migration and its version bump run in one transaction.
            self._db.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;"
            )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all. Nested calls join the outer one."""
        if self._db.in_transaction:
            yield
            return
        with self._translate_errors("starting a write"):
            self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        with self._translate_errors("committing"):
            self._db.execute("COMMIT")

    def integrity_ok(self) -> bool:
        with self._translate_errors("checking integrity"):
            return bool(self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    def count(self, table: str) -> int:
        if not re.fullmatch(r"[a-z_]+", table):
            raise ValueError(table)
        with self._translate_errors("counting"):
            return int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    # -- papers -----------------------------------------------------------------------------

    def upsert_paper(self, paper: Paper, source: str) -> int:
        """Store one paper version; returns its row id. A richer source refreshes the fields."""
        params = rows.paper_params(paper, source, self._now())
        with self._translate_errors("storing a paper"):
            row = self._db.execute(
                "SELECT id, source FROM papers WHERE arxiv_id = ? AND version = ?",
                (paper.arxiv_id, paper.version),
            ).fetchone()
            if row is None:
                cursor = self._db.execute(
                    "INSERT INTO papers (arxiv_id, version, title, authors, abstract, categories, "
                    "primary_category, comment, journal_ref, doi, license, published, updated, source, "
                    "first_seen) VALUES (:arxiv_id, :version, :title, :authors, :abstract, :categories, "
                    ":primary_category, :comment, :journal_ref, :doi, :license, :published, :updated, "
                    ":source, :first_seen)",
                    params,
                )
                return int(cursor.lastrowid or 0)
            if _SOURCE_RANK.get(source, 0) >= _SOURCE_RANK.get(row["source"], 0):
                self._db.execute(
                    "UPDATE papers SET title = :title, authors = :authors, abstract = :abstract, "
                    "categories = :categories, primary_category = :primary_category, "
                    "comment = coalesce(:comment, comment), journal_ref = coalesce(:journal_ref, journal_ref), "
                    "doi = coalesce(:doi, doi), license = coalesce(:license, license), "
                    "published = coalesce(:published, published), updated = coalesce(:updated, updated), "
                    "source = :source WHERE id = :id "
                    "AND (title, authors, abstract, categories, source) IS NOT "
                    "(:title, :authors, :abstract, :categories, :source)",
                    {**params, "id": row["id"]},
                )
            return int(row["id"])

    def paper(self, arxiv_id: str, version: int | None = None) -> Paper | None:
        """A stored paper: the given version, or the latest one."""
        sql = f"SELECT {rows.PAPER_COLUMNS} FROM papers WHERE arxiv_id = ?"
        args: tuple[object, ...] = (arxiv_id,)
        if version is not None:
            sql += " AND version = ?"
            args += (version,)
        with self._translate_errors("reading a paper"):
            row = self._db.execute(sql + " ORDER BY version DESC LIMIT 1", args).fetchone()
        return rows.paper_from_row(row) if row else None

    def paper_row_id(self, arxiv_id: str, version: int) -> int | None:
        row = self._db.execute(
            "SELECT id FROM papers WHERE arxiv_id = ? AND version = ?", (arxiv_id, version)
        ).fetchone()
        return int(row["id"]) if row else None

    def set_paper_translation(
        self, paper_row_id: int, title_zh: str | None, abstract_zh: str | None
    ) -> None:
        """Record the current Chinese text of a paper version (what search and pages show)."""
        with self._translate_errors("storing a translation"):
            self._db.execute(
                "INSERT INTO paper_translations (paper_id, title_zh, abstract_zh) VALUES (?, ?, ?) "
                "ON CONFLICT (paper_id) DO UPDATE SET "
                "title_zh = coalesce(excluded.title_zh, title_zh), "
                "abstract_zh = coalesce(excluded.abstract_zh, abstract_zh)",
                (paper_row_id, title_zh, abstract_zh),
            )

    # -- listings ---------------------------------------------------------------------------

    def has_listing(self, listing_date: date) -> bool:
        with self._translate_errors("reading listings"):
            return (
                self._db.execute(
                    "SELECT 1 FROM listings WHERE listing_date = ?", (rows.day(listing_date),)
                ).fetchone()
                is not None
            )

    def save_listing(self, listing: Listing) -> None:
        """Store a listing and its papers in one transaction, replacing an earlier copy."""
        key = rows.day(listing.listing_date)
        with self.transaction():
            self._db.execute("DELETE FROM listings WHERE listing_date = ?", (key,))
            self._db.execute(
                "INSERT INTO listings (listing_date, source, feeds, item_count, stored_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    key,
                    listing.source,
                    json.dumps(list(listing.feeds)),
                    len(listing.items),
                    self._now(),
                ),
            )
            for position, item in enumerate(listing.items):
                paper_id = self.upsert_paper(item.paper, listing.source)
                self._db.execute(
                    "INSERT INTO listing_items (listing_date, arxiv_id, paper_id, announce_type, position) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (key, item.paper.arxiv_id, paper_id, item.announce_type, position),
                )

    def listing(self, listing_date: date) -> Listing | None:
        key = rows.day(listing_date)
        with self._translate_errors("reading a listing"):
            head = self._db.execute(
                "SELECT * FROM listings WHERE listing_date = ?", (key,)
            ).fetchone()
            if head is None:
                return None
            found = self._db.execute(
                f"SELECT li.announce_type, {rows.PAPER_COLUMNS.replace('arxiv_id', 'p.arxiv_id')} "
                "FROM listing_items li JOIN papers p ON p.id = li.paper_id "
                "WHERE li.listing_date = ? ORDER BY li.position",
                (key,),
            ).fetchall()
        items = []
        for row in found:
            kind = rows.announce_type(row["announce_type"])
            assert kind is not None
            items.append(ListingItem(paper=rows.paper_from_row(row), announce_type=kind))
        return Listing(
            listing_date=listing_date,
            items=tuple(items),
            feeds=tuple(json.loads(head["feeds"])),
            source=head["source"],
        )

    def listing_dates(self) -> list[date]:
        with self._translate_errors("reading listings"):
            found = self._db.execute(
                "SELECT listing_date FROM listings ORDER BY listing_date"
            ).fetchall()
        return [date.fromisoformat(r[0]) for r in found]

    # -- translations -----------------------------------------------------------------------

    def cached_translation(self, source_text: str, kind: str, key: TranslationKey) -> str | None:
        """The cached translation of ``source_text``: this engine's own first, then imported
        translation memory, then any other engine's newest. Keyed by the text with white space
        folded, so a line break where another copy had a space is still a hit."""
        with self._translate_errors("reading the translation cache"):
            row = self._db.execute(
                "SELECT text FROM translations WHERE source_hash = ? AND kind = ? AND lang = ? "
                "ORDER BY (engine = ? AND model = ? AND prompt_version = ?) DESC, "
                "(engine = 'import') DESC, id DESC LIMIT 1",
                (
                    rows.text_hash(fold_whitespace(source_text)),
                    kind,
                    key.lang,
                    key.engine,
                    key.model,
                    key.prompt_version,
                ),
            ).fetchone()
        return str(row["text"]) if row else None

    def save_translation(self, source_text: str, kind: str, text: str, key: TranslationKey) -> None:
        with self._translate_errors("storing a translation"):
            self._db.execute(
                "INSERT INTO translations (source_hash, kind, lang, engine, model, prompt_version, "
                "source_text, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (source_hash, kind, lang, engine, model, prompt_version) "
                "DO UPDATE SET text = excluded.text, created_at = excluded.created_at",
                (
                    rows.text_hash(fold_whitespace(source_text)),
                    kind,
                    key.lang,
                    key.engine,
                    key.model,
                    key.prompt_version,
                    source_text,
                    text,
                    self._now(),
                ),
            )

    # -- matches and digests ----------------------------------------------------------------

    def save_matches(self, listing_date: date, matches: Mapping[str, Sequence[Match]]) -> None:
        key = rows.day(listing_date)
        with self.transaction():
            self._db.execute("DELETE FROM matches WHERE listing_date = ?", (key,))
            for topic, found in matches.items():
                for match in found:
                    paper_id = self.upsert_paper(match.paper, "rss")
                    self._db.execute(
                        "INSERT INTO matches (listing_date, topic, arxiv_id, paper_id, announce_type, terms) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            key,
                            topic,
                            match.paper.arxiv_id,
                            paper_id,
                            match.announce_type,
                            rows.terms_json(match.terms),
                        ),
                    )

    def delivered(self, topics: Sequence[str], before: date) -> dict[str, set[str]]:
        """arXiv ids already delivered under each topic in digests dated before ``before``."""
        out: dict[str, set[str]] = {t: set() for t in topics}
        with self._translate_errors("reading digests"):
            found = self._db.execute(
                "SELECT e.topic, e.arxiv_id FROM digest_entries e JOIN digests d ON d.id = e.digest_id "
                "WHERE d.listing_date < ?",
                (rows.day(before),),
            ).fetchall()
        for row in found:
            if row["topic"] in out:
                out[row["topic"]].add(row["arxiv_id"])
        return out

    def save_digest(self, digest: Digest, *, source_for_papers: str = "rss") -> None:
        """Store a digest, replacing any earlier one for its listing date, in one transaction."""
        key = rows.day(digest.listing_date)
        with self.transaction():
            self._db.execute("DELETE FROM digests WHERE listing_date = ?", (key,))
            cursor = self._db.execute(
                "INSERT INTO digests (listing_date, header, generated_at, announced_at, timezone, source, "
                "stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    digest.header,
                    rows.iso(digest.generated_at),
                    rows.iso(digest.announced_at),
                    digest.timezone,
                    digest.source,
                    self._now(),
                ),
            )
            digest_id = cursor.lastrowid
            for t_pos, section in enumerate(digest.sections):
                self._db.execute(
                    "INSERT INTO digest_topics (digest_id, position, name) VALUES (?, ?, ?)",
                    (digest_id, t_pos, section.topic),
                )
                for e_pos, entry in enumerate(section.entries):
                    paper_id = self.upsert_paper(entry.paper, source_for_papers)
                    self._db.execute(
                        "INSERT INTO digest_entries (digest_id, topic_position, position, topic, arxiv_id, "
                        "paper_id, title_zh, abstract_zh, announce_type, terms) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            digest_id,
                            t_pos,
                            e_pos,
                            section.topic,
                            entry.paper.arxiv_id,
                            paper_id,
                            entry.title_zh,
                            entry.abstract_zh,
                            entry.announce_type,
                            rows.terms_json(entry.terms),
                        ),
                    )

    def digest(self, listing_date: date) -> Digest | None:
        key = rows.day(listing_date)
        with self._translate_errors("reading a digest"):
            head = self._db.execute(
                "SELECT * FROM digests WHERE listing_date = ?", (key,)
            ).fetchone()
            if head is None:
                return None
            topics = self._db.execute(
                "SELECT position, name FROM digest_topics WHERE digest_id = ? ORDER BY position",
                (head["id"],),
            ).fetchall()
            entries = self._db.execute(
                f"SELECT e.topic_position, e.title_zh, e.abstract_zh, e.announce_type, e.terms, "
                f"{rows.PAPER_COLUMNS.replace('arxiv_id', 'p.arxiv_id')} "
                "FROM digest_entries e JOIN papers p ON p.id = e.paper_id "
                "WHERE e.digest_id = ? ORDER BY e.topic_position, e.position",
                (head["id"],),
            ).fetchall()
        by_topic: dict[int, list[DigestEntry]] = {row["position"]: [] for row in topics}
        for row in entries:
            by_topic[row["topic_position"]].append(
                DigestEntry(
                    paper=rows.paper_from_row(row),
                    title_zh=row["title_zh"],
                    abstract_zh=row["abstract_zh"],
                    announce_type=rows.announce_type(row["announce_type"]),
                    terms=rows.terms_from_json(row["terms"]),
                )
            )
        generated = rows.parse_iso(head["generated_at"])
        assert generated is not None
        return Digest(
            listing_date=listing_date,
            header=head["header"],
            generated_at=generated,
            announced_at=rows.parse_iso(head["announced_at"]),
            timezone=head["timezone"],
            sections=tuple(
                DigestSection(topic=row["name"], entries=tuple(by_topic[row["position"]]))
                for row in topics
            ),
            source=head["source"],
        )

    def digest_dates(self) -> list[date]:
        with self._translate_errors("reading digests"):
            found = self._db.execute(
                "SELECT listing_date FROM digests ORDER BY listing_date"
            ).fetchall()
        return [date.fromisoformat(r[0]) for r in found]

    # -- subject names ----------------------------------------------------------------------

    def save_subject_names(self, names: Mapping[str, str]) -> None:
        with self._translate_errors("storing subject names"):
            self._db.executemany(
                "INSERT INTO subject_names (code, name) VALUES (?, ?) "
                "ON CONFLICT (code) DO UPDATE SET name = excluded.name",
                list(names.items()),
            )

    def subject_names(self) -> dict[str, str]:
        with self._translate_errors("reading subject names"):
            return {
                r["code"]: r["name"]
                for r in self._db.execute("SELECT code, name FROM subject_names")
            }

    # -- search -----------------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        """Full-text search over titles, abstracts, authors, and their Chinese translations.

        English words are stemmed (``policies`` finds ``policy``); Chinese is matched by
        substring (trigrams; shorter than three characters falls back to a scan).
        """
        query = query.strip()
        if not query:
            return []
        with self._translate_errors("searching"):
            if _CJK.search(query):
                ids = self._search_chinese(query, limit + offset)
            else:
                ids = self._search_english(query, limit + offset)
            hits = []
            for paper_id in ids[offset : offset + limit]:
                row = self._db.execute(
                    f"SELECT p.id, {rows.PAPER_COLUMNS.replace('arxiv_id', 'p.arxiv_id')}, "
                    "t.title_zh, t.abstract_zh, "
                    "(SELECT max(listing_date) FROM listing_items li WHERE li.paper_id = p.id) AS listed "
                    "FROM papers p LEFT JOIN paper_translations t ON t.paper_id = p.id WHERE p.id = ?",
                    (paper_id,),
                ).fetchone()
                hits.append(
                    SearchHit(
                        paper=rows.paper_from_row(row),
                        title_zh=row["title_zh"],
                        abstract_zh=row["abstract_zh"],
                        listing_date=date.fromisoformat(row["listed"]) if row["listed"] else None,
                    )
                )
        return hits

    def _latest_versions(self, found: Sequence[sqlite3.Row], want: int) -> list[int]:
        """Keep one row per arXiv id (its newest version), in rank order."""
        seen: set[str] = set()
        out: list[int] = []
        for row in found:
            if row["arxiv_id"] in seen:
                continue
            seen.add(row["arxiv_id"])
            out.append(int(row["id"]))
            if len(out) >= want:
                break
        return out

    def _search_english(self, query: str, want: int) -> list[int]:
        match = _fts_query(query)
        found = self._db.execute(
            "SELECT p.id, p.arxiv_id FROM papers_fts f JOIN papers p ON p.id = f.rowid "
            "WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts, 10.0, 3.0, 2.0), p.version DESC "
            "LIMIT ?",
            (match, want * 4 + 20),
        ).fetchall()
        return self._latest_versions(found, want)

    def _search_chinese(self, query: str, want: int) -> list[int]:
        terms = [t for t in query.split() if t]
        if all(len(t) >= 3 for t in terms):
            match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
            found = self._db.execute(
                "SELECT p.id, p.arxiv_id FROM zh_fts f JOIN papers p ON p.id = f.rowid "
                "WHERE zh_fts MATCH ? ORDER BY bm25(zh_fts, 10.0, 1.0), p.version DESC LIMIT ?",
                (match, want * 4 + 20),
            ).fetchall()
        else:
            clauses = " AND ".join(
                "(coalesce(t.title_zh, '') || ' ' || coalesce(t.abstract_zh, '')) "
                "LIKE ? ESCAPE '\\'"
                for _ in terms
            )
            params = [
                "%" + t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                for t in terms
            ]
            found = self._db.execute(
                "SELECT p.id, p.arxiv_id FROM paper_translations t JOIN papers p ON p.id = t.paper_id "
                f"WHERE {clauses} ORDER BY p.arxiv_id DESC, p.version DESC LIMIT ?",
                (*params, want * 4 + 20),
            ).fetchall()
        return self._latest_versions(found, want)

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, listing_date: date) -> int:
        """Record a new run; earlier runs of the date still 'running' were killed: say so."""
        with self._translate_errors("recording a run"):
            self._db.execute(
                "UPDATE runs SET status = 'interrupted', reason = 'the process ended before the run "
                "finished' WHERE status = 'running' AND listing_date = ?",
                (rows.day(listing_date),),
            )
            cursor = self._db.execute(
                "INSERT INTO runs (listing_date, started_at, status) VALUES (?, ?, 'running')",
                (rows.day(listing_date), self._now()),
            )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, report: RunReport) -> None:
        with self._translate_errors("recording a run"):
            self._db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, reason = ?, report = ? WHERE id = ?",
                (self._now(), report.status, report.reason, rows.report_json(report), run_id),
            )

    def runs(self, limit: int = 20) -> list[dict[str, object]]:
        with self._translate_errors("reading runs"):
            found = self._db.execute(
                "SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [dict(row) for row in found]

    # -- HTTP validator cache (sources.http.ValidatorCache) ---------------------------------

    def http_cache_get(self, url: str) -> sqlite3.Row | None:
        with self._translate_errors("reading the HTTP cache"):
            row: sqlite3.Row | None = self._db.execute(
                "SELECT * FROM http_cache WHERE url = ?", (url,)
            ).fetchone()
        return row

    def http_cache_put(
        self, url: str, etag: str | None, last_modified: str | None, status: int, body: bytes
    ) -> None:
        with self._translate_errors("writing the HTTP cache"):
            self._db.execute(
                "INSERT INTO http_cache (url, etag, last_modified, status, body, stored_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, "
                "last_modified = excluded.last_modified, status = excluded.status, body = excluded.body, "
                "stored_at = excluded.stored_at",
                (url, etag, last_modified, status, body, self._now()),
            )


_FTS_TOKEN = re.compile(r'"[^"]*"|[^\s"]+')
_FTS_OPERATORS = {"AND", "OR", "NOT"}


def _fts_query(query: str) -> str:
    """User words to an FTS5 expression: phrases kept, operators kept, everything else quoted
    (so punctuation such as ``Qwen2.5-7B`` or ``C++`` cannot raise an FTS syntax error)."""
    parts: list[str] = []
    skip_operand = False
    for token in _FTS_TOKEN.findall(query):
        if skip_operand:  # what a leading NOT excluded: FTS5 has no unary NOT, so drop both
            skip_operand = token in _FTS_OPERATORS
            continue
        if token in _FTS_OPERATORS:
            if not parts or parts[-1] in _FTS_OPERATORS:  # "NOT x", "a AND OR b"
                skip_operand = token == "NOT"
                continue
            parts.append(token)
        elif token.startswith('"'):
            inner = token.strip('"').replace('"', '""')
            if inner:
                parts.append(f'"{inner}"')
        else:
            prefix = token.endswith("*") and len(token) > 1
            word = token.rstrip("*").replace('"', '""')
            parts.append(f'"{word}"' + ("*" if prefix else ""))
    while parts and parts[-1] in _FTS_OPERATORS:
        parts.pop()
    while parts and parts[0] in {"AND", "OR"}:
        parts.pop(0)
    return " ".join(parts) or '""'
