"""The deliver stage: each digest to its e-mail recipients and chat webhooks exactly once,
through the archive's delivery ledger, then the Atom feeds and the static site republished.

``targets`` says who receives what, ``dispatch`` walks the targets through the ledger with
the senders of ``paperfeed.publish``, ``service`` is what the pipeline, the CLI and the daemon
call.
"""
