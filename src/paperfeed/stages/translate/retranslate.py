"""``paperfeed translate``: (re)translate papers already in the archive, and bring the stored
digests that list them (and their files) up to date.

Without ``force`` the cache answers whatever it can, so only papers still in English cost
anything, and a digest entry that already has Chinese keeps it. With ``force`` the engine is
asked again for every paper and the digests take the new text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from paperfeed.archive import Archive
from paperfeed.config import Settings
from paperfeed.core.errors import UsageError
from paperfeed.core.records import Digest, DigestEntry, DigestSection, Paper, Translation
from paperfeed.engines.translate import Engine
from paperfeed.stages.translate.service import (
    TranslationRun,
    record_translations,
    summarize_papers,
    translate_papers,
)
from paperfeed.stages.write import write_digest_files

_VERSIONED_ID = re.compile(r"^(?P<id>.+?)v(?P<version>\d+)$")


@dataclass(frozen=True, slots=True)
class RetranslateResult:
    papers: tuple[Paper, ...]
    run: TranslationRun
    digests: tuple[date, ...]  # digests whose entries changed
    files: tuple[str, ...]  # files rewritten


def papers_to_translate(
    store: Archive, *, listing_date: date | None, ids: Sequence[str]
) -> tuple[list[Paper], list[date]]:
    """The papers ``paperfeed translate`` works on, and the digests to update: the digest of
    ``listing_date``, the papers named by ``ids`` (``2606.04029`` or ``2606.04029v2``), or else
    the latest digest."""
    if ids:
        papers: list[Paper] = []
        for raw in ids:
            found = _VERSIONED_ID.match(raw)
            arxiv_id, version = (found["id"], int(found["version"])) if found else (raw, None)
            paper = store.paper(arxiv_id, version)
            if paper is None:
                raise UsageError(
                    f"paper {raw} is not in the archive",
                    hint="run `paperfeed run` for its listing date, or check the id",
                )
            papers.append(paper)
        return papers, store.digest_dates_with([p.arxiv_id for p in papers])
    dates = store.digest_dates()
    if not dates:
        raise UsageError(
            "the archive has no digests yet", hint="run `paperfeed run` or `paperfeed import FILE`"
        )
    day = listing_date or dates[-1]
    digest = store.digest(day)
    if digest is None:
        raise UsageError(
            f"no digest for {day} in the archive",
            hint=f"run `paperfeed run --date {day}` first",
        )
    return [e.paper for e in digest.papers], [day]


def retranslate(
    settings: Settings,
    store: Archive,
    engine: Engine,
    *,
    listing_date: date | None = None,
    ids: Sequence[str] = (),
    force: bool = False,
    on_start: Callable[[int], Callable[[int], None]] | None = None,
) -> RetranslateResult:
    """Translate the chosen papers, record their Chinese, update the digests listing them and
    rewrite those digests' files. ``on_start(total)`` returns a progress callback."""
    papers, dates = papers_to_translate(store, listing_date=listing_date, ids=ids)
    advance = on_start(len(papers) * 2) if on_start else None
    run = translate_papers(
        papers,
        engine,
        store,
        on_progress=advance,
        token_budget=settings.translate.token_budget,
        force=force,
    )
    record_translations(store, papers, run)
    summarize_papers(papers, engine, store, generate=settings.translate.tldr)
    changed: list[date] = []
    files: list[str] = []
    by_id = {p.arxiv_id: run.translations[p.versioned_id] for p in papers}
    for day in dates:
        digest = store.digest(day)
        if digest is None:
            continue
        updated = update_digest(digest, by_id, force=force)
        if updated == digest and not settings.translate.tldr:
            continue
        if updated != digest:
            store.save_digest(
                updated, source_for_papers="import" if digest.source == "import" else "rss"
            )
            changed.append(day)
        written = write_digest_files(
            updated,
            settings.output_dir,
            settings.formats,
            store.subject_names(),
            tldrs=store.tldrs_for([e.paper for e in updated.papers]),
            scores=store.scores_for(day),  # the relevance breakdowns stay in HTML/JSON
        )
        files.extend(str(f) for f in written)
    return RetranslateResult(
        papers=tuple(papers), run=run, digests=tuple(changed), files=tuple(files)
    )


def update_digest(digest: Digest, translations: dict[str, Translation], *, force: bool) -> Digest:
    """``digest`` with the new Chinese text of its entries: for untranslated fields, or for every
    field with ``force``. A failed translation never erases text the entry already has."""

    def entry_with(entry: DigestEntry) -> DigestEntry:
        tr = translations.get(entry.paper.arxiv_id)
        if tr is None or (tr.arxiv_id, tr.version) != (entry.paper.arxiv_id, entry.paper.version):
            return entry
        title = entry.title_zh
        abstract = entry.abstract_zh
        if tr.title is not None and (force or title is None):
            title = tr.title
        if tr.abstract is not None and (force or abstract is None):
            abstract = tr.abstract
        return replace(entry, title_zh=title, abstract_zh=abstract)

    sections = tuple(
        DigestSection(topic=s.topic, entries=tuple(entry_with(e) for e in s.entries))
        for s in digest.sections
    )
    return replace(digest, sections=sections)
