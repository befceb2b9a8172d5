r"""TeX accents and letters in arXiv metadata become Unicode; math, markup and everything else
come through byte for byte. Real strings from the recorded payloads (arXivRaw metadata keeps
the authors' TeX: ``Christoph L\"udeling``), the issue's examples, and the example digests'
papers (real metadata with math and \textbf markup, which must not change)."""

from __future__ import annotations

import unicodedata

import pytest
from lxml import etree

from paperfeed.sources.tex_text import tex_to_unicode
from tests.support import FIXTURES
from tests.support.listing_builder import example_digest

UPSTREAM = FIXTURES / "upstream"
RAW = {"raw": "http://arxiv.org/OAI/arXivRaw/"}


def raw_record(name: str, arxiv_id: str, field: str) -> str:
    """One field of one arXivRaw record, as the recorded OAI-PMH response carries it."""
    root = etree.parse(str(UPSTREAM / name)).getroot()
    (record,) = root.xpath(f"//raw:arXivRaw[raw:id = '{arxiv_id}']", namespaces=RAW)
    text = record.findtext(f"raw:{field}", namespaces=RAW)
    assert text is not None
    return text


def test_real_recorded_tex_names_and_titles_become_unicode() -> None:
    author = raw_record("oai_listrecords_arXivRaw.xml", "1102.0285", "authors")
    title = raw_record("oai_getrecord_arXivRaw_withdrawn.xml", "1101.6031", "title")
    assert author == 'Christoph L\\"udeling'  # as recorded: TeX
    assert tex_to_unicode(author) == "Christoph Lüdeling"
    assert title == 'Time-dependent Schr\\"odinger equation from the Hamilton-Jacobi equation'
    assert (
        tex_to_unicode(title)
        == "Time-dependent Schrödinger equation from the Hamilton-Jacobi equation"
    )


def test_a_real_abstract_with_en_dashes_is_left_as_written() -> None:
    abstract = raw_record("oai_listrecords_arXivRaw.xml", "1102.0285", "abstract")
    assert "Chern--Simons" in abstract and "Wess--Zumino" in abstract
    assert tex_to_unicode(abstract) == abstract


@pytest.mark.parametrize(
    ("tex", "unicode"),
    [
        # The examples, from a real rss.arxiv.org feed.
        ("Benjamin R\\'emy", "Benjamin Rémy"),
        ("Przemys{\\l}aw", "Przemysław"),
        ('Adam Lundstr\\"om', "Adam Lundström"),
        # The spellings TeX allows for one character.
        ('Lundstr\\"{o}m', "Lundström"),
        ('Lundstr{\\"o}m', "Lundström"),
        ('Lundstr{\\"{o}}m', "Lundström"),
        ("Przemys\\l aw", "Przemysław"),  # TeX swallows the space after a control word
        ("Przemys\\l{}aw", "Przemysław"),
        ("\\L{}ukasz", "Łukasz"),
        ("Matthias Nie{\\ss}ner", "Matthias Nießner"),
        ("S{\\o}ren Hauberg", "Søren Hauberg"),
        ('\\AA{}ngstr\\"om', "Ångström"),
        ("Fran\\c{c}ois", "François"),
        ("Ji\\v{r}\\'i Matas", "Jiří Matas"),
        ("Ond\\v{r}ej Du\\v{s}ek", "Ondřej Dušek"),
        ("Erd\\H{o}s", "Erdős"),
        ("Ya\\u{g}mur", "Yağmur"),
        ("Cz\\k{e}stochowa", "Częstochowa"),
        ("Pi\\`ere", "Pière"),
        ("H\\^otel", "Hôtel"),
        ("Se\\~nor", "Señor"),
        ("\\=a \\.z", "ā ż"),
        ("Mart\\'{\\i}nez", "Martínez"),
        ("Mart\\'\\i nez", "Martínez"),
        ('na\\"{\\i}ve', "naïve"),
        ("Erd\\H{o}s--R\\'enyi graphs", "Erdős--Rényi graphs"),
    ],
)
def test_accents_and_letters_become_unicode(tex: str, unicode: str) -> None:
    converted = tex_to_unicode(tex)
    assert converted == unicode
    assert unicodedata.is_normalized("NFC", converted)


@pytest.mark.parametrize(
    "text",
    [
        # Math stays verbatim, whatever it holds (the recorded feeds' own formulas).
        "we bound $\\|\\nabla f(\\mathbf{x})\\|$ for $f\\colon\\mathbb{R}^n\\to\\mathbb{R}$",
        "$\\tilde{O}(\\varepsilon^{-2})$ queries and $\\tildeΘ(\\sqrt{\\log N} \\cdot \\varepsilon^{-2})$",
        'accents in math are math: $\\"o + \\ddot{o}$, \\(\\\'e\\), \\[\\"u\\], $$\\l$$',
        # Markup, escaped specials, ties, dashes: what the established digests print.
        "a \\textbf{co}-evolutionary \\emph{exact} \\texttt{LifeSkill} framework",
        "98.42\\% accuracy at \\$5 a run, R\\&D, a~tie, pages 1--10 --- done",
        # Prose that only looks like TeX.
        "C++ and C# code at https://example.org/~user/a_b?x=1&y=2#frag",
        "the regex \\b matches at \\u sers, \\t{oo} and \\d+",
        "\\Omega(\\log n) outside math, \\ldots and \\alpha",
        "escaped \\{braces\\} and a lone \\' or \\\" quote",
        "an escaped line break \\\\ then text",
        # Unicode already, and plain text.
        "Terrés-Caballero, Łukasz, Schrödinger, 中文标题, ≥ 95 %",
        "A plain title with no TeX at all",
        "",
    ],
)
def test_everything_else_comes_through_unchanged(text: str) -> None:
    assert tex_to_unicode(text) == text


def test_accents_next_to_math_are_converted_and_the_math_is_not() -> None:
    text = "Schr\\\"odinger's $\\psi$ and R\\'enyi's $\\alpha$-divergence"
    assert tex_to_unicode(text) == "Schrödinger's $\\psi$ and Rényi's $\\alpha$-divergence"


def test_an_escaped_dollar_does_not_open_math() -> None:
    assert tex_to_unicode("costs \\$5, by Jos\\'e, \\$6") == "costs \\$5, by José, \\$6"


def test_a_dollar_that_never_closes_is_text() -> None:
    assert tex_to_unicode("from $5 by Jos\\'e") == "from $5 by José"


def test_an_escaped_backslash_before_a_quote_is_a_line_break_then_text() -> None:
    # "\\" is TeX's line break: the quote after it is not an accent command.
    assert tex_to_unicode('a\\\\"o') == 'a\\\\"o'
    assert tex_to_unicode('a\\\\\\"o') == "a\\\\ö"


def test_escaped_braces_around_an_accent_stay() -> None:
    assert tex_to_unicode("\\{\\'e\\}") == "\\{é\\}"


def test_the_example_digests_real_metadata_is_unchanged() -> None:
    """The example digests were produced from real feeds and print Unicode names, TeX markup
    and math: converting their papers must change nothing (the golden files depend on it)."""
    checked = 0
    for name in ("digest-2026-06-04.txt", "digest-2026-04-22.txt"):
        for entry in example_digest(name).papers:
            paper = entry.paper
            for text in (paper.title, paper.abstract, *paper.authors):
                assert tex_to_unicode(text) == text, text
                checked += 1
    assert checked > 500
    backslashes = [
        e.paper.abstract
        for e in example_digest("digest-2026-06-04.txt").papers
        if "\\" in e.paper.abstract
    ]
    assert len(backslashes) >= 5  # the check above covered real TeX, not only plain text
