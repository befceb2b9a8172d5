"""The compact format: three lines per distinct paper, newest first."""

from __future__ import annotations

from datetime import UTC, datetime

from paperfeed.importing.parsers import parse_seed_text
from paperfeed.publish.compact import newest_first_key
from paperfeed.publish.formats import render_digest
from tests.support import FIXTURES
from tests.support.digest_samples import make_digest, make_entry, make_paper, sample_digest

DIGESTS = FIXTURES / "digests"


def test_compact_of_the_imported_digest_matches_the_real_compact_file() -> None:
    digest = parse_seed_text((DIGESTS / "digest-2026-04-22.txt").read_text("utf-8")).digest
    expected = (DIGESTS / "compact-2026-04-22.txt").read_bytes()
    assert render_digest(digest, "compact").encode("utf-8") == expected


def test_distinct_papers_three_lines_each_no_trailing_newline() -> None:
    text = render_digest(sample_digest(), "compact")
    assert not text.endswith("\n")
    assert text.split("\n") == [
        "Abstract of 2606.04200.",
        "Abstract of 2606.04200.",  # untranslated: the English stands in
        "https://arxiv.org/abs/2606.04200",
        "Abstract of 2606.04100.",
        "摘要 2606.04100。",
        "https://arxiv.org/abs/2606.04100",
        "Abstract of 2606.04029.",
        "摘要 2606.04029。",
        "https://arxiv.org/abs/2606.04029",
    ]


def test_empty_digest_is_empty() -> None:
    assert render_digest(make_digest({"t": []}), "compact") == ""


def _ids(text: str) -> list[str]:
    return [line.removeprefix("https://arxiv.org/abs/") for line in text.split("\n")[2::3]]


def test_ids_sort_by_age_across_id_schemes() -> None:
    ids = [
        "0704.0001",
        "hep-th/9901001",
        "2606.04029",
        "1501.00001",
        "math.GT/0309136",
        "2606.10000",
    ]
    digest = make_digest({"t": [make_entry(make_paper(i, version=0)) for i in ids]})
    assert _ids(render_digest(digest, "compact")) == [
        "2606.10000",
        "2606.04029",
        "1501.00001",
        "0704.0001",
        "math.GT/0309136",
        "hep-th/9901001",
    ]


def test_a_replaced_paper_sorts_by_the_time_of_its_new_version() -> None:
    new_early = make_paper(
        "2606.04000",
        published=datetime(2026, 6, 2, 10, tzinfo=UTC),
        updated=datetime(2026, 6, 2, 10, tzinfo=UTC),
    )
    new_late = make_paper(
        "2606.04100",
        published=datetime(2026, 6, 3, 9, tzinfo=UTC),
        updated=datetime(2026, 6, 3, 9, tzinfo=UTC),
    )
    replaced = make_paper(
        "2501.00001",
        version=3,
        published=datetime(2025, 1, 1, tzinfo=UTC),
        updated=datetime(2026, 6, 2, 18, tzinfo=UTC),
    )
    digest = make_digest({"t": [make_entry(p) for p in (new_early, new_late, replaced)]})
    assert _ids(render_digest(digest, "compact")) == ["2606.04100", "2501.00001", "2606.04000"]


def test_key_without_timestamps_is_the_id_month() -> None:
    key = newest_first_key(make_paper("2604.19737", version=0))
    assert key == (datetime(2026, 4, 1, tzinfo=UTC), (2026, 4, 19737, ""))


def test_multi_line_abstracts_become_one_line() -> None:
    paper = make_paper("2606.04735", abstract="first part\nsecond part")
    text = render_digest(make_digest({"t": [make_entry(paper, translated=False)]}), "compact")
    assert text.split("\n") == [
        "first part second part",
        "first part second part",
        "https://arxiv.org/abs/2606.04735",
    ]
