"""TeX in paper text: found, kept for KaTeX, or shown as Unicode, in one HTML rendering."""

from __future__ import annotations

from markupsafe import Markup

from paperfeed.publish.mathtext import math_html, plain_math, split_math, tex_to_text

MAIL_STYLE = "font-family:'Cambria Math',serif;"


def test_split_math_keeps_dollars_and_escaped_dollars() -> None:
    assert split_math("a $x$ b $$y$$ costs \\$5") == [
        (False, "a "),
        (True, "$x$"),
        (False, " b "),
        (True, "$$y$$"),
        (False, " costs \\$5"),
    ]
    assert split_math("no math here") == [(False, "no math here")]
    assert split_math("") == []


def test_tex_as_unicode() -> None:
    assert tex_to_text("O(n^2)") == "O(n²)"
    assert tex_to_text("\\mathbb{R}^d") == "ℝᵈ"
    assert tex_to_text("\\frac{a+b}{2}") == "(a+b)/2"
    assert plain_math("$\\epsilon$-greedy in $\\mathbb{R}^d$") == "ϵ-greedy in ℝᵈ"


def test_math_html_keeps_tex_for_katex_and_escapes_everything() -> None:
    html = math_html("<b>x</b> & $x<y$ and $\\alpha$")
    assert isinstance(html, Markup)
    assert html == (
        '&lt;b&gt;x&lt;/b&gt; &amp; <span class="math">$x&lt;y$</span> and '
        '<span class="math">$\\alpha$</span>'
    )
    assert math_html("") == ""


def test_math_html_readable_for_readers_without_scripts() -> None:
    assert math_html("in $\\mathbb{R}^d$", readable=True) == 'in <span class="math">ℝᵈ</span>'
    # E-mail: no style sheet reaches the message, so the span carries its style (escaped).
    assert math_html("$a<b$", readable=True, style=MAIL_STYLE) == (
        '<span style="font-family:&#39;Cambria Math&#39;,serif;">a&lt;b</span>'
    )


def test_math_html_prose_is_marked_up_by_the_caller() -> None:
    def shout(piece: str) -> Markup:
        return Markup("<em>{}</em>").format(piece)

    assert math_html("a<b $c$ d", prose=shout) == (
        '<em>a&lt;b </em><span class="math">$c$</span><em> d</em>'
    )
