"""Checks a translation must pass before it is stored; a failing one is retried, then left English.

Each problem is one string ``"<code>: <detail>"``; the codes are stable (``empty``, ``no-chinese``,
``echo``, ``prompt-echo``, ``length``, ``missing-span``, ``placeholder``, ``reasoning``,
``repetition``, ``multiline``) so callers and the benchmark can count them.

The thresholds were calibrated on the 87 reference translations of
``tests/fixtures/eval/translation-dev.jsonl`` (machine translations reviewed for the project):
Chinese characters per source character, protected spans removed from both, ranged over
0.20-0.42 for titles and 0.26-0.35 for abstracts (one truncated source aside); the share of CJK
among the letters of the output (spans removed) was at least 0.55 for titles and 0.81 for
abstracts. The bounds below leave room for a terser or wordier translator and reject what is
clearly not a translation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from paperfeed.engines.translate.engine import SegmentKind
from paperfeed.engines.translate.protect import leftover_placeholders, protect

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_PLACEHOLDER = re.compile(r"\[\[M\d+\]\]")
_WORDS = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True, slots=True)
class Limits:
    min_length_ratio: float  # Chinese characters per English character, spans removed
    max_length_ratio: float
    min_cjk_ratio: float  # CJK share of the output's letters, spans removed


LIMITS: dict[str, Limits] = {
    "title": Limits(min_length_ratio=0.10, max_length_ratio=1.0, min_cjk_ratio=0.30),
    "abstract": Limits(min_length_ratio=0.15, max_length_ratio=0.75, min_cjk_ratio=0.50),
    # One sentence or clause of an abstract, for engines that translate abstracts piecewise:
    # a short line that keeps a long English method name ("we call it Trace-Mediated Peak Bias")
    # is mostly Latin letters even when fully translated; the whole abstract is checked too.
    "sentence": Limits(min_length_ratio=0.10, max_length_ratio=0.9, min_cjk_ratio=0.30),
}
# Text a model leaks from the prompt or adds around the answer. Flagged only when the source
# does not contain it itself (a paper about translation may say "translation").
PROMPT_MARKERS: tuple[str, ...] = (
    "translate the following",
    "translate into chinese",
    "translation:",
    "english:",
    "chinese:",
    "here is the translation",
    "here's the translation",
    "以下是翻译",
    "以下是译文",
    "翻译如下",
    "译文:",
    "译文：",
    "中文翻译:",
    "中文翻译：",
    "glossary:",
)
# A source needs a Chinese output only if it has words outside its protected spans.
_MIN_TRANSLATABLE_LETTERS = 4


def translatable(text: str) -> str:
    """``text`` without its protected spans: what a translator actually translates."""
    return _PLACEHOLDER.sub(" ", protect(text).text)


def cjk_ratio(text: str) -> float:
    """Share of CJK characters among the letters of ``text`` outside protected spans (1.0 if it
    has no letters)."""
    return _cjk_share(translatable(text))


def _cjk_share(rest: str) -> float:
    cjk = len(_CJK.findall(rest))
    latin = len(_LATIN.findall(rest))
    return cjk / (cjk + latin) if cjk + latin else 1.0


def _shingles(words: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def echo_share(source: str, output: str, n: int = 4) -> float:
    """Share of the source's English word n-grams (spans removed) that the output repeats."""
    return _echo_share(translatable(source), translatable(output), n)


def _echo_share(source_rest: str, output_rest: str, n: int = 4) -> float:
    grams = _shingles([w.lower() for w in _WORDS.findall(source_rest)], n)
    if not grams:
        return 0.0
    out = _shingles([w.lower() for w in _WORDS.findall(output_rest)], n)
    return len(grams & out) / len(grams)


def _repeated_chunk(text: str, source: str) -> str | None:
    """A chunk of 8+ characters repeated 3+ times in a row: a model stuck in a loop."""
    match = re.search(r"(.{8,80}?)\1{2,}", text, re.DOTALL)
    if match and match.group(1) * 3 not in source:
        return match.group(1)
    return None


def check(source: str, output: str, kind: SegmentKind | str) -> list[str]:
    """Problems with ``output`` as the Chinese translation of ``source`` (empty list: fine)."""
    limits = LIMITS.get(kind, LIMITS["abstract"])
    text = output.strip()
    if not text:
        return ["empty: the output is empty"]
    problems: list[str] = []
    lowered = text.lower()
    if "<think" in lowered or "</think>" in lowered:
        problems.append("reasoning: the output contains <think> reasoning")
    source_lowered = source.lower()
    for marker in PROMPT_MARKERS:
        if marker in lowered and marker not in source_lowered:
            problems.append(f"prompt-echo: the output contains {marker!r} from the prompt")
            break
    leftovers = leftover_placeholders(text, source)
    if leftovers:
        problems.append(f"placeholder: unresolved {', '.join(sorted(set(leftovers)))}")
    source_protected = protect(source)
    required = dict.fromkeys(s.strip() for s in source_protected.spans if s.strip())
    missing = [s for s in required if s not in text]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" (+{len(missing) - 5} more)" if len(missing) > 5 else ""
        )
        problems.append(f"missing-span: {shown}")

    source_rest = _PLACEHOLDER.sub(" ", source_protected.text)
    output_rest = translatable(text)
    needs_chinese = len(_LATIN.findall(source_rest)) >= _MIN_TRANSLATABLE_LETTERS
    if needs_chinese and " ".join(text.split()) == " ".join(source.split()):
        problems.append("echo: the output is the source text")
    elif needs_chinese:
        ratio = _cjk_share(output_rest)
        if ratio < limits.min_cjk_ratio:
            problems.append(
                f"no-chinese: {ratio:.0%} of the letters are Chinese "
                f"(at least {limits.min_cjk_ratio:.0%} expected)"
            )
        share = _echo_share(source_rest, output_rest)
        if share >= 0.25:
            problems.append(f"echo: the output repeats {share:.0%} of the source's English")
        length = len(output_rest.strip()) / max(len(source_rest.strip()), 1)
        if not limits.min_length_ratio <= length <= limits.max_length_ratio:
            problems.append(
                f"length: {length:.2f} characters per source character, expected "
                f"{limits.min_length_ratio}-{limits.max_length_ratio} for {kind}s"
            )
    loop = _repeated_chunk(text, source)
    if loop is not None:
        problems.append(f"repetition: {loop[:20]!r} repeats")
    if kind == "title" and "\n" in text:
        problems.append("multiline: a title must be one line")
    return problems
