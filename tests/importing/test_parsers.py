"""Parsing existing digest files: structure, dates, untranslated entries, errors with lines."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from paperfeed.core.errors import DigestImportError
from paperfeed.core.records import UNKNOWN_VERSION
from paperfeed.importing.parsers import (
    CompactItem,
    ImportedDigest,
    detect_format,
    parse_compact,
    parse_digest_file,
    parse_seed_text,
)
from paperfeed.publish.formats import render_digest
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
UTC8 = timezone(timedelta(hours=8))


def _fixture(name: str) -> str:
    return (DIGESTS / name).read_text("utf-8")


def test_detect_format() -> None:
    assert detect_format(_fixture("digest-2026-06-04.txt")) == "text"
    assert detect_format(_fixture("compact-2026-04-22.txt")) == "compact"
    assert detect_format("") is None
    assert detect_format("hello\nworld\n") is None
    assert detect_format("\ufeff" + _fixture("digest-2026-04-22.txt")) == "text"


def test_real_digest() -> None:
    imported = parse_seed_text(_fixture("digest-2026-06-04.txt"), path="digest-2026-06-04.txt")
    digest = imported.digest
    assert digest.header == (
        "生成时间: 2026-06-04 19:18:50 (UTC+8); "
        "Arxiv 发布时间: 2026-06-04 20:00 EDT (2026-06-05 08:00 UTC+8)"
    )
    assert digest.listing_date == date(2026, 6, 4)
    assert digest.generated_at == datetime(2026, 6, 4, 19, 18, 50, tzinfo=UTC8)
    assert digest.generated_at.utcoffset() == timedelta(hours=8)
    # Old-style header: it printed "<listing date> 20:00", after the digest was generated.
    assert digest.announced_at is None
    assert imported.printed_announcement == datetime(2026, 6, 4, 20, 0, tzinfo=NEW_YORK)
    assert digest.timezone == "UTC+8"
    assert digest.source == "import"
    assert [(s.topic, len(s.entries)) for s in digest.sections] == [
        ("reinforcement learning", 52),
        ("diffusion policy", 0),
    ]
    assert digest.paper_count == 52
    first = digest.sections[0].entries[0]
    assert first.paper.arxiv_id == "2606.04029"
    assert first.paper.version == UNKNOWN_VERSION
    assert first.paper.title == "Position: Deployed Reinforcement Learning should be Continual"
    assert first.title_zh == "立场:部署强化学习应持续进行"
    assert first.paper.authors == ("Parnian Behdin", "Kevin Roice", "Golnaz Mesbahi")
    assert first.paper.categories == ("cs.LG", "cs.AI")
    assert first.paper.abstract.startswith("Reinforcement Learning (RL) has received")
    assert first.abstract_zh is not None and first.abstract_zh.startswith("强化学习(RL)")
    assert first.announce_type is None and first.terms == ()
    assert imported.subject_names["cs.LG"] == "Machine Learning"
    assert imported.subject_names["q-fin.TR"] == "Trading and Market Microstructure"


def test_an_abstract_on_two_lines_is_kept_verbatim() -> None:
    digest = parse_seed_text(_fixture("digest-2026-06-04.txt")).digest
    entry = next(e for e in digest.papers if e.paper.arxiv_id == "2606.04735")
    assert entry.paper.abstract.count("\n") == 1
    assert entry.paper.abstract.split("\n")[1].startswith("peaks'' over alternatives")
    assert entry.abstract_zh is not None and "\n" not in entry.abstract_zh
    following = digest.sections[0].entries[digest.sections[0].entries.index(entry) + 1]
    assert following.paper.title.startswith("COP-Q: Safety-First Reinforcement Learning")


def test_new_style_header_dates_the_listing_the_next_day() -> None:
    announced = datetime(2026, 2, 22, 20, 0, tzinfo=NEW_YORK)
    digest = make_digest(
        {"t": [make_entry(make_paper("2602.00001"))]},
        listing_date=date(2026, 2, 23),
        generated_at=datetime(2026, 2, 23, 10, 5, 9, tzinfo=SHANGHAI),
        announced_at=announced,
    )
    imported = parse_seed_text(render_digest(digest, "text"))
    assert imported.digest.listing_date == date(2026, 2, 23)
    assert imported.digest.announced_at == announced
    assert imported.digest.announced_at.tzname() == "EST"  # type: ignore[union-attr]
    assert imported.printed_announcement == announced
    assert imported.digest.generated_at == digest.generated_at


def test_file_name_settles_an_old_digest_generated_late() -> None:
    # Generated after the printed (old-style) instant, so the header alone looks new-style.
    text = _fixture("digest-2026-04-22.txt").replace(
        "生成时间: 2026-04-22 17:23:58", "生成时间: 2026-04-23 09:30:00", 1
    )
    assert parse_seed_text(text).digest.listing_date == date(2026, 4, 23)
    named = parse_seed_text(text, path="/archive/digest-2026-04-22.txt").digest
    assert named.listing_date == date(2026, 4, 22)
    assert named.announced_at is None
    given = parse_seed_text(text, listing_date=date(2026, 4, 21)).digest
    assert given.listing_date == date(2026, 4, 21)


def test_synthetic_round_trip() -> None:
    digest = sample_digest()
    imported = parse_seed_text(render_digest(digest, "text")).digest
    assert [s.topic for s in imported.sections] == [s.topic for s in digest.sections]
    for got, sent in zip(imported.papers, digest.papers, strict=True):
        assert got.paper.arxiv_id == sent.paper.arxiv_id
        assert got.paper.title == sent.paper.title
        assert got.paper.abstract == sent.paper.abstract
        assert got.paper.categories == sent.paper.categories
        assert got.paper.authors == sent.paper.authors
        assert (got.title_zh, got.abstract_zh) == (sent.title_zh, sent.abstract_zh)
    untranslated = next(e for e in imported.papers if e.paper.arxiv_id == "2606.04200")
    assert untranslated.title_zh is None and untranslated.abstract_zh is None
    assert not untranslated.translated
    assert imported.paper_count == 3  # the paper under two topics counts once


def test_trailing_newline_and_crlf_are_accepted() -> None:
    text = _fixture("digest-2026-04-22.txt")
    plain = parse_seed_text(text).digest
    assert parse_seed_text(text + "\n").digest == plain
    assert parse_seed_text(text.replace("\n", "\r\n")).digest == plain


def _damaged(old: str, new: str, count: int = 1) -> str:
    text = _fixture("digest-2026-04-22.txt")
    assert old in text
    return text.replace(old, new, count)


def _line_of(text: str, needle: str) -> int:
    return text.split("\n").index(needle) + 1


def test_count_mismatch() -> None:
    text = _damaged("今天共有 35 篇相关文章", "今天共有 36 篇相关文章")
    with pytest.raises(DigestImportError) as caught:
        parse_seed_text(text, path="d.txt")
    assert caught.value.line == 2
    assert str(caught.value).startswith(
        "d.txt:2: the count line says 36 papers but the file lists 35"
    )
    assert "hint:" in str(caught.value)


def test_missing_pdf_link_names_the_line() -> None:
    original = _fixture("digest-2026-04-22.txt")
    line = _line_of(original, "- Pdf link: https://arxiv.org/pdf/2604.18739")
    text = original.replace("- Pdf link: https://arxiv.org/pdf/2604.18739\n", "")
    with pytest.raises(DigestImportError) as caught:
        parse_seed_text(text, path="d.txt")
    assert caught.value.line == line
    assert "expected '- Pdf link: https://arxiv.org/pdf/2604.18739' (paper 2604.18739)" in str(
        caught.value
    )
    assert "found '- Abstract'" in str(caught.value)


def test_mismatched_pdf_link() -> None:
    text = _damaged(
        "- Pdf link: https://arxiv.org/pdf/2604.18739",
        "- Pdf link: https://arxiv.org/pdf/2604.18740",
    )
    with pytest.raises(DigestImportError, match=r"d\.txt:\d+: expected '- Pdf link"):
        parse_seed_text(text, path="d.txt")


def test_missing_chinese_abstract_marker() -> None:
    original = _fixture("digest-2026-04-22.txt")
    lines = original.split("\n")
    at = lines.index("- Arxiv link: https://arxiv.org/abs/2604.18739") + 4  # its "- 中文摘要"
    assert lines[at] == "- 中文摘要"
    del lines[at : at + 2]
    with pytest.raises(DigestImportError) as caught:
        parse_seed_text("\n".join(lines), path="d.txt")
    assert "expected '- 中文摘要' after the abstract (paper 2604.18739)" in str(caught.value)
    assert caught.value.line == at + 1  # where it belongs, after a one-line abstract
    assert f"found {lines[at][:80]!r}" in str(caught.value)  # the next paper's title


def test_missing_chinese_title_line() -> None:
    original = _fixture("digest-2026-04-22.txt")
    lines = original.split("\n")
    authors = lines.index("- Arxiv link: https://arxiv.org/abs/2604.18739") - 3
    del lines[authors - 1]  # the Chinese title
    with pytest.raises(DigestImportError) as caught:
        parse_seed_text("\n".join(lines), path="d.txt")
    assert caught.value.line == authors  # the "- Authors:" line, one up after the deletion
    assert "expected a title and a Chinese title above this '- Authors:' line" in str(caught.value)


def test_topic_without_result_line() -> None:
    text = _damaged("Keyword: diffusion policy\nThere is no result", "Keyword: diffusion policy")
    with pytest.raises(DigestImportError) as caught:
        parse_seed_text(text, path="d.txt")
    assert caught.value.line == len(text.split("\n")) + 1
    assert "under topic 'diffusion policy', found the end of the file" in str(caught.value)


def test_bad_header_and_bad_subjects() -> None:
    with pytest.raises(DigestImportError) as caught:
        parse_seed_text(_damaged("(UTC+8);", "(Beijing);"), path="d.txt")
    assert caught.value.line == 1
    text = _damaged("Machine Learning (cs.LG)", "Machine Learning")
    with pytest.raises(DigestImportError, match="not a subject label"):
        parse_seed_text(text, path="d.txt")


def test_compact() -> None:
    items = parse_compact(_fixture("compact-2026-04-22.txt"))
    assert len(items) == 35
    assert items[0].arxiv_id == "2604.19737"
    assert items[-1].arxiv_id == "2604.18616"
    assert all(item.abstract_zh is not None for item in items)
    assert items[0].abstract.startswith("Reinforcement learning (RL) offers")
    digest = parse_seed_text(_fixture("digest-2026-04-22.txt")).digest
    by_id = {e.paper.arxiv_id: e for e in digest.papers}
    for item in items:
        assert item.abstract == by_id[item.arxiv_id].paper.abstract
        assert item.abstract_zh == by_id[item.arxiv_id].abstract_zh


def test_compact_untranslated_and_versioned_link() -> None:
    items = parse_compact("Same text.\nSame text.\nhttps://arxiv.org/abs/2606.00001v2\n")
    assert items == (CompactItem("2606.00001", "Same text.", None),)


def test_compact_errors() -> None:
    with pytest.raises(DigestImportError) as caught:
        parse_compact("abstract\n摘要\nhttps://example.com/abs/1\n", path="c.txt")
    assert caught.value.line == 3
    assert "expected 'https://arxiv.org/abs/<id>'" in str(caught.value)
    with pytest.raises(DigestImportError) as caught:
        parse_compact(
            "a\nb\nhttps://arxiv.org/abs/2606.00001\nc\nhttps://arxiv.org/abs/2606.00002",
            path="c.txt",
        )
    assert caught.value.line == 5
    assert "a line is missing" in str(caught.value)
    with pytest.raises(DigestImportError) as caught:
        parse_compact("a\nb\nhttps://arxiv.org/abs/2606.00001\nc\nd", path="c.txt")
    assert caught.value.line == 6
    assert "found the end of the file" in str(caught.value)


def test_parse_digest_file_dispatches_and_rejects_unknown_files() -> None:
    assert isinstance(parse_digest_file(_fixture("digest-2026-04-22.txt")), ImportedDigest)
    assert isinstance(parse_digest_file(_fixture("compact-2026-04-22.txt")), tuple)
    with pytest.raises(DigestImportError) as caught:
        parse_digest_file("# notes\nnothing here\n", path="notes.md")
    message = str(caught.value)
    assert message.startswith("notes.md: not a digest in a known format")
    assert "seed text format" in message and "compact format" in message
