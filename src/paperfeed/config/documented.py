"""Every setting described once: key, type, default, environment variable and meaning. The
README's configuration table and ``paperfeed init``'s starter file are checked against this
table by the tests."""

from __future__ import annotations

from dataclasses import dataclass

from paperfeed.config.sections import DEFAULT_API_URL, DEFAULT_HF_URL, DEFAULT_RSS_URL


@dataclass(frozen=True, slots=True)
class Setting:
    """One documented setting: where it lives, its type, default, variable and meaning."""

    key: str  # "arxiv.contact_email"; "topics[].name" for per-topic keys
    type: str
    default: str
    env: str
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "timezone",
        "string",
        "Asia/Shanghai",
        "PAPERFEED_TIMEZONE",
        "IANA time zone of the reader; digest headers print local times in it.",
    ),
    Setting(
        "home",
        "path",
        "~/.local/share/paperfeed",
        "PAPERFEED_HOME",
        "Where all state lives by default (database, digests).",
    ),
    Setting(
        "database",
        "path or URL",
        "<home>/paperfeed.db",
        "PAPERFEED_DB",
        "The archive: a SQLite file path or a sqlite:/// URL.",
    ),
    Setting(
        "output.dir",
        "path",
        "<home>/digests",
        "PAPERFEED_OUTPUT_DIR",
        "Folder the digest files are written to.",
    ),
    Setting(
        "output.formats",
        "list of strings",
        '["text", "compact", "markdown", "html", "json"]',
        "",
        "Digest files written by `paperfeed run`: text, compact, markdown, html, json.",
    ),
    Setting(
        "arxiv.categories",
        "list of strings",
        "every arXiv archive",
        "",
        "Archives or categories whose daily listings are fetched (cs, stat, cs.LG, ...).",
    ),
    Setting(
        "arxiv.contact_email",
        "string",
        '""',
        "PAPERFEED_CONTACT_EMAIL",
        "Your e-mail, sent in the User-Agent so arXiv can reach you instead of blocking.",
    ),
    Setting(
        "arxiv.rss_url",
        "URL",
        DEFAULT_RSS_URL,
        "PAPERFEED_ARXIV_RSS_URL",
        "Base URL of the daily RSS feeds (a mirror, or a local server in tests).",
    ),
    Setting(
        "arxiv.api_url",
        "URL",
        DEFAULT_API_URL,
        "PAPERFEED_ARXIV_API_URL",
        "arXiv API endpoint, used for back-filling past listings and fetching by id.",
    ),
    Setting(
        "arxiv.min_interval",
        "seconds",
        "3.0",
        "",
        "Least time between two requests (0 to 600); arXiv asks for 3 s and hosts on arxiv.org "
        "never get less.",
    ),
    Setting(
        "arxiv.timeout",
        "seconds",
        "30.0",
        "",
        "Time limit of one request, from connecting to its last byte (above 0, at most 3600).",
    ),
    Setting(
        "arxiv.retries",
        "integer",
        "4",
        "",
        "Retries of a failed request (timeouts, 429, 5xx), with backoff honouring Retry-After "
        "(0 to 10). An unreachable host (no network, DNS) is not retried.",
    ),
    Setting(
        "arxiv.max_response_mb",
        "integer (MiB)",
        "64",
        "",
        "Largest response read, counted after decompression (1 to 4096); a bigger one (a gzip "
        "bomb, an endless body) is refused. A full 2,000-item feed is about 4 MB.",
    ),
    Setting(
        "translate.engine",
        "string",
        "auto",
        "PAPERFEED_TRANSLATE_ENGINE",
        "Translation engine: auto (openai if a base URL is set, else local if installed, else "
        "none), openai, local, or none (keep English).",
    ),
    Setting(
        "translate.base_url",
        "URL",
        '""',
        "PAPERFEED_LLM_BASE_URL",
        "OpenAI-compatible endpoint (DeepSeek, DashScope, SiliconFlow, vLLM, Ollama, llama.cpp); "
        "the key comes from PAPERFEED_LLM_API_KEY.",
    ),
    Setting(
        "translate.model",
        "string",
        '""',
        "PAPERFEED_LLM_MODEL",
        "Model name the openai engine asks the endpoint for (deepseek-chat, qwen-plus, ...).",
    ),
    Setting(
        "translate.concurrency",
        "integer",
        "8",
        "",
        "Requests the openai engine keeps in flight at once.",
    ),
    Setting(
        "translate.timeout",
        "seconds",
        "60.0",
        "",
        "Time limit of one translation request (above 0, at most 3600).",
    ),
    Setting(
        "translate.retries",
        "integer",
        "4",
        "",
        "Retries of a request that failed with 429, 5xx or a timeout (backoff honours "
        "Retry-After; 0 to 10).",
    ),
    Setting(
        "translate.titles_per_request",
        "integer",
        "8",
        "",
        "Titles sent together in one request (abstracts go one per request).",
    ),
    Setting(
        "translate.token_budget",
        "integer",
        "0",
        "",
        "Tokens one run may spend (0: no limit); papers left when it is reached stay English "
        "and are translated next run.",
    ),
    Setting(
        "translate.glossary",
        "path",
        '""',
        "",
        "Your glossary file (English<TAB>中文 per line), relative to the config file; it extends "
        "and overrides the built-in ML/RL glossary.",
    ),
    Setting(
        "translate.tldr",
        "boolean",
        "false",
        "",
        "Also write a one-sentence Chinese TL;DR per paper (LLM engines), shown in Markdown/HTML and e-mail.",
    ),
    Setting(
        "translate.local_model",
        "path",
        '""',
        "",
        "GGUF file the local engine runs with its chat template (an instruction-tuned model), "
        "relative to the config file; empty: the packaged Gemma 3 270M.",
    ),
    Setting(
        "translate.local_threads",
        "integer",
        "0",
        "",
        "CPU threads the local engine uses (0: all cores).",
    ),
    Setting(
        "huggingface.enabled",
        "boolean",
        "true",
        "",
        "Fetch community signals (upvotes, comments, code) from Hugging Face Daily Papers after "
        "each run; false turns them off.",
    ),
    Setting(
        "huggingface.base_url",
        "URL",
        DEFAULT_HF_URL,
        "PAPERFEED_HF_URL",
        "Base URL of the Hugging Face papers API (a mirror, or a local server in tests).",
    ),
    Setting(
        "huggingface.refresh_days",
        "integer",
        "4",
        "",
        "Daily Papers pages each run refreshes: the listing date and the days before it "
        "(upvotes keep growing).",
    ),
    Setting(
        "huggingface.min_interval",
        "seconds",
        "1.0",
        "",
        "Least time between two requests to Hugging Face (0 to 600).",
    ),
    Setting(
        "huggingface.timeout",
        "seconds",
        "15.0",
        "",
        "Time limit of one Hugging Face request (above 0, at most 3600).",
    ),
    Setting(
        "huggingface.retries",
        "integer",
        "2",
        "",
        "Retries of a failed Hugging Face request (429 honours Retry-After up to a minute; "
        "0 to 10).",
    ),
    # -- relevance (paperfeed.relevance.settings; needs pip install 'paperfeed[relevance]') --
    Setting(
        "relevance.enabled",
        "boolean",
        "false",
        "",
        "Score each digest paper (keywords, similarity to your profile, followed authors, "
        "community) and embed the day's papers; needs the relevance extra.",
    ),
    Setting(
        "relevance.model",
        "string",
        "all-MiniLM-L6-v2",
        "",
        "Sentence-embedding model: the packaged all-MiniLM-L6-v2, a sentence-transformers model "
        "folder, or a Hugging Face id already in the local cache (nothing is downloaded).",
    ),
    Setting(
        "relevance.backend",
        "string",
        "auto",
        "",
        "auto (bfloat16 on CPUs with native bfloat16, else ONNX Runtime, else plain "
        "sentence-transformers), bfloat16, onnx, or sentence-transformers.",
    ),
    Setting(
        "relevance.embed",
        "string",
        "digest",
        "",
        "Papers each run embeds: digest (the selected ones) or listing (all, so related papers "
        "cover the whole archive).",
    ),
    Setting(
        "relevance.profile",
        "list of paths",
        "[]",
        "",
        "Your papers: BibTeX (.bib), Zotero CSL JSON (.json) or arXiv-id lists (one per line), "
        "relative to the config file.",
    ),
    Setting(
        "relevance.stars",
        "boolean",
        "true",
        "",
        "Papers starred in the web app join the profile.",
    ),
    Setting(
        "relevance.authors",
        "list of strings",
        "[]",
        "",
        'Followed authors ("Jane Doe" or "Doe, Jane"; accents and case do not matter).',
    ),
    Setting(
        "relevance.weights.keyword",
        "number",
        "1.0",
        "",
        "Weight of the topic-query match (title > abstract > category).",
    ),
    Setting(
        "relevance.weights.similarity",
        "number",
        "2.0",
        "",
        "Weight of the embedding similarity to the nearest profile paper.",
    ),
    Setting(
        "relevance.weights.authors",
        "number",
        "1.0",
        "",
        "Weight of a followed author.",
    ),
    Setting(
        "relevance.weights.community",
        "number",
        "0.5",
        "",
        "Weight of Hugging Face upvotes (log-scaled, full at 50).",
    ),
    Setting(
        "relevance.threshold",
        "number",
        "0.0",
        "",
        "Papers scoring below this (0 to 1) are left out of the digest; 0 keeps all.",
    ),
    Setting(
        "relevance.sort",
        "string",
        "id",
        "",
        "Order within a topic: id (arXiv order) or score (best first).",
    ),
    Setting(
        "calendar.extra_holidays",
        "table of date = name",
        "{}",
        "",
        "Announcement dates arXiv skips, in addition to the bundled holiday table.",
    ),
    Setting(
        "calendar.removed_holidays",
        "list of dates",
        "[]",
        "",
        "Dates to drop from the bundled holiday table.",
    ),
    Setting(
        "topics[].name",
        "string",
        "(required)",
        "",
        "The topic's name, printed as `Keyword: <name>`.",
    ),
    Setting(
        "topics[].query",
        "string",
        "the name",
        "",
        "Query: phrases, words, AND/OR/NOT, ( ), ti: abs: au: cat: scopes.",
    ),
    Setting(
        "topics[].categories",
        "list of strings",
        "[]",
        "",
        "Only papers in one of these categories or archives.",
    ),
    Setting("topics[].exclude", "string", '""', "", "A query; papers matching it are dropped."),
    Setting("topics[].include_cross", "boolean", "true", "", "Include cross-listed papers."),
    Setting(
        "topics[].include_replacements",
        "boolean",
        "false",
        "",
        "Include replaced (new version) papers.",
    ),
    # -- delivery (paperfeed.deliver.settings) and schedule (paperfeed.daemon) --
    Setting("email.host", "string", '""', "", "SMTP server; empty turns e-mail off."),
    Setting("email.port", "integer", "587 (465 for tls)", "", "SMTP port."),
    Setting(
        "email.security",
        "string",
        "starttls",
        "",
        "starttls or tls (implicit TLS); none is refused unless the host is loopback.",
    ),
    Setting("email.username", "string", '""', "", "SMTP login; empty: no login."),
    Setting(
        "email.password",
        "secret",
        "(unset)",
        "PAPERFEED_SMTP_PASSWORD",
        "SMTP password: only from the environment, never from the file.",
    ),
    Setting("email.from", "string", '""', "", 'From address: "paperfeed <digest@example.org>".'),
    Setting(
        "email.ca_file", "path", '""', "", "Extra CA bundle for a relay with a private certificate."
    ),
    Setting(
        "email.unsubscribe",
        "URL",
        "mailto: the From address",
        "",
        "List-Unsubscribe target (mailto: or https:, {email} is replaced by the recipient).",
    ),
    Setting("email.timeout", "seconds", "30.0", "", "SMTP connect and command timeout."),
    Setting("recipients[].email", "string", "(required)", "", "A reader's e-mail address."),
    Setting(
        "recipients[].topics",
        "list of strings",
        "[] (all)",
        "",
        "Topics this reader subscribes to; empty: every topic.",
    ),
    Setting(
        "webhooks[].name",
        "string",
        "the kind",
        "",
        "Name of the chat webhook (the delivery ledger's recipient); unique.",
    ),
    Setting(
        "webhooks[].kind",
        "string",
        "(required)",
        "",
        "feishu, dingtalk, wecom, slack, json, serverchan, pushplus, telegram or discord.",
    ),
    Setting(
        "webhooks[].url",
        "URL",
        '""',
        "",
        "Webhook URL (feishu, dingtalk, wecom, slack, json; it carries a token: prefer url_env).",
    ),
    Setting(
        "webhooks[].url_env",
        "string",
        '""',
        "",
        "Name of an environment variable holding the webhook URL (discord: the only way).",
    ),
    Setting(
        "webhooks[].secret_env",
        "string",
        '""',
        "",
        "Name of an environment variable holding the signing secret (feishu, dingtalk, json).",
    ),
    Setting(
        "webhooks[].topics",
        "list of strings",
        "[] (all)",
        "",
        "Topics posted to this webhook; empty: every topic.",
    ),
    Setting(
        "webhooks[].key_env",
        "string",
        "(required for serverchan)",
        "",
        "Name of an environment variable holding the ServerChan SendKey (SCT... or sctp...).",
    ),
    Setting(
        "webhooks[].token_env",
        "string",
        "(required for pushplus, telegram)",
        "",
        "Name of an environment variable holding the PushPlus token or the Telegram bot token.",
    ),
    Setting(
        "webhooks[].chat_id",
        "string or integer",
        "(required for telegram)",
        "",
        "Telegram chat: a numeric id (negative for groups and channels) or @channelusername.",
    ),
    Setting(
        "webhooks[].template",
        "string",
        "markdown",
        "",
        "pushplus: markdown or html.",
    ),
    Setting(
        "webhooks[].group",
        "string",
        '""',
        "",
        "pushplus: a group code (群组编码); every member gets the message. Empty: only you.",
    ),
    Setting(
        "webhooks[].api_url",
        "URL",
        "the service's",
        "",
        "serverchan, pushplus, telegram: base URL of the API (a self-hosted Bot API server, "
        "or a local server in tests).",
    ),
    Setting(
        "feed.dir",
        "path",
        '""',
        "",
        "Folder `paperfeed run` writes the Atom feeds to; empty: none.",
    ),
    Setting("feed.base_url", "URL", '""', "", "Public URL of that folder (for rel=self links)."),
    Setting("feed.max_entries", "integer", "300", "", "Entries per feed."),
    Setting(
        "site.dir",
        "path",
        '""',
        "",
        "Folder `paperfeed run` rebuilds the static site in; empty: only `paperfeed site build`.",
    ),
    Setting(
        "site.base_url",
        "URL",
        '""',
        "",
        "Public URL of the site; e-mail and chat messages link to the day's page.",
    ),
    Setting("site.title", "string", "paperfeed", "", "Title of the site and the feeds."),
    Setting(
        "daemon.delay",
        "minutes",
        "30",
        "",
        "How long after arXiv's 20:00 US-Eastern announcement `paperfeed daemon` runs.",
    ),
    Setting(
        "daemon.catch_up",
        "string",
        "each",
        "",
        "After downtime: each (one digest per missed listing) or merged (one catch-up message).",
    ),
    Setting(
        "daemon.max_catch_up",
        "integer",
        "10",
        "",
        "Most missed listings caught up after downtime (older ones are skipped).",
    ),
    Setting(
        "daemon.retry_interval",
        "minutes",
        "15",
        "",
        "Wait before retrying a failed run or delivery.",
    ),
)
