"""A deterministic translation engine for tests where the engine is not the subject.

``FakeEngine`` "translates" by prefixing the kind (``【标题】`` / ``【摘要】``) to the English, counts
what it was asked, reports token usage (one token per character, so budgets are predictable), can
fail chosen texts, and writes TL;DRs. Nothing random, no network, no model.
"""

from __future__ import annotations

from collections.abc import Sequence

from paperfeed.engines.translate.engine import Segment, TokenUsage

PREFIX = {"title": "【标题】", "abstract": "【摘要】"}


class FakeEngine:
    name = "fake"
    model = "fake-1"
    prompt_version = "p1"

    def __init__(self, fail: Sequence[str] = (), version: str = "p1") -> None:
        self.fail = set(fail)  # source texts this engine cannot translate
        self.prompt_version = version
        self.calls: list[list[Segment]] = []
        self.summarized: list[str] = []
        self._usage = TokenUsage()

    @property
    def calls_model(self) -> bool:
        return True

    @property
    def usage(self) -> TokenUsage:
        return self._usage

    @property
    def segments(self) -> list[Segment]:
        return [s for call in self.calls for s in call]

    def translate(self, segments: Sequence[Segment]) -> list[str | None]:
        self.calls.append(list(segments))
        chars = sum(len(s.text) for s in segments)
        self._usage = self._usage + TokenUsage(chars, chars, len(segments))
        return [None if s.text in self.fail else PREFIX[s.kind] + s.text for s in segments]

    def summarize(self, papers: Sequence[tuple[str, str]]) -> list[str | None]:
        self.summarized.extend(title for title, _ in papers)
        return [None if title in self.fail else f"一句话：{title}" for title, _ in papers]
