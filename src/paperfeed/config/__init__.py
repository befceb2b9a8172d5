"""Settings: one TOML file plus environment variables, parsed into frozen dataclasses.

``load_settings(path, environ)`` is pure: it reads the file it is given and the mapping it is
given, nothing else. Precedence: built-in defaults < config file < environment variables.
Secrets never come from the file. Every setting is described once, in ``SETTINGS``; the README's
configuration table and ``paperfeed init``'s starter file are checked against it by the tests.

- ``reader``: typed access to the parsed TOML, one clear error per mistake;
- ``sections``: the core sections (``[arxiv]``, ``[translate]``, ``[huggingface]``, topics);
- ``loading``: ``Settings`` and ``load_settings``, which also calls the delivery and relevance
  packages' own section parsers;
- ``documented``: ``SETTINGS``, the table of every setting;
- ``starter``: the file ``paperfeed init`` writes.
"""

from paperfeed.config.documented import SETTINGS, Setting
from paperfeed.config.loading import Settings, default_home, find_config, load_settings
from paperfeed.config.reader import TomlReader
from paperfeed.config.sections import (
    CONFIG_FILE_NAME,
    DEFAULT_API_URL,
    DEFAULT_CATEGORIES,
    DEFAULT_HF_URL,
    DEFAULT_RSS_URL,
    DEFAULT_TOPICS,
    ENGINE_NAMES,
    FORMAT_NAMES,
    ArxivSettings,
    HuggingfaceSettings,
    TranslateSettings,
)
from paperfeed.config.starter import starter_config

__all__ = [
    "CONFIG_FILE_NAME",
    "DEFAULT_API_URL",
    "DEFAULT_CATEGORIES",
    "DEFAULT_HF_URL",
    "DEFAULT_RSS_URL",
    "DEFAULT_TOPICS",
    "ENGINE_NAMES",
    "FORMAT_NAMES",
    "SETTINGS",
    "ArxivSettings",
    "HuggingfaceSettings",
    "Setting",
    "Settings",
    "TomlReader",
    "TranslateSettings",
    "default_home",
    "find_config",
    "load_settings",
    "starter_config",
]
