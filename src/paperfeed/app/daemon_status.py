"""Where the daemon says what it did last and when it runs next (``<home>/daemon-status.json``),
read by the health view without importing the daemon (and the pipeline it runs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STATUS_FILE = "daemon-status.json"


def read_status(path: Path) -> dict[str, Any] | None:
    """The daemon's last status (for the web app's health view), or None if it never ran."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return found if isinstance(found, dict) else None
