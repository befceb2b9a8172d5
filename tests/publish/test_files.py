"""Files written atomically: nothing half-written, no temporary file left behind, and the
permissions the user's umask gives (not mkstemp's private 0600)."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperfeed.core.errors import DeliveryError
from paperfeed.publish.files import (
    STALE_AFTER,
    sweep_temporary_files,
    write_atomically,
    write_if_changed,
)


@pytest.fixture
def umask() -> Iterator[None]:
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_file_gets_the_umasks_permissions(tmp_path: Path, umask: None) -> None:
    target = tmp_path / "digest-2026-06-04.txt"
    write_atomically(target, "今天共有 3 篇相关文章")
    assert target.read_text(encoding="utf-8") == "今天共有 3 篇相关文章"
    assert mode(target) == 0o644
    os.umask(0o077)
    write_atomically(target, "again")
    assert mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digest-2026-06-04.txt"]


def test_a_failed_write_leaves_no_temporary_file_and_says_which_file(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()  # a folder where the file should go: the rename fails
    (target / "keep").write_text("x")
    with pytest.raises(DeliveryError, match="site: cannot write the digest"):
        write_atomically(target, b"data", what="digest")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (target / "keep").read_text() == "x"


def test_an_interrupted_write_removes_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "a.txt", "text")
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_a_killed_write_are_swept_fresh_ones_are_kept(tmp_path: Path) -> None:
    old = tmp_path / ".digest-2026-06-04.txt.k2j3h4.tmp"  # how earlier versions named them
    new = tmp_path / "days" / ".2026-06-04.html.abcd1234.paperfeed.tmp"
    fresh = tmp_path / ".compact-2026-06-04.txt.zz9.paperfeed.tmp"
    unrelated = tmp_path / ".notes.tmp"
    new.parent.mkdir()
    for path in (old, new, fresh, unrelated):
        path.write_bytes(b"partial")
    then = time.time() - STALE_AFTER - 60
    for path in (old, new, unrelated):
        os.utime(path, (then, then))
    assert sweep_temporary_files(tmp_path) == 2
    assert not old.exists() and not new.exists()
    assert fresh.exists() and unrelated.exists()


def test_write_if_changed_leaves_an_identical_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "feed.xml"
    assert write_if_changed(target, b"<feed/>") is True
    before = target.stat().st_mtime_ns
    assert write_if_changed(target, b"<feed/>") is False
    assert target.stat().st_mtime_ns == before
