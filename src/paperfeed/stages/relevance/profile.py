"""The reader's interest profile: the papers they starred or listed, embedded.

Sources, in order (the first mention of a paper wins): the web app's stars (``[relevance]
stars``), then each file of ``[relevance] profile`` (BibTeX, CSL JSON, arXiv-id lists). A paper
named by arXiv id is embedded from the archive's copy; a bibliography entry without an id, or
with an id the archive lacks, from its own title and abstract. An id with neither is reported
as missing (``paperfeed profile build --fetch`` fetches their metadata from arXiv).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from paperfeed.archive import Archive
from paperfeed.core.errors import RelevanceError
from paperfeed.core.records import Paper, fold_whitespace
from paperfeed.core.scoring import ProfileRef
from paperfeed.engines.embed.embedder import Embedder, texts_text
from paperfeed.engines.embed.model import Matrix
from paperfeed.importing.profiles import ProfileEntry, read_profile_file
from paperfeed.stages.relevance.vectors import as_vector, embed_papers, embed_texts

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProfileSources:
    """What the reader gave, before embedding."""

    entries: tuple[ProfileEntry, ...]
    problems: tuple[str, ...] = ()  # files that could not be read, one message each


@dataclass(frozen=True, slots=True)
class Profile:
    model: str
    refs: tuple[ProfileRef, ...]  # one per row of ``matrix``
    sources: tuple[str, ...]  # where each came from: "stars", "library.bib", ...
    matrix: Matrix = field(repr=False)  # unit-length rows
    missing: tuple[ProfileEntry, ...] = ()  # arXiv ids with no text to embed
    problems: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.refs

    def nearest(self, vectors: Matrix) -> tuple[Matrix, npt.NDArray[np.int64]]:
        """For each row of ``vectors``: the cosine to the nearest profile paper, and its index."""
        if self.empty or not len(vectors):
            return (np.zeros(len(vectors), np.float32), np.zeros(len(vectors), np.int64))
        similarities = vectors @ self.matrix.T
        best = np.argmax(similarities, axis=1)
        return similarities[np.arange(len(vectors)), best].astype(np.float32), best


def gather_sources(
    store: Archive, profile_files: Sequence[Path], *, stars: bool = True
) -> ProfileSources:
    """Stars and profile files as entries, de-duplicated; unreadable files become problems."""
    found: list[ProfileEntry] = []
    problems: list[str] = []
    if stars:
        found.extend(ProfileEntry(arxiv_id, source="stars") for arxiv_id in store.all_starred())
    for path in profile_files:
        try:
            found.extend(read_profile_file(path))
        except RelevanceError as exc:
            log.warning("profile source skipped: %s", exc.message)
            problems.append(exc.message)
    seen: set[str] = set()
    entries: list[ProfileEntry] = []
    for entry in found:
        key = entry.arxiv_id or "title:" + fold_whitespace(entry.title).casefold()
        if key not in seen:
            seen.add(key)
            entries.append(entry)
    return ProfileSources(tuple(entries), tuple(problems))


def build_profile(store: Archive, embedder: Embedder, sources: ProfileSources) -> Profile:
    """Embed every profile entry there is text for (archive papers through the archive's
    embedding cache, other entries through the text cache)."""
    archived: list[tuple[ProfileEntry, Paper]] = []
    textual: list[ProfileEntry] = []
    missing: list[ProfileEntry] = []
    for entry in sources.entries:
        paper = store.paper(entry.arxiv_id) if entry.arxiv_id else None
        if paper is not None:
            archived.append((entry, paper))
        elif entry.title:
            textual.append(entry)
        else:
            missing.append(entry)
    embed_papers(store, embedder, [paper for _, paper in archived])
    refs: list[ProfileRef] = []
    origins: list[str] = []
    rows: list[Matrix] = []
    for entry, paper in archived:
        stored = store.latest_paper_vector(embedder.model_name, paper.arxiv_id)
        if stored is None:  # cannot happen after embed_papers; be safe rather than crash
            missing.append(entry)
            continue
        refs.append(ProfileRef(paper.arxiv_id, paper.title))
        origins.append(entry.source)
        rows.append(as_vector(stored.vector))
    if textual:
        matrix = embed_texts(store, embedder, [texts_text(e.title, e.abstract) for e in textual])
        for entry, vector in zip(textual, matrix, strict=True):
            refs.append(ProfileRef(entry.arxiv_id, entry.title))
            origins.append(entry.source)
            rows.append(vector)
    matrix = (
        np.vstack(rows).astype(np.float32)
        if rows
        else np.zeros((0, embedder.dim), dtype=np.float32)
    )
    if missing:
        log.info("%d profile papers are not in the archive and have no text", len(missing))
    return Profile(
        model=embedder.model_name,
        refs=tuple(refs),
        sources=tuple(origins),
        matrix=matrix,
        missing=tuple(missing),
        problems=sources.problems,
    )
