"""What an archive keeps in memory between queries: search filter extents and the exact vector
index's matrices. One ``ArchiveCaches`` per open archive by default; a server passes one to all
of its connections to the same file (they then share, under a lock, instead of each loading
the vectors again). Nothing is kept in module globals."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class LruCache:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                found: T = self._entries[key]
                return found
        value = make()  # outside the lock: two threads may both make it; both results agree
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class ArchiveCaches:
    def __init__(self) -> None:
        # Search filters' extents (row counts and id ranges), keyed by the archive's change
        # stamp, so a kept extent is never stale.
        self.extents = LruCache(512)
        # The exact vector index: one matrix per model, topped up as embeddings are added.
        self.matrices: dict[tuple[str, str], Any] = {}
        self.matrices_lock = threading.Lock()

    def clear(self) -> None:
        self.extents.clear()
        with self.matrices_lock:
            self.matrices.clear()
