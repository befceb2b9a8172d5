"""The HTML page: same content as the text digest, escaped, standalone."""

from __future__ import annotations

import lxml.html
import pytest

from paperfeed.importing.parsers import parse_seed_text
from paperfeed.publish.formats import render_digest
from tests.support import FIXTURES
from tests.support.digest_samples import make_digest, make_entry, make_paper, sample_digest

DIGESTS = FIXTURES / "digests"

HOSTILE = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    "{% raw %}&amp; </p></article>",
)


def _page(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def test_standalone_page_for_phones() -> None:
    html = render_digest(sample_digest(), "html")
    page = _page(html)
    assert html.startswith("<!DOCTYPE html>")
    assert page.xpath("//meta[@name='viewport']/@content") == [
        "width=device-width, initial-scale=1"
    ]
    assert page.xpath("//style")
    # Nothing loaded from elsewhere, nothing executed.
    assert page.xpath("//script | //link | //img | //iframe | //@style") == []
    assert "://" not in "".join(page.xpath("//style/text()"))
    for href in page.xpath("//a/@href"):
        assert href.startswith(("#", "https://arxiv.org/"))


def test_sections_counts_and_table_of_contents() -> None:
    page = _page(render_digest(sample_digest(), "html"))
    assert [_text(li) for li in page.xpath("//nav//li")] == [
        "reinforcement learning (2)",
        "robotics (2)",
        "diffusion policy (0)",
    ]
    assert page.xpath("//nav//a/@href") == ["#topic-1", "#topic-2", "#topic-3"]
    sections = page.xpath("//section")
    assert [s.get("id") for s in sections] == ["topic-1", "topic-2", "topic-3"]
    assert [len(s.xpath(".//article")) for s in sections] == [2, 2, 0]
    assert _text(sections[2].xpath(".//p")[0]) == "There is no result"
    assert "今天共有 3 篇相关文章" in _text(page.xpath("//header")[0])
    assert "Announced: 2026-06-03 20:00 EDT (2026-06-04 08:00 UTC+8)" in _text(
        page.xpath("//header")[0]
    )


def test_paper_details() -> None:
    page = _page(render_digest(sample_digest(), "html"))
    first = page.xpath("//section[@id='topic-1']/article")[0]
    assert _text(first.xpath("h3")[0]) == "Deployed Reinforcement Learning should be Continual"
    assert _text(first.xpath(".//p[@class='title-zh']")[0]) == "标题 2606.04029"
    assert first.xpath(".//span[contains(@class, 'badge')]/text()") == ["new"]
    assert _text(first.xpath(".//dd[@class='matched']")[0]) == (
        "reinforcement learning in title, abstract; cs.RO in categories"
    )
    assert "Machine Learning (cs.LG); Artificial Intelligence (cs.AI)" in _text(first)
    assert first.xpath(".//a/@href")[-3:] == [
        "https://arxiv.org/abs/2606.04029",
        "https://arxiv.org/pdf/2606.04029",
        "https://arxiv.org/html/2606.04029v1",
    ]
    robot = page.xpath("//section[@id='topic-2']/article")[1]
    assert robot.xpath(".//span[contains(@class, 'badge')]/text()") == ["cross-list"]
    assert robot.xpath(".//h3/span[@class='math']/text()") == ["$\\mathbb{R}^3$"]


def test_untranslated_papers_are_marked() -> None:
    page = _page(render_digest(sample_digest(), "html"))
    untranslated = page.xpath("//article[@class='untranslated']")
    assert len(untranslated) == 1
    assert untranslated[0].xpath(".//span[contains(@class, 'badge')]/text()") == [
        "replacement",
        "未翻译 / not translated",
    ]
    assert untranslated[0].xpath(".//p[@class='title-zh']") == []
    assert "未翻译 / not translated" in _text(page.xpath("//header")[0])


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_render_as_text(hostile: str) -> None:
    paper = make_paper(
        "2606.00666",
        title=f"Title {hostile}",
        abstract=f"Abstract {hostile} and $x<y$",
        authors=(hostile,),
        categories=("cs.LG", "xx.EVIL"),
        comment=hostile,
    )
    entry = make_entry(paper)
    digest = make_digest({hostile: [entry]})
    html = render_digest(digest, "html", subject_names={"xx.EVIL": hostile})
    page = _page(html)
    assert page.xpath("//script | //img") == []
    article = page.xpath("//article")[0]
    assert article.xpath("h3")[0].text_content() == f"Title {hostile}"
    abstract = article.xpath(".//p[@lang='en']")[0]
    assert abstract.text_content() == f"Abstract Abstract {hostile} and $x<y$"
    assert abstract.xpath("span[@class='math']/text()") == ["$x<y$"]
    assert page.xpath("//section/h2")[0].text_content() == f"{hostile} (1)"
    assert hostile in _text(article)  # authors, comment, subject name


def test_real_digest_renders() -> None:
    digest = parse_seed_text((DIGESTS / "digest-2026-06-04.txt").read_text("utf-8")).digest
    page = _page(render_digest(digest, "html"))
    assert len(page.xpath("//article")) == 52
    # Imported digests know no version: the html link names the latest.
    assert "https://arxiv.org/html/2606.04029" in page.xpath("//a/@href")
    assert "Generated: 2026-06-04 19:18:50 UTC+8" in _text(page.xpath("//header")[0])


def test_untranslated_digest_without_announcement() -> None:
    digest = make_digest(
        {"t": [make_entry(make_paper("2606.00001"), translated=False)]}, announced_at=None
    )
    page = _page(render_digest(digest, "html"))
    assert "Announced" not in _text(page.xpath("//header")[0])
