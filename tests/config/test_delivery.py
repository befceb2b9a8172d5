"""The delivery and schedule settings: parsed from the file and the environment, one clear
message per mistake, and secrets only from the environment."""

from __future__ import annotations

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
