"""Profile sources: BibTeX, Zotero CSL JSON and arXiv-id lists (pure parsers, no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperfeed.core.errors import RelevanceError
from paperfeed.importing.profiles import (
    ProfileEntry,
    arxiv_id_in,
    parse_bibtex,
    parse_csl_json,
    parse_id_list,
    read_profile_file,
)
from tests.support import FIXTURES

PROFILES = FIXTURES / "relevance"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2606.04036", "2606.04036"),
        ("2606.04036v3", "2606.04036"),
        ("arXiv:2604.18978v2", "2604.18978"),
        ("arXiv preprint arXiv:1707.06347", "1707.06347"),
        ("https://arxiv.org/abs/2606.04029", "2606.04029"),
        ("http://arxiv.org/pdf/2606.04188v2", "2606.04188"),
        ("https://arxiv.org/html/2606.04188v1#S2", "2606.04188"),
        ("10.48550/arXiv.2606.04029", "2606.04029"),
        ("https://doi.org/10.48550/ARXIV.2606.04029", "2606.04029"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("math.GT/0309136v1", "math/0309136"),  # arXiv files it without the subject class
        ("0704.0001", "0704.0001"),
        ("10.1038/nature14236", None),
        ("12345.6789", None),
        ("see page 2606.04036.5", None),
        ("", None),
    ],
)
def test_arxiv_ids_are_found_in_every_form_references_use(text: str, expected: str | None) -> None:
    assert arxiv_id_in(text) == expected


def test_bibtex_entries_from_arxiv_zotero_and_scholar_exports() -> None:
    entries = read_profile_file(PROFILES / "library.bib")
    by_label = {e.label: e for e in entries}
    assert [e.arxiv_id for e in entries] == [
        "2606.04036",  # arXiv's export: eprint + archivePrefix
        "2606.04029",  # Zotero's: doi 10.48550/arXiv...
        "2604.18978",  # Google Scholar's: journal = {arXiv preprint arXiv:...v2}
        None,  # @inproceedings(...) without an id: kept for its title
        "hep-th/9901001",  # old-style eprint with a version
        None,  # a journal article: title and abstract
    ]  # the @book with neither an id nor a title is left out
    zotero = by_label["2606.04029"]
    # Braces that protect capitals are dropped; the abstract is kept.
    assert zotero.title == "Position: Deployed Reinforcement Learning should be Continual"
    assert zotero.abstract.startswith("Reinforcement Learning (RL) has received")
    assert zotero.source == "library.bib"
    parenthesised = entries[3]
    assert parenthesised.title == "Intentional Updates for Streaming Reinforcement Learning"
    article = entries[5]
    # LaTeX commands and escapes reduced to text; a quoted value may span lines.
    assert article.title == "Human-Level Control of Atari Games with Deep $Q$-Networks & Replay"
    assert article.abstract == (
        "An agent learns to play Atari games from pixels with a deep Q-network, "
        "experience replay and a target network."
    )


def test_bibtex_string_macros_and_concatenation() -> None:
    text = (
        '@string{conf = "Robot Learning"}\n'
        '@inproceedings{a, title = "Diffusion " # conf, booktitle = conf # " 2026", '
        "eprint = {2606.04188}, eprinttype = {arxiv}}\n"
    )
    (entry,) = parse_bibtex(text, "refs.bib")
    assert entry == ProfileEntry("2606.04188", "Diffusion Robot Learning", "", "refs.bib")


def test_bibtex_eprint_of_another_archive_is_not_taken_for_arxiv() -> None:
    text = "@article{x, title = {Bio}, eprint = {2606.04188}, archivePrefix = {bioRxiv}}"
    assert parse_bibtex(text) == (ProfileEntry(None, "Bio"),)


def test_unbalanced_bibtex_names_the_file_and_line() -> None:
    text = "@misc{ok, title = {Fine}}\n\n@misc{broken, title = {Never closed}\n"
    with pytest.raises(RelevanceError) as info:
        parse_bibtex(text, "refs.bib")
    assert "refs.bib: line 3: an entry is not closed" in str(info.value)


def test_zotero_csl_json() -> None:
    entries = read_profile_file(PROFILES / "zotero.json")
    assert [(e.arxiv_id, e.title) for e in entries] == [
        ("2606.04051", "RUBAS: Rubric-Based Reinforcement Learning for Agent Safety"),
        ("2606.04182", "Exact Unlearning in Reinforcement Learning"),  # from the PDF URL
        (None, "Diffusion Policies for Dexterous Manipulation"),  # no arXiv id: text only
    ]  # the item with no title and no id is left out
    assert entries[2].abstract.startswith("We learn visuomotor diffusion policies")
    assert {e.source for e in entries} == {"zotero.json"}


def test_csl_json_that_is_not_a_list_is_refused() -> None:
    with pytest.raises(RelevanceError, match="must be a list of items"):
        parse_csl_json('{"title": "x"}', "one.json")
    with pytest.raises(RelevanceError, match="not JSON"):
        parse_csl_json("[{", "broken.json")


def test_id_list_with_comments_versions_and_urls() -> None:
    entries = read_profile_file(PROFILES / "ids.txt")
    assert [e.arxiv_id for e in entries] == [
        "2606.04275",
        "2604.19033",
        "2604.18978",
        "2606.04188",
        "hep-th/9901001",
    ]
    assert all(e.source == "ids.txt" and not e.title for e in entries)


def test_id_list_line_that_is_not_an_id_is_an_error_with_its_line() -> None:
    with pytest.raises(RelevanceError) as info:
        parse_id_list("2606.04275\nattention is all you need\n", "mine.txt")
    assert "mine.txt: line 2: 'attention is all you need' is not an arXiv id" in str(info.value)


def test_missing_profile_file_says_where_paths_are_relative_to(tmp_path: Path) -> None:
    with pytest.raises(RelevanceError) as info:
        read_profile_file(tmp_path / "absent.bib")
    assert "profile file not found" in str(info.value)
    assert "relative to the config file" in info.value.hint
