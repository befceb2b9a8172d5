"""What a translation must carry over verbatim, and placeholders that keep it safe from models.

Protected: LaTeX math (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``, bare commands such as
``\\mathcal{O}``), URLs, acronyms and method/model names (GRPO, RLVR, Qwen2.5-7B, GPT-4o,
LLaMA-3, AgentJet), and numbers with their units and signs (7B, 3.5%, -0.2, 10^6, 1e-3, 128k).

Placeholder format: ``[[M0]]``, ``[[M1]]``, … (M for "masked"). Plain ASCII brackets survive
chat models and tokenizers better than rare Unicode brackets (``⟦0⟧`` is split into byte tokens
and often normalised away), and the doubled brackets keep them apart from citations ``[1]``.
``restore`` also accepts the variants models produce: single brackets, full-width brackets
(``［［M0］］``, ``【M0】``), spaces inside and lower-case ``m``. The same span always gets the
same placeholder, and a source that already contains placeholder-like text has it protected too,
so restoring never invents text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

SpanKind = Literal["math", "url", "name", "number"]
ALL_KINDS: frozenset[SpanKind] = frozenset({"math", "url", "name", "number"})

PLACEHOLDER_NOTE = (
    "Tokens like [[M0]], [[M1]] stand for formulas, names and numbers that must not change: "
    "copy each one exactly, brackets included, to where it belongs in the translation."
)

_PLACEHOLDER_LIKE = re.compile(r"[\[［【]{1,2}\s*[Mm]\s*(\d{1,4})\s*[\]］】]{1,2}")
_MATH = re.compile(
    r"\$\$.+?\$\$"  # display math
    r"|(?<![\\$])\$(?!\s)[^$]+?(?<![\s\\])\$(?!\d)"  # inline $...$ (not a price like $5)
    r"|\\\(.+?\\\)"
    r"|\\\[.+?\\\]"
    r"|\\begin\{(\w+\*?)\}.+?\\end\{\1\}"
    r"|\\[A-Za-z]+(?:\{[^{}]*\}|\[[^\]]*\])*(?:[_^](?:\{[^{}]*\}|\w))*",  # bare \mathcal{O}
    re.DOTALL,
)
# Formatting commands wrap English prose that is translated, not kept: \emph{...}, \textbf{...}.
_TEXT_COMMAND = re.compile(r"\\(?:emph|textit|textbf|textsc|texttt|text|underline|mbox)\b")
_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"'）)，。]+|www\.[A-Za-z0-9-]+\.[^\s<>\"'，。]+")
_URL_TRAILING = ".,;:!?'\")]}"
# Numbers: scientific and powers first, then signed decimals with a unit or percent sign.
_NUMBER = re.compile(
    r"(?<![\w.])[-+−±]?\d+(?:\.\d+)?[eE][-+−]?\d+(?![\w.])"  # 1e-3, 2.5E+4
    r"|(?<![\w.])\d+(?:\.\d+)?\s?[\^]\s?(?:\{[-+−]?\d+\}|[-+−]?\d+)"  # 10^6, 2^{-5}
    r"|(?<![\w.])\d+(?:\.\d+)?\s?[×x]\s?10\s?\^\s?(?:\{[-+−]?\d+\}|[-+−]?\d+)"  # 3x10^4
    r"|(?:(?<=\s)|(?<=^)|(?<=[(\[=~≈<>]))[-+−±]\d+(?:[.,]\d+)*%?"  # signed: -0.2, +3.1%
    r"|(?<![\w.])\d+(?:,\d{3})+(?:\.\d+)?%?(?![\w])"  # 1,000,000
    r"|(?<![\w.])\d+(?:\.\d+)?(?:\s?%)?(?![\w.])"  # 42, 3.5% (2.5x: the x is translated, 2.5倍)
    r"|(?<![\w.])\d+(?:\.\d+)?(?=[x×](?![A-Za-z0-9]))"
)
# A word-like token: letters and digits, joined inside by . + _ / (Qwen2.5, C++); hyphens
# separate parts that are judged one by one (RL-based: "RL" is a name, "based" is not).
_MAYBE_NAME = re.compile(r"\d|.[A-Z]")
_HYPHENATED = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_/]*(?:-[A-Za-z0-9][A-Za-z0-9.+_/]*)*")


def placeholder(index: int) -> str:
    return f"[[M{index}]]"


@dataclass(frozen=True, slots=True)
class Protected:
    """Text with its protected spans replaced by placeholders; ``spans[i]`` is ``[[Mi]]``."""

    text: str
    spans: tuple[str, ...]

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(placeholder(i) for i in range(len(self.spans)))


def _is_name_part(part: str) -> bool:
    """An acronym or a model/method name: GRPO, LLMs, GPT, 4o, Qwen2.5, AgentJet, x86."""
    if not part:
        return False
    upper = sum(1 for c in part if c.isupper())
    has_digit = any(c.isdigit() for c in part)
    has_alpha = any(c.isalpha() for c in part)
    if re.fullmatch(r"\d+(?:\.\d+)?[x×]", part):
        return False  # a factor: the number is protected, "x" is translated (2.5倍)
    if has_alpha and has_digit:
        return True
    if upper >= 2:
        return True
    # camelCase or an inner capital: AgentJet, iPhone, SaliMory
    return upper >= 1 and any(c.isupper() for c in part[1:])


def _is_number_part(part: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)*", part))


def _name_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Name spans in ``text[start:end]``: runs of hyphen-joined parts that are names or version
    numbers (LLaMA-3, GPT-4o, Qwen2.5-7B), extended by capitalised suffixes (-Instruct)."""
    spans: list[tuple[int, int]] = []
    pos = start
    region = text[:end]
    while True:
        match = _HYPHENATED.search(region, pos)
        if match is None:
            break
        pos = match.end()
        if match.start() > 0 and (
            text[match.start() - 1].isalnum() or text[match.start() - 1] == "\\"
        ):
            continue
        raw = match.group()
        if not _MAYBE_NAME.search(raw):
            continue  # most words: no digit and no capital after the first letter
        # Sentence punctuation is not part of a name: "RLVR." "Qwen2.5-7B," "C++."
        raw = raw.rstrip("./_")
        # A plural acronym keeps its "s" outside the span: Chinese writes LLM for LLMs.
        if re.search(r"[A-Z]{2,}s$", raw):
            raw = raw[:-1]
        offset = match.start()
        parts = raw.split("-")
        index = 0
        cursor = offset
        run_start: int | None = None
        run_end = offset
        run_has_name = False
        run_has_digit = False
        while index < len(parts):
            part = parts[index]
            is_name = _is_name_part(part)
            # A capitalised suffix continues a versioned model name (Qwen2.5-7B-Instruct), not
            # an acronym followed by an English word (SVGD-Based).
            continues = run_start is not None and (
                is_name
                or _is_number_part(part)
                or (run_has_digit and part[:1].isupper() and part[1:].islower())
            )
            if is_name and run_start is None:
                run_start, run_has_name = cursor, True
                run_end = cursor + len(part)
                run_has_digit = any(c.isdigit() for c in part)
            elif continues:
                run_end = cursor + len(part)
                run_has_digit = run_has_digit or any(c.isdigit() for c in part)
            else:
                if run_start is not None and run_has_name:
                    spans.append((run_start, run_end))
                run_start, run_has_name = None, False
                if is_name:  # a name right after a plain word: "to-GRPO"
                    run_start, run_has_name = cursor, True
                    run_end = cursor + len(part)
                    run_has_digit = any(c.isdigit() for c in part)
            cursor += len(part) + 1
            index += 1
        if run_start is not None and run_has_name:
            spans.append((run_start, run_end))
    return spans


def _find(text: str, kinds: frozenset[SpanKind]) -> list[tuple[int, int]]:
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(found: Iterable[tuple[int, int]]) -> None:
        for a, b in found:
            if a < b and free(a, b):
                taken.append((a, b))

    add((m.start(), m.end()) for m in _PLACEHOLDER_LIKE.finditer(text))
    if "url" in kinds:
        urls = []
        for m in _URL.finditer(text):
            a, b = m.start(), m.end()
            while b > a and text[b - 1] in _URL_TRAILING:
                b -= 1
            urls.append((a, b))
        add(urls)
    if "math" in kinds:
        add(
            (m.start(), m.end()) for m in _MATH.finditer(text) if not _TEXT_COMMAND.match(m.group())
        )
    if "number" in kinds:
        # Scientific notation and powers before names, so "1e-3" is a number, not a name.
        add(
            (m.start(), m.end())
            for m in _NUMBER.finditer(text)
            if re.search(r"[eE\^]", m.group()) and not re.search(r"[A-DF-Za-df-z]", m.group())
        )
    if "name" in kinds:
        add(_name_spans(text, 0, len(text)))
    if "number" in kinds:
        add((m.start(), m.end()) for m in _NUMBER.finditer(text))
    return sorted(taken)


def _span_text(text: str, a: int, b: int) -> str:
    return text[a:b].strip()


def protect(text: str, kinds: frozenset[SpanKind] = ALL_KINDS) -> Protected:
    """Replace each protected span by a placeholder; equal spans share one placeholder."""
    spans: list[str] = []
    index_of: dict[str, int] = {}
    out: list[str] = []
    last = 0
    for a, b in _find(text, kinds):
        span = text[a:b]
        if span not in index_of:
            index_of[span] = len(spans)
            spans.append(span)
        out.append(text[last:a])
        out.append(placeholder(index_of[span]))
        last = b
    out.append(text[last:])
    return Protected(text="".join(out), spans=tuple(spans))


def restore(output: str, protected: Protected) -> str:
    """Put the spans back. Placeholder variants models produce are accepted; a placeholder with
    an unknown number is left as it is (``leftover_placeholders`` finds it for the checks)."""

    def put_back(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return protected.spans[index] if index < len(protected.spans) else match.group()

    return _PLACEHOLDER_LIKE.sub(put_back, output)


def leftover_placeholders(text: str, source: str = "") -> list[str]:
    """Placeholder-like tokens in a restored output that the source did not contain."""
    allowed = {m.group() for m in _PLACEHOLDER_LIKE.finditer(source)}
    return [m.group() for m in _PLACEHOLDER_LIKE.finditer(text) if m.group() not in allowed]


def spans_of(text: str, kinds: frozenset[SpanKind] = ALL_KINDS) -> tuple[str, ...]:
    """The distinct spans a translation of ``text`` must contain verbatim, in order of first
    appearance (used by the output checks and the benchmark's fidelity metric)."""
    seen: dict[str, None] = {}
    for a, b in _find(text, kinds):
        seen.setdefault(_span_text(text, a, b), None)
    return tuple(s for s in seen if s)
