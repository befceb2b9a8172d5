"""The archive: what a backend provides (``interface``: one Protocol per aggregate, and the
records that cross it) and the backends (``sqlite``; PostgreSQL to come).

``open_archive(database)`` is how everything else opens one: a file path or a ``sqlite:///``
URL selects SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from paperfeed.archive.interface import Archive
from paperfeed.archive.sqlite import ArchiveCaches, SqliteArchive
from paperfeed.archive.sqlite.connection import system_clock
from paperfeed.core.errors import StoreError


def database_path(database: str | Path) -> Path:
    """The SQLite file a database setting names (a path, or a ``sqlite:///`` URL)."""
    text = str(database)
    if text.startswith(("postgresql://", "postgres://")):
        raise StoreError(
            "a PostgreSQL database is not supported by this paperfeed",
            path=text.split("@")[-1],
            hint="set PAPERFEED_DB (or database in paperfeed.toml) to a SQLite file path",
        )
    return Path(text.removeprefix("sqlite:///")).expanduser()


def open_archive(
    database: str | Path,
    *,
    read_only: bool = False,
    clock: Callable[[], datetime] = system_clock,
    caches: ArchiveCaches | None = None,
    timeout: float = 5.0,
) -> Archive:
    """Open (creating and migrating if needed) the archive ``database`` names; ``read_only``
    opens an existing one without writing (a read-only mount, a backup). ``caches`` lets the
    connections of one server share what they keep in memory."""
    return SqliteArchive.open(
        database_path(database),
        read_only=read_only,
        clock=clock,
        caches=caches,
        timeout=timeout,
    )


__all__ = ["Archive", "ArchiveCaches", "database_path", "open_archive"]
