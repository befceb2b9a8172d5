"""A read-only archive (a read-only mount, a backup) can be searched, shown and published; a
command that writes says why it cannot, and changes nothing.

A real read-only mount: a bind mount of the archive's folder, remounted read-only (root only;
file permissions would not stop root)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paperfeed.app.cli import main
from tests.support.listing_builder import DIGESTS


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def read_only_home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    result = CliRunner().invoke(
        main,
        ["import", str(DIGESTS / "digest-2026-06-04.txt")],
        env={"PAPERFEED_HOME": str(home), "PAPERFEED_CONFIG": ""},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    mounted = tmp_path / "mounted"
    mounted.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a read-only mount needs root")
    if not _mount("--bind", str(home), str(mounted)):
        pytest.skip("this machine does not allow bind mounts")
    try:
        assert _mount("-o", "remount,bind,ro", str(mounted))
        yield mounted
    finally:
        subprocess.run(["umount", str(mounted)], check=True)


def cli(home: Path, *args: str) -> Result:
    return CliRunner().invoke(
        main, list(args), env={"PAPERFEED_HOME": str(home), "PAPERFEED_CONFIG": ""}
    )


def test_read_only_commands_work_on_a_read_only_archive(
    read_only_home: Path, tmp_path: Path
) -> None:
    database = read_only_home / "paperfeed.db"
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    found = cli(read_only_home, "search", "reinforcement", "learning")
    assert found.exit_code == 0, found.output
    assert "2606." in found.output
    shown = cli(read_only_home, "digest", "--date", "2026-06-04", "--format", "compact")
    assert shown.exit_code == 0 and "https://arxiv.org/abs/" in shown.output
    assert cli(read_only_home, "runs").exit_code == 0
    assert cli(read_only_home, "trending", "--date", "2026-06-04").exit_code == 0
    site = cli(read_only_home, "site", "build", str(tmp_path / "site"))
    assert site.exit_code == 0, site.output
    assert (tmp_path / "site" / "index.html").is_file()

    written = cli(read_only_home, "import", str(DIGESTS / "digest-2026-04-22.txt"))
    assert written.exit_code == 1
    assert "read-only" in written.output and "search, digest, runs" in written.output
    assert "Traceback" not in written.output
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in read_only_home.iterdir()) == ["paperfeed.db"]
