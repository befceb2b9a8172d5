"""The real packaged model (all-MiniLM-L6-v2) on a small sample of real papers.

The ONNX export is made once for the module (a few seconds) into a temporary cache; the
reference backend (sentence-transformers on PyTorch) is loaded once too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from paperfeed.archive import Archive, open_archive
from paperfeed.config.relevance import RelevanceSettings, Weights
from paperfeed.core.records import Listing, ListingItem, Match, MatchedTerm
from paperfeed.engines.embed.embedder import (
    Embedder,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    document_text,
    make_embedder,
    native_bfloat16,
    resolve_model,
)
from paperfeed.engines.embed.onnx_export import onnx_model_for
from paperfeed.stages.relevance.stage import RelevanceStage
from tests.support import requires
from tests.support.relevance_samples import rl_papers, unrelated_papers

pytestmark = requires("numpy", "sentence_transformers", "onnxruntime")

DAY = date(2026, 6, 4)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def fast(cache_dir: Path) -> Embedder:
    """The default backend (auto): bfloat16 on CPUs that have it, else ONNX Runtime."""
    return make_embedder(RelevanceSettings(), cache_dir=cache_dir)


@pytest.fixture(scope="module")
def reference(cache_dir: Path) -> Embedder:
    embedder = make_embedder(
        RelevanceSettings(backend="sentence-transformers"), cache_dir=cache_dir
    )
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.backend == "sentence-transformers"
    return embedder


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(tmp_path / "archive.db") as opened:
        yield opened


def sample_texts() -> list[str]:
    papers = rl_papers()[:5] + unrelated_papers()[:3]
    # Long abstracts (cut at 256 tokens), short titles, TeX and non-ASCII, in one batch.
    texts = [document_text(p) for p in papers] + [p.title for p in papers[:4]]
    return [*texts, "Émergence of $\\mathcal{O}(n^2)$ attention — 强化学习", "RL"]


@pytest.mark.slow  # loads a real model
def test_auto_takes_bfloat16_where_the_cpu_has_it_else_onnx(fast: Embedder) -> None:
    assert fast.backend == ("sentence-transformers-bf16" if native_bfloat16() else "onnx")


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["onnx", "bfloat16"])
def test_every_fast_backend_gives_the_reference_vectors(
    backend: str, reference: Embedder, cache_dir: Path
) -> None:
    if backend == "bfloat16" and not native_bfloat16():
        pytest.skip("this CPU has no native bfloat16 (the auto backend does not use it here)")
    fast = make_embedder(RelevanceSettings(backend=backend), cache_dir=cache_dir)
    assert fast.backend == {"onnx": "onnx", "bfloat16": "sentence-transformers-bf16"}[backend]
    assert fast.model_name == reference.model_name == "sentence-transformers/all-MiniLM-L6-v2"
    assert fast.dim == reference.dim == 384
    texts = sample_texts()
    got, expected = fast.embed(texts), reference.embed(texts)
    assert got.dtype == np.float32 and got.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert (got * expected).sum(axis=1).min() >= 0.999


@pytest.mark.slow  # loads a real model
def test_the_onnx_export_is_made_once(cache_dir: Path) -> None:
    make_embedder(RelevanceSettings(backend="onnx"), cache_dir=cache_dir)
    (exported,) = cache_dir.glob("onnx/*/model.onnx")
    stamp = exported.stat().st_mtime_ns
    again = OnnxEmbedder(
        resolve_model("all-MiniLM-L6-v2"),
        onnx_model_for(resolve_model("all-MiniLM-L6-v2"), cache_dir),
    )
    assert again.embed(["Hot Jupiters"]).shape == (1, 384)
    assert exported.stat().st_mtime_ns == stamp
    assert list(cache_dir.glob("onnx/*/*.onnx")) == [exported]  # no temporary files left


def test_a_papers_own_title_ranks_its_abstract_first(fast: Embedder) -> None:
    papers = rl_papers()[:3] + rl_papers("digest-2026-04-22.txt")[5:8] + unrelated_papers()[:4]
    assert len(papers) == 10
    titles = fast.embed([p.title for p in papers])
    abstracts = fast.embed([p.abstract for p in papers])
    ranks = np.argsort(-(titles @ abstracts.T), axis=1)
    assert list(ranks[:, 0]) == list(range(10))


def test_profile_puts_reinforcement_learning_papers_above_unrelated_ones(
    fast: Embedder, store: Archive, tmp_path: Path
) -> None:
    profile_papers = rl_papers("digest-2026-04-22.txt")[-3:]
    rl = rl_papers()[20:28]
    others = unrelated_papers()
    store.save_listing(
        Listing(date(2026, 4, 22), tuple(ListingItem(p, "new") for p in profile_papers))
    )
    listing = Listing(DAY, tuple(ListingItem(p, "new") for p in rl + others))
    store.save_listing(listing)
    ids = tmp_path / "mine.txt"
    ids.write_text("".join(f"{p.arxiv_id}\n" for p in profile_papers), encoding="utf-8")
    # Every candidate matched the topic the same way: only the profile tells them apart.
    term = MatchedTerm("learning", "abstract", "learning")
    matches = {"ml": tuple(Match("ml", p, "new", (term,)) for p in rl + others)}
    settings = RelevanceSettings(enabled=True, profile=(ids,), sort="score")
    result = RelevanceStage(settings, lambda: fast)(store, DAY, listing, matches)

    ranked = [m.paper.arxiv_id for m in result.matches["ml"]]
    assert set(ranked[: len(rl)]) == {p.arxiv_id for p in rl}
    assert set(ranked[len(rl) :]) == {p.arxiv_id for p in others}
    lowest_rl = min(result.scores[p.arxiv_id].total for p in rl)
    highest_other = max(result.scores[p.arxiv_id].total for p in others)
    assert lowest_rl > highest_other
    best = result.scores[ranked[0]]
    assert best.nearest is not None
    assert best.nearest.arxiv_id in {p.arxiv_id for p in profile_papers}
    assert sum(p.value for p in best.parts) == pytest.approx(best.total, abs=1e-9)
    assert "profile of 3 papers" in result.detail
    assert store.scores_for(DAY) == result.scores

    # A threshold between the two groups leaves the unrelated papers out.
    cut = RelevanceStage(
        RelevanceSettings(
            enabled=True,
            profile=(ids,),
            threshold=(lowest_rl + highest_other) / 2,
            weights=Weights(keyword=1.0, similarity=2.0),
        ),
        lambda: fast,
    )(store, DAY, listing, matches)
    assert {m.paper.arxiv_id for m in cut.matches["ml"]} == {p.arxiv_id for p in rl}
    assert cut.dropped == len(others)
    assert [m.paper.arxiv_id for m in cut.matches["ml"]] == [p.arxiv_id for p in rl]  # id order


def test_the_web_paper_page_lists_embedding_neighbours_first(
    fast: Embedder, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Once the archive is embedded, the paper page's related papers come by similarity
    (shown with it), and the API carries the similarity too."""
    from lxml import html as lxml_html

    from paperfeed.archive import open_archive
    from paperfeed.stages.relevance.related import embed_archive
    from tests.support.web_samples import RL_PAPER, archive_copy, options, web_client

    db = archive_copy(tmp_path, tmp_path_factory)
    with open_archive(db) as store:
        embed_archive(store, fast)
    with web_client(options(db)) as client:
        detail = client.get(f"/api/papers/{RL_PAPER}").json()
        page = lxml_html.fromstring(client.get(f"/papers/{RL_PAPER}").text)
    similarities = [r["similarity"] for r in detail["related"] if r["similarity"] is not None]
    assert similarities, "no related paper was found by embedding"
    assert similarities == sorted(similarities, reverse=True)
    assert all(-1.0 <= s <= 1.0 for s in similarities)
    first = page.xpath('//section[@class="related"]//article')[0]
    assert "similarity 0." in " ".join(first.text_content().split())
