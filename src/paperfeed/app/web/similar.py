"""Related papers by embedding similarity, for the paper page, when the relevance extra is
installed and papers have been embedded (``paperfeed run`` with ``[relevance] enabled``, or
``paperfeed related``). Only stored vectors are read: a page view never loads the model."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from paperfeed.archive import Archive

# (store, arXiv id, limit) -> (arXiv id, cosine similarity), most similar first
SimilarPapers = Callable[[Archive, str, int], Sequence[tuple[str, float]]]


def embedding_neighbours(store: Archive, arxiv_id: str, limit: int) -> list[tuple[str, float]]:
    from paperfeed.core.errors import RelevanceError
    from paperfeed.stages.relevance.related import related_papers

    try:
        found = related_papers(store, arxiv_id, limit)
    except RelevanceError:  # not in the archive, or no vectors yet: the page falls back
        return []
    return [(n.paper.arxiv_id, n.similarity) for n in found]


def similar_papers_finder() -> SimilarPapers | None:
    """The embedding finder when the relevance extra is installed, else None."""
    from paperfeed.config.relevance import extra_available

    return embedding_neighbours if extra_available() else None
