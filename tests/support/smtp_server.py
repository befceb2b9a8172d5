"""A real SMTP server (aiosmtpd) on loopback for the delivery tests and the benchmark.

``smtp_server(mode=...)`` runs one with STARTTLS (required before MAIL), implicit TLS, or no TLS
at all, with a certificate from a throwaway CA (trustme) that ``client_context`` trusts, and
optionally requiring a login. Every accepted message is kept, parsed, in ``server.messages``.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, Literal

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

Mode = Literal["starttls", "tls", "none"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    tls: bool

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class RecordingHandler:
    implicit_tls: bool = False
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(
                Received(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    raw=envelope.original_content or envelope.content,
                    tls=self.implicit_tls or session.ssl is not None,
                )
            )
        return "250 2.0.0 Ok: queued"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler
    ca: trustme.CA
    logins: list[str]

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context


@contextmanager
def smtp_server(
    mode: Mode = "starttls",
    *,
    password: str | None = None,
    ca: trustme.CA | None = None,
) -> Iterator[SmtpServer]:
    ca = ca or trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    handler = RecordingHandler(implicit_tls=mode == "tls")
    logins: list[str] = []

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password.decode() == password
        if ok:
            logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)  # unhandled: aiosmtpd answers 535

    options: dict[str, Any] = {"server_hostname": "localhost", "ready_timeout": 10.0}
    if mode == "starttls":
        options.update(tls_context=server_context, require_starttls=True)
    elif mode == "tls":
        options.update(ssl_context=server_context)
    if password is not None:
        options.update(authenticator=authenticate, auth_required=True)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler, ca, logins)
    finally:
        controller.stop()
