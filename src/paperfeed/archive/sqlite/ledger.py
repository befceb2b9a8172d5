"""The delivery ledger: what was sent to whom, so each (listing, channel, recipient) goes out once.

The protocol, for every send:

1. ``begin``: the row becomes ``sending`` (attempts + 1) and is committed with ``synchronous =
   FULL`` (on disk, not only in the OS's cache) *before* anything leaves the machine;
2. the message goes out, carrying the row's ``message_key`` (the SMTP Message-ID, the JSON
   webhook's ``Idempotency-Key``); a chat digest split in parts records each accepted part;
3. ``finish`` (``sent``) or ``fail`` (``failed``: certainly not delivered, retried next run;
   ``uncertain``: the request reached the service but its answer was lost).

A row still ``sending`` when the next process takes the delivery lock belongs to a process
that died between 1 and 3: ``recover_interrupted`` turns it into ``uncertain``, which is
reported and *not* resent unless asked (``paperfeed deliver --resend-uncertain``). That is the
residual window, stated honestly: a crash after the service accepted the message and before
step 3 committed leaves a delivery that may or may not have arrived; paperfeed never guesses
"not sent" and sends again by itself.

The ledger uses its own connection to the archive (the ``deliveries`` table comes from
migration 0002, applied by ``Store.open``) so that its ``sending`` marks are fully synchronous
while the bulk writes of the pipeline stay fast. The outcome records after a send need not be:
if a power cut loses one, the row is still ``sending``, which the next run treats as uncertain
(the safe side), so they are committed with ``synchronous = NORMAL``, one disk flush per
message instead of two.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal, cast

from paperfeed.core.errors import DeliveryError, StoreError

try:  # POSIX; without it (Windows) two concurrent deliveries are not prevented
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

DeliveryStatus = Literal["sending", "sent", "failed", "uncertain", "skipped"]
STATUSES: tuple[DeliveryStatus, ...] = ("sending", "sent", "failed", "uncertain", "skipped")
DONE: frozenset[str] = frozenset({"sent", "skipped"})
MAX_ATTEMPTS = 10  # a delivery that failed this often is reported, no longer retried
SCHEMA_VERSION = 2  # the migration that creates the table
INTERRUPTED = "interrupted while sending: the process ended before the outcome was recorded"


class SendError(DeliveryError):
    """One send failed. ``uncertain``: the request reached the service and its answer was lost,
    so it may have been delivered; otherwise it certainly was not, and is retried next run."""

    def __init__(self, message: str, *, uncertain: bool = False, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.uncertain = uncertain


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    listing_date: date
    channel: str
    recipient: str
    message_key: str
    status: DeliveryStatus
    attempts: int
    parts_sent: int
    parts_total: int
    error: str
    detail: str
    updated_at: datetime
    sent_at: datetime | None


def _record(row: sqlite3.Row) -> DeliveryRecord:
    status = row["status"]
    if status not in STATUSES:
        raise StoreError(f"unknown delivery status {status!r} in the database")
    return DeliveryRecord(
        listing_date=date.fromisoformat(row["listing_date"]),
        channel=row["channel"],
        recipient=row["recipient"],
        message_key=row["message_key"],
        status=cast(DeliveryStatus, status),
        attempts=row["attempts"],
        parts_sent=row["parts_sent"],
        parts_total=row["parts_total"],
        error=row["error"],
        detail=row["detail"],
        updated_at=datetime.fromisoformat(row["updated_at"]),
        sent_at=datetime.fromisoformat(row["sent_at"]) if row["sent_at"] else None,
    )


def _system_clock() -> datetime:
    return datetime.now(UTC)


class DeliveryLedger:
    """The ``deliveries`` table. Open with ``DeliveryLedger.open(db_path)`` after ``Store.open``."""

    def __init__(
        self, connection: sqlite3.Connection, path: Path, clock: Callable[[], datetime]
    ) -> None:
        self._db = connection
        self.path = path
        self._clock = clock
        self._synchronous = "FULL"

    @classmethod
    def open(
        cls, path: Path, *, clock: Callable[[], datetime] = _system_clock, timeout: float = 5.0
    ) -> DeliveryLedger:
        try:
            db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            db.execute("PRAGMA synchronous = FULL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot open the delivery ledger: {exc}",
                path=str(path),
                hint="check the database path and its permissions",
            ) from None
        if version < SCHEMA_VERSION:
            db.close()
            raise StoreError(
                f"the database is at schema version {version}; the delivery ledger needs "
                f"{SCHEMA_VERSION}",
                path=str(path),
                hint="open the archive with paperfeed first (Store.open migrates it)",
            )
        return cls(db, path, clock)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> DeliveryLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="seconds")

    @contextlib.contextmanager
    def _sql(
        self, doing: str, *, write: bool = False, durable: bool = False
    ) -> Iterator[sqlite3.Connection]:
        """Run statements (in one transaction when ``write``); a ``durable`` commit is on disk
        when it returns, even if the power fails right after."""
        try:
            if write:
                wanted = "FULL" if durable else "NORMAL"
                if wanted != self._synchronous:
                    self._db.execute(f"PRAGMA synchronous = {wanted}")
                    self._synchronous = wanted
                self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if write:
                    self._db.execute("ROLLBACK")
                raise
            if write:
                self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(
                f"delivery ledger error while {doing}: {exc}",
                path=str(self.path),
                hint="another paperfeed may hold the database; retry, or check disk space",
            ) from None

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Only one process delivers at a time, so a ``sending`` row seen while holding the lock
        can only be left over from a process that died."""
        if fcntl is None:  # pragma: no cover
            yield
            return
        lock_path = self.path.with_name(self.path.name + ".deliver-lock")
        handle = lock_path.open("a+")
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise DeliveryError(
                    f"another paperfeed process is delivering (lock {lock_path})",
                    hint="wait for it to finish (is `paperfeed daemon` running?), then retry",
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            handle.close()  # closing releases the lock

    # -- reading ------------------------------------------------------------------------------

    def record(self, listing_date: date, channel: str, recipient: str) -> DeliveryRecord | None:
        with self._sql("reading a delivery") as db:
            row = db.execute(
                "SELECT * FROM deliveries WHERE listing_date = ? AND channel = ? AND recipient = ?",
                (listing_date.isoformat(), channel, recipient),
            ).fetchone()
        return _record(row) if row else None

    def records(self, listing_date: date | None = None) -> list[DeliveryRecord]:
        sql = "SELECT * FROM deliveries"
        args: tuple[str, ...] = ()
        if listing_date is not None:
            sql += " WHERE listing_date = ?"
            args = (listing_date.isoformat(),)
        with self._sql("reading deliveries") as db:
            found = db.execute(sql + " ORDER BY listing_date, channel, recipient", args).fetchall()
        return [_record(r) for r in found]

    def retryable(self) -> list[DeliveryRecord]:
        """Failed deliveries still worth another attempt, oldest first."""
        with self._sql("reading failed deliveries") as db:
            found = db.execute(
                "SELECT * FROM deliveries WHERE status = 'failed' AND attempts < ? "
                "ORDER BY listing_date, channel, recipient",
                (MAX_ATTEMPTS,),
            ).fetchall()
        return [_record(r) for r in found]

    def group(self, message_key: str) -> list[DeliveryRecord]:
        """Every row of one message (several listings when it was a merged catch-up)."""
        with self._sql("reading a delivery") as db:
            found = db.execute(
                "SELECT * FROM deliveries WHERE message_key = ? ORDER BY listing_date",
                (message_key,),
            ).fetchall()
        return [_record(r) for r in found]

    # -- the send protocol --------------------------------------------------------------------

    def recover_interrupted(self) -> list[DeliveryRecord]:
        """Rows left ``sending`` by a process that died: now ``uncertain``. Call under ``lock``."""
        with self._sql("recovering interrupted deliveries", write=True) as db:
            found = db.execute("SELECT * FROM deliveries WHERE status = 'sending'").fetchall()
            db.execute(
                "UPDATE deliveries SET status = 'uncertain', error = ?, updated_at = ? "
                "WHERE status = 'sending'",
                (INTERRUPTED, self._now()),
            )
        if found:
            log.warning("%d deliveries were interrupted while sending: now uncertain", len(found))
        return [_record(r) for r in found]

    def begin(
        self,
        dates: Sequence[date],
        channel: str,
        recipient: str,
        message_key: str,
        parts_total: int,
    ) -> int:
        """Mark the delivery ``sending`` (committed); returns how many parts were already
        accepted by an earlier attempt of the same message, to resume after them."""
        now = self._now()
        with self._sql("recording a send", write=True, durable=True) as db:
            for day in dates:
                db.execute(
                    "INSERT INTO deliveries (listing_date, channel, recipient, message_key, status, "
                    "attempts, parts_sent, parts_total, updated_at) "
                    "VALUES (?, ?, ?, ?, 'sending', 1, 0, ?, ?) "
                    "ON CONFLICT (listing_date, channel, recipient) DO UPDATE SET "
                    "status = 'sending', attempts = attempts + 1, error = '', "
                    "parts_sent = CASE WHEN message_key = excluded.message_key "
                    "AND parts_total = excluded.parts_total THEN parts_sent ELSE 0 END, "
                    "message_key = excluded.message_key, parts_total = excluded.parts_total, "
                    "updated_at = excluded.updated_at",
                    (day.isoformat(), channel, recipient, message_key, parts_total, now),
                )
            row = db.execute(
                "SELECT min(parts_sent) FROM deliveries WHERE message_key = ? "
                "AND channel = ? AND recipient = ?",
                (message_key, channel, recipient),
            ).fetchone()
        return int(row[0] or 0)

    def part_sent(self, message_key: str, parts_sent: int) -> None:
        with self._sql("recording a sent part", write=True) as db:
            db.execute(
                "UPDATE deliveries SET parts_sent = ?, updated_at = ? WHERE message_key = ?",
                (parts_sent, self._now(), message_key),
            )

    def finish(self, message_key: str, detail: str = "") -> None:
        now = self._now()
        with self._sql("recording a sent delivery", write=True) as db:
            db.execute(
                "UPDATE deliveries SET status = 'sent', parts_sent = parts_total, error = '', "
                "detail = ?, updated_at = ?, sent_at = ? WHERE message_key = ?",
                (detail, now, now, message_key),
            )

    def fail(self, message_key: str, error: str, *, uncertain: bool = False) -> None:
        with self._sql("recording a failed delivery", write=True) as db:
            db.execute(
                "UPDATE deliveries SET status = ?, error = ?, updated_at = ? WHERE message_key = ?",
                ("uncertain" if uncertain else "failed", error, self._now(), message_key),
            )

    def skip(
        self, dates: Sequence[date], channel: str, recipient: str, message_key: str, reason: str
    ) -> None:
        """Nothing to send (no paper in the recipient's topics): recorded so reruns agree."""
        now = self._now()
        with self._sql("recording a skipped delivery", write=True) as db:
            for day in dates:
                db.execute(
                    "INSERT INTO deliveries (listing_date, channel, recipient, message_key, status, "
                    "detail, updated_at) VALUES (?, ?, ?, ?, 'skipped', ?, ?) "
                    "ON CONFLICT (listing_date, channel, recipient) DO UPDATE SET "
                    "status = 'skipped', detail = excluded.detail, error = '', "
                    "message_key = excluded.message_key, updated_at = excluded.updated_at",
                    (day.isoformat(), channel, recipient, message_key, reason, now),
                )
