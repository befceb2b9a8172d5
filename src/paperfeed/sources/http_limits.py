"""Bounds on one HTTP response whatever the server does: a size cap and a total deadline.

A hostile or broken upstream can send a gzip bomb (2 MB on the wire, 2 GiB inflated), an
endless body, or trickle a byte at a time so that no single read ever times out (httpx's
timeouts are per read). So every response is streamed:

- ``read_body`` counts the *decoded* bytes as they arrive and stops at the cap. gzip and
  deflate are inflated here, at most ``INFLATE_STEP`` bytes out per step, so a bomb never
  inflates more than one step past the cap (httpx's own decoder inflates a whole network
  chunk at once: 64 KiB of a bomb is 64 MiB). Other encodings are left to httpx.
- The deadline is checked between chunks, and, for clients made by ``make_http_client``,
  at the socket: ``DeadlineBackend`` gives every connect, write and read at most the time
  left, so trickled headers are cut off too.
"""

from __future__ import annotations

import contextlib
import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

import httpcore
import httpx

INFLATE_STEP = 1 << 20  # bytes one inflate step may produce
_T = TypeVar("_T")

# The current request's deadline: when it must be done (time.monotonic()) and its length in
# seconds; None: no deadline. Set around each request by ``deadline``, read by its sockets.
_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("paperfeed_deadline", default=None)


class ResponseTooLarge(Exception):
    """The decoded body passed the cap; ``PoliteClient`` turns it into a ``SourceError``."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the response is larger than {limit} bytes")
        self.limit = limit


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[float | None]:
    """Requests made inside share one deadline, ``seconds`` from now (None: no deadline);
    yields when it falls (``time.monotonic()``)."""
    if seconds is None:
        yield None
        return
    when = time.monotonic() + seconds
    token = _DEADLINE.set((when, seconds))
    try:
        yield when
    finally:
        _DEADLINE.reset(token)


def over_time_message(seconds: float) -> str:
    return f"the request took longer than its time limit of {seconds:g} s"


_Timeout = type[httpcore.TimeoutException]


def _bounded(timeout: float | None, error: _Timeout) -> tuple[float | None, bool]:
    """``timeout`` shortened to the time the current request has left, and whether the
    deadline (not ``timeout``) is what binds."""
    current = _DEADLINE.get()
    if current is None:
        return timeout, False
    when, seconds = current
    left = when - time.monotonic()
    if left <= 0:
        raise error(over_time_message(seconds))
    if timeout is not None and timeout <= left:
        return timeout, False
    return left, True


def _call(operation: Callable[[float | None], _T], timeout: float | None, error: _Timeout) -> _T:
    """``operation(timeout)`` within the current request's deadline."""
    bounded, binding = _bounded(timeout, error)
    try:
        return operation(bounded)
    except error:
        current = _DEADLINE.get()
        if binding and current is not None:
            raise error(over_time_message(current[1])) from None
        raise


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the current request's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _call(lambda t: self._stream.read(max_bytes, t), timeout, httpcore.ReadTimeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _call(lambda t: self._stream.write(buffer, t), timeout, httpcore.WriteTimeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = _call(
            lambda t: self._stream.start_tls(ssl_context, server_hostname, t),
            timeout,
            httpcore.ConnectTimeout,
        )
        return DeadlineStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's synchronous sockets, each bounded by the current request's deadline."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = _call(
            lambda t: self._backend.connect_tcp(host, port, t, local_address, socket_options),
            timeout,
            httpcore.ConnectTimeout,
        )
        return DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = _call(
            lambda t: self._backend.connect_unix_socket(path, t, socket_options),
            timeout,
            httpcore.ConnectTimeout,
        )
        return DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def deadline_transport(limits: httpx.Limits) -> httpx.HTTPTransport:
    """httpx's transport over ``DeadlineBackend``. httpx takes no network backend, so the
    connection pool it built is replaced by one with the same settings and this backend
    (tests/sources/test_http_limits.py fails if an httpx upgrade stops honouring it)."""
    transport = httpx.HTTPTransport(limits=limits)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=DeadlineBackend(),
    )
    return transport


def read_body(response: httpx.Response, limit: int, until: float | None) -> bytes:
    """The decoded body of a streamed response, at most ``limit`` bytes (else
    ``ResponseTooLarge``), read by ``until`` (``time.monotonic()``; else ``httpx.ReadTimeout``)."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    chunks: Iterable[bytes]
    if _already_read(response):  # an in-memory transport's response: decoded by httpx
        chunks = (response.content,)
    elif encoding in ("", "identity"):
        chunks = response.iter_raw()
    elif encoding in ("gzip", "x-gzip", "deflate"):
        chunks = _inflate(response.iter_raw(), gzip=encoding != "deflate", request=response.request)
    else:  # br, zstd, a chain of encodings: httpx's decoders
        chunks = response.iter_bytes()
    body = bytearray()
    for chunk in chunks:
        if len(body) + len(chunk) > limit:
            raise ResponseTooLarge(limit)
        body += chunk
        if until is not None and time.monotonic() > until:
            current = _DEADLINE.get()
            message = over_time_message(current[1]) if current else "over the time limit"
            raise httpx.ReadTimeout(message, request=response.request)
    return bytes(body)


def _already_read(response: httpx.Response) -> bool:
    try:
        response.content  # noqa: B018  (raises if the body is still to be streamed)
    except httpx.ResponseNotRead:
        return False
    return True


def _inflate(raw: Iterable[bytes], *, gzip: bool, request: httpx.Request) -> Iterator[bytes]:
    """gzip or deflate data inflated in steps of at most ``INFLATE_STEP`` bytes. "deflate" is
    zlib-wrapped by the standard and raw in practice, so either is read, as httpx does."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
    first = True
    try:
        for data in raw:
            while data and not inflater.eof:
                try:
                    out = inflater.decompress(data, INFLATE_STEP)
                except zlib.error:
                    if gzip or not first:
                        raise
                    inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate
                    out = inflater.decompress(data, INFLATE_STEP)
                first = False
                data = inflater.unconsumed_tail
                if out:
                    yield out
        yield inflater.flush()
    except zlib.error as exc:
        raise httpx.DecodingError(
            f"the compressed body is corrupt: {exc}", request=request
        ) from exc
