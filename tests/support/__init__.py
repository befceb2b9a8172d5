"""Helpers the tests share: sample records, builders, and real local servers.

Test modules import from here (and get fixtures from ``conftest.py`` files); they never
import each other."""

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
# Recorded upstream payloads, example digests and evaluation data, copied from ../shared
# (each with its provenance); tests never read ../shared itself.
FIXTURES = REPOSITORY / "tests" / "fixtures"
