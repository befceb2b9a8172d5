"""The web app served for real: uvicorn on a free loopback port in a background thread (the same
server ``paperfeed serve`` runs), for the browser tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from paperfeed.app.web import WebOptions, create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(options: WebOptions) -> Iterator[str]:
    """Serve ``options``' archive; yields the base URL. Stops the server on exit."""
    port = free_port()
    config = uvicorn.Config(
        create_app(options),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="paperfeed-web-test", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test web server did not start on {base}")
        time.sleep(0.02)  # polling a real server's start-up: no clock to inject here
    try:
        httpx.get(base + "/api/session", timeout=5).raise_for_status()
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
