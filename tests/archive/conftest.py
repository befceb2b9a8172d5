"""Fixtures of the archive's tests: a real archive file, opened, closed at the end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from paperfeed.archive import Archive, open_archive


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(tmp_path / "archive.db") as opened:
        yield opened
