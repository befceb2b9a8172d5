"""The JSON rendering: a stable, documented schema for scripts.

Schema ``paperfeed.digest/1`` (UTF-8, ``ensure_ascii=False``, two-space indent, trailing newline)::

    {
      "schema": "paperfeed.digest/1",
      "listing_date": "2026-06-04",               # the listing's date (arXiv's "pubDate")
      "announced_at": "2026-06-03T20:00:00-04:00" | null,   # ISO 8601, America/New_York
      "generated_at": "2026-06-04T19:18:50+08:00",          # ISO 8601, as stored
      "timezone": "Asia/Shanghai",                # the reader's zone (imports: "UTC+8")
      "paper_count": 52,                          # distinct papers over all topics
      "topics": [{
        "name": "reinforcement learning",         # as configured, in configured order
        "count": 52,
        "papers": [{
          "id": "2606.04029",                     # without version
          "version": 1 | null,                    # null: unknown (imported digests)
          "title": "...", "title_zh": "..." | null,       # null: not translated
          "abstract": "...", "abstract_zh": "..." | null,
          "translated": true,                     # title_zh and abstract_zh both present
          "authors": ["..."],
          "categories": ["cs.LG", "cs.AI"],       # primary first
          "subjects": ["Machine Learning (cs.LG)", "Artificial Intelligence (cs.AI)"],
          "announce_type": "new" | "cross" | "replace" | "replace-cross" | null,
          "matched": [{"term": "reinforcement learning", "field": "title", "text": "..."}],
          "links": {"abs": "https://arxiv.org/abs/...", "pdf": "...", "html": "..."},
          "comment": "..." | null, "journal_ref": "..." | null, "doi": "..." | null,
          "score": {                              # only when the relevance stage scored it
            "total": 0.712,                       # 0..1, the sum of the parts' values
            "parts": {"keyword": {"value": 0.25, "signal": 1.0, "weight": 0.25,
                                  "detail": "reinforcement learning in title"},
                      "similarity": {..., "detail": "0.71 to 2605.01234 <title>"}, ...},
            "nearest": {"id": "2605.01234" | null, "title": "..."} | null
          }
        }]
      }]
    }

A paper that matches several topics appears under each of them. New keys may be added within
version 1; renaming or removing a key, or changing a value's meaning, bumps the version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from paperfeed.core.calendar import NEW_YORK
from paperfeed.core.records import UNKNOWN_VERSION, Digest, DigestEntry
from paperfeed.core.scoring import Score, score_json
from paperfeed.core.taxonomy import subject_label

SCHEMA = "paperfeed.digest/1"
DIGEST_KEYS = (
    "schema",
    "listing_date",
    "announced_at",
    "generated_at",
    "timezone",
    "paper_count",
    "topics",
)
TOPIC_KEYS = ("name", "count", "papers")
PAPER_KEYS = (
    "id",
    "version",
    "title",
    "title_zh",
    "abstract",
    "abstract_zh",
    "translated",
    "authors",
    "categories",
    "subjects",
    "announce_type",
    "matched",
    "links",
    "comment",
    "journal_ref",
    "doi",
)
MATCHED_KEYS = ("term", "field", "text")
LINK_KEYS = ("abs", "pdf", "html")


def paper_json(
    entry: DigestEntry,
    subject_names: Mapping[str, str] | None = None,
    scores: Mapping[str, Score] | None = None,
) -> dict[str, Any]:
    paper = entry.paper
    found: dict[str, Any] = {
        "id": paper.arxiv_id,
        "version": None if paper.version == UNKNOWN_VERSION else paper.version,
        "title": paper.title,
        "title_zh": entry.title_zh,
        "abstract": paper.abstract,
        "abstract_zh": entry.abstract_zh,
        "translated": entry.translated,
        "authors": list(paper.authors),
        "categories": list(paper.categories),
        "subjects": [subject_label(code, subject_names) for code in paper.categories],
        "announce_type": entry.announce_type,
        "matched": [{"term": m.term, "field": m.field, "text": m.text} for m in entry.terms],
        "links": {"abs": paper.abs_url, "pdf": paper.pdf_url, "html": paper.html_url},
        "comment": paper.comment,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
    }
    score = (scores or {}).get(paper.arxiv_id)
    if score is not None:
        found["score"] = score_json(score)
    return found


def digest_json(
    digest: Digest,
    subject_names: Mapping[str, str] | None = None,
    scores: Mapping[str, Score] | None = None,
) -> dict[str, Any]:
    """The document as plain Python values (what ``render_json`` serialises)."""
    return {
        "schema": SCHEMA,
        "listing_date": digest.listing_date.isoformat(),
        "announced_at": (
            digest.announced_at.astimezone(NEW_YORK).isoformat() if digest.announced_at else None
        ),
        "generated_at": digest.generated_at.isoformat(),
        "timezone": digest.timezone,
        "paper_count": digest.paper_count,
        "topics": [
            {
                "name": section.topic,
                "count": len(section.entries),
                "papers": [paper_json(entry, subject_names, scores) for entry in section.entries],
            }
            for section in digest.sections
        ],
    }


def render_json(
    digest: Digest,
    subject_names: Mapping[str, str] | None = None,
    scores: Mapping[str, Score] | None = None,
) -> str:
    return (
        json.dumps(digest_json(digest, subject_names, scores), ensure_ascii=False, indent=2) + "\n"
    )
