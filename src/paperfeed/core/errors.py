"""One base exception and one subclass per stage, each carrying its context.

Messages say what failed, where, and what to do. Only the CLI and the web layer turn these
into user-facing output; library code raises them and never prints.
"""

from __future__ import annotations


class PaperfeedError(Exception):
    """Base of every error paperfeed raises on purpose.

    ``message`` says what failed and where; ``hint`` says what to do about it.
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class ConfigError(PaperfeedError):
    """A bad config file, key, value or environment variable."""

    exit_code = 2

    def __init__(self, message: str, *, path: str = "", key: str = "", hint: str = "") -> None:
        where = f"{path}: " if path else ""
        where += f"[{key}] " if key and not message.startswith("[") else ""
        super().__init__(where + message, hint=hint)
        self.path = path
        self.key = key


class UsageError(PaperfeedError):
    """The command line asked for something that cannot be done (bad date, unknown format)."""

    exit_code = 2


class SourceError(PaperfeedError):
    """Fetching from an upstream service failed (network, HTTP status, error document)."""

    def __init__(
        self, message: str, *, url: str = "", status: int | None = None, hint: str = ""
    ) -> None:
        super().__init__(message, hint=hint)
        self.url = url
        self.status = status


class ParseError(SourceError):
    """An upstream payload could not be understood (malformed XML, missing elements)."""


class QueryError(PaperfeedError):
    """A topic query with a syntax error; ``position`` is a 0-based offset into ``query``."""

    exit_code = 2

    def __init__(self, message: str, *, query: str, position: int, topic: str = "") -> None:
        self.query = query
        self.position = position
        self.topic = topic
        pointer = " " * position + "^"
        where = f"topic '{topic}': " if topic else ""
        super().__init__(
            f"{where}{message} at position {position + 1}\n    {query}\n    {pointer}",
            hint='quote phrases with "...", join terms with AND / OR / NOT, '
            "scope with ti: abs: au: cat:, and balance parentheses",
        )


class StoreError(PaperfeedError):
    """The archive database cannot be opened, is corrupt, locked, or refused a write."""

    def __init__(self, message: str, *, path: str = "", hint: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message, hint=hint)
        self.path = path


class TranslateError(PaperfeedError):
    """A translation engine failed for one paper or altogether."""

    def __init__(
        self, message: str, *, engine: str = "", paper_id: str = "", hint: str = ""
    ) -> None:
        super().__init__(message, hint=hint)
        self.engine = engine
        self.paper_id = paper_id


class RenderError(PaperfeedError):
    """A digest could not be rendered (unknown format, unknown category name)."""


class DigestImportError(PaperfeedError):
    """A file given to ``paperfeed import`` is not a digest in a known format."""

    exit_code = 2

    def __init__(
        self, message: str, *, path: str = "", line: int | None = None, hint: str = ""
    ) -> None:
        where = path + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.path = path
        self.line = line


class DeliveryError(PaperfeedError):
    """Writing or sending a digest to one of its destinations failed."""


class RelevanceError(PaperfeedError):
    """Embedding, the vector index or a profile source failed."""

    def __init__(self, message: str, *, path: str = "", hint: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message, hint=hint)
        self.path = path


class SendError(DeliveryError):
    """One send failed. ``uncertain``: the request reached the service and its answer was lost,
    so it may have been delivered; otherwise it certainly was not, and is retried next run."""

    def __init__(self, message: str, *, uncertain: bool = False, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.uncertain = uncertain
