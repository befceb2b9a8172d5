"""Conditional-GET validators and bodies, so a rerun's feeds cost a 304, not a download."""

from __future__ import annotations

from paperfeed.archive.records import StoredResponse
from paperfeed.archive.sqlite.connection import Connection


class HttpCacheSql(Connection):
    def http_cache_get(self, url: str) -> StoredResponse | None:
        with self._errors("reading the HTTP cache"):
            row = self._db.execute(
                "SELECT etag, last_modified, status, body FROM http_cache WHERE url = ?", (url,)
            ).fetchone()
        if row is None:
            return None
        return StoredResponse(
            etag=row["etag"],
            last_modified=row["last_modified"],
            status=int(row["status"]),
            body=bytes(row["body"]),
        )

    def http_cache_put(self, url: str, response: StoredResponse) -> None:
        with self._errors("writing the HTTP cache"):
            self._db.execute(
                "INSERT INTO http_cache (url, etag, last_modified, status, body, stored_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, "
                "last_modified = excluded.last_modified, status = excluded.status, "
                "body = excluded.body, stored_at = excluded.stored_at",
                (
                    url,
                    response.etag,
                    response.last_modified,
                    response.status,
                    response.body,
                    self._now(),
                ),
            )
