"""The Markdown rendering: the digest for chat, notes and static sites.

Paper text is data, never markup: the template sends every data string through the Markdown
escaping filters (``escaping``), which leave TeX between dollar signs as written for renderers
with math support (GitHub, Obsidian, pandoc).
"""

from __future__ import annotations

from collections.abc import Mapping

from paperfeed.core.records import Digest
from paperfeed.publish.environment import render_template
from paperfeed.publish.view import digest_view


def render_markdown(
    digest: Digest,
    subject_names: Mapping[str, str] | None = None,
    tldrs: Mapping[str, str] | None = None,
) -> str:
    return render_template("digest/digest.md.j2", digest=digest_view(digest, subject_names, tldrs))
