"""Every benchmark script still imports and parses its arguments: they import paperfeed and the
test helpers, and a move of either must not leave them broken until someone runs them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import REPOSITORY

SCRIPTS = sorted(
    p for p in (REPOSITORY / "benchmarks").glob("*.py") if p.read_text().count("__main__")
)


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_benchmark_script_starts(script: object) -> None:
    result = subprocess.run(
        [sys.executable, str(script), "--help"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPOSITORY,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage" in result.stdout.lower()
