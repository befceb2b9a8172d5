"""Element ids and slugs: one definition each, the same ids every rendering has always had."""

from __future__ import annotations

from paperfeed.publish.anchors import (
    add_slug,
    paper_anchor,
    topic_anchor,
    topic_slug,
    topic_slugs,
    url_part,
)
from tests.support.delivery_samples import DP


def test_slugs_are_stable_distinct_and_keep_chinese() -> None:
    assert topic_slug("Diffusion Policy") == "diffusion-policy"
    assert topic_slug("扩散策略") == "扩散策略"
    assert topic_slugs(["C++", "C#", "all"]) == {"C++": "c", "C#": "c-2", "all": "all-2"}
    assert topic_slugs([DP]) == {DP: "diffusion-policy"}


def test_a_slug_once_given_is_kept() -> None:
    slugs = topic_slugs(["C++"])
    assert add_slug(slugs, "C#") == "c-2"
    assert add_slug(slugs, "C++") == "c"
    assert topic_slug("!!!") == "topic"
    assert slugs == {"C++": "c", "C#": "c-2"}


def test_topic_anchors_number_the_topics() -> None:
    assert [topic_anchor(n) for n in (1, 2, 10)] == ["topic-1", "topic-2", "topic-10"]


def test_paper_anchors_of_the_web_pages_and_the_site() -> None:
    assert paper_anchor("2606.04029") == "p-2606.04029"
    assert paper_anchor("hep-th/9901001") == "p-hep-th-9901001"
    assert paper_anchor("math.AG/0601001") == "p-math.AG-0601001"
    # The static site's day pages: the topic's slug first (a paper can be under two topics).
    assert paper_anchor("2606.04029", "diffusion-policy") == "diffusion-policy-2606.04029"
    assert paper_anchor("hep-th/9901001", "扩散策略") == "扩散策略-hep-th-9901001"
    # Nothing that is not safe in an id or a URL fragment survives, whatever an upstream sends.
    assert paper_anchor('x"><b y') == "p-x---b-y"


def test_url_parts_are_percent_encoded() -> None:
    assert (
        url_part("扩散策略-hep-th-9901001") == "%E6%89%A9%E6%95%A3%E7%AD%96%E7%95%A5-hep-th-9901001"
    )
    assert url_part("a/b c#d") == "a%2Fb%20c%23d"
