r"""The text both arXiv parsers store: TeX accents as Unicode (the RSS and the API agree on the
same paper), and never a word lost to an unresolved entity, which is never resolved.

The feeds are the recorded rss.arxiv.org, Atom and API payloads with one item's metadata
replaced by a real paper's as arXiv's raw metadata spells it (arXivRaw record 1102.0285 in the
recorded OAI-PMH response: ``Christoph L\"udeling``) plus the issue's example names."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from paperfeed.core.records import Paper
from paperfeed.sources.arxiv_api import parse_api_feed
from paperfeed.sources.arxiv_rss import parse_rss
from tests.support import FIXTURES

UPSTREAM = FIXTURES / "upstream"
RAW = {"raw": "http://arxiv.org/OAI/arXivRaw/"}
EXTRA_AUTHORS = ("Przemys{\\l}aw Biecek", "Benjamin R\\'emy", 'Adam Lundstr\\"om')
MATH = " We bound $\\|\\nabla f(\\mathbf{x})\\|$ by 98.42\\% --- see Erd\\H{o}s."


def recorded(name: str) -> str:
    return (UPSTREAM / name).read_text(encoding="utf-8")


def raw_paper() -> tuple[str, tuple[str, ...], str]:
    """Title, authors and abstract of a real paper in arXiv's raw (TeX) spelling."""
    root = etree.parse(str(UPSTREAM / "oai_listrecords_arXivRaw.xml")).getroot()
    (record,) = root.xpath("//raw:arXivRaw[raw:id = '1102.0285']", namespaces=RAW)

    def field(name: str) -> str:
        return record.findtext(f"raw:{name}", namespaces=RAW) or ""

    return field("title"), (field("authors"), *EXTRA_AUTHORS), field("abstract") + MATH


def rss_with(title: str, authors: tuple[str, ...], abstract: str) -> bytes:
    """The recorded cs.LG feed, its first item carrying this metadata."""
    feed = recorded("arxiv_rss_cs_LG.xml")
    first = parse_rss(feed.encode(), "cs.LG").items[0].paper
    feed = feed.replace(f"<title>{first.title}</title>", f"<title>{title}</title>", 1)
    feed = feed.replace(", ".join(first.authors), ", ".join(authors), 1)
    return feed.replace(first.abstract, abstract, 1).encode()


def api_with(title: str, authors: tuple[str, ...], abstract: str) -> bytes:
    """The recorded API search, its first entry carrying this metadata."""
    root = etree.fromstring(recorded("arxiv_api_query.xml").encode())
    atom = "{http://www.w3.org/2005/Atom}"
    entry = root.find(f"{atom}entry")
    assert entry is not None
    entry.find(f"{atom}title").text = title  # type: ignore[union-attr]
    entry.find(f"{atom}summary").text = abstract  # type: ignore[union-attr]
    for author in entry.findall(f"{atom}author"):
        entry.remove(author)
    for name in authors:
        author = etree.SubElement(entry, f"{atom}author")
        etree.SubElement(author, f"{atom}name").text = name
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_the_rss_parser_stores_tex_names_titles_and_abstracts_as_unicode() -> None:
    paper = parse_rss(rss_with(*raw_paper()), "cs.LG").items[0].paper
    assert paper.authors == (
        "Christoph Lüdeling",
        "Przemysław Biecek",
        "Benjamin Rémy",
        "Adam Lundström",
    )
    assert paper.title == "Seven-Dimensional Super-Yang-Mills Theory in N=1 Superfields"
    assert paper.abstract.startswith("We give a gauge-covariant formulation")
    assert "Chern--Simons-like superpotential" in paper.abstract  # -- stays as written
    assert paper.abstract.endswith(
        " We bound $\\|\\nabla f(\\mathbf{x})\\|$ by 98.42\\% --- see Erdős."
    )


def test_the_api_parser_stores_the_same_text_as_the_rss_parser() -> None:
    title, authors, abstract = raw_paper()
    title = 'Schr\\"odinger meets ' + title
    from_rss = parse_rss(rss_with(title, authors, abstract), "cs.LG").items[0].paper
    from_api = parse_api_feed(api_with(title, authors, abstract)).papers[0]
    assert (
        from_api.title
        == from_rss.title
        == ("Schrödinger meets Seven-Dimensional Super-Yang-Mills Theory in N=1 Superfields")
    )
    assert from_api.authors == from_rss.authors
    assert from_api.abstract == from_rss.abstract
    assert "Lüdeling" in from_api.authors[0]


def test_the_atom_variant_converts_too() -> None:
    feed = recorded("arxiv_atom_cs_LG.xml").replace(
        "Florian Tambon, Vahid Majdinasab", "Benjamin R\\'emy, Przemys{\\l}aw Biecek", 1
    )
    paper = parse_rss(feed.encode(), "cs.LG").items[0].paper
    assert paper.authors[:2] == ("Benjamin Rémy", "Przemysław Biecek")


# -- entities: never resolved, never truncating ----------------------------------------------

SECRET = "TOP-SECRET-CONTENT"


def with_external_entity(document: str, secret: Path) -> str:
    """The document with a DOCTYPE declaring an external entity that points at a local file."""
    head, _, rest = document.partition("?>")
    doctype = f'<!DOCTYPE root [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    return f"{head}?>\n{doctype}{rest}"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def test_text_after_an_unresolved_entity_in_an_rss_title_is_kept(secret: Path) -> None:
    feed = recorded("arxiv_rss_cs_LG.xml")
    first = parse_rss(feed.encode(), "cs.LG").items[0].paper
    feed = feed.replace(
        f"<title>{first.title}</title>", "<title>XXE &xxe; reinforcement learning</title>", 1
    )
    feed = feed.replace("Florian Tambon, Vahid", "Florian &xxe; Tambon, Vahid", 1)
    feed = feed.replace("Abstract: Testing Deep", "Abstract: Testing &xxe; Deep", 1)
    page = parse_rss(with_external_entity(feed, secret).encode(), "cs.LG")
    paper = page.items[0].paper
    assert paper.title == "XXE &xxe; reinforcement learning"
    assert paper.authors[:2] == ("Florian &xxe; Tambon", "Vahid Majdinasab")
    assert paper.abstract.startswith("Testing &xxe; Deep Learning (DL) systems")
    assert paper.abstract.endswith("testing capability in RL systems.")
    assert len(page.items) == 4
    assert SECRET not in repr(page)


def test_text_after_an_unresolved_entity_in_an_atom_title_is_kept(secret: Path) -> None:
    feed = recorded("arxiv_atom_cs_LG.xml")
    first = parse_rss(feed.encode(), "cs.LG").items[0].paper
    feed = feed.replace(f"{first.title}</title>", "XXE &xxe; reinforcement learning</title>", 1)
    page = parse_rss(with_external_entity(feed, secret).encode(), "cs.LG")
    assert page.items[0].paper.title == "XXE &xxe; reinforcement learning"
    assert SECRET not in repr(page)


def test_text_after_an_unresolved_entity_in_an_api_entry_is_kept(secret: Path) -> None:
    feed = recorded("arxiv_api_query.xml")
    first = parse_api_feed(feed.encode()).papers[0]
    feed = feed.replace(first.title, "XXE &xxe; reinforcement learning", 1)
    feed = feed.replace("<name>Mohit Kumar Ahuja</name>", "<name>Mohit &xxe; Ahuja</name>", 1)
    page = parse_api_feed(with_external_entity(feed, secret).encode())
    paper: Paper = page.papers[0]
    assert paper.title == "XXE &xxe; reinforcement learning"
    assert paper.authors[0] == "Mohit &xxe; Ahuja"
    assert SECRET not in repr(page)
