"""The relevance stage's exception (``paperfeed.errors`` has one per stage; this stage is an
optional extra, so its exception lives with it)."""

from __future__ import annotations

from paperfeed.errors import PaperfeedError


class RelevanceError(PaperfeedError):
    """Embedding, the vector index or a profile source failed."""

    def __init__(self, message: str, *, path: str = "", hint: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message, hint=hint)
        self.path = path
