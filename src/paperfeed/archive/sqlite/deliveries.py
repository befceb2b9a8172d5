"""The delivery ledger: what was sent to whom, so each (listing, channel, recipient) goes out once.

The protocol, for every send:

1. ``begin_delivery``: the row becomes ``sending`` (attempts + 1) and is committed with
   ``synchronous = FULL`` (on disk, not only in the OS's cache) *before* anything leaves the
   machine;
2. the message goes out, carrying the row's ``message_key`` (the SMTP Message-ID, the JSON
   webhook's ``Idempotency-Key``); a chat digest split in parts records each accepted part;
3. ``finish_delivery`` (``sent``) or ``fail_delivery`` (``failed``: certainly not delivered,
   retried next run; ``uncertain``: the request reached the service but its answer was lost).

A row still ``sending`` when the next process takes ``delivery_lock`` belongs to a process that
died between 1 and 3: ``recover_interrupted_deliveries`` turns it into ``uncertain``, which is
reported and *not* resent unless asked (``paperfeed deliver --resend-uncertain``). That is the
residual window, stated honestly: a crash after the service accepted the message and before
step 3 committed leaves a delivery that may or may not have arrived; paperfeed never guesses
"not sent" and sends again by itself.

Only the ``sending`` marks need a full disk flush; the outcome records after a send need not
(if a power cut loses one, the row is still ``sending``, which the next run treats as
uncertain: the safe side), so they commit with the archive's usual ``synchronous = NORMAL``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import cast

from paperfeed.archive.records import (
    DELIVERY_STATUSES,
    MAX_DELIVERY_ATTEMPTS,
    DeliveryRecord,
    DeliveryStatus,
)
from paperfeed.archive.sqlite.connection import Connection
from paperfeed.core.errors import DeliveryError, StoreError

try:  # POSIX; without it (Windows) two concurrent deliveries are not prevented
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted while sending: the process ended before the outcome was recorded"


def _record(row: sqlite3.Row) -> DeliveryRecord:
    status = row["status"]
    if status not in DELIVERY_STATUSES:
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


class DeliveriesSql(Connection):
    @contextlib.contextmanager
    def _ledger(self, doing: str, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction of the ledger; a ``durable`` commit is on disk when it
        returns, even if the power fails right after."""
        if self._db.in_transaction:
            # Joining an outer transaction would delay the commit the protocol relies on.
            raise RuntimeError("the delivery ledger writes outside any other transaction")
        try:
            if durable:
                self._db.execute("PRAGMA synchronous = FULL")
            try:
                with self.transaction():
                    yield self._db
            finally:
                if durable:
                    self._db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise StoreError(
                f"delivery ledger error while {doing}: {exc}",
                path=str(self.path),
                hint="another paperfeed may hold the database; retry, or check disk space",
            ) from None

    @contextlib.contextmanager
    def delivery_lock(self) -> Iterator[None]:
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

    def delivery_record(
        self, listing_date: date, channel: str, recipient: str
    ) -> DeliveryRecord | None:
        with self._errors("reading a delivery"):
            row = self._db.execute(
                "SELECT * FROM deliveries WHERE listing_date = ? AND channel = ? AND recipient = ?",
                (listing_date.isoformat(), channel, recipient),
            ).fetchone()
        return _record(row) if row else None

    def delivery_records(self, listing_date: date | None = None) -> list[DeliveryRecord]:
        sql = "SELECT * FROM deliveries"
        args: tuple[str, ...] = ()
        if listing_date is not None:
            sql += " WHERE listing_date = ?"
            args = (listing_date.isoformat(),)
        with self._errors("reading deliveries"):
            found = self._db.execute(
                sql + " ORDER BY listing_date, channel, recipient", args
            ).fetchall()
        return [_record(r) for r in found]

    def retryable_deliveries(self) -> list[DeliveryRecord]:
        """Failed deliveries still worth another attempt, oldest first."""
        with self._errors("reading failed deliveries"):
            found = self._db.execute(
                "SELECT * FROM deliveries WHERE status = 'failed' AND attempts < ? "
                "ORDER BY listing_date, channel, recipient",
                (MAX_DELIVERY_ATTEMPTS,),
            ).fetchall()
        return [_record(r) for r in found]

    def delivery_group(self, message_key: str) -> list[DeliveryRecord]:
        """Every row of one message (several listings when it was a merged catch-up)."""
        with self._errors("reading a delivery"):
            found = self._db.execute(
                "SELECT * FROM deliveries WHERE message_key = ? ORDER BY listing_date",
                (message_key,),
            ).fetchall()
        return [_record(r) for r in found]

    # -- the send protocol --------------------------------------------------------------------

    def recover_interrupted_deliveries(self) -> list[DeliveryRecord]:
        """Rows left ``sending`` by a process that died: now ``uncertain``. Call under
        ``delivery_lock``."""
        with self._ledger("recovering interrupted deliveries") as db:
            found = db.execute("SELECT * FROM deliveries WHERE status = 'sending'").fetchall()
            db.execute(
                "UPDATE deliveries SET status = 'uncertain', error = ?, updated_at = ? "
                "WHERE status = 'sending'",
                (INTERRUPTED, self._now()),
            )
        if found:
            log.warning("%d deliveries were interrupted while sending: now uncertain", len(found))
        return [_record(r) for r in found]

    def begin_delivery(
        self,
        dates: Sequence[date],
        channel: str,
        recipient: str,
        message_key: str,
        parts_total: int,
    ) -> int:
        """Mark the delivery ``sending`` (committed, on disk); returns how many parts were
        already accepted by an earlier attempt of the same message, to resume after them."""
        now = self._now()
        with self._ledger("recording a send", durable=True) as db:
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

    def delivery_part_sent(self, message_key: str, parts_sent: int) -> None:
        with self._ledger("recording a sent part") as db:
            db.execute(
                "UPDATE deliveries SET parts_sent = ?, updated_at = ? WHERE message_key = ?",
                (parts_sent, self._now(), message_key),
            )

    def finish_delivery(self, message_key: str, detail: str = "") -> None:
        now = self._now()
        with self._ledger("recording a sent delivery") as db:
            db.execute(
                "UPDATE deliveries SET status = 'sent', parts_sent = parts_total, error = '', "
                "detail = ?, updated_at = ?, sent_at = ? WHERE message_key = ?",
                (detail, now, now, message_key),
            )

    def fail_delivery(self, message_key: str, error: str, *, uncertain: bool = False) -> None:
        with self._ledger("recording a failed delivery") as db:
            db.execute(
                "UPDATE deliveries SET status = ?, error = ?, updated_at = ? WHERE message_key = ?",
                ("uncertain" if uncertain else "failed", error, self._now(), message_key),
            )

    def skip_delivery(
        self, dates: Sequence[date], channel: str, recipient: str, message_key: str, reason: str
    ) -> None:
        """Nothing to send (no paper in the recipient's topics): recorded so reruns agree."""
        now = self._now()
        with self._ledger("recording a skipped delivery") as db:
            for day in dates:
                db.execute(
                    "INSERT INTO deliveries (listing_date, channel, recipient, message_key, status, "
                    "detail, updated_at) VALUES (?, ?, ?, ?, 'skipped', ?, ?) "
                    "ON CONFLICT (listing_date, channel, recipient) DO UPDATE SET "
                    "status = 'skipped', detail = excluded.detail, error = '', "
                    "message_key = excluded.message_key, updated_at = excluded.updated_at",
                    (day.isoformat(), channel, recipient, message_key, reason, now),
                )
