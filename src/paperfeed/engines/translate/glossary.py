"""The ML/RL glossary: which Chinese rendering each technical term gets.

The built-in list is ``paperfeed/data/glossary_zh.tsv``; a user file in the same format
(``[translate] glossary``) adds terms and overrides built-in ones. Engines put the terms found in
an item into its prompt; ``compliance`` measures how many of them the output used.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from paperfeed.core.errors import ConfigError

BUILTIN_RESOURCE = "glossary_zh.tsv"
_WORD = re.compile(r"[A-Za-z0-9]+")
# A term's words may be joined by spaces, hyphens or line breaks in the text ("fine-tuning",
# "fine tuning"); "finetuning" is listed separately where the field writes it that way.
_JOINER = r"[\s\-\u2010\u2011]+"


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    """One entry: the English term and its Chinese rendering (plus accepted variants)."""

    en: str
    zh: str
    accepted: tuple[str, ...] = ()  # other renderings the field uses; zh is always accepted

    @property
    def renderings(self) -> tuple[str, ...]:
        return (self.zh, *self.accepted)


def _plural_pattern(word: str) -> str:
    """The last word of a term matches its plural too: policy/policies, loss/losses, agent/agents."""
    w = re.escape(word)
    lower = word.lower()
    if re.search(r"[^aeiou]y$", lower):
        return re.escape(word[:-1]) + r"(?:y|ies)"
    if re.search(r"(?:s|x|z|ch|sh)$", lower):
        return w + r"(?:es)?"
    if lower.endswith("is"):  # hypothesis/hypotheses
        return re.escape(word[:-2]) + r"(?:is|es)"
    if not word[-1].isalpha():
        return w
    return w + r"s?"


def _term_pattern(en: str) -> str:
    words = _WORD.findall(en)
    if not words:
        raise ValueError(en)
    parts = [re.escape(w) for w in words[:-1]] + [_plural_pattern(words[-1])]
    return _JOINER.join(parts)


def _fold(term: str) -> str:
    """The identity of a term: case, hyphens and spacing do not matter."""
    return " ".join(w.lower() for w in _WORD.findall(term))


class Glossary:
    """Terms with their Chinese renderings, and a matcher that finds them in English text."""

    def __init__(self, terms: Iterable[GlossaryTerm]) -> None:
        by_key: dict[str, GlossaryTerm] = {}
        for term in terms:
            by_key[_fold(term.en)] = term  # later entries (the user's) win
        self.terms: tuple[GlossaryTerm, ...] = tuple(by_key.values())
        self._by_key = by_key
        # Terms bucketed by the first two letters of their first word, longest first in each
        # bucket, so at any word "diffusion policy" is tried before "policy", and only the few
        # terms that can start there are tried at all (one big alternation took 12 ms an abstract).
        self._buckets: dict[str, list[tuple[re.Pattern[str], GlossaryTerm]]] = {}
        for key in sorted(by_key, key=lambda k: (-len(k), k)):
            pattern = re.compile(_term_pattern(key) + r"(?![A-Za-z0-9])", re.IGNORECASE)
            self._buckets.setdefault(key.split()[0][:2], []).append((pattern, by_key[key]))

    @classmethod
    def load(cls, user_path: Path | None = None) -> Glossary:
        """The built-in glossary, extended and overridden by the user's file if given."""
        terms = list(builtin_terms())
        if user_path is not None:
            try:
                user_text = user_path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise ConfigError(
                    "glossary file not found",
                    path=str(user_path),
                    hint="fix [translate] glossary, or remove it to use only the built-in glossary",
                ) from None
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(
                    f"cannot read the glossary file: {exc}",
                    path=str(user_path),
                    hint="save it as UTF-8 text, one 'English<TAB>中文' entry per line",
                ) from None
            terms.extend(parse_glossary(user_text, source=str(user_path)))
        return cls(terms)

    def __len__(self) -> int:
        return len(self.terms)

    def get(self, en: str) -> GlossaryTerm | None:
        return self._by_key.get(_fold(en))

    @property
    def fingerprint(self) -> str:
        """A short hash of the entries: engines fold it into their prompt version, so editing the
        glossary re-translates instead of serving translations made with the old terms."""
        digest = hashlib.sha256()
        for term in sorted(self.terms, key=lambda t: _fold(t.en)):
            digest.update(f"{_fold(term.en)}\t{'|'.join(term.renderings)}\n".encode())
        return digest.hexdigest()[:8]

    def occurrences(self, text: str) -> list[tuple[int, int, GlossaryTerm]]:
        """Every non-overlapping term occurrence as (start, end, term), left to right."""
        found: list[tuple[int, int, GlossaryTerm]] = []
        covered = 0
        for word in _WORD.finditer(text):
            start = word.start()
            if start < covered:
                continue
            for pattern, term in self._buckets.get(word.group()[:2].lower(), ()):
                match = pattern.match(text, start)
                if match is not None:
                    found.append((start, match.end(), term))
                    covered = match.end()
                    break
        return found

    def terms_in(self, text: str) -> list[GlossaryTerm]:
        """The distinct terms that occur in ``text``, longest match first at each position, in
        order of first appearance."""
        seen: dict[str, GlossaryTerm] = {}
        for _, _, term in self.occurrences(text):
            seen.setdefault(_fold(term.en), term)
        return list(seen.values())

    def compliance(self, source: str, output: str) -> tuple[int, int]:
        """(terms found in ``source``, how many of them ``output`` renders with the glossary's
        Chinese or an accepted variant). Distinct terms are counted once each."""
        terms = self.terms_in(source)
        # Longest renderings first, each blanked out once found, so 策略 inside 扩散策略 does not
        # also count as the rendering of "policy".
        remaining = output
        used = 0
        for term in sorted(terms, key=lambda t: -max(len(r) for r in t.renderings)):
            for rendering in sorted(term.renderings, key=len, reverse=True):
                if rendering in remaining:
                    used += 1
                    remaining = remaining.replace(rendering, "\0")
                    break
        return len(terms), used


@cache
def builtin_terms() -> tuple[GlossaryTerm, ...]:
    text = (resources.files("paperfeed") / "data" / BUILTIN_RESOURCE).read_text(encoding="utf-8")
    return tuple(parse_glossary(text, source=f"paperfeed/data/{BUILTIN_RESOURCE}"))


def parse_glossary(text: str, *, source: str = "glossary") -> list[GlossaryTerm]:
    """Entries of a glossary file: ``English<TAB>中文[|variant...]`` per line, ``#`` comments.
    Two or more spaces also separate the columns, for files edited without tabs."""
    terms: list[GlossaryTerm] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        columns = [c.strip() for c in re.split(r"\t+| {2,}", line) if c.strip()]
        if len(columns) != 2 or not _WORD.search(columns[0]):
            raise ConfigError(
                f"line {number}: expected 'English term<TAB>中文', got {raw!r}",
                path=source,
                hint="separate the English term and its Chinese rendering by a tab; "
                "list variants as 中文|变体",
            )
        renderings = [r.strip() for r in columns[1].split("|") if r.strip()]
        if not renderings:
            raise ConfigError(
                f"line {number}: no Chinese rendering for {columns[0]!r}", path=source
            )
        terms.append(GlossaryTerm(en=columns[0], zh=renderings[0], accepted=tuple(renderings[1:])))
    return terms


def prompt_lines(terms: Sequence[GlossaryTerm]) -> str:
    """Terms for a prompt, one per line: ``policy → 策略``."""
    return "\n".join(f"{t.en} → {t.zh}" for t in terms)
