"""The one small interface every translation engine implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

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


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Tokens an engine spent, as its endpoint reported them (estimated where it did not)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.requests + other.requests,
        )

    def __sub__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.prompt_tokens - other.prompt_tokens,
            self.completion_tokens - other.completion_tokens,
            self.requests - other.requests,
        )


@runtime_checkable
class MetersUsage(Protocol):
    """Engines that count the tokens they spend (the LLM engines) also offer this."""

    @property
    def usage(self) -> TokenUsage: ...


def usage_of(engine: object) -> TokenUsage:
    """What ``engine`` has spent so far (nothing, for engines that do not count)."""
    return engine.usage if isinstance(engine, MetersUsage) else TokenUsage()
