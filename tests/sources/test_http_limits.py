"""Hostile upstreams against the polite HTTP layer, on loopback: a real gzip bomb (2 MB on the
wire, 2 GiB inflated), an endless body, a server that trickles its body or its headers a byte
at a time, a name that does not resolve. Each ends in one clear SourceError, memory stays
bounded (tracemalloc and the process's peak RSS as sanity bounds) and nothing is retried that
retrying cannot fix. Spacing and backoff run on a fake clock; the deadlines are real time."""

from __future__ import annotations

import gzip
import resource
import socket
import struct
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from paperfeed.core.errors import SourceError
from paperfeed.sources.http import MIB, PoliteClient, make_http_client
from tests.support import FIXTURES

FEED = (FIXTURES / "upstream" / "arxiv_rss_cs_LG.xml").read_bytes()


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def polite(client: httpx.Client, fake: FakeTime, **options: Any) -> PoliteClient:
    return PoliteClient(client, sleep=fake.sleep, clock=fake.clock, min_interval=0.0, **options)


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """A valid gzip stream of 2 GiB of zeros in ~2 MB: one fully flushed deflate block of
    1 MiB of zeros compresses to the same bytes every time, so it is repeated 2048 times."""
    megabyte = bytes(MIB)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(megabyte) + deflate.flush(zlib.Z_FULL_FLUSH)
    assert deflate.compress(megabyte) + deflate.flush(zlib.Z_FULL_FLUSH) == block
    end = deflate.flush(zlib.Z_FINISH)
    count = 2048
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(megabyte, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (count * MIB) & 0xFFFFFFFF)
    return header + block * count + end + trailer


def test_the_bomb_is_real(gzip_bomb: bytes) -> None:
    assert len(gzip_bomb) < 2.2e6
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    first = inflater.decompress(gzip_bomb, 8 * MIB)
    assert first == bytes(8 * MIB) and inflater.unconsumed_tail  # and far more to come


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def measured(call: Callable[[], object]) -> tuple[BaseException, int, int]:
    """The exception ``call`` raised, the most Python memory traced while it ran, and how far
    the process's peak RSS rose (a high-water mark: only a sanity bound)."""
    rss_before = peak_rss_bytes()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        with pytest.raises(SourceError) as caught:
            call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return caught.value, peak, peak_rss_bytes() - rss_before


def test_a_gzip_bomb_stops_at_the_cap_with_bounded_memory(
    httpserver: HTTPServer, gzip_bomb: bytes, fake: FakeTime
) -> None:
    httpserver.expect_request("/rss/cs").respond_with_data(
        gzip_bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}
    )
    url = httpserver.url_for("/rss/cs")
    with make_http_client("ua", timeout=30.0) as client:
        http = polite(client, fake, retries=3)  # the default cap: 64 MB
        error, traced, rss_growth = measured(lambda: http.get(url))
    assert error.message == (
        f"GET {url}: the response is larger than 64 MB, the most paperfeed reads "
        "([arxiv] max_response_mb); it stopped reading there"
    )
    assert error.url == url and "max_response_mb" in error.hint
    assert len(httpserver.log) == 1 and fake.sleeps == []  # not retried
    assert traced < 96 * MIB, traced / MIB  # the capped body, not 2 GiB
    assert rss_growth < 256 * MIB, rss_growth / MIB


def test_an_endless_plain_body_stops_at_the_configured_cap(
    httpserver: HTTPServer, fake: FakeTime
) -> None:
    sent: list[int] = []

    def endless(request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            chunk = b"<item>" + b"x" * (MIB - 13) + b"</item>"
            for _ in range(300):  # 300 MB, produced as it is sent
                sent.append(len(chunk))
                yield chunk

        return Response(chunks(), content_type="application/rss+xml", direct_passthrough=True)

    httpserver.expect_request("/rss/cs").respond_with_handler(endless)
    url = httpserver.url_for("/rss/cs")
    with make_http_client("ua", timeout=30.0) as client:
        http = polite(client, fake, max_response_bytes=8 * MIB)
        error, traced, rss_growth = measured(lambda: http.get(url))
    assert error.message.startswith(f"GET {url}: the response is larger than 8 MB")
    assert traced < 24 * MIB, traced / MIB
    assert rss_growth < 128 * MIB, rss_growth / MIB
    assert sum(sent) < 100 * MIB  # the reading stopped; the server was not drained


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the standard says
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw, as servers do
    ],
)
def test_compressed_feeds_are_inflated_exactly(
    httpserver: HTTPServer, fake: FakeTime, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    httpserver.expect_request("/rss/cs.LG").respond_with_data(
        compress(FEED), headers={"Content-Encoding": encoding}
    )
    with make_http_client("ua") as client:
        result = polite(client, fake).get(httpserver.url_for("/rss/cs.LG"))
    assert result.body == FEED


def test_a_body_exactly_at_the_cap_is_read(httpserver: HTTPServer, fake: FakeTime) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        gzip.compress(FEED), headers={"Content-Encoding": "gzip"}
    )
    with make_http_client("ua") as client:
        result = polite(client, fake, max_response_bytes=len(FEED)).get(httpserver.url_for("/feed"))
        assert result.body == FEED
        with pytest.raises(SourceError, match="larger than"):
            polite(client, fake, max_response_bytes=len(FEED) - 1).get(httpserver.url_for("/feed"))


def test_a_corrupt_gzip_body_is_a_source_error(httpserver: HTTPServer, fake: FakeTime) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        b"\x1f\x8b\x08\x00garbage-not-deflate", headers={"Content-Encoding": "gzip"}
    )
    with make_http_client("ua") as client, pytest.raises(SourceError) as caught:
        polite(client, fake).get(httpserver.url_for("/feed"))
    assert "DecodingError" in caught.value.message and "corrupt" in caught.value.message


# -- trickling servers --------------------------------------------------------------------------


class TrickleServer:
    """Answers every connection by sending ``head`` at once, then ``trickle`` one byte every
    ``pause`` seconds, forever (until the client hangs up or the test ends)."""

    def __init__(self, head: bytes, trickle: bytes, pause: float = 0.02) -> None:
        self.head, self.trickle, self.pause = head, trickle, pause
        self.connections = 0
        self.stop = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/feed"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.recv(65536)
                try:
                    conn.sendall(self.head)
                    while not self.stop.is_set():
                        for byte in self.trickle:
                            conn.sendall(bytes([byte]))
                            if self.stop.wait(self.pause):
                                return
                except OSError:  # the client gave up: wait for the next one
                    continue

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(timeout=2)


@pytest.fixture
def trickle() -> Iterator[Callable[[bytes, bytes], TrickleServer]]:
    servers: list[TrickleServer] = []

    def start(head: bytes, trickled: bytes) -> TrickleServer:
        servers.append(TrickleServer(head, trickled))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_a_trickled_body_ends_each_attempt_at_its_deadline(
    trickle: Callable[[bytes, bytes], TrickleServer], fake: FakeTime
) -> None:
    # One byte every 20 ms never trips a 0.5 s read timeout; the whole body would take 6 h.
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\nContent-Type: text/xml\r\n\r\n<rss>"
    server = trickle(head, b"<item>slowly</item>")
    with make_http_client("ua", timeout=0.5) as client:
        started = time.monotonic()
        with pytest.raises(SourceError) as caught:
            polite(client, fake, retries=1, backoff=1.0).get(server.url)
        elapsed = time.monotonic() - started
    assert "timed out" in caught.value.message and "time limit" in caught.value.message
    assert "after 2 attempts" in caught.value.message
    assert server.connections == 2 and fake.sleeps == [1.0]
    assert elapsed < 10.0, elapsed  # two attempts of about 0.5 s, not hours


def test_trickled_headers_end_the_attempt_at_its_deadline(
    trickle: Callable[[bytes, bytes], TrickleServer], fake: FakeTime
) -> None:
    # The response never gets past its headers: only the socket-level deadline can end it.
    server = trickle(b"HTTP/1.1 200 OK\r\n", b"X-Padding: trickle\r\n")
    with make_http_client("ua", timeout=0.5) as client:
        started = time.monotonic()
        with pytest.raises(SourceError) as caught:
            polite(client, fake, retries=0).get(server.url)
        elapsed = time.monotonic() - started
    assert "timed out" in caught.value.message
    assert elapsed < 5.0, elapsed


def test_an_explicit_deadline_overrides_the_clients_timeout(
    trickle: Callable[[bytes, bytes], TrickleServer], fake: FakeTime
) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"
    server = trickle(head, b"x")
    with make_http_client("ua", timeout=30.0) as client:
        started = time.monotonic()
        with pytest.raises(SourceError, match="time limit"):
            polite(client, fake, retries=0, deadline=0.3).get(server.url)
        assert time.monotonic() - started < 5.0


# -- hosts that cannot be reached -------------------------------------------------------------


@pytest.fixture
def unresolvable(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, int], None]:
    """Make a host name fail to resolve, as it does without network (the resolver itself is
    the failing part: httpx, httpcore and the socket module run for real above it)."""
    real = socket.getaddrinfo

    def install(host: str, code: int) -> None:
        def getaddrinfo(name: Any, *args: Any, **kwargs: Any) -> Any:
            if name == host:
                raise socket.gaierror(code, "Name or service not known")
            return real(name, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    return install


@pytest.mark.parametrize("code", [socket.EAI_NONAME, socket.EAI_AGAIN])
def test_a_name_that_does_not_resolve_fails_at_once_blaming_the_network(
    unresolvable: Callable[[str, int], None], fake: FakeTime, code: int
) -> None:
    unresolvable("rss.arxiv.org", code)
    with make_http_client("ua") as client, pytest.raises(SourceError) as caught:
        polite(client, fake, retries=4).get("https://rss.arxiv.org/rss/cs")
    error = caught.value
    assert error.message == (
        "GET https://rss.arxiv.org/rss/cs failed: cannot reach rss.arxiv.org (no network or DNS?)"
    )
    assert "paperfeed demo" in error.hint and "busy" not in error.hint
    assert fake.sleeps == []  # no retries, no 45 s of waiting


def test_an_invalid_host_fails_at_once_too(
    unresolvable: Callable[[str, int], None], fake: FakeTime
) -> None:
    unresolvable("mirror.paperfeed.invalid", socket.EAI_NONAME)
    with make_http_client("ua") as client, pytest.raises(SourceError) as caught:
        polite(client, fake, retries=4).get("http://mirror.paperfeed.invalid/api/query")
    assert "cannot reach mirror.paperfeed.invalid (no network or DNS?)" in caught.value.message
    assert fake.sleeps == []
