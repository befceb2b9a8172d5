"""One SQLite connection to an archive file: opening (WAL, numbered migrations, or read-only),
transactions, and the translation of driver errors into ``StoreError``s that say what to do.

Every aggregate module of this package is a mixin over ``Connection``; ``SqliteArchive``
combines them. They share this one connection, so their writes join its transactions.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Self

from paperfeed.archive.sqlite.caches import ArchiveCaches
from paperfeed.core.errors import StoreError

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_TABLE_NAME = re.compile(r"[a-z_]+")


def migrations() -> list[tuple[int, str]]:
    """(number, SQL) of every migration this paperfeed knows, in order."""
    folder = resources.files("paperfeed.archive.sqlite") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_schema() -> int:
    found = migrations()
    return found[-1][0] if found else 0


def statements(script: str) -> Iterator[str]:
    """A migration's statements one at a time (a trigger's body holds semicolons too)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                yield pending
            pending = ""
    if pending.strip() and not pending.strip().startswith("--"):
        yield pending


def system_clock() -> datetime:
    return datetime.now(UTC)


class Connection:
    """The shared state of every aggregate: the connection, the file, the clock, the caches."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path,
        *,
        clock: Callable[[], datetime] = system_clock,
        caches: ArchiveCaches | None = None,
        read_only: bool = False,
    ) -> None:
        self._db = connection
        self.path = path
        self._clock = clock
        self._caches = caches or ArchiveCaches()
        self.read_only = read_only

    @property
    def caches(self) -> ArchiveCaches:
        return self._caches

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="seconds")

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        timeout: float = 5.0,
        clock: Callable[[], datetime] = system_clock,
        caches: ArchiveCaches | None = None,
        read_only: bool = False,
    ) -> Self:
        """Open and migrate the archive at ``path`` (created if needed); ``read_only``: open an
        existing archive without writing anything (a read-only mount, a backup)."""
        if read_only:
            db = cls._connect_read_only(path, timeout)
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the folder for the database: {exc.strerror}",
                    path=str(path),
                    hint="set PAPERFEED_DB or PAPERFEED_HOME to a writable place",
                ) from None
            if path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
                raise StoreError(
                    "the archive is read-only here (a read-only mount or file) and this "
                    "command writes to it",
                    path=str(path),
                    hint="read-only commands work on it: search, digest, runs, trending, "
                    "site build; run this one where the archive is writable",
                )
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
        archive = cls(db, path, clock=clock, caches=caches, read_only=read_only)
        try:
            with archive._errors("opening"):
                db.execute("PRAGMA foreign_keys = ON")
                db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                if read_only:
                    archive._check_schema()
                else:
                    archive._use_wal(timeout)
                    db.execute("PRAGMA synchronous = NORMAL")
                    archive._migrate()
        except StoreError:
            db.close()
            raise
        return archive

    @staticmethod
    def _connect_read_only(path: Path, timeout: float) -> sqlite3.Connection:
        if not path.is_file():
            raise StoreError(
                "no archive here",
                path=str(path),
                hint="run `paperfeed run` or `paperfeed import FILE` first, or set PAPERFEED_DB",
            )
        uri = path.resolve().as_uri()
        try:
            db = sqlite3.connect(
                f"{uri}?mode=ro",
                uri=True,
                timeout=timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:
                # A WAL archive on a read-only mount: SQLite cannot make the shared-memory file
                # readers need. Nothing can write there either, so the file is immutable.
                db.close()
                db = sqlite3.connect(
                    f"{uri}?mode=ro&immutable=1",
                    uri=True,
                    timeout=timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
            return db
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot open the database: {exc}",
                path=str(path),
                hint="check the path and its permissions",
            ) from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Driver errors as one ``StoreError`` that says what failed and what to do."""
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
            if "readonly" in text or "read-only" in text:
                raise StoreError(
                    f"the database is read-only while {doing}",
                    path=str(self.path),
                    hint="this command writes to the archive: run it where the file is writable",
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

    def _use_wal(self, timeout: float) -> None:
        """WAL mode, once per file. Switching is refused with "locked" while another process
        opens the same new file, without SQLite's busy handler waiting: retry until
        ``timeout``."""
        deadline = time.monotonic() + timeout
        pause = 0.005
        while True:
            try:
                if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.1)

    def _version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _refuse_newer(self, current: int, latest: int) -> None:
        if current > latest:
            raise StoreError(
                f"the database is at schema version {current}, newer than this paperfeed ({latest})",
                path=str(self.path),
                hint="upgrade paperfeed",
            )

    def _check_schema(self) -> None:
        current, latest = self._version(), latest_schema()
        self._refuse_newer(current, latest)
        if current < latest:
            raise StoreError(
                f"the database is at schema version {current} and this paperfeed needs {latest}; "
                "a read-only archive cannot be upgraded",
                path=str(self.path),
                hint="run any paperfeed command that writes (e.g. `paperfeed runs`) where the "
                "file is writable, once",
            )

    def _migrate(self) -> None:
        """Apply the migrations the archive lacks. The version is read under the write lock,
        so two processes opening a new archive at once both succeed: the second finds the
        first one's schema and applies nothing."""
        known = migrations()
        latest = known[-1][0] if known else 0
        current = self._version()
        self._refuse_newer(current, latest)
        if current == latest:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            current = self._version()
            self._refuse_newer(current, latest)
            for number, sql in known:
                if number <= current:
                    continue
                log.info("applying migration %04d to %s", number, self.path)
                for statement in statements(sql):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all. Nested calls join the outer one."""
        if self._db.in_transaction:
            yield
            return
        with self._errors("starting a write"):
            self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        with self._errors("committing"):
            self._db.execute("COMMIT")

    def integrity_ok(self) -> bool:
        with self._errors("checking integrity"):
            return bool(self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    def count(self, table: str) -> int:
        if not _TABLE_NAME.fullmatch(table):
            raise ValueError(table)
        with self._errors("counting"):
            return int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def _paper_row(self, arxiv_id: str, version: int) -> int | None:
        """The row of a paper version (never leaves the backend)."""
        row = self._db.execute(
            "SELECT id FROM papers WHERE arxiv_id = ? AND version = ?", (arxiv_id, version)
        ).fetchone()
        return int(row[0]) if row else None
