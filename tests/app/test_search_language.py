"""Search speaks the topic query language, the same way in the CLI, the web pages and the API:
negation in every spelling excludes, a NUL query finds nothing, and what a topic selects the
same query finds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperfeed.app.cli import main
from paperfeed.archive import open_archive
from paperfeed.archive.records import SearchQuery
from paperfeed.core.records import Listing, ListingItem, Paper
from paperfeed.core.topics import Topic
from paperfeed.core.topics.select import select_matches
from tests.support.web_samples import options, web_client

DAY = date(2026, 6, 4)


def paper(
    arxiv_id: str, title: str, abstract: str, authors: tuple[str, ...] = ("A. Author",)
) -> Paper:
    return Paper(arxiv_id, 1, title, authors, abstract, ("cs.LG",))


PAPERS = (
    paper("2606.00001", "Reward models for language agents", "We learn a reward."),
    paper("2606.00002", "Reward shaping for robot arms", "Dense reward from demonstrations."),
    paper("2606.00003", "Language grounding", "No rewards here, just a language model."),
    paper(
        "2606.00004",
        "Sparse rewards",
        "Exploration when the reward is rare.",
        ("Jørgen Lundström",),
    ),
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    with open_archive(tmp_path / "home" / "paperfeed.db") as archive:
        archive.save_listing(Listing(DAY, tuple(ListingItem(p, "new") for p in PAPERS)))
    return tmp_path / "home"


def archive_search(home: Path, text: str) -> list[str]:
    with open_archive(home / "paperfeed.db") as archive:
        return list(archive.search(SearchQuery(text), limit=50).arxiv_ids)


@pytest.mark.parametrize(
    "text",
    ["reward AND NOT language", "reward -language", "reward NOT language", "reward -ti:language"],
)
def test_negation_excludes_in_every_spelling_and_every_door(home: Path, text: str) -> None:
    # 2606.00001 has "language" in its title: excluded; the others with a reward are kept.
    expected = ["2606.00004", "2606.00002"]
    assert archive_search(home, text) == expected
    cli = CliRunner().invoke(
        main, ["search", "--json", text], env={"PAPERFEED_HOME": str(home), "PAPERFEED_CONFIG": ""}
    )
    assert cli.exit_code == 0, cli.output
    assert [line.split('"id": "')[1][:10] for line in cli.output.splitlines()] == expected
    with web_client(options(home / "paperfeed.db")) as client:
        api = client.get("/api/search", params={"q": text}).json()
        assert [p["id"] for p in api["results"]] == expected
        page = client.get("/search", params={"q": text}).text
        assert "2606.00001" not in page and "2606.00002" in page


def test_a_nul_or_control_characters_only_find_nothing(home: Path) -> None:
    assert archive_search(home, "\x00") == []
    assert archive_search(home, "\x00\x1f\x7f") == []
    # Title hits first, newest first ("rewards" in 00003's abstract is a hit too).
    assert archive_search(home, "reward\x00") == [
        "2606.00004",
        "2606.00002",
        "2606.00001",
        "2606.00003",
    ]
    with web_client(options(home / "paperfeed.db")) as client:
        assert client.get("/api/search", params={"q": "\x00"}).json()["results"] == []


def test_plain_words_any_order_plurals_and_folded_authors(home: Path) -> None:
    # Both words, any order; the paper with them in its title first.
    assert archive_search(home, "language reward") == ["2606.00001", "2606.00003"]
    assert archive_search(home, '"language reward"') == []  # the phrase
    assert "2606.00004" in archive_search(home, "rewards")  # "Sparse rewards"
    assert archive_search(home, "au:lundstrom") == ["2606.00004"]


def test_what_a_topic_selects_the_same_query_finds(home: Path) -> None:
    for query in ("reward AND NOT ti:language", '"reward" OR grounding', "ti:(reward OR sparse)"):
        topic = Topic("t", query)
        selected = {
            m.paper.arxiv_id
            for m in select_matches([ListingItem(p, "new") for p in PAPERS], [topic])["t"]
        }
        assert set(archive_search(home, query)) == selected, query
