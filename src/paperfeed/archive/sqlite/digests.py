"""Topic matches of each listing, and digests as delivered: header, topics in order, entries in
order, with their Chinese text; the dates and sizes the web app's calendar shows."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date

import paperfeed.archive.sqlite.rows as rows
from paperfeed.archive.records import TermNeighbour
from paperfeed.archive.sqlite.papers import PapersSql
from paperfeed.core.records import Digest, DigestEntry, DigestSection, Match

# Papers related by matched terms are looked for among this many recent digest entries.
_RELATED_WINDOW = 400


class DigestsSql(PapersSql):
    def save_matches(self, listing_date: date, matches: Mapping[str, Sequence[Match]]) -> None:
        key = rows.day(listing_date)
        with self.transaction():
            self._db.execute("DELETE FROM matches WHERE listing_date = ?", (key,))
            for topic, found in matches.items():
                for match in found:
                    paper_id = self._upsert_paper(match.paper, "rss")
                    self._db.execute(
                        "INSERT INTO matches (listing_date, topic, arxiv_id, paper_id, announce_type, terms) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            key,
                            topic,
                            match.paper.arxiv_id,
                            paper_id,
                            match.announce_type,
                            rows.terms_json(match.terms),
                        ),
                    )

    def delivered(self, topics: Sequence[str], before: date) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {t: set() for t in topics}
        with self._errors("reading digests"):
            found = self._db.execute(
                "SELECT e.topic, e.arxiv_id FROM digest_entries e JOIN digests d ON d.id = e.digest_id "
                "WHERE d.listing_date < ?",
                (rows.day(before),),
            ).fetchall()
        for row in found:
            if row["topic"] in out:
                out[row["topic"]].add(row["arxiv_id"])
        return out

    def save_digest(self, digest: Digest, *, source_for_papers: str = "rss") -> None:
        """Store a digest, replacing any earlier one for its listing date, in one transaction."""
        key = rows.day(digest.listing_date)
        with self.transaction():
            self._db.execute("DELETE FROM digests WHERE listing_date = ?", (key,))
            cursor = self._db.execute(
                "INSERT INTO digests (listing_date, header, generated_at, announced_at, timezone, source, "
                "stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    digest.header,
                    rows.iso(digest.generated_at),
                    rows.iso(digest.announced_at),
                    digest.timezone,
                    digest.source,
                    self._now(),
                ),
            )
            digest_id = cursor.lastrowid
            for t_pos, section in enumerate(digest.sections):
                self._db.execute(
                    "INSERT INTO digest_topics (digest_id, position, name) VALUES (?, ?, ?)",
                    (digest_id, t_pos, section.topic),
                )
                for e_pos, entry in enumerate(section.entries):
                    paper_id = self._upsert_paper(entry.paper, source_for_papers)
                    self._db.execute(
                        "INSERT INTO digest_entries (digest_id, topic_position, position, topic, arxiv_id, "
                        "paper_id, title_zh, abstract_zh, announce_type, terms) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            digest_id,
                            t_pos,
                            e_pos,
                            section.topic,
                            entry.paper.arxiv_id,
                            paper_id,
                            entry.title_zh,
                            entry.abstract_zh,
                            entry.announce_type,
                            rows.terms_json(entry.terms),
                        ),
                    )

    def digest(self, listing_date: date) -> Digest | None:
        key = rows.day(listing_date)
        with self._errors("reading a digest"):
            head = self._db.execute(
                "SELECT * FROM digests WHERE listing_date = ?", (key,)
            ).fetchone()
            if head is None:
                return None
            topics = self._db.execute(
                "SELECT position, name FROM digest_topics WHERE digest_id = ? ORDER BY position",
                (head["id"],),
            ).fetchall()
            entries = self._db.execute(
                f"SELECT e.topic_position, e.title_zh, e.abstract_zh, e.announce_type, e.terms, "
                f"{rows.PAPER_COLUMNS_OF_P} "
                "FROM digest_entries e JOIN papers p ON p.id = e.paper_id "
                "WHERE e.digest_id = ? ORDER BY e.topic_position, e.position",
                (head["id"],),
            ).fetchall()
        by_topic: dict[int, list[DigestEntry]] = {row["position"]: [] for row in topics}
        for row in entries:
            by_topic[row["topic_position"]].append(
                DigestEntry(
                    paper=rows.paper_from_row(row),
                    title_zh=row["title_zh"],
                    abstract_zh=row["abstract_zh"],
                    announce_type=rows.announce_type(row["announce_type"]),
                    terms=rows.terms_from_json(row["terms"]),
                )
            )
        generated = rows.parse_iso(head["generated_at"])
        assert generated is not None
        return Digest(
            listing_date=listing_date,
            header=head["header"],
            generated_at=generated,
            announced_at=rows.parse_iso(head["announced_at"]),
            timezone=head["timezone"],
            sections=tuple(
                DigestSection(topic=row["name"], entries=tuple(by_topic[row["position"]]))
                for row in topics
            ),
            source=head["source"],
        )

    def digest_dates(self) -> list[date]:
        with self._errors("reading digests"):
            found = self._db.execute(
                "SELECT listing_date FROM digests ORDER BY listing_date"
            ).fetchall()
        return [date.fromisoformat(r[0]) for r in found]

    def latest_digest_date(self) -> date | None:
        with self._errors("reading digests"):
            row = self._db.execute("SELECT max(listing_date) FROM digests").fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def neighbouring_digests(self, day: date) -> tuple[date | None, date | None]:
        """The archive's nearest digest dates before and after ``day``."""
        key = rows.day(day)
        with self._errors("reading digests"):
            before = self._db.execute(
                "SELECT max(listing_date) FROM digests WHERE listing_date < ?", (key,)
            ).fetchone()[0]
            after = self._db.execute(
                "SELECT min(listing_date) FROM digests WHERE listing_date > ?", (key,)
            ).fetchone()[0]
        return (
            date.fromisoformat(before) if before else None,
            date.fromisoformat(after) if after else None,
        )

    def digest_sizes(self, start: date, end: date) -> dict[date, int]:
        """Digest dates from ``start`` to ``end`` (inclusive) -> distinct papers in each."""
        with self._errors("reading digests"):
            found = self._db.execute(
                "SELECT d.listing_date, count(DISTINCT e.arxiv_id) FROM digests d "
                "LEFT JOIN digest_entries e ON e.digest_id = d.id "
                "WHERE d.listing_date BETWEEN ? AND ? GROUP BY d.listing_date",
                (rows.day(start), rows.day(end)),
            ).fetchall()
        return {date.fromisoformat(r[0]): int(r[1]) for r in found}

    def topic_names(self) -> list[str]:
        """Every topic a stored digest has, most recently used first."""
        with self._errors("reading topics"):
            found = self._db.execute(
                "SELECT name FROM digest_topics GROUP BY name ORDER BY max(digest_id) DESC, name"
            ).fetchall()
        return [r[0] for r in found]

    def digest_dates_with(self, arxiv_ids: Sequence[str]) -> list[date]:
        """Listing dates of the stored digests that list any of ``arxiv_ids``, oldest first."""
        if not arxiv_ids:
            return []
        marks = ", ".join("?" for _ in arxiv_ids)
        with self._errors("reading digests"):
            found = self._db.execute(
                "SELECT DISTINCT d.listing_date FROM digests d JOIN digest_entries e "
                f"ON e.digest_id = d.id WHERE e.arxiv_id IN ({marks}) ORDER BY d.listing_date",
                tuple(arxiv_ids),
            ).fetchall()
        return [date.fromisoformat(r[0]) for r in found]

    def term_neighbours(self, arxiv_id: str, *, limit: int = 8) -> list[TermNeighbour]:
        """Papers that digests listed under the same topics for the same matched terms, most
        shared terms first, then most recent; papers of the same topics fill up when few share
        terms."""
        db = self._db
        with self._errors("finding related papers"):
            mine = db.execute(
                "SELECT DISTINCT topic, terms FROM digest_entries WHERE arxiv_id = ?", (arxiv_id,)
            ).fetchall()
            if not mine:
                return []
            topics = sorted({r[0] for r in mine})
            my_terms = {t.term.casefold(): t.term for r in mine for t in rows.terms_from_json(r[1])}
            my_needles = [
                ('"term": ' + json.dumps(folded, ensure_ascii=False), term)
                for folded, term in my_terms.items()
            ]
            marks = ",".join("?" * len(topics))
            candidates = db.execute(
                f"SELECT arxiv_id, topic, terms, digest_id FROM digest_entries "
                f"WHERE topic IN ({marks}) AND arxiv_id != ? ORDER BY digest_id DESC LIMIT ?",
                (*topics, arxiv_id, _RELATED_WINDOW),
            ).fetchall()
        scores: dict[str, tuple[set[str], set[str], int]] = {}
        for other, topic, terms, digest_id in candidates:
            shared_terms, shared_topics, _ = scores.setdefault(other, (set(), set(), digest_id))
            shared_topics.add(topic)
            # The stored JSON is rows.terms_json's: look for '"term": "<term>"' without parsing.
            folded_json = terms.casefold()
            for needle, term in my_needles:
                if needle in folded_json:
                    shared_terms.add(term)
        ranked = sorted(
            scores.items(),
            key=lambda kv: (-len(kv[1][0]), -len(kv[1][1]), -kv[1][2], kv[0]),
        )
        return [
            TermNeighbour(other, tuple(sorted(terms)), tuple(sorted(tops)))
            for other, (terms, tops, _) in ranked[:limit]
        ]
