"""E-mail: the message (both parts, headers, math), and a real SMTP server on loopback that
requires TLS (aiosmtpd, a certificate from a throwaway CA)."""

from __future__ import annotations

import re
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest
import trustme

from paperfeed.core.errors import SendError
from paperfeed.publish.edition import edition
from paperfeed.publish.email import (
    EmailBodies,
    OutgoingEmail,
    SmtpSender,
    compose,
    render_bodies,
    unsubscribe_url,
)
from paperfeed.stages.deliver.targets import message_key
from tests.support.delivery_samples import DP, JUNE_4, RL, digest_for, email_settings
from tests.support.smtp_server import smtp_server

NOW = datetime(2026, 6, 4, 1, 0, tzinfo=UTC)
SENDER = "paperfeed <digest@example.org>"


def outgoing(recipient: str = "ada@example.org", topics: tuple[str, ...] = ()) -> OutgoingEmail:
    content = edition([digest_for()], topics)
    return compose(
        render_bodies(content, day_url="https://papers.example.org/days/2026-06-04.html"),
        recipient=recipient,
        sender=SENDER,
        message_key=message_key([JUNE_4], "email", recipient),
        now=NOW,
        unsubscribe=unsubscribe_url("", SENDER, recipient),
    )


def message_for(recipient: str = "ada@example.org", topics: tuple[str, ...] = ()) -> EmailMessage:
    return outgoing(recipient, topics).message()


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_message_has_a_text_and_an_html_part_with_the_same_papers() -> None:
    msg = message_for()
    assert msg.get_content_type() == "multipart/alternative"
    text, html = parts(msg)
    for number in range(1, 6):
        assert f"https://arxiv.org/abs/2606.{number:05d}" in text
        assert f"https://arxiv.org/abs/2606.{number:05d}" in html
    assert "具有 O(n²) 遗憾的策略优化（第 1 部分）" in text
    assert "今天共有 5 篇相关文章" in text and "今天共有 5 篇相关文章" in html
    assert "https://papers.example.org/days/2026-06-04.html" in html


def test_html_part_uses_inline_styles_and_escapes_paper_text() -> None:
    _, html = parts(message_for())
    assert "<style" not in html and "<script" not in html
    assert html.count('style="') > 50
    # The abstract's "<b>&</b>" is text, not markup.
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html
    assert "<b>&</b>" not in html


def test_math_is_shown_as_readable_unicode_not_tex() -> None:
    text, html = parts(message_for())
    assert "O(n²)" in text and "ℝᵈ" in text and "√T" in text and "ϵ-greedy" in text
    assert "$" not in text and "\\mathbb" not in text
    assert re.search(r'<span style="[^"]*italic[^"]*">O\(n²\)</span>', html)


def test_headers_message_id_is_deterministic_and_unsubscribe_is_set() -> None:
    first, second = message_for(), message_for()
    assert first["Message-ID"] == second["Message-ID"]
    assert re.fullmatch(r"<[0-9a-f]{32}@example\.org>", first["Message-ID"])
    assert message_for("grace@example.org")["Message-ID"] != first["Message-ID"]
    assert first["List-Unsubscribe"] == "<mailto:digest@example.org?subject=unsubscribe>"
    assert "List-Unsubscribe-Post" not in first
    assert first["Auto-Submitted"] == "auto-generated"
    assert str(first["Subject"]) == "arXiv 速递 2026-06-04 · 5 篇"
    assert parsedate_to_datetime(first["Date"]) == NOW


def test_https_unsubscribe_gets_one_click_header_and_the_recipient_filled_in() -> None:
    url = unsubscribe_url("https://papers.example.org/unsub?u={email}", SENDER, "a+b@example.org")
    assert url == "https://papers.example.org/unsub?u=a%2Bb@example.org"
    content = edition([digest_for()], ())
    msg = compose(
        render_bodies(content),
        recipient="a+b@example.org",
        sender=SENDER,
        message_key="k",
        now=NOW,
        unsubscribe=url,
    ).message()
    assert msg["List-Unsubscribe"] == f"<{url}>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url.replace("&", "&amp;") in parts(msg)[1] or url in parts(msg)[1]


def test_topic_subscription_cuts_the_digest() -> None:
    msg = message_for(topics=(DP,))
    text, _ = parts(msg)
    assert f"== {DP} (2) ==" in text
    assert RL not in text.split("==")[1]
    assert str(msg["Subject"]) == "arXiv 速递 2026-06-04 · 2 篇"


def test_send_over_starttls_is_received_and_parsed_back() -> None:
    with smtp_server("starttls", password="s3cret") as server:
        settings = email_settings(
            server.host, server.port, username="digest@example.org", password="s3cret"
        )
        with SmtpSender(settings, ssl_context=server.client_context()) as sender:
            reply = sender.send(outgoing("ada@example.org"))
            sender.send(outgoing("grace@example.org"))
        assert reply.startswith("250")
        assert [m.rcpt_tos for m in server.messages] == [["ada@example.org"], ["grace@example.org"]]
        assert all(m.tls for m in server.messages)
        assert server.logins == ["digest@example.org"]
        received = server.messages[0].message
        assert received["Message-ID"] == message_for()["Message-ID"]
        assert str(received["Subject"]) == "arXiv 速递 2026-06-04 · 5 篇"
        assert received["List-Unsubscribe"] == "<mailto:digest@example.org?subject=unsubscribe>"
        assert received["List-Id"] == "paperfeed arXiv digest <digest.example.org>"
        text, html = parts(received)
        assert "O(n²)" in text and "<!DOCTYPE html>" in html


def test_implicit_tls_works() -> None:
    with smtp_server("tls") as server:
        settings = email_settings(server.host, server.port, security="tls")
        with SmtpSender(settings, ssl_context=server.client_context()) as sender:
            sender.send(outgoing())
        assert len(server.messages) == 1 and server.messages[0].tls


def test_a_server_without_starttls_is_refused_not_used_in_plain_text() -> None:
    with smtp_server("none") as server:
        settings = email_settings(server.host, server.port)
        with (
            SmtpSender(settings, ssl_context=server.client_context()) as sender,
            pytest.raises(
                SendError, match="does not offer STARTTLS; refusing to send in plain text"
            ),
        ):
            sender.send(outgoing())
        assert server.messages == []


def test_an_untrusted_certificate_is_refused() -> None:
    with smtp_server("starttls") as server:
        stranger = ssl.create_default_context()
        trustme.CA().configure_trust(stranger)
        settings = email_settings(server.host, server.port)
        with (
            SmtpSender(settings, ssl_context=stranger) as sender,
            pytest.raises(SendError, match=r"certificate .* not trusted"),
        ):
            sender.send(outgoing())
        assert server.messages == []


def test_plain_text_only_when_configured_and_only_to_loopback() -> None:
    with smtp_server("none") as server:
        settings = email_settings(server.host, server.port, security="none")
        with SmtpSender(settings) as sender:
            sender.send(outgoing())
        assert len(server.messages) == 1 and not server.messages[0].tls
    with pytest.raises(SendError, match="refusing to send e-mail in plain text"):
        SmtpSender(email_settings("smtp.example.org", 25, security="none"))


def test_wrong_password_and_missing_password_are_clear() -> None:
    with smtp_server("starttls", password="right") as server:
        context = server.client_context()
        wrong = email_settings(server.host, server.port, username="u", password="wrong")
        with (
            SmtpSender(wrong, ssl_context=context) as sender,
            pytest.raises(SendError, match="login"),
        ):
            sender.send(outgoing())
        missing = email_settings(server.host, server.port, username="u")
        with (
            SmtpSender(missing, ssl_context=context) as sender,
            pytest.raises(SendError, match="PAPERFEED_SMTP_PASSWORD is not"),
        ):
            sender.send(outgoing())
        assert server.messages == []


def test_a_connection_failure_is_not_retried_for_every_recipient() -> None:
    with smtp_server("starttls") as server:
        port = server.port
    settings = email_settings("127.0.0.1", port, timeout=2.0)
    with SmtpSender(settings) as sender:
        with pytest.raises(SendError, match="cannot connect") as first:
            sender.send(outgoing())
        assert not first.value.uncertain
        with pytest.raises(SendError, match="cannot connect"):
            sender.send(outgoing("grace@example.org"))


def test_lines_starting_with_a_dot_survive_the_smtp_transfer() -> None:
    # RFC 5321 dot-stuffing: a lone "." line would otherwise end the message early.
    bodies = EmailBodies(
        subject="dots", text="first\n.\n..two\n.three\nlast\n", html="<p>x</p>\n", paper_count=1
    )
    with smtp_server("starttls") as server:
        with SmtpSender(
            email_settings(server.host, server.port), ssl_context=server.client_context()
        ) as sender:
            sender.send(
                compose(
                    bodies,
                    recipient="ada@example.org",
                    sender=SENDER,
                    message_key="dots",
                    now=NOW,
                    unsubscribe="mailto:x@example.org",
                )
            )
        text, _ = parts(server.messages[0].message)
    assert text.replace("\r\n", "\n") == "first\n.\n..two\n.three\nlast\n"
