"""Read existing digest files back into records: the seed text and the compact format.

Pure parsing: text in, records out; storing them is the caller's job. The parse is structural
and keeps every text verbatim, so that rendering an imported digest reproduces its file byte
for byte. Errors name the file and the 1-based line, and say what was expected there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import PurePath
from types import MappingProxyType
from typing import Literal

from paperfeed.core.calendar import NEW_YORK, zone_from_name
from paperfeed.core.errors import DigestImportError
from paperfeed.core.records import UNKNOWN_VERSION, Digest, DigestEntry, DigestSection, Paper
from paperfeed.core.seed_layout import (
    ABSTRACT,
    ABSTRACT_ZH,
    AUTHORS,
    KEYWORD,
    NO_RESULT,
    SUBJECTS_LABEL,
)
from paperfeed.core.taxonomy import parse_subject_label

log = logging.getLogger(__name__)

DigestFormat = Literal["text", "compact"]
ACCEPTED_FORMATS = (
    "the seed text format (first line '生成时间: ...', as in digest-YYYY-MM-DD.txt) or "
    "the compact format (abstract, Chinese abstract, https://arxiv.org/abs/<id>, as in "
    "compact-YYYY-MM-DD.txt)"
)

_ID = r"(?P<id>\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?"
_ABS_URL = re.compile(r"https://arxiv\.org/abs/" + _ID)
_PDF_PREFIX = "https://arxiv.org/pdf/"
_ARXIV_LINK = re.compile(r"- Arxiv link: https://arxiv\.org/abs/" + _ID)
_PDF_LINK = re.compile(r"- Pdf link: https://arxiv\.org/pdf/" + _ID)
_OFFSET = r"UTC(?:[+-]\d{1,2}(?::\d{2})?)?"
_MINUTE = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"
_HEADER = re.compile(
    rf"生成时间: (?P<generated>{_MINUTE}:\d{{2}}) \((?P<zone>{_OFFSET})\)"
    rf"(?:; Arxiv 发布时间: (?P<announced>{_MINUTE}) (?P<eastern>EST|EDT)"
    rf" \((?P<announced_local>{_MINUTE}) (?P<announced_zone>{_OFFSET})\))?"
)
_COUNT = re.compile(r"今天共有 (?P<count>\d+) 篇相关文章")
_FILE_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_EASTERN_OFFSETS = {"EST": timedelta(hours=-5), "EDT": timedelta(hours=-4)}


_BLOCK_HINT = (
    "a paper block is eleven lines: title, Chinese title, '- Authors: ...', "
    "'- Subjects: Subjects:', the subjects, '- Arxiv link: ...', '- Pdf link: ...', "
    "'- Abstract', the abstract, '- 中文摘要', the Chinese abstract; "
    "repair or delete the damaged block"
)


@dataclass(frozen=True, slots=True)
class ImportedDigest:
    """A parsed seed text digest and what the file said beyond the ``Digest`` record."""

    digest: Digest
    # code -> name as the file printed it; keeps names for codes the bundled taxonomy lacks
    subject_names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # The announcement instant the header printed. Old digests printed "<listing date> 20:00",
    # one announcement late; then digest.announced_at is None (the true instant needs arXiv's
    # calendar) and this still holds what was printed.
    printed_announcement: datetime | None = None


@dataclass(frozen=True, slots=True)
class CompactItem:
    """One paper of a compact file."""

    arxiv_id: str
    abstract: str
    abstract_zh: str | None  # None: the Chinese line repeated the English (untranslated)


def _lines(text: str) -> list[str]:
    """The file's lines: BOM and CR line ends tolerated, trailing newlines ignored."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    return text.rstrip("\n").split("\n") if text.strip("\n") else []


def detect_format(text: str) -> DigestFormat | None:
    lines = _lines(text)
    if not lines:
        return None
    if lines[0].startswith("生成时间:") or (len(lines) > 1 and _COUNT.fullmatch(lines[1])):
        return "text"
    if len(lines) >= 3 and _ABS_URL.fullmatch(lines[2]) and not _ABS_URL.fullmatch(lines[0]):
        return "compact"
    return None


def _fail(path: str, line: int | None, message: str, hint: str = _BLOCK_HINT) -> DigestImportError:
    return DigestImportError(message, path=path, line=line, hint=hint)


def _translated(chinese: str, english: str) -> str | None:
    # Untranslated papers carry the English text in their Chinese lines.
    return None if chinese == english else chinese


# --- seed text -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Header:
    generated_at: datetime
    zone_label: str
    printed_announcement: datetime | None


def _parse_header(line: str, path: str) -> _Header:
    found = _HEADER.fullmatch(line)
    if found is None:
        raise _fail(
            path,
            1,
            f"not a digest header: {line[:120]!r}",
            hint="the first line must read '生成时间: YYYY-MM-DD HH:MM:SS (UTC+8); "
            "Arxiv 发布时间: YYYY-MM-DD HH:MM EDT (YYYY-MM-DD HH:MM UTC+8)'",
        )
    generated = datetime.strptime(found["generated"], "%Y-%m-%d %H:%M:%S")
    generated_at = generated.replace(tzinfo=zone_from_name(found["zone"]))
    printed: datetime | None = None
    if found["announced"]:
        # The EST/EDT label fixes the offset, so an hour repeated at the end of daylight saving
        # is still one instant; the result is expressed in America/New_York.
        eastern = timezone(_EASTERN_OFFSETS[found["eastern"]])
        naive = datetime.strptime(found["announced"], "%Y-%m-%d %H:%M")
        printed = naive.replace(tzinfo=eastern).astimezone(NEW_YORK)
        if printed.tzname() != found["eastern"]:
            log.warning(
                "%s:1: %s is not in effect in New York on %s", path, found["eastern"], naive.date()
            )
        local = printed.astimezone(zone_from_name(found["announced_zone"]))
        if f"{local:%Y-%m-%d %H:%M}" != found["announced_local"]:
            log.warning(
                "%s:1: the announcement's local time does not match its US Eastern time", path
            )
    return _Header(generated_at, found["zone"], printed)


def _file_date(path: str) -> date | None:
    found = _FILE_DATE.search(PurePath(path).name) if path else None
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def _listing_date(header: _Header, path: str) -> tuple[date, datetime | None]:
    """(listing date, true announcement instant or None) from the header (and the file name).

    New digests print the true announcement: the listing is dated the next day. Old digests
    printed "<listing date> 20:00", an instant after the digest was generated, which no true
    announcement can be. A date in the file name settles a digest generated a day late.
    """
    printed = header.printed_announcement
    named = _file_date(path)
    if printed is None:
        return (named or header.generated_at.date(), None)
    printed_day = printed.date()
    if named == printed_day or (
        named != printed_day + timedelta(days=1) and printed > header.generated_at
    ):
        return (printed_day, None)
    return (printed_day + timedelta(days=1), printed)


def _expect(lines: list[str], index: int, path: str, what: str, ok: bool, paper: str = "") -> None:
    if ok:
        return
    found = repr(lines[index][:80]) if index < len(lines) else "the end of the file"
    where = f" (paper {paper})" if paper else ""
    raise _fail(path, min(index, len(lines)) + 1, f"expected {what}{where}, found {found}")


def _parse_subjects(line: str, index: int, path: str, names: dict[str, str]) -> tuple[str, ...]:
    if not line:
        return ()
    codes = []
    for label in line.split("; "):
        try:
            name, code = parse_subject_label(label)
        except ValueError as exc:
            raise _fail(path, index + 1, str(exc)) from None
        codes.append(code)
        names[code] = name
    return tuple(codes)


def _line(lines: list[str], index: int) -> str:
    """Line ``index``, or "" past the end (every check below then fails as it should)."""
    return lines[index] if index < len(lines) else ""


def _parse_block(
    lines: list[str], start: int, path: str, names: dict[str, str]
) -> tuple[DigestEntry, int]:
    """The paper block starting at ``start``; returns it and the index after it."""
    n = len(lines)
    authors_line = _line(lines, start + 2)
    _expect(lines, start + 2, path, "'- Authors: ...'", authors_line.startswith(AUTHORS))
    subjects_ok = _line(lines, start + 3) == SUBJECTS_LABEL
    _expect(lines, start + 3, path, repr(SUBJECTS_LABEL), subjects_ok)
    _expect(lines, start + 4, path, "the subjects line", start + 4 < n)
    link = _ARXIV_LINK.fullmatch(_line(lines, start + 5))
    _expect(lines, start + 5, path, "'- Arxiv link: https://arxiv.org/abs/<id>'", link is not None)
    assert link is not None
    arxiv_id = link["id"]
    pdf = _PDF_LINK.fullmatch(_line(lines, start + 6))
    pdf_ok = pdf is not None and pdf["id"] == arxiv_id
    _expect(lines, start + 6, path, f"'- Pdf link: {_PDF_PREFIX}{arxiv_id}'", pdf_ok, arxiv_id)
    abstract_ok = _line(lines, start + 7) == ABSTRACT
    _expect(lines, start + 7, path, repr(ABSTRACT), abstract_ok, arxiv_id)

    # The English abstract runs to "- 中文摘要" (one line, except in some old digests).
    marker = start + 8
    while marker < n and lines[marker] != ABSTRACT_ZH:
        if lines[marker].startswith((AUTHORS, KEYWORD)):
            break
        marker += 1
    # Not found: point where it belongs after a one-line abstract, the usual case.
    _expect(
        lines,
        start + 9,
        path,
        f"{ABSTRACT_ZH!r} after the abstract",
        _line(lines, marker) == ABSTRACT_ZH,
        arxiv_id,
    )
    _expect(lines, start + 8, path, "the English abstract", marker > start + 8, arxiv_id)

    # The Chinese abstract runs to the next block (two lines above its "- Authors:"), the next
    # topic, or the end of the file.
    end = marker + 1
    next_authors: int | None = None
    while end < n and not lines[end].startswith(KEYWORD):
        if lines[end].startswith(AUTHORS):
            next_authors = end
            end -= 2
            break
        end += 1
    if end <= marker + 1 and next_authors is not None and next_authors > marker + 1:
        raise _fail(
            path,
            next_authors + 1,
            "expected a title and a Chinese title above this '- Authors:' line, and the Chinese "
            f"abstract of paper {arxiv_id} above them",
        )
    _expect(lines, marker + 1, path, "the Chinese abstract", end > marker + 1, arxiv_id)

    title = lines[start]
    abstract = "\n".join(lines[start + 8 : marker])
    authors = authors_line.removeprefix(AUTHORS)
    paper = Paper(
        arxiv_id=arxiv_id,
        version=int(link["version"]) if link["version"] else UNKNOWN_VERSION,
        title=title,
        authors=tuple(authors.split(", ")) if authors else (),
        abstract=abstract,
        categories=_parse_subjects(lines[start + 4], start + 4, path, names),
    )
    entry = DigestEntry(
        paper=paper,
        title_zh=_translated(lines[start + 1], title),
        abstract_zh=_translated("\n".join(lines[marker + 1 : end]), abstract),
        announce_type=None,
    )
    return entry, end


def _parse_sections(
    lines: list[str], path: str, names: dict[str, str]
) -> tuple[DigestSection, ...]:
    sections: list[DigestSection] = []
    index = 2
    while index < len(lines):
        _expect(lines, index, path, "'Keyword: <topic>'", lines[index].startswith(KEYWORD))
        topic = lines[index].removeprefix(KEYWORD)
        index += 1
        if index < len(lines) and lines[index] == NO_RESULT:
            sections.append(DigestSection(topic=topic, entries=()))
            index += 1
            continue
        _expect(
            lines,
            index,
            path,
            f"a paper block or {NO_RESULT!r} under topic {topic!r}",
            index < len(lines) and not lines[index].startswith(KEYWORD),
        )
        entries: list[DigestEntry] = []
        while index < len(lines) and not lines[index].startswith(KEYWORD):
            entry, index = _parse_block(lines, index, path, names)
            entries.append(entry)
        sections.append(DigestSection(topic=topic, entries=tuple(entries)))
    return tuple(sections)


def parse_seed_text(
    text: str, *, path: str = "", listing_date: date | None = None
) -> ImportedDigest:
    """Parse a seed text digest; ``listing_date`` overrides the date read from the header.

    The digest's header is kept verbatim and its timezone is the offset label the header
    printed ("UTC+8"); papers have ``UNKNOWN_VERSION`` (unless a link names a version) and
    entries have no announce type or matched terms: the format does not record them.
    """
    lines = _lines(text)
    if not lines:
        raise _fail(path, None, "the file is empty", hint=f"import {ACCEPTED_FORMATS}")
    header = _parse_header(lines[0], path)
    count = _COUNT.fullmatch(lines[1]) if len(lines) > 1 else None
    _expect(lines, 1, path, "'今天共有 <N> 篇相关文章'", count is not None)
    assert count is not None
    names: dict[str, str] = {}
    sections = _parse_sections(lines, path, names)
    inferred_date, announced_at = _listing_date(header, path)
    digest = Digest(
        listing_date=listing_date or inferred_date,
        header=lines[0],
        generated_at=header.generated_at,
        announced_at=announced_at,
        timezone=header.zone_label,
        sections=sections,
        source="import",
    )
    if digest.paper_count != int(count["count"]):
        raise _fail(
            path,
            2,
            f"the count line says {count['count']} papers but the file lists {digest.paper_count} "
            "distinct papers",
            hint="the file is incomplete or was edited: restore the missing paper blocks, "
            "or correct the number on line 2",
        )
    return ImportedDigest(digest, MappingProxyType(names), header.printed_announcement)


# --- compact ---------------------------------------------------------------------------------


def parse_compact(text: str, *, path: str = "") -> tuple[CompactItem, ...]:
    lines = _lines(text)
    if not lines:
        raise _fail(path, None, "the file is empty", hint=f"import {ACCEPTED_FORMATS}")
    hint = (
        "a compact file has three lines per paper: English abstract, Chinese abstract, "
        "https://arxiv.org/abs/<id>; repair or delete the damaged group"
    )
    items: list[CompactItem] = []
    for start in range(0, len(lines), 3):
        for offset in (0, 1):
            index = start + offset
            if index < len(lines) and _ABS_URL.fullmatch(lines[index]):
                raise _fail(
                    path,
                    index + 1,
                    "expected an abstract, found a link: a line is missing before it",
                    hint,
                )
        link = _ABS_URL.fullmatch(lines[start + 2]) if start + 2 < len(lines) else None
        if link is None:
            found = repr(lines[start + 2][:80]) if start + 2 < len(lines) else "the end of the file"
            raise _fail(
                path,
                min(start + 2, len(lines)) + 1,
                f"expected 'https://arxiv.org/abs/<id>', found {found}",
                hint,
            )
        abstract = lines[start]
        items.append(CompactItem(link["id"], abstract, _translated(lines[start + 1], abstract)))
    return tuple(items)


# --- either ----------------------------------------------------------------------------------


def parse_digest_file(
    text: str, *, path: str = "", listing_date: date | None = None
) -> ImportedDigest | tuple[CompactItem, ...]:
    """Parse a file in whichever format it is in; DigestImportError when it is in neither."""
    found = detect_format(text)
    if found == "text":
        return parse_seed_text(text, path=path, listing_date=listing_date)
    if found == "compact":
        return parse_compact(text, path=path)
    raise _fail(path, None, "not a digest in a known format", hint=f"import {ACCEPTED_FORMATS}")
