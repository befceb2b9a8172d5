"""Listings: which papers an announcement listed, and how."""

from __future__ import annotations

import json
from datetime import date

import paperfeed.archive.sqlite.rows as rows
from paperfeed.archive.sqlite.papers import PapersSql
from paperfeed.core.records import Listing, ListingItem


class ListingsSql(PapersSql):
    def has_listing(self, listing_date: date) -> bool:
        with self._errors("reading listings"):
            return (
                self._db.execute(
                    "SELECT 1 FROM listings WHERE listing_date = ?", (rows.day(listing_date),)
                ).fetchone()
                is not None
            )

    def save_listing(self, listing: Listing) -> None:
        key = rows.day(listing.listing_date)
        with self.transaction():
            self._db.execute("DELETE FROM listings WHERE listing_date = ?", (key,))
            self._db.execute(
                "INSERT INTO listings (listing_date, source, feeds, item_count, stored_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    key,
                    listing.source,
                    json.dumps(list(listing.feeds)),
                    len(listing.items),
                    self._now(),
                ),
            )
            for position, item in enumerate(listing.items):
                paper_id = self._upsert_paper(item.paper, listing.source)
                self._db.execute(
                    "INSERT INTO listing_items (listing_date, arxiv_id, paper_id, announce_type, position) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (key, item.paper.arxiv_id, paper_id, item.announce_type, position),
                )

    def listing(self, listing_date: date) -> Listing | None:
        key = rows.day(listing_date)
        with self._errors("reading a listing"):
            head = self._db.execute(
                "SELECT * FROM listings WHERE listing_date = ?", (key,)
            ).fetchone()
            if head is None:
                return None
            found = self._db.execute(
                f"SELECT li.announce_type, {rows.PAPER_COLUMNS_OF_P} "
                "FROM listing_items li JOIN papers p ON p.id = li.paper_id "
                "WHERE li.listing_date = ? ORDER BY li.position",
                (key,),
            ).fetchall()
        items = []
        for row in found:
            kind = rows.announce_type(row["announce_type"])
            assert kind is not None
            items.append(ListingItem(paper=rows.paper_from_row(row), announce_type=kind))
        return Listing(
            listing_date=listing_date,
            items=tuple(items),
            feeds=tuple(json.loads(head["feeds"])),
            source=head["source"],
        )

    def listing_dates(self) -> list[date]:
        with self._errors("reading listings"):
            found = self._db.execute(
                "SELECT listing_date FROM listings ORDER BY listing_date"
            ).fetchall()
        return [date.fromisoformat(r[0]) for r in found]
