"""The seed text format: the golden round-trips are the contract (FORMAT-digest.md section 1)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from paperfeed.importing.parsers import parse_seed_text
from paperfeed.publish.formats import render_digest
from paperfeed.publish.seed_text import seed_header
from tests.support import FIXTURES
from tests.support.digest_samples import (
    NEW_YORK,
    SHANGHAI,
    make_digest,
    make_entry,
    make_paper,
    sample_digest,
)

DIGESTS = FIXTURES / "digests"


@pytest.mark.parametrize("name", ["digest-2026-06-04.txt", "digest-2026-04-22.txt"])
def test_imported_example_renders_back_byte_for_byte(name: str) -> None:
    raw = (DIGESTS / name).read_bytes()
    imported = parse_seed_text(raw.decode("utf-8"), path=name)
    # No subject_names passed: the official taxonomy alone must reproduce every label.
    assert render_digest(imported.digest, "text").encode("utf-8") == raw


def test_header_in_daylight_saving_time() -> None:
    header = seed_header(
        datetime(2026, 6, 4, 19, 18, 50, tzinfo=SHANGHAI),
        datetime(2026, 6, 3, 20, 0, tzinfo=NEW_YORK),
        SHANGHAI,
    )
    assert header == (
        "生成时间: 2026-06-04 19:18:50 (UTC+8); "
        "Arxiv 发布时间: 2026-06-03 20:00 EDT (2026-06-04 08:00 UTC+8)"
    )


def test_header_in_standard_time_for_a_monday_listing() -> None:
    # The listing dated Monday 2026-02-23 was announced on Sunday evening, US Eastern.
    announced = datetime(2026, 2, 23, 1, 0, tzinfo=ZoneInfo("UTC"))  # = 2026-02-22 20:00 EST
    header = seed_header(
        datetime(2026, 2, 23, 2, 5, 9, tzinfo=ZoneInfo("UTC")), announced, SHANGHAI
    )
    assert header == (
        "生成时间: 2026-02-23 10:05:09 (UTC+8); "
        "Arxiv 发布时间: 2026-02-22 20:00 EST (2026-02-23 09:00 UTC+8)"
    )


def test_header_in_other_reader_zones() -> None:
    announced = datetime(2026, 2, 22, 20, 0, tzinfo=NEW_YORK)
    generated = datetime(2026, 2, 23, 12, 0, tzinfo=ZoneInfo("UTC"))
    kolkata = seed_header(generated, announced, ZoneInfo("Asia/Kolkata"))
    assert kolkata == (
        "生成时间: 2026-02-23 17:30:00 (UTC+5:30); "
        "Arxiv 发布时间: 2026-02-22 20:00 EST (2026-02-23 06:30 UTC+5:30)"
    )
    utc = seed_header(generated, announced, ZoneInfo("UTC"))
    assert utc.endswith("Arxiv 发布时间: 2026-02-22 20:00 EST (2026-02-23 01:00 UTC)")


def test_header_without_a_known_announcement() -> None:
    header = seed_header(datetime(2026, 6, 4, 19, 18, 50, tzinfo=SHANGHAI), None, SHANGHAI)
    assert header == "生成时间: 2026-06-04 19:18:50 (UTC+8)"


def test_synthetic_digest_renders_exactly() -> None:
    text = render_digest(sample_digest(), "text")
    expected = "\n".join(
        [
            "生成时间: 2026-06-04 19:18:50 (UTC+8); "
            "Arxiv 发布时间: 2026-06-03 20:00 EDT (2026-06-04 08:00 UTC+8)",
            "今天共有 3 篇相关文章",
            "Keyword: reinforcement learning",
            "Deployed Reinforcement Learning should be Continual",
            "标题 2606.04029",
            "- Authors: Ada Lovelace, Alan Turing",
            "- Subjects: Subjects:",
            "Machine Learning (cs.LG); Artificial Intelligence (cs.AI)",
            "- Arxiv link: https://arxiv.org/abs/2606.04029",
            "- Pdf link: https://arxiv.org/pdf/2606.04029",
            "- Abstract",
            "Abstract of 2606.04029.",
            "- 中文摘要",
            "摘要 2606.04029。",
            "Title of 2606.04200",
            "Title of 2606.04200",  # untranslated: the English stands in
            "- Authors: Ada Lovelace, Alan Turing",
            "- Subjects: Subjects:",
            "Machine Learning (stat.ML)",
            "- Arxiv link: https://arxiv.org/abs/2606.04200",
            "- Pdf link: https://arxiv.org/pdf/2606.04200",
            "- Abstract",
            "Abstract of 2606.04200.",
            "- 中文摘要",
            "Abstract of 2606.04200.",
            "Keyword: robotics",
            "Deployed Reinforcement Learning should be Continual",
            "标题 2606.04029",
            "- Authors: Ada Lovelace, Alan Turing",
            "- Subjects: Subjects:",
            "Machine Learning (cs.LG); Artificial Intelligence (cs.AI)",
            "- Arxiv link: https://arxiv.org/abs/2606.04029",
            "- Pdf link: https://arxiv.org/pdf/2606.04029",
            "- Abstract",
            "Abstract of 2606.04029.",
            "- 中文摘要",
            "摘要 2606.04029。",
            "Robots in $\\mathbb{R}^3$",
            "标题 2606.04100",
            "- Authors: Ada Lovelace, Alan Turing",
            "- Subjects: Subjects:",
            "Robotics (cs.RO)",
            "- Arxiv link: https://arxiv.org/abs/2606.04100",
            "- Pdf link: https://arxiv.org/pdf/2606.04100",
            "- Abstract",
            "Abstract of 2606.04100.",
            "- 中文摘要",
            "摘要 2606.04100。",
            "Keyword: diffusion policy",
            "There is no result",
        ]
    )
    assert text == expected
    assert not text.endswith("\n")


def test_only_empty_topics() -> None:
    digest = make_digest({"a": [], "b": []})
    assert render_digest(digest, "text").split("\n")[1:] == [
        "今天共有 0 篇相关文章",
        "Keyword: a",
        "There is no result",
        "Keyword: b",
        "There is no result",
    ]


def test_subject_names_fill_in_codes_the_taxonomy_lacks() -> None:
    paper = make_paper("2606.00001", categories=("cs.LG", "xx.NEW"))
    digest = make_digest({"t": [make_entry(paper)]})
    lines = render_digest(digest, "text").split("\n")
    assert lines[7] == "Machine Learning (cs.LG); xx.NEW (xx.NEW)"
    named = render_digest(digest, "text", subject_names={"xx.NEW": "New Things"}).split("\n")
    assert named[7] == "Machine Learning (cs.LG); New Things (xx.NEW)"
    # The official name wins over a name learnt elsewhere.
    official = render_digest(digest, "text", subject_names={"cs.LG": "Old Name"}).split("\n")
    assert official[7].startswith("Machine Learning (cs.LG)")


def test_text_is_printed_verbatim_but_titles_stay_on_one_line() -> None:
    paper = make_paper(
        "2606.00002",
        title="A title\nbroken by a bug",
        abstract="First line of an old abstract\nsecond  line",
    )
    digest = make_digest(
        {"t": [make_entry(paper, translated=False)]}, listing_date=date(2026, 6, 4)
    )
    lines = render_digest(digest, "text").split("\n")
    assert lines[3] == lines[4] == "A title broken by a bug"
    assert lines[11:13] == ["First line of an old abstract", "second  line"]
    assert lines[13] == "- 中文摘要"
    assert lines[14:] == ["First line of an old abstract", "second  line"]
