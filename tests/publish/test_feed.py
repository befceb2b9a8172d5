"""Atom feeds, parsed back with feedparser: valid, one per topic plus everything, stable ids."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import feedparser
from lxml import etree

from paperfeed.publish.feed import build_feeds, entry_id
from tests.support.delivery_samples import JUNE_4, RL, digest_for

JUNE_5 = date(2026, 6, 5)
ATOM = "{http://www.w3.org/2005/Atom}"


def parse(data: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_one_feed_per_topic_and_one_for_everything() -> None:
    feeds = build_feeds([digest_for(JUNE_4)], base_url="https://papers.example.org/feeds/")
    assert sorted(feeds) == ["all.xml", "diffusion-policy.xml", "reinforcement-learning.xml"]
    everything = parse(feeds["all.xml"])
    assert everything.version == "atom10"
    assert len(everything.entries) == 5
    rl = parse(feeds["reinforcement-learning.xml"])
    assert [e.link for e in rl.entries] == [
        f"https://arxiv.org/abs/2606.{n:05d}" for n in (1, 2, 3)
    ]
    assert rl.feed.title == f"paperfeed: {RL}"
    self_links = [link.href for link in rl.feed.links if link.rel == "self"]
    assert self_links == ["https://papers.example.org/feeds/reinforcement-learning.xml"]


def test_entries_carry_titles_authors_categories_and_both_abstracts() -> None:
    feeds = build_feeds([digest_for(JUNE_4)])
    entry = parse(feeds["all.xml"]).entries[0]
    assert entry.title == "具有 O(n²) 遗憾的策略优化（第 1 部分）"
    assert [a.name for a in entry.authors][:2] == ["Ada Lovelace", "Alan Turing"]
    terms = {t.term for t in entry.tags}
    assert {"cs.LG", "cs.AI", RL} <= terms
    html = entry.content[0].value
    assert "Policy Optimization with O(n²) Regret, Part 1" in html
    assert "中文摘要" in html and "Abstract:" in html
    assert "https://arxiv.org/pdf/2606.00001" in html
    assert entry.published_parsed is not None and entry.updated_parsed is not None


def test_ids_are_tag_uris_from_the_arxiv_id_and_topic_and_survive_rebuilds() -> None:
    first = build_feeds([digest_for(JUNE_4)])
    rl_ids = [e.id for e in parse(first["reinforcement-learning.xml"]).entries]
    assert rl_ids[0] == "tag:paperfeed,2026:arxiv/2606.00001/topic/reinforcement-learning"
    assert parse(first["all.xml"]).entries[0].id == "tag:paperfeed,2026:arxiv/2606.00001"
    # A later day adds entries; the earlier ones keep their ids (and nothing is duplicated).
    later = build_feeds([digest_for(JUNE_4), digest_for(JUNE_5, start=50)])
    ids = [e.id for e in parse(later["reinforcement-learning.xml"]).entries]
    assert set(rl_ids) <= set(ids)
    assert len(ids) == len(set(ids)) == 6
    assert ids[:3] == [entry_id(f"2606.{n:05d}", "reinforcement-learning") for n in (50, 51, 52)]
    assert build_feeds([digest_for(JUNE_4)]) == first  # byte for byte


def test_a_paper_listed_again_keeps_its_id_with_a_later_update() -> None:
    again = digest_for(JUNE_5, rl=1, dp=0, start=1)  # 2606.00001 again (a replacement)
    feeds = build_feeds([digest_for(JUNE_4), again])
    entries = parse(feeds["all.xml"]).entries
    matching = [e for e in entries if e.id == "tag:paperfeed,2026:arxiv/2606.00001"]
    assert len(matching) == 1
    assert matching[0].updated.startswith("2026-06-05")


def test_feed_is_well_formed_atom_with_required_elements() -> None:
    root = etree.fromstring(build_feeds([digest_for(JUNE_4)])["all.xml"])
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None
    for entry in root.iter(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "link", "content"):
            assert entry.find(f"{ATOM}{name}") is not None


def test_control_characters_in_paper_text_cannot_break_the_xml() -> None:
    digest = digest_for(JUNE_4, rl=1, dp=0)
    bad = digest.sections[0].entries[0]
    bad = replace(bad, paper=replace(bad.paper, title="Bell\x07 & <Whistles>"))
    digest = replace(digest, sections=(replace(digest.sections[0], entries=(bad,)),))
    parsed = parse(build_feeds([digest])["all.xml"])
    assert "Bell & <Whistles>" in parsed.entries[0].content[0].value.replace("&amp;", "&").replace(
        "&lt;", "<"
    ).replace("&gt;", ">")
