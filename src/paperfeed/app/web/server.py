"""Runs the web app under uvicorn: one process, or several (``--workers``) that each build the
app from the options the parent passed down in the environment."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from paperfeed.app.web.application import create_app
from paperfeed.app.web.state import WebOptions
from paperfeed.core.calendar import ArxivCalendar

OPTIONS_VARIABLE = "PAPERFEED_WEB_OPTIONS"  # set by the parent for its worker processes
TOKEN_VARIABLE = "PAPERFEED_WEB_TOKEN"


def options_to_environment(options: WebOptions) -> str:
    return json.dumps(
        {
            "database": str(options.database),
            "bind_host": options.bind_host,
            "holidays": {d.isoformat(): name for d, name in options.calendar.holidays.items()},
            "cache_size": options.cache_size,
            "status_path": str(options.status_path) if options.status_path else None,
        }
    )


def app_from_environment() -> FastAPI:
    """uvicorn's factory in each worker process: the parent's options, the token from the
    environment (never written anywhere else)."""
    raw = json.loads(os.environ[OPTIONS_VARIABLE])
    options = WebOptions(
        database=Path(raw["database"]),
        calendar=ArxivCalendar({date.fromisoformat(d): n for d, n in raw["holidays"].items()}),
        bind_host=raw["bind_host"],
        write_token=os.environ.get(TOKEN_VARIABLE) or None,
        cache_size=int(raw["cache_size"]),
        status_path=Path(raw["status_path"]) if raw.get("status_path") else None,
    )
    return create_app(options)


def serve_forever(
    options: WebOptions, *, port: int, workers: int = 1, access_log: bool = False
) -> None:
    """Serve until interrupted. Raises SystemExit(1) when the address cannot be bound."""
    common = {
        "host": options.bind_host,
        "port": port,
        "access_log": access_log,
        "log_level": "info" if access_log else "warning",
        "server_header": False,
        "proxy_headers": False,
    }
    if workers == 1:
        uvicorn.run(create_app(options), **common)  # type: ignore[arg-type]
        return
    os.environ[OPTIONS_VARIABLE] = options_to_environment(options)
    uvicorn.run(
        "paperfeed.app.web.server:app_from_environment",
        factory=True,
        workers=workers,
        **common,  # type: ignore[arg-type]
    )
