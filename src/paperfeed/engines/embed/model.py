"""A sentence-embedding model on disk, and the pooling its vectors are made with: shared by the
embedders and the one-time ONNX export."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class ModelSource:
    """A model on disk and the name its vectors are stored under."""

    name: str
    path: Path

    @property
    def max_length(self) -> int:
        """Tokens the model reads (sentence-transformers truncates to this)."""
        config = self.path / "sentence_bert_config.json"
        if config.is_file():
            value = json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")
            if isinstance(value, int):
                return value
        return 512

    @property
    def pooling(self) -> str:
        """ "mean", "cls", ... from the model's pooling module (mean when not said)."""
        for config in sorted(self.path.glob("*_Pooling/config.json")):
            data = json.loads(config.read_text(encoding="utf-8"))
            modes = [k for k, v in data.items() if k.startswith("pooling_mode_") and v is True]
            if modes == ["pooling_mode_mean_tokens"]:
                return "mean"
            return ",".join(m.removeprefix("pooling_mode_") for m in modes) or "unknown"
        return "mean"


def mean_pool(hidden: npt.NDArray[np.float32], mask: npt.NDArray[np.int64]) -> Matrix:
    """Mean of the real tokens' vectors (padding left out), scaled to unit length."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    return normalize(pooled)


def normalize(vectors: npt.NDArray[np.float32]) -> Matrix:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.clip(norms, 1e-12, None), dtype=np.float32)
