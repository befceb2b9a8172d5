"""ServerChan, PushPlus, Telegram and Discord: each request checked by a loopback receiver
written from the service's documentation (``tests.support.chat_services``): URL path, method,
headers, body shape, escaping of hostile titles, the part limits, error bodies and 429 pacing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from paperfeed.config.delivery import WebhookSettings
from paperfeed.core.errors import SendError
from paperfeed.core.records import Digest
from paperfeed.publish.edition import edition
from paperfeed.publish.telegram_payloads import RESERVED, escape_text
from paperfeed.publish.webhook_payloads import build_payloads
from paperfeed.publish.webhooks import WebhookSender, serverchan_url, signed_request
from tests.support.chat_services import (
    PUSHPLUS_TOKEN,
    SERVERCHAN_KEY,
    TELEGRAM_TOKEN,
    parse_markdown_v2,
    utf16,
)
from tests.support.delivery_samples import DP, RL, big_digest, digest_for
from tests.support.digest_samples import make_digest, make_entry, make_paper
from tests.support.webhook_receiver import NOW_SECONDS, Receiver, install

NOW = datetime.fromtimestamp(NOW_SECONDS, UTC)
KINDS = ("serverchan", "pushplus", "telegram", "discord")
# (kind, template): PushPlus's two templates are two renderings to check.
RENDERINGS = [(k, "markdown") for k in KINDS] + [("pushplus", "html")]
GROUP_CHAT, PRIVATE_CHAT = "-1001234567890", "424242"
DAY_URL = "https://papers.example.org/days/2026-06-04.html"
ARXIV_ABS = re.compile(r"https://arxiv\.org/abs/2606\.\d{5}")

HOSTILE_EN = (
    r"[Click](http://evil.example) *bold* _it_ __u__ ~s~ ||spoiler|| `code` <b>x</b> & "
    r"<script>alert(1)</script> #tag +1 -1 =x |pipe| {curly} a.b! @everyone \back\slash\ "
    r"$\mathbb{R}^d$ and $O(n^2)$ 🤖🧪 (parens)"
)
HOSTILE_ZH = (
    r"扩散策略 *加粗* [链接](http://evil.example) <i>斜体</i> 🚀 $\epsilon$-贪心 ||剧透|| 100%！"
)
# What a reader must see: the characters as written, TeX as Unicode.
SHOWN_EN = (
    "[Click](http://evil.example) *bold* _it_ __u__ ~s~ ||spoiler|| `code` <b>x</b> & "
    "<script>alert(1)</script> #tag +1 -1 =x |pipe| {curly} a.b! @everyone \\back\\slash\\ "
    "ℝᵈ and O(n²) 🤖🧪 (parens)"
)
SHOWN_ZH = "扩散策略 *加粗* [链接](http://evil.example) <i>斜体</i> 🚀 ϵ-贪心 ||剧透|| 100%！"


@pytest.fixture
def receiver(httpserver: HTTPServer) -> Receiver:
    return install(httpserver)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as c:
        yield c


def hook(receiver: Receiver, kind: str, **changes: object) -> WebhookSettings:
    settings = {
        "serverchan": WebhookSettings(
            name="me",
            kind=kind,
            token=SERVERCHAN_KEY,
            token_env="PAPERFEED_SERVERCHAN_SENDKEY",
            api_url=receiver.url(kind),
        ),
        "pushplus": WebhookSettings(
            name="me",
            kind=kind,
            token=PUSHPLUS_TOKEN,
            token_env="PAPERFEED_PUSHPLUS_TOKEN",
            api_url=receiver.url(kind),
        ),
        "telegram": WebhookSettings(
            name="lab",
            kind=kind,
            token=TELEGRAM_TOKEN,
            token_env="PAPERFEED_TELEGRAM_TOKEN",
            chat_id=GROUP_CHAT,
            api_url=receiver.url(kind),
        ),
        "discord": WebhookSettings(
            name="lab", kind=kind, url=receiver.url(kind), url_env="PAPERFEED_DISCORD_URL"
        ),
    }[kind]
    return replace(settings, **changes)  # type: ignore[arg-type]


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def post_all(
    client: httpx.Client,
    settings: WebhookSettings,
    digest: Digest | None = None,
    *,
    sleeps: Sleeps | None = None,
    day_url: str = "",
) -> list[dict[str, object]]:
    payloads = build_payloads(
        settings.kind,
        edition([digest or digest_for()], ()),
        day_url=day_url,
        template=settings.template,
    )
    sender = WebhookSender(client, now=lambda: NOW, sleep=sleeps or Sleeps())
    for body in payloads:
        sender.post(settings, body)
    return payloads


def hostile_digest() -> Digest:
    abstract = HOSTILE_EN + " We prove $\\sum_i x_i^2 \\leq 1$. <img src=x onerror=alert(1)>"
    translated = make_entry(make_paper("2606.06660", title=HOSTILE_EN, abstract=abstract))
    translated = replace(translated, title_zh=HOSTILE_ZH, abstract_zh=HOSTILE_ZH + "。")
    untranslated = make_entry(
        make_paper("2606.06661", title=HOSTILE_EN, abstract=abstract), translated=False
    )
    return make_digest({"robots & <b>RL</b>": [translated, untranslated]})


@pytest.mark.parametrize(("kind", "template"), RENDERINGS)
def test_each_service_gets_its_documented_request(
    kind: str, template: str, receiver: Receiver, client: httpx.Client
) -> None:
    post_all(client, hook(receiver, kind, template=template), day_url=DAY_URL)
    assert receiver.problems == []
    (post,) = receiver.of(kind)
    assert post.headers["Content-Type"].startswith("application/json")
    body = post.body
    if kind == "serverchan":
        assert post.path == f"/serverchan/{SERVERCHAN_KEY}.send"
        assert set(body) == {"title", "desp", "short", "noip"}
        assert body["title"] == "arXiv 速递 2026-06-04"
    elif kind == "pushplus":
        assert post.path == "/pushplus/send"
        assert set(body) == {"token", "title", "content", "template"}  # no group: no topic
        assert body["template"] == template
    elif kind == "telegram":
        assert post.path == f"/telegram/bot{TELEGRAM_TOKEN}/sendMessage"
        assert body["chat_id"] == int(GROUP_CHAT)  # a numeric id goes as a number
        assert body["parse_mode"] == "MarkdownV2"
    else:
        assert post.query == {"wait": "true"}
        assert body["allowed_mentions"] == {"parse": []}
        assert len(body["embeds"]) == 2  # one per topic
    shown = post.shown
    assert "arXiv 速递 2026-06-04" in shown and "共 5 篇相关文章" in shown
    assert RL in shown and DP in shown
    assert "具有 O(n²) 遗憾的策略优化（第 1 部分）" in shown
    assert "Policy Optimization with O(n²) Regret, Part 5" in shown and "$" not in shown
    assert "未翻译" in shown  # the last paper is untranslated
    hrefs = [href for _, href in post.links]
    assert [h for h in hrefs if h != DAY_URL] == [
        f"https://arxiv.org/abs/2606.0000{n}" for n in range(1, 6)
    ]
    assert DAY_URL in hrefs


@pytest.mark.parametrize(("kind", "template"), RENDERINGS)
def test_hostile_titles_are_shown_exactly_as_written(
    kind: str, template: str, receiver: Receiver, client: httpx.Client
) -> None:
    post_all(client, hook(receiver, kind, template=template), hostile_digest())
    assert receiver.problems == []
    (post,) = receiver.of(kind)
    assert post.shown.count(SHOWN_EN) == 2  # both papers' English titles, character for character
    assert SHOWN_ZH in post.shown
    # The only links are the two papers' arXiv pages: no title made one of its own.
    assert [href for _, href in post.links] == [
        "https://arxiv.org/abs/2606.06660",
        "https://arxiv.org/abs/2606.06661",
    ]
    assert "onerror" not in json.dumps(post.body)  # abstracts are not in chat messages


def test_pushplus_group_and_html_template(receiver: Receiver, client: httpx.Client) -> None:
    post_all(client, hook(receiver, "pushplus", group="lab-group", template="html"))
    (post,) = receiver.of("pushplus")
    assert post.body["topic"] == "lab-group" and post.body["template"] == "html"
    assert "<script" not in post.body["content"]


PACE = {"serverchan": 1.1, "pushplus": 12.0, "telegram": 3.0, "discord": 2.0}


@pytest.mark.parametrize("kind", KINDS)
def test_a_200_paper_digest_is_split_within_each_services_limits(
    kind: str, receiver: Receiver, client: httpx.Client
) -> None:
    sleeps = Sleeps()
    payloads = post_all(client, hook(receiver, kind), big_digest(200), sleeps=sleeps)
    assert receiver.problems == []
    posts = receiver.of(kind)
    assert len(posts) == len(payloads) > 1
    seen: list[str] = []
    for post in posts:
        seen += sorted({href for _, href in post.links if ARXIV_ABS.fullmatch(href)})
    assert sorted(seen) == [f"https://arxiv.org/abs/2606.{n:05d}" for n in range(1, 201)]
    total = len(posts)
    for number, post in enumerate(posts, start=1):
        assert f"（{number}/{total}）" in post.shown
    assert "（续）" in "".join(p.shown for p in posts)
    # Paced to the service's limit between messages (the clock stands still here).
    assert len(sleeps.calls) == total - 1 and all(s >= PACE[kind] for s in sleeps.calls)


def test_the_limits_decide_the_number_of_parts() -> None:
    content = edition([big_digest(200)], ())
    counts = {kind: len(build_payloads(kind, content)) for kind in KINDS}
    # 32 KB of desp and 20,000 characters hold many more papers than 4,096 or 6,000.
    assert counts["serverchan"] <= counts["pushplus"] < counts["telegram"]
    assert counts["pushplus"] < counts["discord"]
    for body in build_payloads("discord", content)[:-1]:
        # Each full part uses most of the 6,000 characters its embeds may have together.
        texts = [e["title"] for e in body["embeds"]] + [e["description"] for e in body["embeds"]]
        assert 5000 < sum(utf16(t) for t in texts) <= 6000


def test_telegram_parts_are_counted_after_parsing_in_utf16(
    receiver: Receiver, client: httpx.Client
) -> None:
    emoji = "🧪🤖" * 40  # 80 code points, 160 UTF-16 code units
    entries = [
        replace(
            make_entry(make_paper(f"2606.{n:05d}", title=f"{emoji} {n}")),
            title_zh=f"{emoji} 标题 {n}",
        )
        for n in range(1, 121)
    ]
    post_all(client, hook(receiver, "telegram"), make_digest({RL: entries}))
    assert receiver.problems == []
    posts = receiver.of("telegram")
    shown = [parse_markdown_v2(p.body["text"])[0] for p in posts]  # type: ignore[arg-type]
    assert all(utf16(s) <= 4096 for s in shown)
    assert all(len(s) < utf16(s) for s in shown)  # UTF-16 counts more here than code points
    assert max(utf16(s) for s in shown) > 3500  # parts are filled, not cut short
    # The markup (escapes, link targets) is longer than 4,096: the limit is on what is shown.
    assert max(utf16(p.body["text"]) for p in posts) > 4096  # type: ignore[arg-type]


def test_every_character_telegram_reserves_is_escaped() -> None:
    text = RESERVED + "\\ plain 中文 🤖"
    assert parse_markdown_v2(escape_text(text)) == (text, [])


def test_telegram_is_paced_per_chat(receiver: Receiver, client: httpx.Client) -> None:
    sleeps = Sleeps()
    sender = WebhookSender(client, now=lambda: NOW, sleep=sleeps)
    body = build_payloads("telegram", edition([digest_for()], ()))[0]
    private = hook(receiver, "telegram", chat_id=PRIVATE_CHAT, name="me")
    group = hook(receiver, "telegram", chat_id=GROUP_CHAT)
    sender.post(private, body)
    sender.post(group, body)  # another chat: no wait
    assert sleeps.calls == []
    sender.post(private, body)  # one message a second to a person
    sender.post(group, body)  # 20 a minute to a group
    assert sleeps.calls == [pytest.approx(1.1), pytest.approx(3.1)]
    # A second webhook entry for the same chat shares its pace.
    sender.post(replace(group, name="lab-again"), body)
    assert sleeps.calls[-1] == pytest.approx(3.1)
    assert len(receiver.of("telegram")) == 5


def test_a_429_waits_as_long_as_the_service_says(receiver: Receiver, client: httpx.Client) -> None:
    sleeps = Sleeps()
    receiver.fail_next.append(
        Response(
            json.dumps(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 7",
                    "parameters": {"retry_after": 7},
                }
            ),
            status=429,
            content_type="application/json",
        )
    )
    post_all(client, hook(receiver, "telegram"), sleeps=sleeps)
    assert sleeps.calls == [7.0] and len(receiver.of("telegram")) == 1
    receiver.fail_next.append(
        Response(
            json.dumps(
                {"message": "You are being rate limited.", "retry_after": 0.75, "global": False}
            ),
            status=429,
            headers={"Retry-After": "1"},
            content_type="application/json",
        )
    )
    sleeps = Sleeps()
    post_all(client, hook(receiver, "discord"), sleeps=sleeps)
    assert sleeps.calls == [0.75] and len(receiver.of("discord")) == 1


def test_a_429_longer_than_a_minute_is_left_to_the_next_run(
    receiver: Receiver, client: httpx.Client
) -> None:
    sleeps = Sleeps()
    receiver.fail_next.append(
        Response(
            json.dumps(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests",
                    "parameters": {"retry_after": 3600},
                }
            ),
            status=429,
            content_type="application/json",
        )
    )
    with pytest.raises(SendError, match="rate limited") as limited:
        post_all(client, hook(receiver, "telegram"), sleeps=sleeps)
    assert not limited.value.uncertain and sleeps.calls == []
    assert receiver.of("telegram") == []


def test_discord_rate_limit_headers_pace_the_next_message(
    receiver: Receiver, client: httpx.Client
) -> None:
    sleeps = Sleeps()
    receiver.fail_next.append(
        Response(
            json.dumps({"id": "1"}),
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "5.5"},
            content_type="application/json",
        )
    )
    post_all(client, hook(receiver, "discord"), big_digest(60), sleeps=sleeps)
    assert sleeps.calls[0] == pytest.approx(5.5)  # the bucket, not the usual 2.1 s
    assert all(s == pytest.approx(2.1) for s in sleeps.calls[1:])


def _answer(body: object, status: int = 200) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


@pytest.mark.parametrize(
    ("kind", "changes", "scripted", "message", "hint"),
    [
        ("serverchan", {"token": "SCTwrongKey"}, None, "bad pushtoken (code 40001)", "SendKey"),
        (
            "serverchan",
            {},
            _answer({"code": 40001, "message": "超过当天的发送次数限制[5]"}),
            "超过当天的发送次数限制",
            "5 messages a day",
        ),
        ("pushplus", {"token": "f" * 32}, None, "无效的用户令牌 (code 903)", "token is wrong"),
        (
            "pushplus",
            {},
            _answer({"code": 900, "msg": "用户账号使用受限"}),
            "code 900",
            "restricted",
        ),
        ("pushplus", {}, _answer({"code": 905, "msg": "未实名认证"}), "code 905", "verified"),
        (
            "telegram",
            {"chat_id": "-1009999"},
            None,
            "HTTP 400: Bad Request: chat not found",
            "chat_id -1009999",
        ),
        (
            "telegram",
            {"token": "123456789:wrong"},
            None,
            "HTTP 401: Unauthorized (code 401)",
            "bot token in PAPERFEED_TELEGRAM_TOKEN",
        ),
        (
            "telegram",
            {},
            _answer(
                {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: group chat was upgraded to a supergroup chat",
                    "parameters": {"migrate_to_chat_id": -1001999},
                },
                400,
            ),
            "upgraded to a supergroup",
            "chat_id = -1001999",
        ),
        (
            "discord",
            {},
            _answer({"message": "Unknown Webhook", "code": 10015}, 404),
            "HTTP 404: Unknown Webhook (code 10015)",
            "deleted",
        ),
    ],
)
def test_refusals_are_failures_with_the_services_message(
    kind: str,
    changes: dict[str, object],
    scripted: Response | None,
    message: str,
    hint: str,
    receiver: Receiver,
    client: httpx.Client,
) -> None:
    if scripted is not None:
        receiver.fail_next.append(scripted)
    settings = hook(receiver, kind, **changes)
    with pytest.raises(SendError) as refused:
        post_all(client, settings)
    assert message in refused.value.message and "refused the message" in refused.value.message
    assert hint in refused.value.hint
    assert not refused.value.uncertain  # certainly not posted: retried on the next run
    assert receiver.of(kind) == []
    for secret in (SERVERCHAN_KEY, PUSHPLUS_TOKEN, TELEGRAM_TOKEN, settings.token or "-"):
        assert secret not in str(refused.value)


def test_keys_come_from_the_environment_and_stay_out_of_messages(
    receiver: Receiver, client: httpx.Client
) -> None:
    unset = hook(receiver, "telegram", token=None)
    with pytest.raises(SendError, match="PAPERFEED_TELEGRAM_TOKEN is not set"):
        post_all(client, unset)
    with pytest.raises(SendError, match="does not hold a bot token"):
        post_all(client, hook(receiver, "telegram", token="not a token"))
    with pytest.raises(SendError, match="does not hold a SendKey"):
        post_all(client, hook(receiver, "serverchan", token="SCT/../x"))
    unset_url = hook(receiver, "discord", url="")
    with pytest.raises(SendError, match="PAPERFEED_DISCORD_URL is not set"):
        post_all(client, unset_url)
    assert receiver.posts == [] and receiver.problems == []
    settings = hook(receiver, "telegram")
    request = signed_request(settings, {"text": "x"}, NOW)
    assert TELEGRAM_TOKEN in request.url
    assert TELEGRAM_TOKEN not in repr(request) and TELEGRAM_TOKEN not in repr(settings)


def test_serverchan3_keys_and_the_ip_option() -> None:
    assert serverchan_url("SCT1abc") == "https://sctapi.ftqq.com/SCT1abc.send"
    assert serverchan_url("sctp42tKey") == "https://42.push.ft07.com/send/sctp42tKey.send"
    with pytest.raises(ValueError, match="sctp<digits>t"):
        serverchan_url("sctpKey")
    turbo = WebhookSettings(name="me", kind="serverchan", token="SCT1abc", token_env="K")
    sc3 = replace(turbo, token="sctp42tKey")
    assert json.loads(signed_request(turbo, {"title": "t"}, NOW).content)["noip"] == 1
    assert "noip" not in json.loads(signed_request(sc3, {"title": "t"}, NOW).content)


def test_a_lost_answer_is_uncertain_and_names_no_secret() -> None:
    def read_timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(f"no answer from {request.url}", request=request)

    settings = WebhookSettings(
        name="lab", kind="telegram", token=TELEGRAM_TOKEN, token_env="T", chat_id=GROUP_CHAT
    )
    body = build_payloads("telegram", edition([digest_for()], ()))[0]
    with (
        httpx.Client(transport=httpx.MockTransport(read_timeout)) as c,
        pytest.raises(SendError) as lost,
    ):
        WebhookSender(c, now=lambda: NOW, sleep=Sleeps()).post(settings, body)
    assert lost.value.uncertain
    assert TELEGRAM_TOKEN not in str(lost.value) and "***" in str(lost.value)


def test_discord_is_always_asked_to_wait_for_the_saved_message() -> None:
    def url_of(url: str) -> str:
        settings = WebhookSettings(name="d", kind="discord", url=url, url_env="D")
        return signed_request(settings, {"content": "x"}, NOW).url

    base = "https://discord.com/api/webhooks/1/tok"
    assert url_of(base) == base + "?wait=true"
    assert url_of(base + "?thread_id=55") == base + "?thread_id=55&wait=true"
    assert url_of(base + "?wait=true") == base + "?wait=true"


def test_telegram_parts_keep_to_100_entities(receiver: Receiver, client: httpx.Client) -> None:
    # Short titles: the 4,096 characters would hold ~150 papers, their bold and links ~300
    # entities, and Telegram drops the formatting after the 100th.
    entries = [
        replace(make_entry(make_paper(f"2606.{n:05d}", title="X")), title_zh="甲")
        for n in range(1, 201)
    ]
    post_all(client, hook(receiver, "telegram"), make_digest({RL: entries}))
    assert receiver.problems == []
    counts = [len(parse_markdown_v2(p.body["text"])[1]) for p in receiver.of("telegram")]  # type: ignore[arg-type]
    assert max(counts) <= 100 and min(counts[:-1]) >= 95
