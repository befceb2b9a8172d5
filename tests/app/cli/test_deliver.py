"""Whole-program delivery: the real CLI runs the pipeline against loopback arXiv feeds and
delivers to a real SMTP server (STARTTLS, trusted through [email] ca_file) and a loopback
webhook receiver; then `paperfeed deliver` and `paperfeed site build`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import trustme
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer

from paperfeed.app.cli import main
from paperfeed.app.demo.feeds import archives_of, build_feeds
from paperfeed.app.demo.server import serve
from tests.support.listing_builder import example_items, unrelated_items
from tests.support.smtp_server import SmtpServer, smtp_server
from tests.support.webhook_receiver import FEISHU_SECRET, JSON_SECRET, Receiver, install

JUNE = date(2026, 6, 4)


class Setup:
    def __init__(
        self, tmp_path: Path, feeds_url: str, feeds: list[str], receiver: Receiver
    ) -> None:
        self.tmp = tmp_path
        self.home = tmp_path / "home"
        self.ca = trustme.CA()
        ca_file = tmp_path / "ca.pem"
        self.ca.cert_pem.write_to_path(str(ca_file))
        self.receiver = receiver
        self.feeds_url = feeds_url
        self.feeds = feeds
        self.ca_file = ca_file
        self.config = tmp_path / "paperfeed.toml"

    def write_config(self, smtp_port: int) -> None:
        cats = ", ".join(f'"{f}"' for f in self.feeds)
        self.config.write_text(
            f"""timezone = "Asia/Shanghai"
[arxiv]
rss_url = "{self.feeds_url}/rss"
api_url = "{self.feeds_url}/api/query"
categories = [{cats}]
min_interval = 0
retries = 1

[huggingface]
enabled = false

[translate]
engine = "none"  # the engine is not the subject here ("auto" would run the local model)

[[topics]]
name = "reinforcement learning"

[[topics]]
name = "diffusion policy"

[email]
host = "127.0.0.1"
port = {smtp_port}
security = "starttls"
from = "paperfeed <digest@example.org>"
ca_file = "{self.ca_file}"
timeout = 5

[[recipients]]
email = "ada@example.org"

[[recipients]]
email = "grace@example.org"
topics = ["diffusion policy"]

[[webhooks]]
name = "team"
kind = "feishu"
url = "{self.receiver.url("feishu")}"
secret_env = "FEISHU_SECRET"

[[webhooks]]
name = "archive-bot"
kind = "json"
url = "{self.receiver.url("json")}"
secret_env = "BOT_SECRET"

[feed]
dir = "{self.tmp / "feeds"}"

[site]
dir = "{self.tmp / "site"}"
base_url = "https://papers.example.org/"
""",
            encoding="utf-8",
        )

    def cli(self, *args: str) -> Result:
        env = {
            "PAPERFEED_HOME": str(self.home),
            "PAPERFEED_CONFIG": str(self.config),
            "BOT_SECRET": JSON_SECRET,
            "FEISHU_SECRET": FEISHU_SECRET,
        }
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def setup(tmp_path: Path, httpserver: HTTPServer) -> Iterator[Setup]:
    items = example_items("digest-2026-06-04.txt") + unrelated_items()
    feeds = archives_of(items)
    receiver = install(httpserver)
    receiver.now = time.time()  # the CLI signs with the real clock
    with serve(build_feeds(JUNE, items, feeds)) as base_url:
        yield Setup(tmp_path, base_url, feeds, receiver)


def smtp(setup: Setup) -> Iterator[SmtpServer]:
    return smtp_server("starttls", ca=setup.ca)


def test_run_delivers_once_and_publishes(setup: Setup) -> None:
    with smtp(setup) as server:
        setup.write_config(server.port)
        result = setup.cli("run", "--date", "2026-06-04")
        assert result.exit_code == 0, result.output
        assert "delivery: 3 sent, 1 skipped, wrote feeds" in result.output
        # Grace subscribes to "diffusion policy", which has no paper that day.
        assert [m.rcpt_tos for m in server.messages] == [["ada@example.org"]]
        message = server.messages[0].message
        assert str(message["Subject"]) == "arXiv 速递 2026-06-04 · 52 篇"
        assert (
            "https://papers.example.org/days/2026-06-04.html"
            in message.get_body(("html",)).get_content()
        )
        assert len(setup.receiver.of("feishu")) == 2  # 52 papers do not fit one card
        assert len(setup.receiver.of("json")) == 1
        assert setup.receiver.problems == []
        assert (setup.tmp / "site/days/2026-06-04.html").is_file()
        assert (setup.tmp / "feeds/reinforcement-learning.xml").is_file()

        posts = len(setup.receiver.posts)
        again = setup.cli("run", "--date", "2026-06-04")
        assert again.exit_code == 0, again.output
        assert "delivery: 4 already" in again.output
        assert len(server.messages) == 1 and len(setup.receiver.posts) == posts

        dry = setup.cli("deliver", "--dry-run")
        assert dry.exit_code == 0
        assert "email ada@example.org [2026-06-04]: already" in dry.output


def test_a_failed_delivery_exits_1_and_is_sent_by_the_next_deliver(setup: Setup) -> None:
    with smtp(setup) as server:
        port = server.port
    setup.write_config(port)  # nothing listens there any more
    failed = setup.cli("run", "--date", "2026-06-04")
    assert failed.exit_code == 1
    assert "cannot connect to SMTP server" in " ".join(failed.output.split())  # Rich wraps
    assert len(setup.receiver.of("json")) == 1  # the other channels still went out

    with smtp(setup) as server:
        setup.write_config(server.port)
        dry = setup.cli("deliver", "--dry-run")
        assert "email ada@example.org [2026-06-04]: would-send" in dry.output
        assert server.messages == []
        sent = setup.cli("deliver")
        assert sent.exit_code == 0, sent.output
        assert "email ada@example.org [2026-06-04]: sent" in sent.output
        assert len(server.messages) == 1
    assert len(setup.receiver.of("json")) == 1


def test_site_build_command(setup: Setup) -> None:
    with smtp(setup) as server:
        setup.write_config(server.port)
        assert setup.cli("run", "--date", "2026-06-04").exit_code == 0
    out = setup.tmp / "public"
    result = setup.cli("site", "build", str(out), "--base-url", "https://you.github.io/papers")
    assert result.exit_code == 0, result.output
    assert f"site in {out}: 1 day" in result.output
    assert (out / "index.html").is_file() and (out / "search-index.json").is_file()
    assert "https://you.github.io/papers/feeds/all.xml" in (out / "feeds/all.xml").read_text()


def test_deliver_without_digests_or_configuration(tmp_path: Path) -> None:
    env = {"PAPERFEED_HOME": str(tmp_path)}
    nothing = CliRunner().invoke(main, ["deliver"], env=env)
    assert nothing.exit_code == 0
    assert "nothing to deliver" in nothing.output
    config = tmp_path / "paperfeed.toml"
    config.write_text('[[webhooks]]\nkind = "slack"\nurl = "https://hooks.slack.com/x"\n')
    env["PAPERFEED_CONFIG"] = str(config)
    empty = CliRunner().invoke(main, ["deliver"], env=env)
    assert empty.exit_code == 2
    assert "the archive has no digests yet" in empty.output


def test_verbose_logging_never_prints_request_urls(tmp_path: Path) -> None:
    """`paperfeed -v` shows paperfeed's own progress; httpx's request lines (which carry
    webhook URLs and bot tokens) stay off even at -vv."""
    import logging

    from paperfeed.app.cli import main

    result = CliRunner().invoke(main, ["-vv", "runs"], env={"PAPERFEED_HOME": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() >= logging.WARNING
