"""``paperfeed import``: existing digests into the archive.

A seed-text digest brings its papers, its Chinese titles and abstracts (kept as translation
memory, engine ``import``, so later runs reuse them instead of paying a model) and the digest
itself, so ``paperfeed digest --date D`` prints it again byte for byte. A compact list brings
its papers' abstracts and their translations, and a digest when its date is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from paperfeed.archive import Archive
from paperfeed.archive.records import TranslationKey
from paperfeed.core.errors import DigestImportError
from paperfeed.core.records import UNKNOWN_VERSION, Digest, DigestEntry, DigestSection, Paper
from paperfeed.core.wording import counted
from paperfeed.importing.parsers import detect_format, parse_compact, parse_seed_text

MEMORY = TranslationKey(engine="import", model="", prompt_version="")
COMPACT_TOPIC = "(imported compact list)"
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True, slots=True)
class ImportResult:
    path: Path
    format: str
    listing_date: date | None
    papers: int
    translations: int
    digest: str  # "stored", "replaced", "kept the existing run digest", "not stored (...)"

    def summary(self) -> str:
        day = f" for {self.listing_date}" if self.listing_date else ""
        return (
            f"{self.path}: {self.format} digest{day}: {counted(self.papers, 'paper')}, "
            f"{self.translations} translations; digest {self.digest}"
        )


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DigestImportError("no such file", path=str(path)) from None
    except OSError as exc:
        raise DigestImportError(f"cannot read the file: {exc.strerror}", path=str(path)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DigestImportError(
            f"not UTF-8 text (byte {exc.start})",
            path=str(path),
            hint="digests are UTF-8; re-save the file as UTF-8",
        ) from None


def import_file(
    path: Path, store: Archive, *, listing_date: date | None = None, memory_only: bool = False
) -> ImportResult:
    """Import one digest file. Everything from one file is stored in one transaction."""
    text = read_text(path)
    fmt = detect_format(text)
    if fmt == "text":
        return _import_seed(path, text, store, memory_only)
    if fmt == "compact":
        day = listing_date or _date_from_name(path)
        return _import_compact(path, text, store, day, memory_only)
    raise DigestImportError(
        "not a digest in a known format",
        path=str(path),
        hint="paperfeed imports the seed text format (first line '生成时间: ...') and the compact "
        "format (abstract, Chinese abstract, https://arxiv.org/abs/<id>, repeated)",
    )


def _date_from_name(path: Path) -> date | None:
    found = _DATE_IN_NAME.search(path.name)
    if not found:
        return None
    try:
        return date.fromisoformat(found.group(1))
    except ValueError:
        return None


def _remember(store: Archive, paper: Paper, title_zh: str | None, abstract_zh: str | None) -> int:
    count = 0
    if title_zh is not None and paper.title:
        store.save_translation(paper.title, "title", title_zh, MEMORY)
        count += 1
    if abstract_zh is not None:
        store.save_translation(paper.abstract, "abstract", abstract_zh, MEMORY)
        count += 1
    return count


def _import_seed(path: Path, text: str, store: Archive, memory_only: bool) -> ImportResult:
    parsed = parse_seed_text(text, path=str(path))
    digest = parsed.digest
    translations = 0
    with store.transaction():
        for entry in digest.papers:
            store.upsert_paper(entry.paper, "import")
            translations += _remember(store, entry.paper, entry.title_zh, entry.abstract_zh)
            store.set_paper_translation(entry.paper, entry.title_zh, entry.abstract_zh)
        store.save_subject_names(parsed.subject_names)
        outcome = "not stored (--memory-only)" if memory_only else _store_digest(store, digest)
    return ImportResult(
        path=path,
        format="text",
        listing_date=digest.listing_date,
        papers=digest.paper_count,
        translations=translations,
        digest=outcome,
    )


def _store_digest(store: Archive, digest: Digest) -> str:
    existing = store.digest(digest.listing_date)
    if existing is not None and existing.source == "run":
        return "not stored: the archive already has this date's digest from a run"
    store.save_digest(digest, source_for_papers="import")
    return "replaced" if existing is not None else "stored"


def _import_compact(
    path: Path, text: str, store: Archive, day: date | None, memory_only: bool
) -> ImportResult:
    items = parse_compact(text, path=str(path))
    entries = []
    translations = 0
    with store.transaction():
        for item in items:
            # A paper the archive already knows keeps its richer record; otherwise the compact
            # list is all there is: an abstract without title, authors or categories.
            paper = store.paper(item.arxiv_id) or Paper(
                arxiv_id=item.arxiv_id,
                version=UNKNOWN_VERSION,
                title="",
                authors=(),
                abstract=item.abstract,
                categories=(),
            )
            store.upsert_paper(paper, "import-compact")
            if item.abstract_zh is not None:
                store.save_translation(item.abstract, "abstract", item.abstract_zh, MEMORY)
                store.set_paper_translation(paper, None, item.abstract_zh)
                translations += 1
            title_zh = (
                store.cached_translation(paper.title, "title", MEMORY) if paper.title else None
            )
            entries.append(
                DigestEntry(
                    paper=paper, title_zh=title_zh, abstract_zh=item.abstract_zh, announce_type=None
                )
            )
        if memory_only:
            outcome = "not stored (--memory-only)"
        elif day is None:
            outcome = "not stored (no date: pass --date or put YYYY-MM-DD in the file name)"
        elif store.digest(day) is not None:
            outcome = "not stored: the archive already has a digest for this date"
        else:
            outcome = "stored"
            store.save_digest(
                Digest(
                    listing_date=day,
                    header="",
                    generated_at=_midnight_utc(day),
                    announced_at=None,
                    timezone="UTC",
                    sections=(DigestSection(COMPACT_TOPIC, tuple(entries)),),
                    source="import",
                ),
                source_for_papers="import-compact",
            )
    return ImportResult(
        path=path,
        format="compact",
        listing_date=day,
        papers=len(items),
        translations=translations,
        digest=outcome,
    )


def _midnight_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
