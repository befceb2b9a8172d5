"""The arXiv category taxonomy: official names, archives, aliases.

Digests print every subject as arXiv does, "Machine Learning (cs.LG)", so the names must be
byte-exact: they come from ``data/taxonomy.json``, extracted from arXiv's own
``arxiv/taxonomy/definitions.py`` (arXiv/arxiv-base; commit and path recorded in the file's
``_source``). The table is read on first use and cached.

Vocabulary: an *archive* is what an RSS feed can name on its own (``cs``, ``hep-th``,
``physics``); a *category* is ``archive.SUBJECT`` (``cs.LG``, ``physics.space-ph``) or, for
archives without subject classes, the archive name itself (``hep-th``, ``quant-ph``). Some
categories are *aliases* of one another (``cs.SY`` and ``eess.SY``): a paper may carry either
code, each with its own archive, and each resolves here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "ALL_ARCHIVES",
    "ARCHIVES",
    "archive_categories",
    "archive_name",
    "archive_of",
    "canonical_category",
    "category_name",
    "equivalent_categories",
    "is_known_feed",
    "normalize_code",
    "parse_subject_label",
    "subject_label",
]

# Every archive rss.arxiv.org serves a feed for: computer science first (most of paperfeed's
# readers), its neighbours econ, eess and math, then physics, then the rest. A test checks this
# is exactly the set of active archives in the bundled table.
ALL_ARCHIVES: tuple[str, ...] = (
    "cs",
    "econ",
    "eess",
    "math",
    "astro-ph",
    "cond-mat",
    "gr-qc",
    "hep-ex",
    "hep-lat",
    "hep-ph",
    "hep-th",
    "math-ph",
    "nlin",
    "nucl-ex",
    "nucl-th",
    "physics",
    "quant-ph",
    "q-bio",
    "q-fin",
    "stat",
)

_DATA_FILE = "taxonomy.json"


@dataclass(frozen=True, slots=True)
class _Taxonomy:
    names: Mapping[str, str]  # category code -> official name (active and legacy)
    archive_names: Mapping[str, str]  # archive -> name (active and defunct)
    members: Mapping[str, tuple[str, ...]]  # active archive -> its active categories
    aliases: Mapping[str, str]  # alias -> canonical category ("cs.SY" -> "eess.SY")
    by_folded_code: Mapping[str, str]  # lower-cased code -> code as arXiv spells it


@cache
def _taxonomy() -> _Taxonomy:
    text = (resources.files("paperfeed") / "data" / _DATA_FILE).read_text(encoding="utf-8")
    raw: dict[str, Any] = json.loads(text)
    categories: dict[str, dict[str, Any]] = raw["categories"]
    archives: dict[str, dict[str, Any]] = raw["archives"]
    members: dict[str, list[str]] = {a: [] for a, info in archives.items() if info["active"]}
    for code, info in categories.items():
        if info["active"] and info["archive"] in members:
            members[info["archive"]].append(code)
    # A defunct archive such as solv-int is spelled like its legacy category; keep the category.
    folded = {a.lower(): a for a in archives}
    folded.update({code.lower(): code for code in categories})
    return _Taxonomy(
        names={code: info["name"] for code, info in categories.items()},
        archive_names={a: info["name"] for a, info in archives.items()},
        members={a: tuple(codes) for a, codes in members.items()},
        aliases=dict(raw["aliases"]),
        by_folded_code=folded,
    )


class _ArchiveTable(Mapping[str, tuple[str, ...]]):
    """Active archive -> its active categories; reads the data file on first use."""

    def __getitem__(self, archive: str) -> tuple[str, ...]:
        return _taxonomy().members[archive]

    def __iter__(self) -> Iterator[str]:
        return iter(ALL_ARCHIVES)

    def __len__(self) -> int:
        return len(ALL_ARCHIVES)

    def __repr__(self) -> str:
        return "ARCHIVES(" + ", ".join(ALL_ARCHIVES) + ")"


ARCHIVES: Mapping[str, tuple[str, ...]] = _ArchiveTable()
"""Every archive with an RSS feed -> its categories (aliases that live in it included)."""


def normalize_code(code: str) -> str | None:
    """The taxonomy's spelling of a category or archive code ("cs.lg" -> "cs.LG"), or None."""
    return _taxonomy().by_folded_code.get(code.strip().lower())


def category_name(code: str) -> str | None:
    """arXiv's official name of a category ("cs.LG" -> "Machine Learning"), or None.

    Legacy categories (old bare archives such as ``solv-int`` or ``cond-mat``) have names too.
    The code's case is forgiven ("cs.lg" finds "Machine Learning").
    """
    names = _taxonomy().names
    if code in names:
        return names[code]
    spelled = normalize_code(code)
    return names.get(spelled) if spelled else None


def subject_label(code: str, extra: Mapping[str, str] | None = None) -> str:
    """The subject as digests print it: "Machine Learning (cs.LG)".

    The name comes from the taxonomy, else from ``extra`` (names learnt from imported digests
    for codes this table lacks), else the code stands in for its own name.
    """
    names = _taxonomy().names
    spelled = code if code in names else (normalize_code(code) or code)
    name = names.get(spelled)
    if name is None and extra is not None:
        name = extra.get(code) or extra.get(spelled)
    return f"{name or spelled} ({spelled})"


def parse_subject_label(label: str) -> tuple[str, str]:
    """("Machine Learning", "cs.LG") from "Machine Learning (cs.LG)".

    Splits on the last " (" so that a name containing parentheses survives.
    Raises ValueError when the text is not of the form "Name (code)".
    """
    text = label.strip()
    name, sep, rest = text.rpartition(" (")
    if not sep or not name.strip() or not rest.endswith(")") or len(rest) < 2:
        raise ValueError(f"not a subject label of the form 'Name (code)': {label!r}")
    code = rest[:-1]
    if not code or any(c.isspace() for c in code) or "(" in code or ")" in code:
        raise ValueError(f"not a subject label of the form 'Name (code)': {label!r}")
    return name.strip(), code


def archive_of(code: str) -> str:
    """The archive a category belongs to: "cs.LG" -> "cs", "hep-th" -> "hep-th"."""
    return code.strip().split(".", 1)[0].lower()


def archive_name(archive: str) -> str | None:
    """An archive's name ("cs" -> "Computer Science"), or None when unknown."""
    return _taxonomy().archive_names.get(archive.strip().lower())


def archive_categories(archive: str) -> tuple[str, ...]:
    """The active categories of an archive, as a feed of that archive covers them.

    "cs" -> ("cs.AI", ..., "cs.SY"), "physics" -> the physics.* categories, "hep-th" ->
    ("hep-th",). Aliases living in the archive are included (cs.SY, cs.NA in cs), as arXiv's
    own archive feeds include them. Raises ValueError for anything that is not an archive
    with a feed.
    """
    key = archive.strip().lower()
    members = _taxonomy().members
    if key not in members:
        raise ValueError(
            f"{archive!r} is not an arXiv archive with a feed; archives are: "
            + ", ".join(ALL_ARCHIVES)
        )
    return members[key]


def canonical_category(code: str) -> str:
    """The canonical code of an alias ("cs.SY" -> "eess.SY"); any other code unchanged."""
    spelled = normalize_code(code) or code
    return _taxonomy().aliases.get(spelled, spelled)


def equivalent_categories(code: str) -> tuple[str, ...]:
    """The code and every code equivalent to it: "eess.SY" -> ("eess.SY", "cs.SY")."""
    spelled = normalize_code(code) or code
    canonical = _taxonomy().aliases.get(spelled, spelled)
    others = tuple(a for a, c in _taxonomy().aliases.items() if c == canonical and a != spelled)
    return (spelled, *((canonical,) if canonical != spelled else ()), *others)


def is_known_feed(spec: str) -> bool:
    """True when rss.arxiv.org serves a feed for ``spec``: an archive ("cs", "hep-th") or one
    category ("cs.LG"; the subject class in any case, as arXiv accepts "cs.lg").

    Combined specs ("cs.LG+stat.ML") are not single feeds and return False; so do the test
    archive and defunct archives (arXiv would answer with an always-empty feed).
    """
    text = spec.strip()
    if not text or "+" in text or any(c.isspace() for c in text):
        return False
    archive, dot, subject = text.partition(".")
    members = _taxonomy().members
    if archive.lower() not in members:
        return False
    if not dot:
        return True
    if not subject or "." in subject:
        return False
    # arXiv tries the subject class upper-cased, then lower-cased (cs.LG, physics.space-ph).
    names = _taxonomy().names
    stem = archive.lower()
    return f"{stem}.{subject.upper()}" in names or f"{stem}.{subject.lower()}" in names
