"""A sentence-transformers model exported once to ONNX, for the fast embedding backend.

The export runs locally (PyTorch's exporter, then ONNX Runtime's transformer optimizer fusing
attention, GELU and layer norms) from the model files on disk, and is cached under
``<home>/models/onnx/`` keyed by a fingerprint of those files and the library versions. Before
an export is kept, its output is compared with PyTorch's on sample texts: if any pooled vector
differs (cosine below ``AGREEMENT``), it is thrown away and the caller falls back to the
reference backend. Files are written to a temporary name and renamed, so two processes racing
produce one good file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from paperfeed.core.errors import RelevanceError
from paperfeed.engines.embed.model import ModelSource, mean_pool

log = logging.getLogger(__name__)

EXPORT_VERSION = "1"  # bump when the export recipe changes: old caches are then ignored
AGREEMENT = 0.9999
_PROBES = (
    "Reinforcement learning from human feedback for language model alignment.",
    "A diffusion policy for visuomotor control learns robot actions from demonstrations, "
    "denoising action sequences conditioned on camera images and proprioception.",
    "Hot Jupiters",
)
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "config.json", "tokenizer.json")


def fingerprint(source: ModelSource) -> str:
    """Changes when the model files or the exporting libraries change."""
    digest = hashlib.sha256(EXPORT_VERSION.encode())
    for name in _WEIGHT_FILES:
        path = source.path / name
        if path.is_file():
            stat = path.stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    for package in ("torch", "onnxruntime", "transformers"):
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=none".encode())
    return digest.hexdigest()[:16]


def onnx_model_for(source: ModelSource, cache_dir: Path) -> Path:
    """The cached ONNX export of ``source``, made now if missing."""
    slug = "".join(c if c.isalnum() or c in "-_." else "-" for c in source.name)
    target = cache_dir / "onnx" / f"{slug}-{fingerprint(source)}" / "model.onnx"
    if target.is_file():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RelevanceError(
            f"cannot create the model cache folder: {exc.strerror}", path=str(target.parent)
        ) from None
    log.info("exporting %s to ONNX (once) into %s", source.name, target.parent)
    export(source, target)
    return target


def export(source: ModelSource, target: Path) -> None:
    """Export, fuse, verify against PyTorch, then move into place."""
    try:
        import torch
        from onnxruntime.transformers import optimizer
        from transformers import AutoModel
    except ImportError as exc:
        raise RelevanceError(
            f"exporting to ONNX needs torch, transformers and onnx: {exc}"
        ) from None
    model = AutoModel.from_pretrained(
        str(source.path), local_files_only=True, attn_implementation="eager"
    )
    model.eval()
    config = model.config
    # The reference must be computed before exporting: tracing leaves the module changed, and
    # its own outputs afterwards are no longer the model's.
    probes = _probe_inputs(source)
    expected = _torch_pooled(model, probes)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        raw = Path(work) / "raw.onnx"
        fused = Path(work) / "fused.onnx"
        sample = torch.ones((2, 8), dtype=torch.long)
        names = ["input_ids", "attention_mask", "token_type_ids"]
        axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]}
        try:
            # The exporter warns about tracing (data-dependent shapes, its own deprecation);
            # the export is checked against PyTorch below, so the warnings are only noise.
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    _hidden_states(model),
                    (sample, sample, torch.zeros_like(sample)),
                    str(raw),
                    input_names=names,
                    output_names=["last_hidden_state"],
                    dynamic_axes=axes,
                    opset_version=17,
                    dynamo=False,
                )
            optimized = optimizer.optimize_model(
                str(raw),
                model_type="bert",
                num_heads=int(getattr(config, "num_attention_heads", 0)),
                hidden_size=int(getattr(config, "hidden_size", 0)),
                opt_level=1,
            )
            optimized.save_model_to_file(str(fused))
        except (RuntimeError, ValueError, TypeError, OSError, ImportError) as exc:
            raise RelevanceError(f"exporting {source.name} to ONNX failed: {exc}") from None
        _verify(source, expected, probes, fused)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
        os.close(handle)
        Path(temporary).write_bytes(fused.read_bytes())
        Path(temporary).replace(target)
        (target.parent / "export.json").write_text(
            json.dumps({"model": source.name, "path": str(source.path)}, indent=2) + "\n",
            encoding="utf-8",
        )


def _hidden_states(model: Any) -> Any:
    """The model as a module with positional inputs and one output, as the exporter wants."""
    import torch

    class HiddenStates(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    return HiddenStates()


Probes = dict[str, "np.ndarray[Any, np.dtype[np.int64]]"]


def _probe_inputs(source: ModelSource) -> Probes:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(source.path / "tokenizer.json"))
    tokenizer.enable_truncation(source.max_length)
    tokenizer.enable_padding()
    encodings = tokenizer.encode_batch(list(_PROBES))
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    return {
        "input_ids": ids,
        "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.zeros_like(ids),
    }


def _torch_pooled(model: Any, probes: Probes) -> Any:
    import torch

    with torch.inference_mode():
        hidden = model(**{k: torch.from_numpy(v) for k, v in probes.items()}).last_hidden_state
    return mean_pool(hidden.numpy().astype(np.float32), probes["attention_mask"])


def _verify(source: ModelSource, expected: Any, probes: Probes, onnx_path: Path) -> None:
    """The export's pooled vectors must match PyTorch's on the probe texts (padded batch)."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    wanted = {i.name for i in session.get_inputs()}
    got = session.run(None, {k: v for k, v in probes.items() if k in wanted})[0]
    agreement = float(
        (expected * mean_pool(np.asarray(got, np.float32), probes["attention_mask"]))
        .sum(axis=1)
        .min()
    )
    if agreement < AGREEMENT:
        raise RelevanceError(
            f"the ONNX export of {source.name} disagrees with PyTorch (cosine {agreement:.5f})"
        )
