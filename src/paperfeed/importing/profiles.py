"""The reader's papers from the files they already have (pure parsers).

- **BibTeX** (``.bib``): any entry type. The arXiv id is taken from ``eprint`` (with
  ``archivePrefix = {arXiv}``, or when it looks like an arXiv id), a ``doi`` of the form
  10.48550/arXiv.<id>, an arxiv.org ``url``, or "arXiv:<id>" in ``journal``/``note``/``number``.
  Entries without an id keep their title and abstract.
- **CSL JSON** (``.json``; Zotero: File → Export Library → CSL JSON): the same from ``DOI``,
  ``URL``, ``number``, ``archive_location`` and ``note``.
- **arXiv id lists** (anything else): one id or arxiv.org URL per line, ``#`` starts a comment.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from paperfeed.core.errors import RelevanceError
from paperfeed.core.records import fold_whitespace

_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7}"
_ARXIV_ID = re.compile(rf"(?<![\w./-])(?P<id>{_NEW_ID}|{_OLD_ID})(?:v\d+)?(?![\w.])")
_IN_URL = re.compile(rf"arxiv\.org/(?:abs|pdf|html)/(?P<id>{_NEW_ID}|{_OLD_ID})", re.IGNORECASE)
_IN_DOI = re.compile(rf"10\.48550/arxiv\.(?P<id>{_NEW_ID}|{_OLD_ID})", re.IGNORECASE)
_PREFIXED = re.compile(rf"arxiv:\s*(?P<id>{_NEW_ID}|{_OLD_ID})", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ProfileEntry:
    """One paper the reader pointed at."""

    arxiv_id: str | None  # without version; None: known by its text only
    title: str = ""
    abstract: str = ""
    source: str = ""  # "stars", or the file's name

    @property
    def label(self) -> str:
        return self.arxiv_id or self.title


def arxiv_id_in(text: str) -> str | None:
    """The arXiv id a URL, DOI, "arXiv:..." reference or bare id names, without version."""
    for pattern in (_IN_URL, _IN_DOI, _PREFIXED):
        found = pattern.search(text)
        if found:
            return _canonical(found.group("id"))
    found = _ARXIV_ID.fullmatch(text.strip())
    return _canonical(found.group("id")) if found else None


def _canonical(arxiv_id: str) -> str:
    """Old-style ids as arXiv files them: "math.GT/0309136" is "math/0309136"."""
    if "/" in arxiv_id:
        archive, number = arxiv_id.split("/", 1)
        return f"{archive.split('.')[0].lower()}/{number}"
    return arxiv_id


# -- arXiv id lists ---------------------------------------------------------------------------


def parse_id_list(text: str, source: str = "") -> tuple[ProfileEntry, ...]:
    """One arXiv id (or arxiv.org URL, or "arXiv:..." reference) per line; ``#`` comments."""
    entries: list[ProfileEntry] = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        found = arxiv_id_in(content)
        if found is None:
            raise RelevanceError(
                f"line {number}: {content!r} is not an arXiv id",
                path=source,
                hint="write one id per line, e.g. 2106.01345 or https://arxiv.org/abs/2106.01345",
            )
        entries.append(ProfileEntry(found, source=Path(source).name))
    return tuple(entries)


# -- CSL JSON (Zotero) ------------------------------------------------------------------------


def parse_csl_json(text: str, source: str = "") -> tuple[ProfileEntry, ...]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RelevanceError(
            f"not JSON: {exc}", path=source, hint="export CSL JSON from Zotero again"
        ) from None
    if isinstance(items, dict) and isinstance(items.get("items"), list):
        items = items["items"]
    if not isinstance(items, list):
        raise RelevanceError("CSL JSON must be a list of items", path=source)
    entries: list[ProfileEntry] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        found = None
        for key in ("DOI", "URL", "number", "archive_location", "note", "id"):
            value = item.get(key)
            if isinstance(value, str) and (found := arxiv_id_in(value)):
                break
        title = _text(item.get("title"))
        if found is None and not title:
            continue
        entries.append(ProfileEntry(found, title, _text(item.get("abstract")), Path(source).name))
    return tuple(entries)


def _text(value: object) -> str:
    return fold_whitespace(value) if isinstance(value, str) else ""


# -- BibTeX -----------------------------------------------------------------------------------

_ENTRY_START = re.compile(r"@\s*([A-Za-z]+)\s*[{(]")
_FIELD_NAME = re.compile(r"\s*,?\s*([A-Za-z][\w:.+-]*)\s*=\s*")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?\s*")
_LATEX_ESCAPE = re.compile(r"\\([&%$#_{}])")
_BRACES = re.compile(r"[{}]")


def parse_bibtex(text: str, source: str = "") -> tuple[ProfileEntry, ...]:
    """Entries of a BibTeX file (``@string`` macros expanded; ``@comment``/``@preamble`` skipped)."""
    strings: dict[str, str] = {}
    entries: list[ProfileEntry] = []
    position = 0
    while (start := _ENTRY_START.search(text, position)) is not None:
        kind = start.group(1).lower()
        closing = "}" if text[start.end() - 1] == "{" else ")"
        body, position = _balanced(text, start.end(), closing, source)
        if kind in ("comment", "preamble"):
            continue
        if kind == "string":
            strings.update(_fields(body, strings, source, with_key=False))
            continue
        fields = _fields(body, strings, source, with_key=True)
        found = _bibtex_arxiv_id(fields)
        title = _plain(fields.get("title", ""))
        if found is None and not title:
            continue
        entries.append(
            ProfileEntry(found, title, _plain(fields.get("abstract", "")), Path(source).name)
        )
    return tuple(entries)


def _bibtex_arxiv_id(fields: dict[str, str]) -> str | None:
    eprint = fields.get("eprint", "").strip()
    if eprint:
        prefix = fields.get("archiveprefix", fields.get("eprinttype", "")).strip().lower()
        found = arxiv_id_in(eprint)
        if found and (prefix in ("", "arxiv")):
            return found
    for key in ("doi", "url", "journal", "note", "number", "howpublished"):
        value = fields.get(key)
        if value and (found := arxiv_id_in(value)):
            return found
    return None


def _balanced(text: str, start: int, closing: str, source: str) -> tuple[str, int]:
    """The text up to the ``closing`` delimiter matching an already-opened one, and the index
    after it. Braces nest; a quoted string does not end the entry."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
        elif char == closing and depth == 0:
            return text[start:index], index + 1
        index += 1
    line = text.count("\n", 0, start) + 1
    raise RelevanceError(
        f"line {line}: an entry is not closed (unbalanced braces)",
        path=source,
        hint="check the entry starting there; a missing } swallows the rest of the file",
    )


def _fields(body: str, strings: dict[str, str], source: str, *, with_key: bool) -> dict[str, str]:
    position = 0
    if with_key:  # the citation key, up to the first comma
        comma = body.find(",")
        if comma < 0:
            return {}
        position = comma + 1
    fields: dict[str, str] = {}
    while True:
        name = _FIELD_NAME.match(body, position)
        if name is None:
            break
        value, position = _value(body, name.end(), strings, source)
        fields[name.group(1).lower()] = value
    return fields


def _value(body: str, start: int, strings: dict[str, str], source: str) -> tuple[str, int]:
    """A field value: {...}, "...", a number or a macro, joined by ``#``."""
    parts: list[str] = []
    index = start
    while index < len(body):
        char = body[index]
        if char.isspace():
            index += 1
            continue
        if char == "{":
            inner, index = _balanced(body, index + 1, "}", source)
            parts.append(inner)
        elif char == '"':
            end = index + 1
            depth = 0
            while end < len(body) and not (body[end] == '"' and depth == 0):
                depth += {"{": 1, "}": -1}.get(body[end], 0)
                end += 1
            parts.append(body[index + 1 : end])
            index = end + 1
        else:
            token = re.match(r"[^\s,#}]+", body[index:])
            word = token.group() if token else ""
            parts.append(strings.get(word.lower(), word))
            index += max(len(word), 1)
        while index < len(body) and body[index].isspace():
            index += 1
        if index < len(body) and body[index] == "#":
            index += 1
            continue
        break
    return "".join(parts), index


def _plain(value: str) -> str:
    """LaTeX markup of a title or abstract reduced to text: commands and braces dropped."""
    text = _LATEX_ESCAPE.sub(r"\1", value.replace("~", " ").replace("--", "–"))
    text = _LATEX_COMMAND.sub("", text)
    return fold_whitespace(_BRACES.sub("", text))


# -- files ------------------------------------------------------------------------------------


def read_profile_file(path: Path) -> tuple[ProfileEntry, ...]:
    """Parse ``path`` by its kind: .bib BibTeX, .json CSL JSON, anything else an id list."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RelevanceError(
            "profile file not found",
            path=str(path),
            hint="fix [relevance] profile (paths are relative to the config file)",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RelevanceError(f"cannot read the profile file: {exc}", path=str(path)) from None
    suffix = path.suffix.lower()
    if suffix in (".bib", ".bibtex"):
        return parse_bibtex(text, str(path))
    if suffix == ".json":
        return parse_csl_json(text, str(path))
    return parse_id_list(text, str(path))
