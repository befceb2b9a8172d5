"""The JSON rendering: schema paperfeed.digest/1."""

from __future__ import annotations

import json
from datetime import datetime

from paperfeed.importing.parsers import parse_seed_text
from paperfeed.publish.formats import render_digest
from paperfeed.publish.json_format import (
    DIGEST_KEYS,
    LINK_KEYS,
    MATCHED_KEYS,
    PAPER_KEYS,
    SCHEMA,
    TOPIC_KEYS,
)
from tests.support import FIXTURES
from tests.support.digest_samples import RL_TERMS, sample_digest

DIGESTS = FIXTURES / "digests"


def test_schema_keys_and_values_round_trip() -> None:
    digest = sample_digest()
    text = render_digest(digest, "json")
    assert text.endswith("}\n")
    assert "标题 2606.04029" in text  # ensure_ascii=False
    assert text.split("\n")[1] == '  "schema": "paperfeed.digest/1",'  # indent=2
    data = json.loads(text)
    assert tuple(data) == DIGEST_KEYS
    assert data["schema"] == SCHEMA
    assert data["listing_date"] == "2026-06-04"
    assert datetime.fromisoformat(data["announced_at"]) == digest.announced_at
    assert data["announced_at"] == "2026-06-03T20:00:00-04:00"
    assert datetime.fromisoformat(data["generated_at"]) == digest.generated_at
    assert data["timezone"] == "Asia/Shanghai"
    assert data["paper_count"] == 3
    assert [(t["name"], t["count"]) for t in data["topics"]] == [
        ("reinforcement learning", 2),
        ("robotics", 2),
        ("diffusion policy", 0),
    ]
    for topic, section in zip(data["topics"], digest.sections, strict=True):
        assert tuple(topic) == TOPIC_KEYS
        for paper, entry in zip(topic["papers"], section.entries, strict=True):
            assert tuple(paper) == PAPER_KEYS
            assert tuple(paper["links"]) == LINK_KEYS
            assert paper["id"] == entry.paper.arxiv_id
            assert paper["version"] == entry.paper.version
            assert paper["title"] == entry.paper.title
            assert paper["title_zh"] == entry.title_zh
            assert paper["abstract"] == entry.paper.abstract
            assert paper["abstract_zh"] == entry.abstract_zh
            assert paper["translated"] is entry.translated
            assert tuple(paper["authors"]) == entry.paper.authors
            assert tuple(paper["categories"]) == entry.paper.categories
            assert paper["announce_type"] == entry.announce_type
            assert paper["links"]["pdf"] == entry.paper.pdf_url
    first = data["topics"][0]["papers"][0]
    assert first["subjects"] == ["Machine Learning (cs.LG)", "Artificial Intelligence (cs.AI)"]
    assert [tuple(m) for m in first["matched"]] == [MATCHED_KEYS] * 3
    assert first["matched"] == [
        {"term": t.term, "field": t.field, "text": t.text} for t in RL_TERMS
    ]
    untranslated = data["topics"][0]["papers"][1]
    assert untranslated["title_zh"] is None and untranslated["translated"] is False
    assert untranslated["comment"] is None and untranslated["doi"] is None


def test_imported_digest() -> None:
    digest = parse_seed_text((DIGESTS / "digest-2026-04-22.txt").read_text("utf-8")).digest
    data = json.loads(render_digest(digest, "json"))
    assert data["paper_count"] == 35
    assert data["timezone"] == "UTC+8"
    assert data["announced_at"] is None  # old-style header: the true instant is not in the file
    first = data["topics"][0]["papers"][0]
    assert first["id"] == "2604.18616"
    assert first["version"] is None
    assert first["announce_type"] is None and first["matched"] == []
    assert first["links"]["html"] == "https://arxiv.org/html/2604.18616"
