"""Fixtures of the archive's tests: a real archive file, opened, closed at the end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from paperfeed.archive.sqlite import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "archive.db") as opened:
        yield opened
