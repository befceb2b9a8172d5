"""The polite HTTP layer against real loopback servers (pytest-httpserver, and a raw socket
server for bodies cut short); time is faked, so nothing here waits for real."""

from __future__ import annotations

import itertools
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from paperfeed import __version__
from paperfeed.core.errors import SourceError
from paperfeed.sources.http import (
    CachedResponse,
    MemoryValidatorCache,
    PoliteClient,
    make_http_client,
    parse_retry_after,
    user_agent,
)

BODY = b"<rss>hello</rss>"


class FakeTime:
    """A monotonic clock that only moves when something sleeps on it (or a test advances it)."""

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


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_http_client(user_agent("me@example.org"), timeout=5.0) as c:
        yield c


def polite(client: httpx.Client, fake: FakeTime, **options: Any) -> PoliteClient:
    return PoliteClient(client, sleep=fake.sleep, clock=fake.clock, **options)


# -- identity ---------------------------------------------------------------------------------


def test_user_agent_names_the_project_version_and_contact() -> None:
    assert user_agent("me@example.org") == (
        f"paperfeed/{__version__} (+https://github.com/paperfeed/paperfeed; mailto:me@example.org)"
    )
    assert user_agent("") == f"paperfeed/{__version__} (+https://github.com/paperfeed/paperfeed)"


def test_requests_carry_the_user_agent_with_the_contact_email(
    httpserver: HTTPServer, client: httpx.Client, fake: FakeTime
) -> None:
    httpserver.expect_request("/rss/cs.LG").respond_with_data(BODY)
    result = polite(client, fake).get(httpserver.url_for("/rss/cs.LG"))
    assert result.status == 200 and result.body == BODY and not result.from_cache
    request, _ = httpserver.log[0]
    assert "mailto:me@example.org" in request.headers["User-Agent"]
    assert request.headers["User-Agent"].startswith(f"paperfeed/{__version__} ")


def test_the_client_factory_allows_one_connection_and_sets_timeouts() -> None:
    with make_http_client("ua", timeout=12.5) as c:
        assert c.timeout.connect == 12.5 and c.timeout.read == 12.5
        assert c.headers["User-Agent"] == "ua"
        pool = c._transport._pool  # type: ignore[attr-defined]
        assert pool._max_connections == 1


# -- spacing ----------------------------------------------------------------------------------


def test_request_starts_are_at_least_min_interval_apart(
    httpserver: HTTPServer, client: httpx.Client, fake: FakeTime
) -> None:
    starts: list[float] = []

    def record(request: Request) -> Response:
        starts.append(fake.now)
        return Response(BODY)

    httpserver.expect_request("/feed").respond_with_handler(record)
    http = polite(client, fake, min_interval=3.0)
    url = httpserver.url_for("/feed")
    http.get(url)
    http.get(url)
    http.get(url)
    assert fake.sleeps == [3.0, 3.0]
    fake.now += 1.0  # the caller spent a second on something else
    http.get(url)
    assert fake.sleeps[-1] == pytest.approx(2.0)
    fake.now += 10.0
    http.get(url)
    assert len(fake.sleeps) == 3  # long enough ago: no wait
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(gap >= 3.0 for gap in gaps), gaps


# -- retries ----------------------------------------------------------------------------------


def test_429_with_retry_after_seconds_waits_that_long_then_succeeds(
    httpserver: HTTPServer, client: httpx.Client, fake: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_oneshot_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_request("/feed").respond_with_data(BODY)
    with caplog.at_level(logging.DEBUG, logger="paperfeed.sources.http"):
        result = polite(client, fake, min_interval=3.0).get(httpserver.url_for("/feed"))
    assert result.body == BODY
    assert fake.sleeps == [7.0]
    assert len(httpserver.log) == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "429" in warnings[0].getMessage()
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG and "GET" in r.getMessage()]
    assert len(debug) == 2


def test_retry_after_as_an_http_date_is_read_against_the_servers_clock(
    httpserver: HTTPServer, client: httpx.Client, fake: FakeTime
) -> None:
    # The loopback server stamps its real Date header; ask for a retry 30 s after it.
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    httpserver.expect_oneshot_request("/feed").respond_with_data(
        "", status=503, headers={"Retry-After": later}
    )
    httpserver.expect_request("/feed").respond_with_data(BODY)
    result = polite(client, fake).get(httpserver.url_for("/feed"))
    assert result.body == BODY
    assert len(fake.sleeps) == 1 and 27.0 <= fake.sleeps[0] <= 31.0


def test_parse_retry_after_reads_seconds_and_dates() -> None:
    now = datetime(2026, 2, 18, 5, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Wed, 18 Feb 2026 05:01:30 GMT", now) == 90.0
    assert parse_retry_after("Wed, 18 Feb 2026 04:00:00 GMT", now) == 0.0  # already past
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("", now) is None


def test_503_without_retry_after_backs_off_then_succeeds(
    httpserver: HTTPServer, client: httpx.Client, fake: FakeTime
) -> None:
    httpserver.expect_oneshot_request("/feed").respond_with_data("busy", status=503)
    httpserver.expect_request("/feed").respond_with_data(BODY)
    result = polite(client, fake, backoff=3.0).get(httpserver.url_for("/feed"))
    assert result.status == 200 and result.body == BODY
    assert fake.sleeps == [3.0]


def test_persistent_500_gives_up_after_the_retries_with_backoff(
    httpserver: HTTPServer, client: httpx.Client, fake: FakeTime
) -> None:
    httpserver.expect_request("/feed").respond_with_data("oops", status=500)
    url = httpserver.url_for("/feed")
    with pytest.raises(SourceError) as caught:
        polite(client, fake, retries=3, backoff=2.0, min_interval=0.0).get(url)
    assert len(httpserver.log) == 4
    assert fake.sleeps == [2.0, 4.0, 8.0]
    assert caught.value.status == 500 and caught.value.url == url
    assert "after 4 attempts" in caught.value.message and "HTTP 500" in caught.value.message
    assert "status.arxiv.org" in caught.value.hint


def test_a_retry_after_beyond_the_cap_gives_up_at_once(
    httpserver: HTTPServer, client: httpx.Client, fake: FakeTime
) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    with pytest.raises(SourceError) as caught:
        polite(client, fake, max_retry_after=300.0).get(httpserver.url_for("/feed"))
    assert len(httpserver.log) == 1 and fake.sleeps == []
    assert "3600 s" in caught.value.message and "300 s" in caught.value.message
    assert caught.value.status == 429


def test_other_client_errors_fail_at_once_unless_accepted(
    httpserver: HTTPServer, client: httpx.Client, fake: FakeTime
) -> None:
    httpserver.expect_request("/rss/cs.XX").respond_with_data("<rss/>", status=400)
    httpserver.expect_request("/rss/nope").respond_with_data("not found", status=404)
    http = polite(client, fake)
    accepted = http.get(httpserver.url_for("/rss/cs.XX"), accept_status=(400,))
    assert accepted.status == 400 and accepted.body == b"<rss/>"
    with pytest.raises(SourceError) as caught:
        http.get(httpserver.url_for("/rss/nope"))
    assert caught.value.status == 404 and "HTTP 404" in caught.value.message
    assert "/rss/nope" in caught.value.message
    assert len(httpserver.log) == 2  # no retries for either


def test_a_timeout_is_retried_then_reported(fake: FakeTime) -> None:
    release = threading.Event()

    def stall(request: Request) -> Response:
        release.wait(2.0)  # far longer than the client waits; released when the test ends
        return Response(BODY)

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request("/feed").respond_with_handler(stall)
    server.start()
    try:
        with make_http_client("ua", timeout=0.05) as c, pytest.raises(SourceError) as caught:
            polite(c, fake, retries=1, backoff=1.0).get(server.url_for("/feed"))
        assert "timed out" in caught.value.message and "after 2 attempts" in caught.value.message
        assert fake.sleeps == [1.0, 2.0]  # backoff 1 s, then the rest of the 3 s spacing
    finally:
        release.set()
        server.stop()


def test_a_refused_connection_fails_at_once_naming_the_host(
    client: httpx.Client, fake: FakeTime
) -> None:
    # Nothing listens there: retrying only waits, and it is not arXiv being busy.
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed"
    with pytest.raises(SourceError) as caught:
        polite(client, fake, retries=2, min_interval=0.0, backoff=1.0).get(url)
    assert caught.value.message == (
        f"GET {url} failed: cannot reach 127.0.0.1 (connection refused on port {port})"
    )
    assert "paperfeed demo" in caught.value.hint and "status.arxiv.org" not in caught.value.hint
    assert caught.value.url == url
    assert fake.sleeps == []


# -- truncated bodies -------------------------------------------------------------------------


class RawServer:
    """A socket server that answers each connection with the next canned bytes and closes:
    the one way to send a body shorter than its Content-Length."""

    def __init__(self, answers: list[bytes]) -> None:
        self.answers = answers
        self.requests = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/feed"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        for answer in self.answers:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                self.requests += 1
                conn.sendall(answer)

    def close(self) -> None:
        self.sock.close()
        self.thread.join(timeout=2)


def http_response(body: bytes, declared: int | None = None) -> bytes:
    length = len(body) if declared is None else declared
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    return head.encode() + body


@pytest.fixture
def raw_server() -> Iterator[Callable[[list[bytes]], RawServer]]:
    servers: list[RawServer] = []

    def start(answers: list[bytes]) -> RawServer:
        servers.append(RawServer(answers))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_a_truncated_body_is_retried(
    raw_server: Callable[[list[bytes]], RawServer], client: httpx.Client, fake: FakeTime
) -> None:
    full = b"<rss>" + b"x" * 990 + b"</rss>"
    server = raw_server([http_response(full[:10], declared=len(full)), http_response(full)])
    result = polite(client, fake).get(server.url)
    assert result.body == full
    assert server.requests == 2 and fake.sleeps == [3.0]


def test_a_body_truncated_every_time_is_a_source_error(
    raw_server: Callable[[list[bytes]], RawServer], client: httpx.Client, fake: FakeTime
) -> None:
    cut = http_response(b"<rss>short", declared=1000)
    server = raw_server([cut, cut])
    with pytest.raises(SourceError) as caught:
        polite(client, fake, retries=1).get(server.url)
    assert "RemoteProtocolError" in caught.value.message
    assert server.requests == 2


def test_a_short_body_that_the_transport_let_through_is_caught(fake: FakeTime) -> None:
    # An in-memory transport does not police Content-Length; the client checks it itself.
    calls: list[int] = []

    def short(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, headers={"Content-Length": "100"}, content=b"short")

    with (
        httpx.Client(transport=httpx.MockTransport(short)) as c,
        pytest.raises(SourceError) as caught,
    ):
        polite(c, fake, retries=1).get("http://arxiv.test/feed")
    assert "truncated body: received 5 of 100 bytes" in caught.value.message
    assert len(calls) == 2


# -- conditional GET --------------------------------------------------------------------------


def test_a_304_is_answered_from_the_validator_cache(
    httpserver: HTTPServer, client: httpx.Client, fake: FakeTime
) -> None:
    etag = '"sha256-abc"'
    httpserver.expect_ordered_request("/rss/cs.LG").respond_with_data(
        BODY, headers={"ETag": etag, "Last-Modified": "Wed, 18 Feb 2026 05:00:02 GMT"}
    )
    httpserver.expect_ordered_request(
        "/rss/cs.LG",
        headers={"If-None-Match": etag, "If-Modified-Since": "Wed, 18 Feb 2026 05:00:02 GMT"},
    ).respond_with_data(b"", status=304, headers={"ETag": etag})
    cache = MemoryValidatorCache()
    http = polite(client, fake, cache=cache)
    url = httpserver.url_for("/rss/cs.LG")
    first = http.get(url)
    second = http.get(url)
    httpserver.check_assertions()
    assert first.body == BODY and not first.from_cache
    assert second.body == BODY and second.from_cache and second.status == 200
    assert cache.get(url) == CachedResponse(
        etag=etag, last_modified="Wed, 18 Feb 2026 05:00:02 GMT", body=BODY, status=200
    )


def test_the_cache_is_keyed_by_the_full_url_with_parameters(
    httpserver: HTTPServer, client: httpx.Client, fake: FakeTime
) -> None:
    httpserver.expect_request("/api/query", query_string="id_list=1&start=0").respond_with_data(
        b"one", headers={"ETag": '"1"'}
    )
    httpserver.expect_request("/api/query", query_string="id_list=2&start=0").respond_with_data(
        b"two", headers={"ETag": '"2"'}
    )
    cache = MemoryValidatorCache()
    http = polite(client, fake, cache=cache)
    url = httpserver.url_for("/api/query")
    assert http.get(url, params={"id_list": "1", "start": 0}).body == b"one"
    assert http.get(url, params={"id_list": "2", "start": 0}).body == b"two"
    assert cache.get(f"{url}?id_list=1&start=0") is not None
    assert cache.get(f"{url}?id_list=2&start=0") is not None
    # The second request for id 2 carried no validator of id 1.
    assert "If-None-Match" not in httpserver.log[1][0].headers
