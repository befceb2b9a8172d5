"""The delivery and schedule settings: parsed from the file and the environment, one clear
message per mistake, and secrets only from the environment."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from paperfeed import config
from paperfeed.core.errors import ConfigError

FULL = """
[[topics]]
name = "reinforcement learning"

[[topics]]
name = "diffusion policy"

[email]
host = "smtp.example.org"
security = "tls"
username = "digest@example.org"
from = "paperfeed <digest@example.org>"
unsubscribe = "https://papers.example.org/unsub?u={email}"

[[recipients]]
email = "ada@example.org"

[[recipients]]
email = "grace@example.org"
topics = ["diffusion policy"]

[[webhooks]]
name = "lab"
kind = "feishu"
url_env = "LAB_URL"
secret_env = "LAB_SECRET"
topics = ["reinforcement learning"]

[[webhooks]]
kind = "slack"
url = "https://hooks.slack.com/services/T/B/X"

[feed]
dir = "feeds"
base_url = "https://papers.example.org/feeds"

[site]
dir = "site"
title = "组会论文"

[daemon]
delay = 45
catch_up = "merged"
max_catch_up = 4
retry_interval = 5
"""
ENV = {
    "PAPERFEED_SMTP_PASSWORD": "pw-from-env",
    "LAB_URL": "https://open.feishu.cn/open-apis/bot/v2/hook/abc",
    "LAB_SECRET": "signing-secret",
}


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> config.Settings:
    path = tmp_path / "paperfeed.toml"
    path.write_text(text, encoding="utf-8")
    return config.load_settings(path, {"PAPERFEED_HOME": str(tmp_path), **(env or {})})


def test_a_full_configuration(tmp_path: Path) -> None:
    d = load(tmp_path, FULL, ENV).delivery
    assert (d.email.host, d.email.port, d.email.security) == ("smtp.example.org", 465, "tls")
    assert d.email.password == "pw-from-env"
    assert [(r.email, r.topics) for r in d.recipients] == [
        ("ada@example.org", ()),
        ("grace@example.org", ("diffusion policy",)),
    ]
    lab, slack = d.webhooks
    assert (lab.name, lab.kind, lab.url, lab.secret) == (
        "lab",
        "feishu",
        ENV["LAB_URL"],
        "signing-secret",
    )
    assert (slack.name, slack.secret) == ("slack", None)
    assert d.feed.dir == Path("feeds") and d.feed.base_url == "https://papers.example.org/feeds/"
    assert d.site.title == "组会论文"
    assert d.daemon.delay == timedelta(minutes=45) and d.daemon.catch_up == "merged"
    assert d.daemon.max_catch_up == 4 and d.daemon.retry_interval == timedelta(minutes=5)


def test_secrets_stay_out_of_reprs(tmp_path: Path) -> None:
    shown = repr(load(tmp_path, FULL, ENV))
    for secret in ENV.values():
        assert secret not in shown


def test_unset_secret_variables_are_not_config_errors(tmp_path: Path) -> None:
    d = load(tmp_path, FULL).delivery  # e.g. `paperfeed search` on a machine without them
    assert d.email.password is None
    assert d.webhooks[0].url == "" and d.webhooks[0].secret is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[email]\nhost = "h"\nfrom = "a@b.c"\npassword = "x"\n',
            "password must not be in the file",
        ),
        (
            '[[webhooks]]\nkind = "json"\nurl = "https://x"\nsecret = "s"\n',
            "secret must not be in the file",
        ),
        (
            '[email]\nhost = "smtp.example.org"\nfrom = "a@b.c"\nsecurity = "none"\n',
            "plain text; refused for 'smtp.example.org'",
        ),
        ('[email]\nhost = "h"\nfrom = "a@b.c"\nsecurity = "ssl"\n', "security must be one of"),
        ('[email]\nhost = "h"\nfrom = "nobody"\n', "from must be an e-mail address"),
        ('[[recipients]]\nemail = "a@b.c"\n', "[email] host is empty"),
        (
            '[email]\nhost = "h"\nfrom = "a@b.c"\n[[recipients]]\nemail = "a@b.c"\ntopics = ["x"]\n',
            "'x' is not a configured topic",
        ),
        (
            '[email]\nhost = "h"\nfrom = "a@b.c"\n[[recipients]]\nemail = "Ada <a@b.c>"\n',
            "plain address",
        ),
        ('[[webhooks]]\nkind = "teams"\nurl = "https://x"\n', "kind must be one of"),
        ('[[webhooks]]\nkind = "wecom"\n', "exactly one of url and url_env"),
        ('[[webhooks]]\nkind = "slack"\nurl = "https://x"\nsecret_env = "S"\n', "not signed"),
        (
            '[[webhooks]]\nkind = "json"\nurl = "https://x"\n[[webhooks]]\nkind = "json"\nurl = "https://y"\n',
            "two webhooks are named 'json'",
        ),
        ('[daemon]\ncatch_up = "later"\n', "catch_up must be one of each, merged"),
        ('[feed]\nbase_url = "feeds/"\n', "absolute http(s) URL"),
        ("[site]\nport = 8000\n", "unknown key 'port' in [site]"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(
        ConfigError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")
    ):
        load(tmp_path, text)


def test_plain_smtp_is_allowed_to_a_loopback_relay(tmp_path: Path) -> None:
    d = load(
        tmp_path, '[email]\nhost = "127.0.0.1"\nport = 25\nfrom = "a@b.c"\nsecurity = "none"\n'
    )
    assert d.delivery.email.security == "none"


CHAT = """
[[topics]]
name = "reinforcement learning"

[[webhooks]]
kind = "serverchan"
key_env = "MY_SENDKEY"

[[webhooks]]
name = "lab-wechat"
kind = "pushplus"
token_env = "MY_PUSHPLUS"
template = "html"
group = "rl-lab"
topics = ["reinforcement learning"]

[[webhooks]]
kind = "telegram"
token_env = "MY_BOT"
chat_id = -1001234567890
api_url = "http://127.0.0.1:8081/"

[[webhooks]]
name = "channel"
kind = "telegram"
token_env = "MY_BOT"
chat_id = "@paper_radar"

[[webhooks]]
kind = "discord"
url_env = "MY_DISCORD"
"""
CHAT_ENV = {
    "MY_SENDKEY": "SCT1234TabcdEFGH",
    "MY_PUSHPLUS": "0123456789abcdef0123456789abcdef",
    "MY_BOT": " 123456789:AAbot-token_xyz\n",
    "MY_DISCORD": "https://discord.com/api/webhooks/1/token",
}


def test_the_chat_channels(tmp_path: Path) -> None:
    serverchan, pushplus, telegram, channel, discord = load(
        tmp_path, CHAT, CHAT_ENV
    ).delivery.webhooks
    assert (serverchan.name, serverchan.token, serverchan.token_env) == (
        "serverchan",
        "SCT1234TabcdEFGH",
        "MY_SENDKEY",
    )
    assert serverchan.api_url == "" and serverchan.url == ""
    assert (pushplus.name, pushplus.template, pushplus.group) == ("lab-wechat", "html", "rl-lab")
    assert pushplus.topics == ("reinforcement learning",)
    assert pushplus.token == CHAT_ENV["MY_PUSHPLUS"]
    # A TOML integer is a chat id too; the token is trimmed of the shell's stray whitespace.
    assert (telegram.chat_id, telegram.token) == ("-1001234567890", "123456789:AAbot-token_xyz")
    assert telegram.api_url == "http://127.0.0.1:8081"
    assert channel.chat_id == "@paper_radar" and channel.template == "markdown"
    assert discord.url == CHAT_ENV["MY_DISCORD"] and discord.token is None
    shown = repr(load(tmp_path, CHAT, CHAT_ENV))
    for secret in CHAT_ENV.values():
        assert secret.strip() not in shown


def test_unset_chat_keys_are_not_config_errors(tmp_path: Path) -> None:
    hooks = load(tmp_path, CHAT).delivery.webhooks
    assert all(h.token is None for h in hooks[:4]) and hooks[4].url == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('kind = "serverchan"\nkey = "SCT1"\n', "key must not be in the file"),
        ('kind = "telegram"\ntoken = "1:x"\nchat_id = 1\n', "token must not be in the file"),
        ('kind = "serverchan"\n', "serverchan webhooks need key_env"),
        ('kind = "pushplus"\n', "pushplus webhooks need token_env"),
        (
            'kind = "serverchan"\nkey_env = "K"\nurl = "https://x"\n',
            "url does not apply to serverchan",
        ),
        ('kind = "serverchan"\ntoken_env = "K"\n', "token_env does not apply to serverchan"),
        ('kind = "pushplus"\nkey_env = "K"\n', "key_env does not apply to pushplus"),
        ('kind = "telegram"\ntoken_env = "T"\n', "chat_id must be a chat's numeric id"),
        ('kind = "telegram"\ntoken_env = "T"\nchat_id = "my group"\n', "got 'my group'"),
        (
            'kind = "telegram"\ntoken_env = "T"\nchat_id = 1\ntemplate = "html"\n',
            "template does not apply",
        ),
        (
            'kind = "pushplus"\ntoken_env = "T"\ntemplate = "txt"\n',
            "template must be one of markdown, html",
        ),
        (
            'kind = "pushplus"\ntoken_env = "T"\napi_url = "pushplus.plus"\n',
            "api_url must be an absolute",
        ),
        ('kind = "discord"\nurl_env = "D"\nsecret_env = "S"\n', "not signed"),
        ('kind = "discord"\n', "discord webhooks need url_env"),
        ('kind = "discord"\nurl = "https://x"\n', "Discord webhook URL is its secret"),
        ('kind = "discord"\nurl_env = "D"\nchat_id = 1\n', "chat_id does not apply to discord"),
    ],
)
def test_chat_channel_mistakes_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load(tmp_path, "[[webhooks]]\n" + text)


def test_the_starter_files_chat_examples_parse(tmp_path: Path) -> None:
    text = config.starter_config()
    section = text[text.index("# [[webhooks]]") : text.index("# Atom feeds")]
    toml = "\n".join(
        line.removeprefix("# ")
        for line in section.splitlines()
        if re.match(r"# (\[\[webhooks\]\]|[a-z_]+ = )", line)
    )
    hooks = load(tmp_path, toml).delivery.webhooks
    assert [h.kind for h in hooks] == ["feishu", "serverchan", "pushplus", "telegram", "discord"]
