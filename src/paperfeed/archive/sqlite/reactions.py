"""Stars and upvotes from the web app's readers, and the web app's own small state.

A reader is one browser (a random id in a signed cookie). A star puts a paper on that reader's
reading list; an upvote counts towards trending, at most one per reader per paper (the table's
primary key says so). Papers are named without a version: a star survives a replacement.

"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from paperfeed.archive.records import Counts, Reaction, ReaderMarks, Stamps, TrendingRow
from paperfeed.archive.sqlite.connection import Connection

_TABLES = {"star": "web_stars", "upvote": "web_upvotes"}


def _table(kind: Reaction) -> str:
    try:
        return _TABLES[kind]
    except KeyError:
        raise ValueError(f"unknown reaction {kind!r}; use 'star' or 'upvote'") from None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class ReactionsSql(Connection):
    def set_reaction(
        self, kind: Reaction, reader: str, arxiv_id: str, on: bool, at: datetime
    ) -> bool:
        """Add (``on``) or remove one reader's star or upvote. Returns whether anything changed:
        a second upvote by the same reader is a no-op, never a second vote."""
        table = _table(kind)
        db = self._db
        with self.transaction(), self._errors(f"recording a {kind}"):
            if on:
                changed = db.execute(
                    f"INSERT INTO {table} (reader, arxiv_id, created_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (reader, arxiv_id, _iso(at)),
                ).rowcount
            else:
                changed = db.execute(
                    f"DELETE FROM {table} WHERE reader = ? AND arxiv_id = ?", (reader, arxiv_id)
                ).rowcount
            if changed:
                db.execute("UPDATE web_stamps SET value = value + 1 WHERE name = 'reactions'")
        return bool(changed)

    def reaction_counts(self, arxiv_ids: Sequence[str]) -> dict[str, Counts]:
        """Star and upvote counts of each paper (papers nobody reacted to are left out)."""
        if not arxiv_ids:
            return {}
        wanted = list(dict.fromkeys(arxiv_ids))
        marks = ",".join("?" * len(wanted))
        stars: dict[str, int] = {}
        votes: dict[str, int] = {}
        with self._errors("counting stars and upvotes"):
            for arxiv_id, n in self._db.execute(
                f"SELECT arxiv_id, count(*) FROM web_stars WHERE arxiv_id IN ({marks}) GROUP BY arxiv_id",
                wanted,
            ):
                stars[arxiv_id] = n
            for arxiv_id, n in self._db.execute(
                f"SELECT arxiv_id, count(*) FROM web_upvotes WHERE arxiv_id IN ({marks}) "
                "GROUP BY arxiv_id",
                wanted,
            ):
                votes[arxiv_id] = n
        return {
            arxiv_id: Counts(stars.get(arxiv_id, 0), votes.get(arxiv_id, 0))
            for arxiv_id in wanted
            if arxiv_id in stars or arxiv_id in votes
        }

    def reader_marks(self, reader: str) -> ReaderMarks:
        """Everything one reader has starred and upvoted (a reader's own lists are short)."""
        with self._errors("reading a reader's stars"):
            starred = frozenset(
                r[0]
                for r in self._db.execute(
                    "SELECT arxiv_id FROM web_stars WHERE reader = ?", (reader,)
                )
            )
            upvoted = frozenset(
                r[0]
                for r in self._db.execute(
                    "SELECT arxiv_id FROM web_upvotes WHERE reader = ?", (reader,)
                )
            )
        return ReaderMarks(starred=starred, upvoted=upvoted)

    def starred(self, reader: str, *, limit: int = 500) -> list[tuple[str, str]]:
        """One reader's reading list: (arxiv id, starred at), newest star first."""
        with self._errors("reading the reading list"):
            return [
                (r[0], r[1])
                for r in self._db.execute(
                    "SELECT arxiv_id, created_at FROM web_stars WHERE reader = ? "
                    "ORDER BY created_at DESC, arxiv_id DESC LIMIT ?",
                    (reader, limit),
                )
            ]

    def upvote_trending(
        self, since: datetime, *, topic: str | None = None, limit: int = 30, offset: int = 0
    ) -> list[TrendingRow]:
        """Papers by upvotes cast since ``since``, most first; ``topic``: only papers a digest listed
        under that topic. Ties go to the paper voted for most recently."""
        sql = (
            "SELECT arxiv_id, count(*) AS votes, max(created_at) AS last_vote FROM web_upvotes "
            "WHERE created_at >= ?"
        )
        args: list[object] = [_iso(since)]
        if topic is not None:
            sql += " AND arxiv_id IN (SELECT arxiv_id FROM digest_entries WHERE topic = ?)"
            args.append(topic)
        sql += (
            " GROUP BY arxiv_id ORDER BY votes DESC, last_vote DESC, arxiv_id DESC LIMIT ? OFFSET ?"
        )
        args += [limit, offset]
        with self._errors("ranking trending papers"):
            return [TrendingRow(r[0], r[1], r[2]) for r in self._db.execute(sql, args)]

    def stamps(self) -> Stamps:
        with self._errors("reading change stamps"):
            values = dict(self._db.execute("SELECT name, value FROM web_stamps").fetchall())
        return Stamps(
            archive=int(values.get("archive", 0)), reactions=int(values.get("reactions", 0))
        )

    def signing_secret(self) -> str:
        """The key for reader cookies and CSRF tokens: made on first use, then the same for every
        server process and restart (so cookies stay valid)."""
        db = self._db
        with self._errors("reading the web signing key"):
            row = db.execute("SELECT value FROM web_secrets WHERE name = 'signing'").fetchone()
            if row is not None:
                return str(row[0])
            # Two processes starting at once may both get here; the first insert wins for both.
            db.execute(
                "INSERT INTO web_secrets (name, value) VALUES ('signing', ?) ON CONFLICT DO NOTHING",
                (secrets.token_hex(32),),
            )
            return str(
                db.execute("SELECT value FROM web_secrets WHERE name = 'signing'").fetchone()[0]
            )

    def all_starred(self) -> list[str]:
        """arXiv ids any reader of the web app starred, most starred first, then newest."""
        with self._errors("reading stars"):
            return [
                str(r[0])
                for r in self._db.execute(
                    "SELECT arxiv_id FROM web_stars GROUP BY arxiv_id "
                    "ORDER BY count(*) DESC, max(created_at) DESC, arxiv_id"
                )
            ]
