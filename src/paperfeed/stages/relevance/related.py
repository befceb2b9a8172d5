"""Related papers: the archive's papers whose embeddings are nearest to one paper's.

``related_papers`` is what the web app's paper page and ``paperfeed related`` call. Without an
embedder it only reads stored vectors (cheap, no model: a paper nobody embedded has no related
papers yet); with one it embeds the paper first when needed.
"""

from __future__ import annotations

from collections.abc import Callable

from paperfeed.archive import Archive
from paperfeed.archive.records import Neighbour
from paperfeed.config.relevance import DEFAULT_MODEL
from paperfeed.core.errors import RelevanceError
from paperfeed.engines.embed.embedder import Embedder
from paperfeed.stages.relevance.vectors import EmbedReport, as_vector, embed_papers, nearest_papers

# The name vectors of the packaged default model are stored under.
DEFAULT_MODEL_NAME = f"sentence-transformers/{DEFAULT_MODEL}"


def related_papers(
    store: Archive,
    arxiv_id: str,
    limit: int = 10,
    *,
    model: str = DEFAULT_MODEL_NAME,
    embedder: Embedder | None = None,
    index: str = "auto",
) -> list[Neighbour]:
    """Up to ``limit`` archive papers most similar to ``arxiv_id`` (itself left out), most
    similar first. Raises RelevanceError when the paper is not in the archive."""
    paper = store.paper(arxiv_id)
    if paper is None:
        raise RelevanceError(
            f"paper {arxiv_id} is not in the archive",
            hint="related papers are found among archived papers; check the id",
        )
    if embedder is not None:
        model = embedder.model_name
        embed_papers(store, embedder, [paper])
    stored = store.latest_paper_vector(model, arxiv_id)
    if stored is None:
        return []
    return nearest_papers(
        store, model, as_vector(stored.vector), limit=limit, exclude={arxiv_id}, index=index
    )


def embed_archive(
    store: Archive,
    embedder: Embedder,
    *,
    limit: int | None = None,
    on_start: Callable[[int], Callable[[int], None]] | None = None,
) -> EmbedReport:
    """Embed the newest version of every archived paper that has no embedding yet."""
    papers = store.papers_without_embedding(embedder.model_name, limit=limit)
    advance = on_start(len(papers)) if on_start is not None and papers else None
    return embed_papers(store, embedder, papers, on_progress=advance)
