"""Selection: topics over a listing, in id order, by announce type, without repeats."""

from __future__ import annotations

import pytest

from paperfeed.core.errors import QueryError
from paperfeed.core.records import AnnounceType, ListingItem, MatchedTerm, Paper
from paperfeed.core.topics import Topic
from paperfeed.core.topics.select import arxiv_id_sort_key, select_matches

RL = Topic(name="reinforcement learning", query="reinforcement learning")
DP = Topic(name="diffusion policy", query="diffusion policy")


def item(
    arxiv_id: str,
    title: str,
    announce_type: AnnounceType = "new",
    categories: tuple[str, ...] = ("cs.LG",),
) -> ListingItem:
    paper = Paper(
        arxiv_id=arxiv_id,
        version=1,
        title=title,
        authors=("A. Author",),
        abstract="",
        categories=categories,
    )
    return ListingItem(paper=paper, announce_type=announce_type)


def ids(matches: dict[str, tuple[object, ...]], topic: str) -> list[str]:
    return [m.paper.arxiv_id for m in matches[topic]]  # type: ignore[attr-defined]


def test_sort_key_orders_ids_by_submission() -> None:
    shuffled = [
        "2606.04029",
        "2605.12345",
        "2606.00100",
        "1501.00001",
        "1412.9999",
        "0704.0001",
        "hep-th/9901001",
        "math/0703001",
        "astro-ph/9901001",
        "2606.04029v3",
    ]
    assert sorted(shuffled, key=arxiv_id_sort_key) == [
        "astro-ph/9901001",
        "hep-th/9901001",
        "math/0703001",
        "0704.0001",
        "1412.9999",
        "1501.00001",
        "2605.12345",
        "2606.00100",
        "2606.04029",
        "2606.04029v3",
    ]
    assert arxiv_id_sort_key("2606.04029") == (2026, 6, 4029, "")
    assert arxiv_id_sort_key("hep-th/9901001") == (1999, 1, 1, "hep-th")
    assert arxiv_id_sort_key("not an id") > arxiv_id_sort_key("2606.99999")


def test_matches_per_topic_in_topic_order_and_ascending_ids() -> None:
    items = [
        item("2606.10000", "Reinforcement learning at scale"),
        item("2606.09999", "Diffusion policies for robots"),
        item("2606.00002", "Reinforcement-learning diffusion policy"),
        item("2605.99999", "Unrelated graph theory"),
        item("hep-th/0101001", "Reinforcement learning of strings", "replace"),
    ]
    matches = select_matches(items, [DP, RL, Topic("empty", "quantum gravity")], delivered=None)
    assert list(matches) == ["diffusion policy", "reinforcement learning", "empty"]
    assert ids(matches, "diffusion policy") == ["2606.00002", "2606.09999"]
    assert ids(matches, "reinforcement learning") == ["2606.00002", "2606.10000"]
    assert matches["empty"] == ()
    first = matches["reinforcement learning"][0]
    assert first.topic == "reinforcement learning"
    assert first.paper is items[2].paper
    assert first.announce_type == "new"
    assert first.terms == (
        MatchedTerm("reinforcement learning", "title", "Reinforcement-learning"),
    )


@pytest.mark.parametrize(
    ("include_cross", "include_replacements", "expected"),
    [
        (True, False, ["2606.00001", "2606.00002"]),
        (False, False, ["2606.00001"]),
        (True, True, ["2606.00001", "2606.00002", "2606.00003", "2606.00004"]),
        (False, True, ["2606.00001", "2606.00003"]),
    ],
)
def test_announce_types(
    include_cross: bool, include_replacements: bool, expected: list[str]
) -> None:
    items = [
        item("2606.00004", "reinforcement learning d", "replace-cross"),
        item("2606.00003", "reinforcement learning c", "replace"),
        item("2606.00002", "reinforcement learning b", "cross"),
        item("2606.00001", "reinforcement learning a", "new"),
    ]
    topic = Topic(
        name="rl",
        query="reinforcement learning",
        include_cross=include_cross,
        include_replacements=include_replacements,
    )
    matches = select_matches(items, [topic])
    assert ids(matches, "rl") == expected
    assert [m.announce_type for m in matches["rl"]] == [
        {
            "2606.00001": "new",
            "2606.00002": "cross",
            "2606.00003": "replace",
            "2606.00004": "replace-cross",
        }[i]
        for i in expected
    ]


def test_delivered_papers_are_not_repeated_under_their_topic() -> None:
    items = [
        item("2606.00001", "Reinforcement learning with diffusion policies"),
        item("2606.00002", "Reinforcement learning again"),
    ]
    delivered = {"reinforcement learning": {"2606.00001"}}
    matches = select_matches(items, [RL, DP], delivered=delivered)
    assert ids(matches, "reinforcement learning") == ["2606.00002"]
    # delivered under another topic only: still new here
    assert ids(matches, "diffusion policy") == ["2606.00001"]


def test_category_restriction_and_exclude_query() -> None:
    items = [
        item("2606.00001", "Reinforcement learning for grasping", categories=("cs.RO",)),
        item("2606.00002", "Reinforcement learning theory", categories=("stat.ML", "cs.LG")),
        item("2606.00003", "Reinforcement learning: a survey", categories=("cs.RO", "cs.AI")),
        item("2606.00004", "Reinforcement learning in markets", categories=("q-fin.TR",)),
    ]
    robotics = Topic(
        name="rl robotics", query="reinforcement learning", categories=("cs.RO",), exclude="survey"
    )
    computing = Topic(name="rl cs", query="reinforcement learning", categories=("cs",))
    matches = select_matches(items, [robotics, computing])
    assert ids(matches, "rl robotics") == ["2606.00001"]
    assert ids(matches, "rl cs") == ["2606.00001", "2606.00002", "2606.00003"]


def test_a_paper_listed_twice_is_selected_once() -> None:
    items = [
        item("2606.00001", "Reinforcement learning", "cross"),
        item("2606.00001", "Reinforcement learning", "new"),
    ]
    matches = select_matches(items, [Topic(name="rl", query="reinforcement learning")])
    assert [(m.paper.arxiv_id, m.announce_type) for m in matches["rl"]] == [("2606.00001", "cross")]


def test_a_bad_query_fails_naming_its_topic() -> None:
    with pytest.raises(QueryError) as caught:
        select_matches([item("2606.00001", "x")], [RL, Topic(name="broken", query="(RL")])
    assert caught.value.topic == "broken"
    assert caught.value.position == 0
