"""The archive as the HTTP layer's validator cache: a rerun's feeds cost a 304, not a download."""

from __future__ import annotations

from paperfeed.archive.sqlite.store import Store
from paperfeed.sources.http import CachedResponse


class StoreValidatorCache:
    """``sources.http.ValidatorCache`` kept in the archive's ``http_cache`` table."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, url: str) -> CachedResponse | None:
        row = self._store.http_cache_get(url)
        if row is None:
            return None
        return CachedResponse(
            etag=row["etag"],
            last_modified=row["last_modified"],
            body=bytes(row["body"]),
            status=int(row["status"]),
        )

    def put(self, url: str, response: CachedResponse) -> None:
        self._store.http_cache_put(
            url, response.etag, response.last_modified, response.status, response.body
        )
