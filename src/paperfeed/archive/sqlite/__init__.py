"""The archive. SQLite by default; all SQL stays behind ``Store``'s methods."""

from paperfeed.archive.sqlite.store import SearchHit, Store, TranslationKey

__all__ = ["SearchHit", "Store", "TranslationKey"]
