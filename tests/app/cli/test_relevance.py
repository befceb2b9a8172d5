"""Whole-program: `paperfeed run` with the relevance stage, then `related`, `profile` and
`digest`, through the real CLI against a loopback server (the real packaged model, on the
sentence-transformers backend: the ONNX export is tested in test_relevance_model.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paperfeed.app.cli import main
from paperfeed.app.demo.feeds import archives_of, build_feeds
from paperfeed.app.demo.server import serve
from tests.support import FIXTURES, requires
from tests.support.listing_builder import example_items, unrelated_items

pytestmark = requires("sentence_transformers")

JUNE = date(2026, 6, 4)
PROFILE = ("2604.19033", "2604.18978", "2604.19024")  # streaming RL, off-policy critics, safe RLHF


class Home:
    def __init__(self, folder: Path, base_url: str) -> None:
        self.folder = folder
        self.config = folder / "paperfeed.toml"
        self.env = {"PAPERFEED_HOME": str(folder / "home"), "PAPERFEED_CONFIG": str(self.config)}
        (folder / "mine.txt").write_text("\n".join(PROFILE) + "\n", encoding="utf-8")
        self.base = (
            f'timezone = "Asia/Shanghai"\n'
            f'[arxiv]\nrss_url = "{base_url}/rss"\napi_url = "{base_url}/api/query"\n'
            f"categories = [{', '.join(repr(f) for f in FEEDS)}]\nmin_interval = 0\nretries = 0\n"
            f'[huggingface]\nenabled = false\n[translate]\nengine = "none"\n'
        )

    def configure(self, relevance: str) -> None:
        self.config.write_text(self.base + "[relevance]\n" + relevance, encoding="utf-8")

    def cli(self, *args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=False)

    def digest(self, suffix: str) -> str:
        return (self.folder / "home" / "digests" / f"digest-{JUNE}.{suffix}").read_text("utf-8")


# A short day (embedding is the slow part): 16 of the example's RL papers and unrelated ones.
ITEMS = example_items("digest-2026-06-04.txt")[:16] + unrelated_items()
FEEDS = archives_of(ITEMS)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    with serve(build_feeds(JUNE, ITEMS, FEEDS)) as base_url:
        yield Home(tmp_path, base_url)


def test_run_scores_sorts_and_explains_the_digest(home: Home) -> None:
    home.configure(
        'enabled = true\nbackend = "sentence-transformers"\nprofile = ["mine.txt"]\n'
        'sort = "score"\nauthors = ["Behdin, Parnian"]\n'
    )
    result = home.cli("run", "--date", str(JUNE))
    assert result.exit_code == 0, result.output
    assert "relevance: 16 embedded (0 cached); profile of 0 papers (3 not in the archive)" in (
        result.output
    )
    data = json.loads(home.digest("json"))
    papers = data["topics"][0]["papers"]
    assert len(papers) == 16
    totals = [p["score"]["total"] for p in papers]
    assert totals == sorted(totals, reverse=True)
    for paper in papers:
        parts = paper["score"]["parts"]
        # The profile's papers are not in this archive and have no text: no similarity part.
        assert list(parts) == ["keyword", "authors"]
        assert sum(p["value"] for p in parts.values()) == pytest.approx(paper["score"]["total"])
    followed = next(p for p in papers if p["id"] == "2606.04029")
    assert followed["score"]["parts"]["authors"]["detail"] == "Parnian Behdin"
    assert papers[0]["id"] == "2606.04029"  # a followed author and RL in the title: the best
    html = home.digest("html")
    assert html.count('<details class="score">') == 16
    assert "Parnian Behdin</td>" in html
    # The seed text lists the same papers, in score order, in its own unchanged layout.
    text = home.digest("txt")
    assert text.index("Position: Deployed Reinforcement Learning") < text.index(papers[-1]["title"])
    assert "相关度" not in text and "keyword in" not in text


def test_profile_similarity_names_the_nearest_profile_paper(home: Home) -> None:
    # The profile's papers come into the archive with the earlier listing's digest import.
    listing_items = example_items("digest-2026-04-22.txt")
    (home.folder / "mine.txt").write_text(
        "\n".join(i.paper.arxiv_id for i in listing_items[-3:]) + "\n", encoding="utf-8"
    )
    home.configure('enabled = true\nbackend = "sentence-transformers"\nprofile = ["mine.txt"]\n')
    imported = home.cli(
        "import",
        "--memory-only",
        str(FIXTURES / "digests" / "digest-2026-04-22.txt"),
    )
    assert imported.exit_code == 0, imported.output
    result = home.cli("run", "--date", str(JUNE))
    assert result.exit_code == 0, result.output
    assert "profile of 3 papers" in result.output
    papers = json.loads(home.digest("json"))["topics"][0]["papers"]
    ids = [p["id"] for p in papers]
    assert ids == sorted(ids)  # sort = "id" (the default) keeps arXiv order
    profile_ids = {i.paper.arxiv_id for i in listing_items[-3:]}
    for paper in papers:
        score = paper["score"]
        assert list(score["parts"]) == ["keyword", "similarity"]
        assert score["nearest"]["id"] in profile_ids
        assert score["parts"]["similarity"]["detail"].endswith(score["nearest"]["title"])
    # `paperfeed digest` shows the stored scores again.
    shown = home.cli("digest", "--date", str(JUNE), "--format", "json")
    assert json.loads(shown.output)["topics"][0]["papers"] == papers

    # Related papers over what the run embedded, with no model loaded.
    related = home.cli("related", "2606.04029", "--limit", "3", "--no-embed", "--json")
    assert related.exit_code == 0, related.output
    lines = [json.loads(line) for line in related.output.splitlines()]
    assert len(lines) == 3 and "2606.04029" not in {r["id"] for r in lines}
    assert [r["similarity"] for r in lines] == sorted(
        (r["similarity"] for r in lines), reverse=True
    )

    listed = home.cli("profile", "show")
    assert listed.exit_code == 0, listed.output
    assert "3 papers (3 in the archive, 0 missing)" in listed.output


def test_enabled_without_the_extra_is_skipped_with_a_one_line_hint(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("paperfeed.config.relevance.extra_available", lambda: False)
    home.configure("enabled = true\n")
    result = home.cli("run", "--date", str(JUNE))
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if "relevance" in line]
    assert notes == [
        "note: relevance scores are on ([relevance] enabled) but the relevance extra is not "
        "installed: pip install 'paperfeed[relevance]' (torch==2.13.0 first for the CPU build)"
    ]
    assert "score" not in json.loads(home.digest("json"))["topics"][0]["papers"][0]
