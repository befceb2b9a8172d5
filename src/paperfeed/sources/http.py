"""One polite HTTP layer for every arXiv endpoint (RSS, API, OAI-PMH).

arXiv's terms ask for no more than one request every three seconds over a single connection,
counted across all its interfaces together, so every arXiv request of a run goes through one
``PoliteClient``. It spaces request starts, retries the failures worth retrying (with backoff,
honouring ``Retry-After``), revalidates cached bodies with ``If-None-Match`` /
``If-Modified-Since`` and turns everything else into a ``SourceError`` that says what to do.
Every response is bounded (``http_limits``): its decoded size by ``max_response_bytes``, each
attempt's total time by ``deadline``. A host that cannot be reached (no network, a name that
does not resolve, a refused connection) fails at once: that is not arXiv being busy.
The ``httpx.Client``, the clocks and ``sleep`` are injected, so tests never wait.
"""

from __future__ import annotations

import errno
import logging
import socket
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

from paperfeed import __version__
from paperfeed.core.errors import SourceError
from paperfeed.core.retry_after import parse_retry_after
from paperfeed.sources.http_limits import ResponseTooLarge, deadline, deadline_transport, read_body

log = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/paperfeed/paperfeed"
DEFAULT_MIN_INTERVAL = 3.0  # arXiv's terms: one request every three seconds
DEFAULT_RETRIES = 4
DEFAULT_BACKOFF = 3.0  # first retry waits this long, then twice as long each time
DEFAULT_MAX_RETRY_AFTER = 300.0
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RESPONSE_MB = 64  # a full 2,000-item feed is ~4 MB; an API page of 100 ~0.3 MB
MIB = 1 << 20
_BUSY_HINT = "arXiv may be busy or down (see https://status.arxiv.org); run again later"
_OFFLINE_HINT = (
    "check the network connection and the host in paperfeed.toml ([arxiv] rss_url / api_url); "
    "`paperfeed demo` runs the whole pipeline offline on a bundled listing"
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_STATUSES = frozenset({429, 503})

# Failures of the connection itself that a later attempt may not meet. Protocol errors on the
# server's side include a body cut short of its Content-Length.
_RETRYABLE_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)


def user_agent(contact_email: str) -> str:
    """The User-Agent arXiv asks for: who we are and how to reach whoever runs this copy."""
    contact = f"; mailto:{contact_email.strip()}" if contact_email.strip() else ""
    return f"paperfeed/{__version__} (+{PROJECT_URL}{contact})"


def make_http_client(user_agent: str, timeout: float = DEFAULT_TIMEOUT) -> httpx.Client:
    """The one client (one connection) every arXiv request goes through; the caller closes it.

    Redirects are followed because arXiv answers ``http://`` with a 301 to ``https://``.
    ``timeout`` bounds each connect and read; ``PoliteClient`` also bounds each request's total.
    """
    limits = httpx.Limits(max_connections=1)
    return httpx.Client(
        headers={"User-Agent": user_agent},
        timeout=httpx.Timeout(timeout),
        limits=limits,
        follow_redirects=True,
        transport=deadline_transport(limits),  # the socket also keeps each request's deadline
    )


@dataclass(frozen=True, slots=True)
class CachedResponse:
    """A stored response and the validators to revalidate it with."""

    etag: str | None
    last_modified: str | None
    body: bytes
    status: int


class ValidatorCache(Protocol):
    """Where bodies with validators are kept between requests (the store implements it too)."""

    def get(self, url: str) -> CachedResponse | None: ...

    def put(self, url: str, response: CachedResponse) -> None: ...


class MemoryValidatorCache:
    """A ``ValidatorCache`` that lives as long as the process."""

    def __init__(self) -> None:
        self._entries: dict[str, CachedResponse] = {}

    def get(self, url: str) -> CachedResponse | None:
        return self._entries.get(url)

    def put(self, url: str, response: CachedResponse) -> None:
        self._entries[url] = response


@dataclass(frozen=True, slots=True)
class HttpResult:
    """A response body and where it came from. ``headers`` look-ups ignore case."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    from_cache: bool = False


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PoliteClient:
    """GET with arXiv's manners: spaced, retried, revalidated. Not thread-safe by design:
    arXiv allows one connection at a time, so one caller at a time."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        min_interval: float = DEFAULT_MIN_INTERVAL,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = _utc_now,
        cache: ValidatorCache | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_MB * MIB,
        deadline: float | None = None,
    ) -> None:
        """``max_response_bytes`` caps a decoded body; ``deadline`` is the most seconds one
        attempt may take from start to last byte (default: the client's read timeout)."""
        self._client = client
        self.min_interval = min_interval
        self.retries = retries
        self.max_response_bytes = max_response_bytes
        self.deadline = deadline if deadline is not None else client.timeout.read
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock  # only to read a Retry-After date when the reply has no Date
        self._cache: ValidatorCache = cache if cache is not None else MemoryValidatorCache()
        self._last_start: float | None = None

    def get(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        accept_status: Collection[int] = (),
    ) -> HttpResult:
        """GET ``url`` (with ``params``). 2xx and the ``accept_status`` codes are returned
        (arXiv's RSS and API send their error documents with HTTP 400); 304 returns the cached
        body; anything else, after the retries, raises ``SourceError``."""
        full_url = str(httpx.URL(url, params=params)) if params else url
        cached = self._cache.get(full_url)
        headers = _validators(cached)
        attempt = 0
        while True:
            attempt += 1
            self._wait_turn()
            log.debug("GET %s (attempt %d)", full_url, attempt)
            retry_after: float | None = None
            try:
                response, body = self._fetch(full_url, headers)
            except ResponseTooLarge as exc:
                raise self._too_large(full_url, exc.limit) from None
            except _RETRYABLE_ERRORS as exc:
                unreachable = _unreachable(exc, full_url)
                if unreachable is not None:
                    raise unreachable from exc
                failure = _describe(exc)
            except httpx.HTTPError as exc:
                raise SourceError(
                    f"GET {full_url} failed: {_describe(exc)}",
                    url=full_url,
                    hint="check the URL in paperfeed.toml ([arxiv] rss_url / api_url)",
                ) from exc
            else:
                status = response.status_code
                if status not in RETRY_STATUSES:
                    return self._finish(full_url, response, body, cached, accept_status)
                failure = f"HTTP {status} {response.reason_phrase}".rstrip()
                if status in RETRY_AFTER_STATUSES:
                    retry_after = self._retry_after(response)
            if attempt > self.retries:
                raise SourceError(
                    f"GET {full_url} failed after {attempt} attempts: {failure}",
                    url=full_url,
                    status=_status_of(failure),
                    hint=_BUSY_HINT,
                )
            delay = self.backoff * 2 ** (attempt - 1)
            if retry_after is not None:
                if retry_after > self.max_retry_after:
                    raise SourceError(
                        f"GET {full_url}: {failure}; the server asks to wait {retry_after:.0f} s "
                        f"before retrying, more than the {self.max_retry_after:.0f} s paperfeed "
                        "waits at most",
                        url=full_url,
                        status=_status_of(failure),
                        hint="run again later",
                    )
                delay = retry_after
            log.warning(
                "GET %s: %s; retry %d of %d in %.1f s",
                full_url,
                failure,
                attempt,
                self.retries,
                delay,
            )
            self._sleep(delay)

    def _fetch(self, url: str, headers: Mapping[str, str]) -> tuple[httpx.Response, bytes]:
        """One attempt: the response and its decoded body, within the size cap and deadline."""
        with (
            deadline(self.deadline) as until,
            self._client.stream("GET", url, headers=headers) as response,
        ):
            body = read_body(response, self.max_response_bytes, until)
            _check_complete(response, len(body))
        return response, body

    def _too_large(self, url: str, limit: int) -> SourceError:
        shown = f"{limit / MIB:g} MB" if limit >= MIB else f"{limit} bytes"
        return SourceError(
            f"GET {url}: the response is larger than {shown}, the most paperfeed reads "
            "([arxiv] max_response_mb); it stopped reading there",
            url=url,
            hint="a feed is a few MB: the server may be broken or hostile; if the response "
            "is really this large, raise [arxiv] max_response_mb in paperfeed.toml",
        )

    def _wait_turn(self) -> None:
        """Sleep until ``min_interval`` has passed since the previous request started."""
        if self._last_start is not None:
            wait = self._last_start + self.min_interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_start = self._clock()

    def _retry_after(self, response: httpx.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if value is None:
            return None
        # An HTTP-date is relative to the server's clock, which its Date header shows.
        now = _header_date(response.headers.get("Date")) or self._wall_clock()
        return parse_retry_after(value, now)

    def _finish(
        self,
        url: str,
        response: httpx.Response,
        body: bytes,
        cached: CachedResponse | None,
        accept_status: Collection[int],
    ) -> HttpResult:
        status = response.status_code
        if status == 304 and cached is not None:
            log.debug("GET %s: not modified, using the cached body", url)
            return HttpResult(
                url=url,
                status=cached.status,
                headers=response.headers,
                body=cached.body,
                from_cache=True,
            )
        if 200 <= status < 300:
            etag = response.headers.get("ETag")
            last_modified = response.headers.get("Last-Modified")
            if etag or last_modified:
                self._cache.put(
                    url,
                    CachedResponse(
                        etag=etag, last_modified=last_modified, body=body, status=status
                    ),
                )
            return HttpResult(url=url, status=status, headers=response.headers, body=body)
        if status in accept_status:
            return HttpResult(url=url, status=status, headers=response.headers, body=body)
        raise SourceError(
            f"GET {url} answered HTTP {status} {response.reason_phrase}".rstrip(),
            url=url,
            status=status,
            hint=_hint_for(status),
        )


def _validators(cached: CachedResponse | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if cached is not None:
        if cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
    return headers


def _check_complete(response: httpx.Response, decoded: int) -> None:
    """A body shorter than its Content-Length was cut off on the way (httpx's transports
    usually notice; this catches the rest). Content-Length counts the bytes as sent, so a
    compressed body is measured before decoding, when the transport counted it."""
    declared = response.headers.get("Content-Length")
    if declared is None or not declared.isdigit() or response.status_code in (204, 304):
        return
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        received = decoded
    elif response.num_bytes_downloaded:
        received = response.num_bytes_downloaded
    else:  # pre-read by an in-memory transport: nothing was sent, nothing to measure
        return
    if received < int(declared):
        raise httpx.RemoteProtocolError(
            f"truncated body: received {received} of {declared} bytes", request=response.request
        )


def _header_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _unreachable(exc: httpx.HTTPError, url: str) -> SourceError | None:
    """A ``SourceError`` when the host cannot be reached at all: its name does not resolve,
    there is no route to it, or it refuses the connection. Retrying would only wait (a DNS
    failure without network took 45 s of retries): none of these is arXiv being busy."""
    if not isinstance(exc, httpx.ConnectError):
        return None
    cause = _os_error(exc)
    parsed = httpx.URL(url)
    host = parsed.host or url
    if isinstance(cause, socket.gaierror):
        reason = "no network or DNS?"
    elif isinstance(cause, ConnectionRefusedError):
        reason = f"connection refused on port {parsed.port or _default_port(parsed)}"
    elif cause is not None and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        reason = "no network?"
    else:
        return None
    return SourceError(
        f"GET {url} failed: cannot reach {host} ({reason})", url=url, hint=_OFFLINE_HINT
    )


def _os_error(exc: BaseException) -> OSError | None:
    """The operating system's error under httpx's and httpcore's wrappers, if any."""
    seen: BaseException | None = exc
    for _ in range(8):  # httpx -> httpcore -> OSError; a cycle or a deep chain is not ours
        if seen is None:
            return None
        if isinstance(seen, OSError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _describe(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        detail = str(exc)
        if "time limit" in detail:
            return f"timed out ({type(exc).__name__}: {detail})"
        return f"timed out ({type(exc).__name__})"
    detail = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {detail}"


def _status_of(failure: str) -> int | None:
    if failure.startswith("HTTP "):
        code = failure.split()[1]
        return int(code) if code.isdigit() else None
    return None


def _hint_for(status: int) -> str:
    if status == 404:
        return "check the feed or category name and [arxiv] rss_url / api_url in paperfeed.toml"
    if status == 403:
        return (
            "arXiv may be refusing this client: set [arxiv] contact_email and keep "
            "min_interval at 3 s or more"
        )
    if 400 <= status < 500:
        return "the request was refused; check [arxiv] settings in paperfeed.toml"
    return _BUSY_HINT
