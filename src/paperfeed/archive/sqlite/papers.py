"""Papers: every version of every paper seen, its current Chinese text, where it appeared, and
the subject names learnt from imported digests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import paperfeed.archive.sqlite.rows as rows
from paperfeed.archive.records import (
    ArchivedPaper,
    DigestAppearance,
    ListingAppearance,
    PaperVersion,
)
from paperfeed.archive.sqlite.connection import Connection
from paperfeed.core.records import Paper

# Which source wins when the same (arxiv_id, version) arrives twice: richer metadata wins.
_SOURCE_RANK = {"import-compact": 0, "import": 1, "rss": 2, "api": 3}

_ARCHIVED_COLUMNS = (
    f"p.id, {rows.PAPER_COLUMNS_OF_P}, "
    "t.title_zh AS t_title_zh, t.abstract_zh AS t_abstract_zh, "
    "(SELECT max(li.listing_date) FROM listing_items li WHERE li.arxiv_id = p.arxiv_id) AS listed, "
    "(SELECT max(d.listing_date) FROM digest_entries e JOIN digests d ON d.id = e.digest_id "
    " WHERE e.arxiv_id = p.arxiv_id) AS digested"
)


class PapersSql(Connection):
    def upsert_paper(self, paper: Paper, source: str) -> None:
        self._upsert_paper(paper, source)

    def _upsert_paper(self, paper: Paper, source: str) -> int:
        """Store one paper version; returns its row. A richer source refreshes the fields."""
        params = rows.paper_params(paper, source, self._now())
        with self._errors("storing a paper"):
            row = self._db.execute(
                "SELECT id, source FROM papers WHERE arxiv_id = ? AND version = ?",
                (paper.arxiv_id, paper.version),
            ).fetchone()
            if row is None:
                cursor = self._db.execute(
                    "INSERT INTO papers (arxiv_id, version, title, authors, abstract, categories, "
                    "primary_category, comment, journal_ref, doi, license, published, updated, source, "
                    "first_seen) VALUES (:arxiv_id, :version, :title, :authors, :abstract, :categories, "
                    ":primary_category, :comment, :journal_ref, :doi, :license, :published, :updated, "
                    ":source, :first_seen)",
                    params,
                )
                return int(cursor.lastrowid or 0)
            if _SOURCE_RANK.get(source, 0) >= _SOURCE_RANK.get(row["source"], 0):
                self._db.execute(
                    "UPDATE papers SET title = :title, authors = :authors, abstract = :abstract, "
                    "categories = :categories, primary_category = :primary_category, "
                    "comment = coalesce(:comment, comment), journal_ref = coalesce(:journal_ref, journal_ref), "
                    "doi = coalesce(:doi, doi), license = coalesce(:license, license), "
                    "published = coalesce(:published, published), updated = coalesce(:updated, updated), "
                    "source = :source WHERE id = :id "
                    "AND (title, authors, abstract, categories, source) IS NOT "
                    "(:title, :authors, :abstract, :categories, :source)",
                    {**params, "id": row["id"]},
                )
            return int(row["id"])

    def stored_versions(self, papers: Sequence[Paper]) -> set[str]:
        """The versioned ids of those of ``papers`` whose version the archive has."""
        with self._errors("reading papers"):
            return {
                p.versioned_id for p in papers if self._paper_row(p.arxiv_id, p.version) is not None
            }

    def paper(self, arxiv_id: str, version: int | None = None) -> Paper | None:
        sql = f"SELECT {rows.PAPER_COLUMNS} FROM papers WHERE arxiv_id = ?"
        args: tuple[object, ...] = (arxiv_id,)
        if version is not None:
            sql += " AND version = ?"
            args += (version,)
        with self._errors("reading a paper"):
            row = self._db.execute(sql + " ORDER BY version DESC LIMIT 1", args).fetchone()
        return rows.paper_from_row(row) if row else None

    def set_paper_translation(
        self, paper: Paper, title_zh: str | None, abstract_zh: str | None
    ) -> None:
        with self._errors("storing a translation"):
            row_id = self._paper_row(paper.arxiv_id, paper.version)
            if row_id is not None:
                self._set_translation(row_id, title_zh, abstract_zh)

    def _set_translation(self, row_id: int, title_zh: str | None, abstract_zh: str | None) -> None:
        self._db.execute(
            "INSERT INTO paper_translations (paper_id, title_zh, abstract_zh) VALUES (?, ?, ?) "
            "ON CONFLICT (paper_id) DO UPDATE SET "
            "title_zh = coalesce(excluded.title_zh, title_zh), "
            "abstract_zh = coalesce(excluded.abstract_zh, abstract_zh)",
            (row_id, title_zh, abstract_zh),
        )

    # -- the latest version of papers, with what the archive knows around them --------------

    def archived_papers(self, arxiv_ids: Sequence[str]) -> dict[str, ArchivedPaper]:
        """The latest stored version of each paper, with its Chinese text and latest listing."""
        wanted = list(dict.fromkeys(arxiv_ids))
        if not wanted:
            return {}
        out: dict[str, ArchivedPaper] = {}
        db = self._db
        with self._errors("reading papers"):
            for chunk in rows.chunks(wanted):
                marks = ",".join("?" * len(chunk))
                found = db.execute(
                    f"SELECT {_ARCHIVED_COLUMNS} FROM papers p "
                    "LEFT JOIN paper_translations t ON t.paper_id = p.id "
                    f"WHERE p.arxiv_id IN ({marks}) AND p.version = "
                    "(SELECT max(version) FROM papers v WHERE v.arxiv_id = p.arxiv_id)",
                    list(chunk),
                ).fetchall()
                for row in found:
                    out[row["arxiv_id"]] = self._archived(row)
        return out

    def _archived(self, row: rows.Row) -> ArchivedPaper:
        db = self._db
        title_zh, abstract_zh = row["t_title_zh"], row["t_abstract_zh"]
        if title_zh is None or abstract_zh is None:
            # A digest may carry the text (imported digests do) where the paper row has none.
            entry = db.execute(
                "SELECT title_zh, abstract_zh FROM digest_entries WHERE arxiv_id = ? "
                "AND paper_id = ? AND (title_zh IS NOT NULL OR abstract_zh IS NOT NULL) "
                "ORDER BY digest_id DESC LIMIT 1",
                (row["arxiv_id"], row["id"]),
            ).fetchone()
            if entry is not None:
                title_zh = title_zh if title_zh is not None else entry["title_zh"]
                abstract_zh = abstract_zh if abstract_zh is not None else entry["abstract_zh"]
        listed = max(d for d in (row["listed"], row["digested"], "") if d is not None)
        kind = None
        if row["listed"]:
            found_kind = db.execute(
                "SELECT announce_type FROM listing_items WHERE arxiv_id = ? AND listing_date = ?",
                (row["arxiv_id"], row["listed"]),
            ).fetchone()
            kind = rows.announce_type(found_kind[0]) if found_kind else None
        return ArchivedPaper(
            paper=rows.paper_from_row(row),
            title_zh=title_zh,
            abstract_zh=abstract_zh,
            listing_date=date.fromisoformat(listed) if listed else None,
            announce_type=kind,
        )

    def paper_versions(self, arxiv_id: str) -> list[PaperVersion]:
        with self._errors("reading a paper's versions"):
            found = self._db.execute(
                "SELECT version, source, first_seen, updated FROM papers WHERE arxiv_id = ? "
                "ORDER BY version",
                (arxiv_id,),
            ).fetchall()
        return [PaperVersion(r[0], r[1], r[2], r[3]) for r in found]

    def listing_appearances(self, arxiv_id: str) -> list[ListingAppearance]:
        with self._errors("reading a paper's listings"):
            found = self._db.execute(
                "SELECT listing_date, announce_type FROM listing_items WHERE arxiv_id = ? "
                "ORDER BY listing_date DESC",
                (arxiv_id,),
            ).fetchall()
        out = []
        for r in found:
            kind = rows.announce_type(r[1])
            assert kind is not None  # the column is NOT NULL with a CHECK
            out.append(ListingAppearance(date.fromisoformat(r[0]), kind))
        return out

    def digest_appearances(self, arxiv_id: str) -> list[DigestAppearance]:
        with self._errors("reading a paper's digests"):
            found = self._db.execute(
                "SELECT d.listing_date, e.topic, e.terms FROM digest_entries e "
                "JOIN digests d ON d.id = e.digest_id WHERE e.arxiv_id = ? "
                "ORDER BY d.listing_date DESC, e.topic_position",
                (arxiv_id,),
            ).fetchall()
        return [
            DigestAppearance(date.fromisoformat(r[0]), r[1], rows.terms_from_json(r[2]))
            for r in found
        ]

    def missing_from_archive(self, arxiv_ids: Sequence[str]) -> tuple[str, ...]:
        """Those of ``arxiv_ids`` of which the archive has no version (in the order given)."""
        with self._errors("reading papers"):
            return tuple(
                arxiv_id
                for arxiv_id in dict.fromkeys(arxiv_ids)
                if self._db.execute(
                    "SELECT 1 FROM papers WHERE arxiv_id = ? LIMIT 1", (arxiv_id,)
                ).fetchone()
                is None
            )

    # -- subject names ------------------------------------------------------------------------

    def save_subject_names(self, names: Mapping[str, str]) -> None:
        with self._errors("storing subject names"):
            self._db.executemany(
                "INSERT INTO subject_names (code, name) VALUES (?, ?) "
                "ON CONFLICT (code) DO UPDATE SET name = excluded.name",
                list(names.items()),
            )

    def subject_names(self) -> dict[str, str]:
        with self._errors("reading subject names"):
            return {
                r["code"]: r["name"]
                for r in self._db.execute("SELECT code, name FROM subject_names")
            }
