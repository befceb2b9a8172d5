"""Who is asking, and may they write: reader cookies, CSRF tokens, the write token.

A reader is a browser. Its id is random and travels in a cookie signed with the archive's key
(HMAC-SHA256), so a reader cannot pick another reader's id, and one reader gets one upvote per
paper. CSRF tokens are derived from the reader id with the same key: a form or a script on this
site has one; another site cannot read it. On an address other than loopback, writes also need
the token from ``PAPERFEED_WEB_TOKEN`` (a login form turns it into a signed cookie; scripts send
``Authorization: Bearer <token>``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass

READER_COOKIE = "pf_reader"
AUTH_COOKIE = "pf_auth"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
COOKIE_MAX_AGE = 10 * 365 * 24 * 3600  # a reader keeps their stars for years


@dataclass(frozen=True, slots=True)
class Reader:
    id: str
    csrf: str
    new: bool  # no valid cookie came with the request: one is set on the response
    authorized: bool  # may write (loopback, or the write token was presented)


class Signer:
    """HMAC signatures with the archive's key; each use has its own purpose string, so a value
    signed for one purpose never validates for another."""

    def __init__(self, key: str) -> None:
        self._key = key.encode("utf-8")

    def sign(self, purpose: str, value: str) -> str:
        digest = hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    def verify(self, purpose: str, value: str, signature: str) -> bool:
        return hmac.compare_digest(self.sign(purpose, value), signature)

    # -- reader cookie --------------------------------------------------------------------

    def reader_cookie(self, reader_id: str) -> str:
        return f"{reader_id}.{self.sign('reader', reader_id)}"

    def reader_from_cookie(self, cookie: str | None) -> str | None:
        """The reader id in a cookie value, or None when missing, malformed or forged."""
        if not cookie or cookie.count(".") != 1 or len(cookie) > 100:
            return None
        reader_id, signature = cookie.split(".")
        if not reader_id or not self.verify("reader", reader_id, signature):
            return None
        return reader_id

    def csrf_token(self, reader_id: str) -> str:
        return self.sign("csrf", reader_id)

    # -- write token ----------------------------------------------------------------------

    def auth_cookie(self, token: str) -> str:
        # The cookie proves the token was presented; changing the token logs everyone out.
        return self.sign("auth", hashlib.sha256(token.encode("utf-8")).hexdigest())


def new_reader_id() -> str:
    return secrets.token_urlsafe(12)


def tokens_equal(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target only when it is a path on this site: never another host (``//x``,
    ``\\x``, ``https://x``), so forms cannot be turned into open redirects."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    return target


def write_problem(
    reader: Reader, presented_csrf: str | None, *, needs_token: bool, token_set: bool
) -> str | None:
    """Why this request may not write, or None when it may: "csrf" (token missing or wrong),
    "disabled" (needs the write token, none is configured) or "login" (token not presented)."""
    if reader.new or not tokens_equal(presented_csrf, reader.csrf):
        return "csrf"
    if needs_token and not token_set:
        return "disabled"
    if needs_token and not reader.authorized:
        return "login"
    return None
