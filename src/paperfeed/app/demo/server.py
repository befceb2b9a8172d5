"""A loopback HTTP server that serves recorded or built feed bytes, like rss.arxiv.org does.

Used by ``paperfeed demo`` (and by tests that want a whole-program run against real sockets).
It sends ``ETag`` and honours ``If-None-Match`` with 304, as the real feeds do.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from paperfeed.app.demo.feeds import etag


class _FeedHandler(BaseHTTPRequestHandler):
    routes: Mapping[str, bytes] = {}
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        body = self.routes.get(path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        tag = etag(body)
        if self.headers.get("If-None-Match") == tag:
            self.send_response(304)
            self.send_header("ETag", tag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", tag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def serve(routes: Mapping[str, bytes]) -> Iterator[str]:
    """Serve ``routes`` (path -> body) on 127.0.0.1 at a free port; yields the base URL."""
    handler = type("FeedHandler", (_FeedHandler,), {"routes": dict(routes)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, name="paperfeed-demo-server", daemon=True
    )
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
