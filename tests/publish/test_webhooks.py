"""Chat webhooks: each service's payload and signature checked by a loopback receiver written
from the services' documentation, splitting at the size limits, and failure classification."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote_plus

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from paperfeed.config.delivery import WebhookSettings
from paperfeed.core.errors import SendError
from paperfeed.publish.edition import edition
from paperfeed.publish.webhook_payloads import build_payloads
from paperfeed.publish.webhooks import WebhookSender, dingtalk_sign, feishu_sign
from tests.support.delivery_samples import DP, RL, big_digest, digest_for
from tests.support.webhook_receiver import (
    DINGTALK_SECRET,
    FEISHU_SECRET,
    JSON_SECRET,
    NOW_SECONDS,
    Receiver,
    install,
)

NOW = datetime.fromtimestamp(NOW_SECONDS, UTC)
KINDS = ("feishu", "dingtalk", "wecom", "slack", "json")
SECRETS = {"feishu": FEISHU_SECRET, "dingtalk": DINGTALK_SECRET, "json": JSON_SECRET}
ARXIV_ID = re.compile(r"2606\.\d{5}")


@pytest.fixture
def receiver(httpserver: HTTPServer) -> Receiver:
    return install(httpserver)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as c:
        yield c


def hook(receiver: Receiver, kind: str, **changes: object) -> WebhookSettings:
    secret = SECRETS.get(kind)
    settings = WebhookSettings(
        name=f"lab-{kind}",
        kind=kind,
        url=receiver.url(kind),
        secret=secret,
        secret_env=f"PAPERFEED_{kind.upper()}_SECRET" if secret else "",
    )
    for key, value in changes.items():
        object.__setattr__(settings, key, value)
    return settings


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def post_all(
    client: httpx.Client, settings: WebhookSettings, papers: int = 5, sleeps: Sleeps | None = None
) -> list[dict[str, object]]:
    digest = digest_for() if papers == 5 else big_digest(papers)
    payloads = build_payloads(settings.kind, edition([digest], ()), message_key="k" * 32)
    sender = WebhookSender(client, now=lambda: NOW, sleep=sleeps or Sleeps())
    for number, body in enumerate(payloads, start=1):
        sender.post(settings, body, idempotency_key=f"{'k' * 32}/{number}")
    return payloads


def ids_in(posted: object) -> list[str]:
    return ARXIV_ID.findall(json.dumps(posted, ensure_ascii=False))


@pytest.mark.parametrize("kind", KINDS)
def test_each_service_accepts_a_signed_digest_of_the_right_shape(
    kind: str, receiver: Receiver, client: httpx.Client
) -> None:
    post_all(client, hook(receiver, kind))
    assert receiver.problems == []
    posts = receiver.of(kind)
    assert len(posts) == 1
    text = json.dumps(posts[0].body, ensure_ascii=False)
    assert sorted(set(ids_in(posts[0].body))) == [f"2606.{n:05d}" for n in range(1, 6)]
    assert "arXiv 速递 2026-06-04" in text
    assert RL in text and DP in text
    if kind != "json":
        assert "O(n²)" in text and "$" not in text  # math readable, not TeX
        assert "具有 O(n²) 遗憾的策略优化（第 1 部分）" in text


def test_signatures_follow_the_documented_schemes() -> None:
    # Feishu: HMAC-SHA256 keyed by timestamp + "\n" + secret over an empty message, base64.
    key = b"1700000000\nsecret"
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert feishu_sign("secret", 1_700_000_000) == expected
    assert feishu_sign("secret", 1_700_000_001) != expected
    # DingTalk: keyed by the secret over timestamp(ms) + "\n" + secret, base64, URL-encoded.
    digest = hmac.new(b"SECsecret", b"1700000000000\nSECsecret", hashlib.sha256).digest()
    assert dingtalk_sign("SECsecret", 1_700_000_000_000) == quote_plus(
        base64.b64encode(digest).decode()
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_200_paper_digest_is_split_within_each_services_limits(
    kind: str, receiver: Receiver, client: httpx.Client
) -> None:
    sleeps = Sleeps()
    payloads = post_all(client, hook(receiver, kind), papers=200, sleeps=sleeps)
    assert receiver.problems == []
    posts = receiver.of(kind)
    assert len(posts) == len(payloads)
    seen: list[str] = []
    for post in posts:
        seen += sorted(set(ids_in(post.body)))
    assert sorted(seen) == [f"2606.{n:05d}" for n in range(1, 201)]  # each paper exactly once
    if kind == "json":
        assert len(posts) == 1
        assert posts[0].headers["Idempotency-Key"] == "k" * 32 + "/1"
        return
    total = len(posts)
    assert total > 1
    for number, post in enumerate(posts, start=1):
        assert f"（{number}/{total}）" in json.dumps(post.body, ensure_ascii=False)
    assert "（续）" in json.dumps([p.body for p in posts], ensure_ascii=False)
    # Paced to the service's rate limit between messages (the clock stands still here).
    assert len(sleeps.calls) == total - 1
    assert all(
        s >= {"feishu": 0.2, "dingtalk": 3.0, "wecom": 3.0, "slack": 1.0}[kind]
        for s in sleeps.calls
    )


def test_limits_decide_the_number_of_parts() -> None:
    content = edition([big_digest(200)], ())
    counts = {kind: len(build_payloads(kind, content)) for kind in KINDS}
    assert counts["json"] == 1
    # WeCom's 4,096 bytes is the tightest; Slack's 50 blocks allow ~40 papers a message.
    assert counts["wecom"] > counts["dingtalk"] >= 2
    assert counts["slack"] >= 200 // 45
    for body in build_payloads("wecom", content):
        assert len(body["markdown"]["content"].encode()) <= 4096


def test_a_refusal_is_a_failure_not_an_uncertain_send(
    receiver: Receiver, client: httpx.Client
) -> None:
    settings = hook(receiver, "feishu", secret="wrong-secret")
    with pytest.raises(SendError, match="refused the message") as failed:
        post_all(client, settings)
    assert not failed.value.uncertain
    assert "feishu: bad signature" in receiver.problems
    assert receiver.of("feishu") == []


def test_http_errors_and_rate_limits(receiver: Receiver, client: httpx.Client) -> None:
    sleeps = Sleeps()
    receiver.fail_next.append(Response("slow down", status=429, headers={"Retry-After": "7"}))
    post_all(client, hook(receiver, "slack"), sleeps=sleeps)
    assert sleeps.calls == [7.0]  # one polite retry within the run
    assert len(receiver.of("slack")) == 1
    receiver.fail_next.append(Response("invalid_token", status=403))
    with pytest.raises(SendError, match="HTTP 403") as failed:
        post_all(client, hook(receiver, "slack"))
    assert not failed.value.uncertain


def test_a_lost_answer_is_uncertain_a_refused_connection_is_not() -> None:
    def read_timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    settings = WebhookSettings(name="x", kind="wecom", url="http://127.0.0.1:9/hook")
    body = build_payloads("wecom", edition([digest_for()], ()))[0]
    with (
        httpx.Client(transport=httpx.MockTransport(read_timeout)) as c,
        pytest.raises(SendError) as lost,
    ):
        WebhookSender(c, now=lambda: NOW, sleep=Sleeps()).post(settings, body)
    assert lost.value.uncertain
    with (
        httpx.Client(transport=httpx.MockTransport(refused)) as c,
        pytest.raises(SendError) as down,
    ):
        WebhookSender(c, now=lambda: NOW, sleep=Sleeps()).post(settings, body)
    assert not down.value.uncertain


def test_a_signed_webhook_is_never_posted_unsigned(
    receiver: Receiver, client: httpx.Client
) -> None:
    settings = hook(receiver, "dingtalk", secret=None)
    with pytest.raises(SendError, match="PAPERFEED_DINGTALK_SECRET is not set"):
        post_all(client, settings)
    unset_url = WebhookSettings(name="w", kind="wecom", url="", url_env="PAPERFEED_WECOM_URL")
    with pytest.raises(SendError, match="PAPERFEED_WECOM_URL is not set"):
        post_all(client, unset_url)
    assert receiver.posts == [] and receiver.problems == []


def test_markdown_structure_in_titles_cannot_break_the_message() -> None:
    from dataclasses import replace

    digest = digest_for(rl=1, dp=0)
    entry = digest.sections[0].entries[0]
    tricky = replace(
        entry, paper=replace(entry.paper, title="[Click](http://evil) *bold* <@all> #tag")
    )
    digest = replace(digest, sections=(replace(digest.sections[0], entries=(tricky,)),))
    wecom = build_payloads("wecom", edition([digest], ()))[0]["markdown"]["content"]
    assert "[Click](http://evil)" not in wecom and "<@all>" not in wecom
    slack = json.dumps(build_payloads("slack", edition([digest], ()))[0], ensure_ascii=False)
    assert "&lt;@all&gt;" in slack
