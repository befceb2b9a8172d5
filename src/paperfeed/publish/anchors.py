"""Element ids, slugs and URL parts of the renderings: one definition for each kind of id.

Links depend on these (a bookmark, a feed entry's link, the star form coming back to its
card), so each kind of id is made here and nowhere else, and none of them ever changes:

- a topic's anchor in a digest file, an e-mail and a web day page: ``topic-1``, ``topic-2``, ...
  (its place in the digest: stable, and safe whatever the topic is called);
- a topic's slug on the static site and in feed file names: ``diffusion-policy``;
- a paper's element id: ``p-2606.04029`` on the web pages, ``<topic slug>-2606.04029`` on the
  static site's day pages (``hep-th/9901001`` becomes ``hep-th-9901001``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

_NOT_IN_ID = re.compile(r"[^A-Za-z0-9.\-]")
_NOT_IN_SLUG = re.compile(r"[^\w]+")
RESERVED_SLUGS = frozenset({"all"})  # all.xml is the feed of every topic


def topic_anchor(number: int) -> str:
    """The element id of the ``number``-th topic (from 1) of a digest: "topic-3"."""
    return f"topic-{number}"


def paper_anchor(arxiv_id: str, prefix: str = "p") -> str:
    """The element id of a paper: "p-2606.04029"; under a topic of the static site, with the
    topic's slug as ``prefix``: "diffusion-policy-hep-th-9901001". Every character an arXiv id
    can hold besides letters, digits, "." and "-" (the "/" of old-style ids) becomes "-"."""
    return f"{prefix}-{_NOT_IN_ID.sub('-', arxiv_id)}"


def topic_slug(name: str) -> str:
    """A file-name-safe, stable form of a topic name: "Diffusion Policy" -> "diffusion-policy";
    letters of any script are kept ("扩散策略" stays), everything else becomes one hyphen."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    slug = _NOT_IN_SLUG.sub("-", folded).strip("-_")
    return slug or "topic"


def add_slug(slugs: dict[str, str], name: str) -> str:
    """Give ``name`` a slug distinct from those in ``slugs`` (and from "all"), in place."""
    if name not in slugs:
        base = candidate = topic_slug(name)
        taken = set(slugs.values())
        number = 2
        while candidate in taken or candidate in RESERVED_SLUGS:
            candidate = f"{base}-{number}"
            number += 1
        slugs[name] = candidate
    return slugs[name]


def topic_slugs(names: Iterable[str]) -> dict[str, str]:
    """Slugs for every name, made distinct ("c" and "c-2" for "C++" and "C#") in given order."""
    slugs: dict[str, str] = {}
    for name in names:
        add_slug(slugs, name)
    return slugs


def url_part(text: str) -> str:
    """A path segment or fragment as it goes into an ``href`` (non-ASCII percent-encoded)."""
    return quote(text, safe="-._~")
