"""TeX in paper text, for every rendering: found, typeset by KaTeX, or shown as Unicode.

Abstracts write math as arXiv authors do: ``$O(n^2)$``, ``$\\epsilon$-greedy``,
``$\\mathbb{R}^d$``. ``split_math`` finds those pieces; ``math_html`` is the one HTML rendering
of text with math in it: prose escaped, each math piece in a ``<span>``, either as written (the
web app's KaTeX and the HTML digest typeset or style it) or, for readers that run no scripts
(e-mail, the static site), as readable Unicode: ``O(n²)``, ``ε-greedy``, ``ℝᵈ``. ``plain_math``
is the same Unicode for plain text (e-mail text part, chat, Atom).

The conversion to Unicode is deliberately small and total: commands it does not know keep their
name without the backslash, braces it does not need are dropped, and a superscript or subscript
it cannot write in Unicode becomes ``^(...)`` / ``_(...)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

# Inline TeX as arXiv abstracts write it: $...$ or $$...$$, an escaped \$ is a dollar sign.
_MATH = re.compile(r"(?<!\\)\$\$.+?(?<!\\)\$\$|(?<!\\)\$.+?(?<!\\)\$", re.DOTALL)


def split_math(text: str) -> list[tuple[bool, str]]:
    """``text`` as (is_math, piece) pairs; math pieces keep their dollar signs."""
    if "$" not in text:  # most titles and abstracts: no scan needed
        return [(False, text)] if text else []
    pieces: list[tuple[bool, str]] = []
    position = 0
    for found in _MATH.finditer(text):
        if found.start() > position:
            pieces.append((False, text[position : found.start()]))
        pieces.append((True, found.group()))
        position = found.end()
    if position < len(text):
        pieces.append((False, text[position:]))
    return pieces


_SYMBOLS = {
    # Greek
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # relations and operators
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈",
    "sim": "∼", "simeq": "≃", "cong": "≅", "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫",
    "times": "×", "cdot": "·", "cdots": "⋯", "ldots": "…", "dots": "…", "pm": "±", "mp": "∓",
    "div": "÷", "ast": "∗", "star": "⋆", "circ": "∘", "oplus": "⊕", "otimes": "⊗",
    "in": "∈", "notin": "∉", "ni": "∋", "subset": "⊂", "subseteq": "⊆", "supset": "⊃",
    "supseteq": "⊇", "cup": "∪", "cap": "∩", "emptyset": "∅", "varnothing": "∅",
    "forall": "∀", "exists": "∃", "neg": "¬", "land": "∧", "lor": "∨", "wedge": "∧", "vee": "∨",
    "infty": "∞", "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫",
    "sqrt": "√", "ell": "ℓ", "hbar": "ℏ", "prime": "′", "top": "⊤", "bot": "⊥",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "leftrightarrow": "↔", "mapsto": "↦",
    "Rightarrow": "⇒", "Leftarrow": "⇐", "Leftrightarrow": "⇔", "implies": "⇒", "iff": "⇔",
    "uparrow": "↑", "downarrow": "↓", "langle": "⟨", "rangle": "⟩", "lfloor": "⌊",
    "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "mid": "∣", "|": "‖", "{": "{", "}": "}",
    "%": "%", "$": "$", "&": "&", "#": "#", "_": "_",
    # spacing
    ",": " ", ";": " ", ":": " ", "!": "", "quad": " ", "qquad": "  ", " ": " ",
}  # fmt: skip
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ", "F": "𝔽"}
_SUPERSCRIPT = str.maketrans("0123456789+-=()nijkTtdx*", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱʲᵏᵀᵗᵈˣ*")
_SUBSCRIPT = str.maketrans("0123456789+-=()aeijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUPER_OK = set("0123456789+-=()nijkTtdx*")
_SUB_OK = set("0123456789+-=()aeijklmnoprstuvx")
# Commands whose braced argument is shown as plain text.
_TEXT_COMMANDS = {
    "text", "textrm", "textit", "textbf", "mathrm", "mathit", "mathbf", "mathsf", "mathtt",
    "operatorname", "boldsymbol", "bm", "emph", "hat", "bar", "tilde", "vec", "widehat",
    "widetilde", "overline", "underline", "dot", "ddot", "mathcal", "mathscr", "mathfrak", "left",
    "right", "big", "Big", "bigg", "Bigg",
}  # fmt: skip
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def _group(text: str, start: int) -> tuple[str, int]:
    """The argument starting at ``start``: a braced group or one character; and where it ends."""
    while start < len(text) and text[start] == " ":
        start += 1
    if start >= len(text):
        return "", start
    if text[start] == "{":
        depth = 0
        for end in range(start, len(text)):
            if text[end] == "{":
                depth += 1
            elif text[end] == "}":
                depth -= 1
                if depth == 0:
                    return text[start + 1 : end], end + 1
        return text[start + 1 :], len(text)
    if text[start] == "\\":
        found = _COMMAND.match(text, start)
        if found:
            return found.group(), found.end()
    return text[start], start + 1


def _operand(text: str) -> str:
    return text if len(text) <= 1 or text.isalnum() else f"({text})"


def _script(body: str, table: dict[int, int], allowed: set[str], mark: str) -> str:
    if body and all(ch in allowed for ch in body):
        return body.translate(table)
    return f"{mark}({body})" if len(body) > 1 else f"{mark}{body}"


def tex_to_text(tex: str) -> str:
    """The body of one math span (without dollar signs) as readable Unicode."""
    out: list[str] = []
    i = 0
    while i < len(tex):
        ch = tex[i]
        if ch == "\\":
            found = _COMMAND.match(tex, i)
            if found is None:
                out.append(ch)
                i += 1
                continue
            name = found.group(1)
            i = found.end()
            if name == "mathbb":
                arg, i = _group(tex, i)
                out.append("".join(_BLACKBOARD.get(c, c) for c in arg))
            elif name == "frac":
                top, i = _group(tex, i)
                bottom, i = _group(tex, i)
                out.append(f"{_operand(tex_to_text(top))}/{_operand(tex_to_text(bottom))}")
            elif name == "sqrt":
                arg, i = _group(tex, i)
                inner = tex_to_text(arg)
                out.append(f"√{inner}" if len(inner) <= 1 else f"√({inner})")
            elif name in _TEXT_COMMANDS:
                if name in {"left", "right", "big", "Big", "bigg", "Bigg"}:
                    continue  # sizing only: the delimiter that follows is kept
                arg, i = _group(tex, i)
                out.append(tex_to_text(arg))
            elif name in _SYMBOLS:
                out.append(_SYMBOLS[name])
            else:  # \log, \max, \arg ...: the word, kept apart from what precedes it
                if out and out[-1][-1:].isalnum():
                    out.append(" ")
                out.append(name)
        elif ch in "^_":
            arg, i = _group(tex, i + 1)
            body = tex_to_text(arg)
            if ch == "^":
                out.append(_script(body, _SUPERSCRIPT, _SUPER_OK, "^"))
            else:
                out.append(_script(body, _SUBSCRIPT, _SUB_OK, "_"))
        elif ch in "{}":
            i += 1
        elif ch == "~":
            out.append(" ")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def readable_math(text: str) -> list[tuple[bool, str]]:
    """``text`` as (is_math, piece) pairs with each ``$...$`` piece converted by ``tex_to_text``."""
    return [
        (True, tex_to_text(piece.strip("$"))) if is_math else (False, piece)
        for is_math, piece in split_math(text)
    ]


def plain_math(text: str) -> str:
    """``text`` with every ``$...$`` span replaced by its readable form (plain-text parts)."""
    return "".join(piece for _, piece in readable_math(text))


_SPAN_END = Markup("</span>")


def math_html(
    text: str,
    *,
    readable: bool = False,
    style: str | None = None,
    prose: Callable[[str], Markup] = escape,
) -> Markup:
    """``text`` as HTML: the prose escaped (or marked up by ``prose``, which must escape it),
    each ``$...$`` piece in a ``<span class="math">``, or in a span with the inline ``style``
    where no style sheet reaches (e-mail). The math is kept as written, dollar signs and all,
    for KaTeX or a style sheet; with ``readable`` it is shown as Unicode (``tex_to_text``)."""
    opening = (
        Markup('<span class="math">')
        if style is None
        else Markup('<span style="{}">').format(style)
    )
    return Markup("").join(
        opening + escape(piece) + _SPAN_END if is_math else prose(piece)
        for is_math, piece in (readable_math(text) if readable else split_math(text))
    )
