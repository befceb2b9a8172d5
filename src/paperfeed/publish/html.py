"""The HTML rendering: one standalone page (email body, web page, static site).

Inline CSS only: no remote assets, no scripts, readable on a phone. Autoescaping is on, so
every string from a paper is text, never markup. TeX between dollar signs stays as written but
is wrapped in ``<span class="math">`` (the ``math`` filter) so it stands out (and a math library
can find it later).
"""

from __future__ import annotations

from collections.abc import Mapping

from paperfeed.core.records import Digest
from paperfeed.core.scoring import Score
from paperfeed.publish.environment import render_template
from paperfeed.publish.view import digest_view


def render_html(
    digest: Digest,
    subject_names: Mapping[str, str] | None = None,
    tldrs: Mapping[str, str] | None = None,
    scores: Mapping[str, Score] | None = None,
) -> str:
    view = digest_view(digest, subject_names, tldrs, scores)
    return render_template("digest/digest.html.j2", digest=view)
