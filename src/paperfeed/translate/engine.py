"""The one small interface every translation engine implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

SegmentKind = Literal["title", "abstract"]


@dataclass(frozen=True, slots=True)
class Segment:
    """One text to translate: a paper's title or its abstract."""

    kind: SegmentKind
    text: str


class Engine(Protocol):
    """Turns English segments into Chinese. ``None`` in the result marks a segment the engine
    could not translate; the caller records it, keeps the English, and retries next run."""

    name: str  # "none", "openai", "local", ...
    model: str  # cache key part: which model produced the text
    prompt_version: str  # cache key part: bump when prompts change

    @property
    def calls_model(self) -> bool:
        """False for engines that never produce text (``none``): nothing is sent to them."""
        ...

    def translate(self, segments: Sequence[Segment]) -> list[str | None]: ...


class NoneEngine:
    """Keeps English. Translations already in the archive (imported digests) are still used."""

    name = "none"
    model = ""
    prompt_version = ""

    @property
    def calls_model(self) -> bool:
        return False

    def translate(self, segments: Sequence[Segment]) -> list[str | None]:
        return [None] * len(segments)
