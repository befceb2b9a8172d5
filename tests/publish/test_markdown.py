"""The Markdown rendering: same content, structure that paper text cannot break."""

from __future__ import annotations

from paperfeed.publish.escaping import escape_inline, escape_prose
from paperfeed.publish.formats import render_digest
from tests.support.digest_samples import make_digest, make_entry, make_paper, sample_digest


def test_header_table_of_contents_and_sections() -> None:
    text = render_digest(sample_digest(), "markdown")
    lines = text.split("\n")
    assert lines[0] == "# arXiv digest 2026-06-04"
    assert "- Announced: 2026-06-03 20:00 EDT (2026-06-04 08:00 UTC+8)" in lines
    assert "- Generated: 2026-06-04 19:18:50 UTC+8" in lines
    assert "- Papers: 3 (1 未翻译 / not translated)" in lines
    assert "| [reinforcement learning](#topic-1) | 2 |" in lines
    assert "| [diffusion policy](#topic-3) | 0 |" in lines
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == [
        "## reinforcement learning (2)",
        "## robotics (2)",
        "## diffusion policy (0)",
    ]
    assert '<a id="topic-2"></a>' in lines
    after_empty = lines[lines.index("## diffusion policy (0)") + 2]
    assert after_empty == "There is no result"
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\n\n\n" not in text


def test_paper_block() -> None:
    text = render_digest(sample_digest(), "markdown")
    section = text.split("## reinforcement learning (2)")[1].split("## robotics")[0]
    assert (
        "### 1. Deployed Reinforcement Learning should be Continual\n\n**标题 2606.04029**"
        in section
    )
    assert "`new` [2606.04029v1](https://arxiv.org/abs/2606.04029)" in section
    assert "- Authors: Ada Lovelace, Alan Turing" in section
    assert "- Subjects: Machine Learning (cs.LG); Artificial Intelligence (cs.AI)" in section
    assert (
        "- Links: [abs](https://arxiv.org/abs/2606.04029) · [pdf](https://arxiv.org/pdf/2606.04029)"
        " · [html](https://arxiv.org/html/2606.04029v1)"
    ) in section
    assert "- Matched: reinforcement learning in title, abstract; cs.RO in categories" in section
    assert "**Abstract.** Abstract of 2606.04029." in section
    assert "**中文摘要.** 摘要 2606.04029。" in section
    # The untranslated paper: marked, English only.
    assert "### 2. Title of 2606.04200\n\n`replacement` **未翻译 / not translated**" in section
    assert "**中文摘要.** Abstract of 2606.04200." not in section


def test_titles_cannot_break_structure() -> None:
    paper = make_paper(
        "2606.00001",
        title="# *Bold* [link](x) | pipe_name <b>html</b> & `code`",
        abstract="Text\n- not a list\n1. not a list\n    not code\n=== not a heading",
    )
    topic = "a | b # [c]"
    text = render_digest(make_digest({topic: [make_entry(paper)]}), "markdown")
    assert (
        "### 1. \\# \\*Bold\\* \\[link\\](x) \\| pipe\\_name \\<b\\>html\\</b\\> \\& \\`code\\`"
    ) in text
    assert "| [a \\| b \\# \\[c\\]](#topic-1) | 1 |" in text
    assert (
        "**Abstract.** Text\n\\- not a list\n1\\. not a list\nnot code\n\\=== not a heading" in text
    )


def test_math_is_left_as_written() -> None:
    assert escape_prose("Loss $L_{*}(x)$ and a_b") == "Loss $L_{*}(x)$ and a\\_b"
    assert escape_prose("costs \\$5 *each*") == "costs \\\\$5 \\*each\\*"
    # Inline contexts (table cells, list items) escape everything.
    assert escape_inline("$a|b$") == "$a\\|b$"
