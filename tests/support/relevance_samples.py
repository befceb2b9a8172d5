"""Papers and embedders for the relevance tests.

The papers are real: reinforcement-learning papers from the example digests
(tests/fixtures/digests, see PROVENANCE.md there) and unrelated papers from the recorded arXiv
API responses (tests/fixtures/upstream: software testing, distribution testing, particle
physics, exoplanets). ``HashEmbedder`` is a deterministic stand-in for a model where the test is
about storage or search, not meaning: each text gets a fixed pseudo-random unit vector.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

import pytest

from paperfeed.core.records import Paper
from paperfeed.sources.arxiv_api import parse_api_feed
from tests.support import FIXTURES
from tests.support.listing_builder import example_digest

np = pytest.importorskip("numpy")

UPSTREAM = FIXTURES / "upstream"


def rl_papers(name: str = "digest-2026-06-04.txt") -> list[Paper]:
    """The example digest's papers (all matched "reinforcement learning"), as version 1."""
    return [replace(e.paper, version=1) for e in example_digest(name).papers]


def unrelated_papers() -> list[Paper]:
    """Five recorded arXiv papers far from reinforcement learning."""
    papers: list[Paper] = []
    for name in ("arxiv_api_query.xml", "arxiv_api_id_list_affiliations.xml"):
        papers.extend(parse_api_feed((UPSTREAM / name).read_bytes()).papers)
    return papers


class HashEmbedder:
    """Unit vectors derived from a hash of each text; counts what it was asked to embed."""

    backend = "hash"

    def __init__(self, dim: int = 32, model_name: str = "test/hash-embedder") -> None:
        self._dim = dim
        self._name = model_name
        self.calls: list[int] = []  # texts per embed() call

    @property
    def model_name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            vector = np.random.default_rng(seed).standard_normal(self._dim).astype(np.float32)
            out[i] = vector / np.linalg.norm(vector)
        return out

    @property
    def embedded(self) -> int:
        return sum(self.calls)
