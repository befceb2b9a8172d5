"""Counts in English messages: "1 paper", "2 papers"."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun in the right number (``plural`` for nouns that do not take an s)."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"
