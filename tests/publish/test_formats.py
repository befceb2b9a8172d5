"""render_digest and digest_filename: the formats and their file names."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from paperfeed.core.errors import RenderError
from paperfeed.publish.formats import FILE_SUFFIX, FORMATS, digest_filename, render_digest
from tests.support.digest_samples import make_digest, sample_digest


def test_file_names() -> None:
    day = date(2026, 6, 4)
    assert [digest_filename(fmt, day) for fmt in FORMATS] == [
        "digest-2026-06-04.txt",
        "compact-2026-06-04.txt",
        "digest-2026-06-04.md",
        "digest-2026-06-04.html",
        "digest-2026-06-04.json",
    ]
    assert set(FILE_SUFFIX) == set(FORMATS)


def test_every_format_renders_the_same_papers() -> None:
    digest = sample_digest()
    for fmt in FORMATS:
        text = render_digest(digest, fmt)
        for arxiv_id in ("2606.04029", "2606.04100", "2606.04200"):
            assert f"https://arxiv.org/abs/{arxiv_id}" in text, (fmt, arxiv_id)


def test_unknown_format() -> None:
    with pytest.raises(RenderError) as caught:
        render_digest(sample_digest(), "pdf")
    assert "'pdf'" in str(caught.value)
    assert "text, compact, markdown, html, json" in str(caught.value)
    with pytest.raises(RenderError):
        digest_filename("docx", date(2026, 6, 4))


def test_unknown_time_zone() -> None:
    digest = make_digest({"t": []}, timezone="Asia/Shanghai")
    bad = replace(digest, timezone="Mars/Olympus")
    assert render_digest(bad, "text")  # the text format prints the stored header only
    with pytest.raises(RenderError, match="Mars/Olympus"):
        render_digest(bad, "html")
