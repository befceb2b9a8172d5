"""Helpers the tests share: sample records, builders, and real local servers.

Test modules import from here (and get fixtures from ``conftest.py`` files); they never
import each other."""

import importlib.util
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
# Recorded upstream payloads, example digests and evaluation data, copied from ../shared
# (each with its provenance); tests never read ../shared itself.
FIXTURES = REPOSITORY / "tests" / "fixtures"


def requires(*modules: str) -> pytest.MarkDecorator:
    """Skip unless every module is installed, checked without importing them (importing
    sentence-transformers alone costs seconds of every collection, fast lane included)."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    return pytest.mark.skipif(bool(missing), reason=f"not installed: {', '.join(missing)}")
