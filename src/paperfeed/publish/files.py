"""Files written so that a crash never leaves half of one, and nothing is left behind either.

``write_atomically`` writes to a temporary name in the target's folder, flushes, and renames;
if anything fails (a full disk, an interrupt) the temporary file is removed. A process killed
mid-write cannot clean up after itself, so ``sweep_temporary_files`` removes such leftovers the
next time a folder is written. Files get the permissions the user's umask gives new files
(0644 under the usual 022), not ``mkstemp``'s private 0600: a web server running as another
user must be able to serve the digests, feeds and site.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import time
from pathlib import Path

from paperfeed.core.errors import DeliveryError

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".paperfeed.tmp"
# A temporary file this old is a leftover: no write takes anywhere near this long.
STALE_AFTER = 10 * 60.0
_TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]+" + re.escape(TEMP_SUFFIX) + r"$")
# What earlier versions named them (".digest-2026-06-04.txt.k2j3h4.tmp"): swept too.
_OLD_TEMP_NAME = re.compile(r"^\.(?:digest|compact)-\d{4}-\d\d-\d\d\.\w+\.[a-z0-9_]+\.tmp$")
_UMASK_LOCK = threading.Lock()


def process_umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux), else
    set-and-restore under a lock."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:
        current = os.umask(0o022)
        os.umask(current)
    return current


def write_atomically(target: Path, data: str | bytes, *, what: str = "file") -> None:
    """``data`` (text is UTF-8, written as is) to ``target`` through a temporary file and a
    rename. Raises ``DeliveryError`` naming the file; never leaves the temporary file."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(0o666 & ~process_umask())
        Path(tmp).replace(target)
        tmp = None
    except OSError as exc:
        raise DeliveryError(
            f"{target}: cannot write the {what}: {exc.strerror}",
            hint="check free space and permissions of the folder",
        ) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def write_if_changed(path: Path, data: bytes, *, what: str = "file") -> bool:
    """Write ``data`` atomically unless the file already holds exactly it; True if written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data, what=what)
    return True


def sweep_temporary_files(folder: Path, *, now: float | None = None) -> int:
    """Remove the temporary files a killed write left in ``folder`` (and below); returns how
    many. Fresh ones belong to a write in progress and are kept."""
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - STALE_AFTER
    removed = 0
    for path in folder.rglob(".*.tmp"):
        try:
            ours = _TEMP_NAME.match(path.name) or _OLD_TEMP_NAME.match(path.name)
            if ours and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    if removed:
        log.info("removed %d temporary files left by an interrupted write in %s", removed, folder)
    return removed
