"""Delivery: the digest sent where readers are, exactly once, and published as feeds and a site.

One module per channel, each a pure core (records -> message, payload, XML, pages) and a thin
sender: ``email`` (SMTP), ``webhooks`` (Feishu/Lark, DingTalk, WeCom, Slack, generic JSON),
``feed`` (Atom), ``site`` (static site). ``ledger`` records every (listing, channel, recipient)
so nothing is sent twice; ``dispatch`` walks the configured targets through the ledger;
``service`` is the composition the pipeline, the CLI and the daemon use.

This package's ``__init__`` stays import-light: ``config`` imports ``deliver.settings``.
"""
