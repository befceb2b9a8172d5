"""Fixtures of the web app's tests: a fresh copy of the test archive, and the app in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.web_samples import archive_copy, options, web_client


@pytest.fixture
def db(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the test archive (built once per session) for this test to change."""
    return archive_copy(tmp_path, tmp_path_factory)


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    """The web app over ``db``, in-process, as a browser on this machine reaches it."""
    with web_client(options(db)) as opened:
        yield opened
