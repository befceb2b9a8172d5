"""The SQLite backend: the embedded default. WAL, one writer, explicit schema, numbered
migrations, FTS5 full-text search, sqlite-vec codes beside the file for large embedded archives.

Every SQL statement of paperfeed is in this package, one module per aggregate of
``paperfeed.archive.interface``; ``SqliteArchive`` combines them over one connection.
"""

from paperfeed.archive.sqlite.caches import ArchiveCaches
from paperfeed.archive.sqlite.deliveries import DeliveriesSql
from paperfeed.archive.sqlite.digests import DigestsSql
from paperfeed.archive.sqlite.embeddings import EmbeddingsSql
from paperfeed.archive.sqlite.http_cache import HttpCacheSql
from paperfeed.archive.sqlite.listings import ListingsSql
from paperfeed.archive.sqlite.reactions import ReactionsSql
from paperfeed.archive.sqlite.runs import RunsSql
from paperfeed.archive.sqlite.scores import ScoresSql
from paperfeed.archive.sqlite.search import SearchSql
from paperfeed.archive.sqlite.signals import SignalsSql
from paperfeed.archive.sqlite.translations import TranslationsSql


class SqliteArchive(
    ListingsSql,
    DigestsSql,
    SearchSql,
    SignalsSql,
    TranslationsSql,
    ReactionsSql,
    EmbeddingsSql,
    ScoresSql,
    DeliveriesSql,
    RunsSql,
    HttpCacheSql,
):
    """One open SQLite archive: ``SqliteArchive.open(path)``; close it, or use it as a
    context manager."""


__all__ = ["ArchiveCaches", "SqliteArchive"]
