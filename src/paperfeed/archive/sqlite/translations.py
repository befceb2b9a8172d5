"""The translation cache (one row per source text, kind, language, engine, model and prompt
version; engine "import" rows are imported digests' translation memory) and TL;DRs."""

from __future__ import annotations

from collections.abc import Sequence

from paperfeed.archive.records import TranslationKey
from paperfeed.archive.sqlite.connection import Connection
from paperfeed.core.records import Paper, fold_whitespace, text_hash


class TranslationsSql(Connection):
    def cached_translation(self, source_text: str, kind: str, key: TranslationKey) -> str | None:
        """Keyed by the text with white space folded, so a line break where another copy had
        a space is still a hit."""
        with self._errors("reading the translation cache"):
            row = self._db.execute(
                "SELECT text FROM translations WHERE source_hash = ? AND kind = ? AND lang = ? "
                "ORDER BY (engine = ? AND model = ? AND prompt_version = ?) DESC, "
                "(engine = 'import') DESC, id DESC LIMIT 1",
                (
                    text_hash(fold_whitespace(source_text)),
                    kind,
                    key.lang,
                    key.engine,
                    key.model,
                    key.prompt_version,
                ),
            ).fetchone()
        return str(row["text"]) if row else None

    def save_translation(self, source_text: str, kind: str, text: str, key: TranslationKey) -> None:
        with self._errors("storing a translation"):
            self._db.execute(
                "INSERT INTO translations (source_hash, kind, lang, engine, model, prompt_version, "
                "source_text, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (source_hash, kind, lang, engine, model, prompt_version) "
                "DO UPDATE SET text = excluded.text, created_at = excluded.created_at",
                (
                    text_hash(fold_whitespace(source_text)),
                    kind,
                    key.lang,
                    key.engine,
                    key.model,
                    key.prompt_version,
                    source_text,
                    text,
                    self._now(),
                ),
            )

    def save_tldr(self, paper: Paper, tldr: str, *, engine: str, model: str) -> None:
        """Record the TL;DR of a stored paper version (a paper not in the archive is skipped)."""
        with self._errors("storing a TL;DR"):
            row_id = self._paper_row(paper.arxiv_id, paper.version)
            if row_id is None:
                return
            self._db.execute(
                "INSERT INTO paper_tldr (paper_id, tldr, engine, model, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (paper_id) DO UPDATE SET tldr = excluded.tldr, "
                "engine = excluded.engine, model = excluded.model, created_at = excluded.created_at",
                (row_id, tldr, engine, model, self._now()),
            )

    def tldrs_for(self, papers: Sequence[Paper]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self._errors("reading TL;DRs"):
            for paper in papers:
                row = self._db.execute(
                    "SELECT t.tldr FROM paper_tldr t JOIN papers p ON p.id = t.paper_id "
                    "WHERE p.arxiv_id = ? AND p.version = ?",
                    (paper.arxiv_id, paper.version),
                ).fetchone()
                if row is not None:
                    found[paper.versioned_id] = str(row[0])
        return found
