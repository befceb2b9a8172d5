"""The pipeline's relevance stage: embed the day's papers, score the digest's, sort and cut.

    select ─► relevance ─► translate      (papers cut here are not translated)

It runs between selection and translation, so a threshold saves translation tokens. The model
is loaded only when the stage runs. Scores are stored per listing (``store.relevance``) and
rendered in the HTML and JSON digests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from paperfeed.archive import Archive
from paperfeed.config.relevance import RelevanceSettings
from paperfeed.core.records import Listing, Match, MatchedTerm, Paper, StageName
from paperfeed.core.scoring import (
    PaperSignals,
    Score,
    ScoringContext,
    followed_authors,
    score_paper,
)
from paperfeed.engines.embed.embedder import Embedder, make_embedder
from paperfeed.engines.embed.model import Matrix
from paperfeed.stages.contract import Done, OptionalStage, Progress, optional
from paperfeed.stages.relevance.profile import Profile, build_profile, gather_sources
from paperfeed.stages.relevance.vectors import EmbedReport, as_vector, embed_papers
from paperfeed.stages.select import Matches as DayMatches

log = logging.getLogger(__name__)

Matches = Mapping[str, tuple[Match, ...]]
Advance = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class RelevanceResult:
    matches: dict[str, tuple[Match, ...]]  # sorted and cut as configured
    scores: dict[str, Score]  # by arXiv id, the papers kept
    detail: str  # the run report's line
    dropped: int = 0  # papers cut by the threshold


# -- pure core --------------------------------------------------------------------------------


def distinct_papers(matches: Matches) -> list[Paper]:
    seen: dict[str, Paper] = {}
    for found in matches.values():
        for match in found:
            seen.setdefault(match.paper.arxiv_id, match.paper)
    return list(seen.values())


def paper_terms(matches: Matches) -> dict[str, tuple[MatchedTerm, ...]]:
    """Every term a paper matched, over all topics (first seen first)."""
    terms: dict[str, list[MatchedTerm]] = {}
    for found in matches.values():
        for match in found:
            known = terms.setdefault(match.paper.arxiv_id, [])
            known.extend(t for t in match.terms if t not in known)
    return {k: tuple(v) for k, v in terms.items()}


def score_papers(
    papers: Sequence[Paper],
    terms: Mapping[str, tuple[MatchedTerm, ...]],
    context: ScoringContext,
    *,
    profile: Profile | None = None,
    vectors: Mapping[str, Matrix] | None = None,
    followed: Sequence[str] = (),
    upvotes: Mapping[str, int] | None = None,
) -> dict[str, Score]:
    """Each paper's score. ``vectors`` are the papers' embeddings by arXiv id (a paper without
    one gets no similarity signal); ``upvotes`` the community's, by arXiv id."""
    similarity: dict[str, tuple[float, int]] = {}
    if profile is not None and not profile.empty and vectors:
        ids = [p.arxiv_id for p in papers if p.arxiv_id in vectors]
        if ids:
            best, nearest = profile.nearest(np.vstack([vectors[i] for i in ids]))
            similarity = {i: (float(best[n]), int(nearest[n])) for n, i in enumerate(ids)}
    scores: dict[str, Score] = {}
    for paper in papers:
        found = similarity.get(paper.arxiv_id)
        signals = PaperSignals(
            arxiv_id=paper.arxiv_id,
            terms=terms.get(paper.arxiv_id, ()),
            similarity=found[0] if found else None,
            nearest=profile.refs[found[1]] if found and profile is not None else None,
            authors=followed_authors(paper.authors, followed) if followed else (),
            upvotes=(upvotes or {}).get(paper.arxiv_id, 0),
        )
        scores[paper.arxiv_id] = score_paper(signals, context)
    return scores


def arrange(
    matches: Matches, scores: Mapping[str, Score], *, sort: str, threshold: float
) -> tuple[dict[str, tuple[Match, ...]], int]:
    """Each topic's matches cut at ``threshold`` and, with ``sort = "score"``, best first (ties
    keep arXiv order). Returns the matches and how many distinct papers were cut."""
    cut: set[str] = set()
    out: dict[str, tuple[Match, ...]] = {}
    for topic, found in matches.items():
        kept = []
        for match in found:
            score = scores.get(match.paper.arxiv_id)
            if threshold > 0 and score is not None and score.total < threshold:
                cut.add(match.paper.arxiv_id)
            else:
                kept.append(match)
        if sort == "score":
            kept.sort(
                key=lambda m: (
                    -(scores[m.paper.arxiv_id].total if m.paper.arxiv_id in scores else 0.0)
                )
            )
        out[topic] = tuple(kept)
    kept_ids = {m.paper.arxiv_id for found in out.values() for m in found}
    return out, len(cut - kept_ids)


# -- adapter ----------------------------------------------------------------------------------


def community_upvotes(store: Archive, arxiv_ids: Sequence[str]) -> tuple[bool, dict[str, int]]:
    """(whether the archive has community signals at all, upvotes by arXiv id)."""
    found = store.stored_signals(arxiv_ids)
    return store.has_community_signals(), {k: int(v.signals.upvotes) for k, v in found.items()}


class RelevanceStage:
    """Embeds, scores, sorts and cuts one listing's matches. The embedder is made on first use
    (loading a model takes seconds) and kept for the process's later runs."""

    def __init__(
        self,
        settings: RelevanceSettings,
        make: Callable[[], Embedder],
    ) -> None:
        self._settings = settings
        self._make = make
        self._embedder: Embedder | None = None

    @classmethod
    def from_settings(
        cls, settings: RelevanceSettings, *, cache_dir: Path, config_dir: Path | None
    ) -> RelevanceStage:
        return cls(
            settings, lambda: make_embedder(settings, cache_dir=cache_dir, config_dir=config_dir)
        )

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._make()
        return self._embedder

    def __call__(
        self,
        store: Archive,
        listing_date: date,
        listing: Listing,
        matches: Matches,
        start_progress: Callable[[str, int | None], Advance] | None = None,
    ) -> RelevanceResult:
        settings = self._settings
        papers = distinct_papers(matches)
        to_embed = [item.paper for item in listing.items] if settings.embed == "listing" else papers
        embedder = self.embedder
        advance = start_progress("embed", len(to_embed)) if start_progress else None
        embedded = embed_papers(store, embedder, to_embed, on_progress=advance)
        profile = build_profile(
            store, embedder, gather_sources(store, settings.profile, stars=settings.stars)
        )
        vectors = _vectors(store, embedder.model_name, papers)
        has_community, upvotes = community_upvotes(store, [p.arxiv_id for p in papers])
        context = ScoringContext(
            weights=settings.weights,
            has_profile=not profile.empty,
            follows_authors=bool(settings.authors),
            has_community=has_community,
        )
        scores = score_papers(
            papers,
            paper_terms(matches),
            context,
            profile=profile,
            vectors=vectors,
            followed=settings.authors,
            upvotes=upvotes,
        )
        arranged, dropped = arrange(
            matches, scores, sort=settings.sort, threshold=settings.threshold
        )
        kept = {m.paper.arxiv_id for found in arranged.values() for m in found}
        scores = {k: v for k, v in scores.items() if k in kept}
        store.save_scores(listing_date, scores)
        return RelevanceResult(
            matches=arranged,
            scores=scores,
            detail=_detail(embedded, profile, len(papers), dropped, settings),
            dropped=dropped,
        )


def _vectors(store: Archive, model: str, papers: Sequence[Paper]) -> dict[str, Matrix]:
    """The papers' embeddings by arXiv id."""
    found = store.paper_vectors(model, papers)
    return {p.arxiv_id: as_vector(found[p.versioned_id]) for p in papers if p.versioned_id in found}


def _detail(
    embedded: EmbedReport, profile: Profile, scored: int, dropped: int, settings: RelevanceSettings
) -> str:
    parts = [
        f"{embedded.embedded} embedded ({embedded.reused + embedded.unchanged} cached)",
        f"profile of {len(profile.refs)} papers"
        + (f" ({len(profile.missing)} not in the archive)" if profile.missing else ""),
        f"{scored} scored",
    ]
    if settings.threshold > 0:
        parts.append(f"{dropped} below {settings.threshold:g} left out")
    if settings.sort == "score":
        parts.append("sorted by score")
    parts.extend(f"profile problem: {p}" for p in profile.problems)
    return "; ".join(parts)


RankStage = OptionalStage[[Archive, Listing, DayMatches, Progress], "RelevanceResult"]


def rank_stage(ranker: RelevanceStage) -> RankStage:
    """The run's "relevance" stage: ``ranker`` over the day's matches. Optional: when it
    fails the digest goes out without scores."""

    @optional(StageName.RELEVANCE)
    def rank(
        store: Archive, listing: Listing, matches: DayMatches, progress: Progress
    ) -> Done[RelevanceResult]:
        try:
            result = ranker(store, listing.listing_date, listing, matches, progress.start)
        finally:
            progress.finish("embed")
        return Done(result, result.detail)

    return rank
