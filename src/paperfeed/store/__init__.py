"""The archive. SQLite by default; all SQL stays behind ``Store``'s methods."""

from paperfeed.store.sqlite import SearchHit, Store, TranslationKey

__all__ = ["SearchHit", "Store", "TranslationKey"]
