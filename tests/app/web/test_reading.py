"""The reading list (stars) and its exports, and trending by upvotes within a window."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import html

from tests.support.web_samples import (
    CROSS,
    HOSTILE,
    LATEST_PAPER,
    NOW,
    REPLACED,
    RL_PAPER,
    UNTRANSLATED,
    Clock,
    csrf_token,
    options,
    web_client,
)


def star(client: TestClient, *arxiv_ids: str) -> None:
    token = csrf_token(client)
    for arxiv_id in arxiv_ids:
        response = client.post(f"/api/stars/{arxiv_id}", headers={"X-CSRF-Token": token})
        assert response.json()["starred"] is True


def test_the_reading_list_shows_starred_papers_newest_star_first(db: Path) -> None:
    clock = Clock()
    with web_client(options(db, clock)) as client:
        assert "No stars yet" in client.get("/stars").text
        star(client, CROSS)
        clock.advance(timedelta(minutes=5))
        star(client, RL_PAPER)
        page = html.fromstring(client.get("/stars").text)
        assert [a.get("id") for a in page.xpath("//article")] == [f"p-{RL_PAPER}", f"p-{CROSS}"]
        summary = " ".join(page.xpath('//p[@class="summary"]')[0].text_content().split())
        assert summary == "2 starred papers · export: BibTeX · compact text"
        assert "starred 2026-06-05" in page.xpath("//article")[0].text_content()
        assert [a.get("href") for a in page.xpath('//p[@class="summary"]/a')] == [
            "/stars.bib",
            "/stars.txt",
        ]


def test_bibtex_export(db: Path) -> None:
    with web_client(options(db)) as client:
        star(client, RL_PAPER, LATEST_PAPER)
        response = client.get("/stars.bib")
    assert response.headers["content-type"] == "application/x-bibtex; charset=utf-8"
    assert 'filename="paperfeed-stars.bib"' in response.headers["content-disposition"]
    entries = response.text.split("\n\n")
    assert len(entries) == 2
    assert entries[0] == (
        "@misc{behdin2026position,\n"
        "  title = {{Position: Deployed Reinforcement Learning should be Continual}},\n"
        "  author = {Parnian Behdin and Kevin Roice and Golnaz Mesbahi},\n"
        "  year = {2026},\n"
        "  eprint = {2606.04029},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.LG},\n"
        "  url = {https://arxiv.org/abs/2606.04029}\n"
        "}"
    )
    rl = entries[1]
    assert rl.startswith("@misc{surname2026continual,\n")  # digits are no part of a key
    assert (
        "  title = {{Continual Reinforcement Learning with $\\mathcal{O}(\\sqrt{T})$ Regret}},"
        in rl
    )
    assert "author = {Author1 Surname1 and Author2 Surname2 and " in rl
    assert "  doi = {10.1000/rl.2026}\n}\n" in rl


def test_bibtex_escapes_what_would_break_an_entry(db: Path) -> None:
    from paperfeed.app.web.export import to_bibtex
    from paperfeed.app.web.page_data import PaperItem
    from tests.support.digest_samples import make_paper

    paper = make_paper(
        "2606.09999",
        title="50% of {Models} use C# & $x_1$ } unbalanced",
        authors=("Zoë Ångström",),
    )
    entry = to_bibtex([PaperItem(paper, None, None, None, None)])
    assert "title = {{50\\% of Models use C\\# \\& $x_1$  unbalanced}}" in entry
    assert entry.startswith("@misc{angstrom2026models,")


def test_compact_export_is_the_compact_digest_format(db: Path) -> None:
    with web_client(options(db)) as client:
        star(client, UNTRANSLATED, REPLACED, RL_PAPER)
        response = client.get("/stars.txt")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    text = response.text
    assert not text.endswith("\n")
    lines = text.split("\n")
    assert len(lines) == 9
    # Newest first: a replaced paper by the time of its new version.
    assert lines[2::3] == [
        f"https://arxiv.org/abs/{RL_PAPER}",  # submitted 2026-06-01 15:00
        f"https://arxiv.org/abs/{REPLACED}",  # v2 submitted 2026-06-01 09:00
        f"https://arxiv.org/abs/{UNTRANSLATED}",
    ]
    assert lines[3:5] == [
        "A diffusion policy for robot hands, now with real robot experiments.",
        f"摘要 {REPLACED}。",
    ]
    # No translation: the English stands in, as in every digest format.
    assert lines[6] == lines[7] == "A reinforcement learning reward model nobody translated."


def test_exports_of_an_empty_reading_list_are_empty(db: Path) -> None:
    with web_client(options(db)) as client:
        assert client.get("/stars.bib").text == ""
        assert client.get("/stars.txt").text == ""


# -- trending ---------------------------------------------------------------------------------


def vote_at(db: Path, clock: Clock, votes: list[tuple[timedelta, str, int]]) -> None:
    """Upvotes cast ``ago`` before NOW by ``readers`` different readers (browsers)."""
    with web_client(options(db, clock)) as client:
        for ago, arxiv_id, readers in votes:
            clock.now = NOW - ago
            for _ in range(readers):
                client.cookies.clear()  # a new browser, a new reader
                token = csrf_token(client)
                response = client.post(f"/api/upvotes/{arxiv_id}", headers={"X-CSRF-Token": token})
                assert response.json()["upvoted"] is True
    clock.now = NOW


@pytest.fixture
def voted(db: Path) -> tuple[Path, Clock]:
    clock = Clock()
    vote_at(
        db,
        clock,
        [
            (timedelta(hours=2), CROSS, 1),
            (timedelta(hours=3), HOSTILE, 2),
            (timedelta(days=3), RL_PAPER, 3),
            (timedelta(days=20), REPLACED, 4),
            (timedelta(days=45), LATEST_PAPER, 5),  # outside every window
        ],
    )
    return db, clock


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("day", [(HOSTILE, 2), (CROSS, 1)]),
        ("week", [(RL_PAPER, 3), (HOSTILE, 2), (CROSS, 1)]),
        ("month", [(REPLACED, 4), (RL_PAPER, 3), (HOSTILE, 2), (CROSS, 1)]),
    ],
)
def test_trending_counts_upvotes_inside_the_window(
    voted: tuple[Path, Clock], window: str, expected: list[tuple[str, int]]
) -> None:
    db, clock = voted
    with web_client(options(db, clock)) as client:
        document = client.get("/api/trending", params={"window": window}).json()
        assert [(r["paper"]["id"], r["votes"]) for r in document["results"]] == expected
        since = NOW - timedelta(days={"day": 1, "week": 7, "month": 30}[window])
        assert document["since"] == since.strftime("%Y-%m-%dT%H:%M:%SZ")
        page = html.fromstring(client.get("/trending", params={"window": window}).text)
        ranked = page.xpath('//div[@class="ranked"]')
        assert [r.xpath(".//article")[0].get("id") for r in ranked] == [
            f"p-{arxiv_id}" for arxiv_id, _ in expected
        ]
        first = " ".join(ranked[0].text_content().split())
        assert first.startswith("1 ")
        assert f"{expected[0][1]} upvotes this {window}" in first
        current = page.xpath('//nav[@class="tabs"]/a[@aria-current="page"]')[0]
        assert current.get("href") == f"/trending?window={window}"


def test_trending_restricted_to_a_topic(voted: tuple[Path, Clock]) -> None:
    db, clock = voted
    with web_client(options(db, clock)) as client:
        params = {"window": "month", "topic": "diffusion policy"}
        document = client.get("/api/trending", params=params).json()
        assert [r["paper"]["id"] for r in document["results"]] == [REPLACED, RL_PAPER]
        assert document["topic"] == "diffusion policy"
        page = html.fromstring(client.get("/trending", params=params).text)
        assert [a.get("id") for a in page.xpath("//article")] == [f"p-{REPLACED}", f"p-{RL_PAPER}"]
        chosen = page.xpath('//select[@name="topic"]/option[@selected]')[0]
        assert chosen.get("value") == "diffusion policy"
        tabs = [a.get("href") for a in page.xpath('//nav[@class="tabs"]/a')]
        assert tabs[0] == "/trending?window=day&topic=diffusion%20policy"


def test_trending_without_votes_says_how_to_vote(db: Path) -> None:
    with web_client(options(db)) as client:
        text = client.get("/trending").text
        assert "No upvotes in this window yet" in text
        assert client.get("/api/trending").json()["results"] == []


def test_counts_on_cards_follow_the_votes(voted: tuple[Path, Clock]) -> None:
    db, clock = voted
    with web_client(options(db, clock)) as client:
        page = html.fromstring(client.get("/day/2026-06-03").text)
        button = page.xpath(f'//article[@id="p-{RL_PAPER}"]//button[@data-kind="upvote"]')[0]
        assert re.sub(r"\D", "", button.text_content()) == "3"
