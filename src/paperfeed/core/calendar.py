"""arXiv's announcement calendar: when each daily listing appears and what it covers.

arXiv announces at 20:00 America/New_York, Sunday to Thursday evenings, holidays excepted.
The listing of an announcement (the RSS ``pubDate``, "New submissions for Monday, ...") is
dated the NEXT day, so listings are dated Monday to Friday and the listing dated D was
announced at (D - 1 day) 20:00 US Eastern. A holiday H is an announcement date: no
announcement on H, hence no listing dated H + 1; its submissions roll into the next
announcement.

Submissions are cut off at 14:00 US Eastern on weekdays: an announcement covers what arrived
between the cutoff before the previous announcement and its own cutoff (Thursday 14:00 to
Friday 14:00 is announced on Sunday; Friday 14:00 to Monday 14:00 on Monday).

Every function here is pure: "now" is always passed in, and EST/EDT come from the tz database
(``zoneinfo``), never from a fixed offset. Holidays come from ``data/holidays.toml``, which the
caller can extend or trim (``[calendar]`` in paperfeed.toml).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from paperfeed.core.errors import ConfigError, RenderError

__all__ = [
    "ANNOUNCEMENT_TIME",
    "FIRST_DAY",
    "LAST_DAY",
    "NEW_YORK",
    "SUBMISSION_CUTOFF",
    "ArxivCalendar",
    "Holiday",
    "bundled_holidays",
    "load_holidays",
    "utc_offset_label",
    "zone_from_name",
]

NEW_YORK: ZoneInfo = ZoneInfo("America/New_York")
ANNOUNCEMENT_TIME = time(20, 0)  # US Eastern, Sunday to Thursday
SUBMISSION_CUTOFF = time(14, 0)  # US Eastern, Monday to Friday

_HOLIDAYS_FILE = "holidays.toml"
_ONE_DAY = timedelta(days=1)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # not %a: that follows the locale
_FRIDAY, _SATURDAY, _SUNDAY = 4, 5, 6
# Holidays never block more than a few days in a row; a search this long means a broken table.
_SEARCH_LIMIT_DAYS = 400


@dataclass(frozen=True, slots=True)
class Holiday:
    """A date on which arXiv makes no evening announcement."""

    day: date
    name: str


@cache
def bundled_holidays() -> tuple[Holiday, ...]:
    """The holidays shipped in ``paperfeed/data/holidays.toml``, in date order."""
    where = f"paperfeed/data/{_HOLIDAYS_FILE}"
    text = (resources.files("paperfeed") / "data" / _HOLIDAYS_FILE).read_text(encoding="utf-8")
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"bundled holiday table is not valid TOML: {exc}",
            path=where,
            hint="reinstall paperfeed; this file ships with it",
        ) from exc
    holidays: list[Holiday] = []
    for index, entry in enumerate(raw.get("holiday", []), start=1):
        day, name = entry.get("date"), entry.get("name")
        if type(day) is not date or not isinstance(name, str) or not name:
            raise ConfigError(
                f"holiday #{index} needs a date (YYYY-MM-DD) and a name",
                path=where,
                key="holiday",
                hint='each [[holiday]] has date = 2026-11-26 and name = "..."',
            )
        holidays.append(Holiday(day=day, name=name))
    return tuple(sorted(holidays, key=lambda h: h.day))


def load_holidays(
    extra: Mapping[date, str] | None = None, removed: Iterable[date] = ()
) -> dict[date, str]:
    """The bundled holidays plus ``extra`` (date -> name; renames a bundled date), minus
    ``removed``. A date both added and removed is removed: removal is the explicit override."""
    table = {holiday.day: holiday.name for holiday in bundled_holidays()}
    if extra:
        table.update(extra)
    for day in removed:
        table.pop(day, None)
    return dict(sorted(table.items()))


def utc_offset_label(dt: datetime) -> str:
    """The digest header's offset label: "UTC+8", "UTC-5", "UTC+5:30", "UTC"."""
    offset = dt.utcoffset()
    if offset is None:
        raise ValueError(f"{dt.isoformat()} has no time zone; a UTC offset label needs one")
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


# The dates paperfeed can show or fetch: arXiv's first listings (August 1991) on; the upper
# bound keeps the calendar's steps to neighbouring listings inside what ``date`` can hold.
FIRST_DAY = date(1991, 8, 1)
LAST_DAY = date(9998, 12, 31)

_OFFSET_LABEL = re.compile(r"UTC(?:(?P<sign>[+-])(?P<hours>\d{1,2})(?::(?P<minutes>\d{2}))?)?")


def zone_from_name(name: str) -> tzinfo:
    """The reader's zone from an IANA name ("Asia/Shanghai") or an offset label ("UTC+8").

    Imported digests only know the offset label their header printed, so both must work.
    """
    label = _OFFSET_LABEL.fullmatch(name)
    if label is not None:
        if label["sign"] is None:
            return UTC
        offset = timedelta(hours=int(label["hours"]), minutes=int(label["minutes"] or 0))
        return timezone(-offset if label["sign"] == "-" else offset)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RenderError(
            f"unknown time zone {name!r} in the digest",
            hint="use an IANA zone name such as Asia/Shanghai, or an offset label such as UTC+8",
        ) from None


def _require_aware(now: datetime) -> None:
    if now.utcoffset() is None:
        raise ValueError(f"{now.isoformat()} has no time zone; pass an aware datetime")


def _weekday_cutoff(day: date) -> datetime:
    """The 14:00 US-Eastern cutoff on ``day``, or on the last weekday before it."""
    while day.weekday() >= _SATURDAY:
        day -= _ONE_DAY
    return datetime.combine(day, SUBMISSION_CUTOFF, tzinfo=NEW_YORK)


class ArxivCalendar:
    """Which days carry an arXiv listing, when each was announced, and what it covers."""

    __slots__ = ("_holidays",)

    def __init__(self, holidays: Mapping[date, str] | None = None) -> None:
        self._holidays: Mapping[date, str] = MappingProxyType(
            dict(load_holidays() if holidays is None else holidays)
        )

    @property
    def holidays(self) -> Mapping[date, str]:
        """Announcement dates without an announcement -> the holiday's name (read-only)."""
        return self._holidays

    def __repr__(self) -> str:
        return f"ArxivCalendar({len(self._holidays)} holidays)"

    # --- single days ---------------------------------------------------------------------

    def announces_on(self, day: date) -> bool:
        """True when arXiv makes its 20:00 US-Eastern announcement on the evening of ``day``."""
        return day.weekday() not in (_FRIDAY, _SATURDAY) and day not in self._holidays

    def no_listing_reason(self, listing_date: date) -> str | None:
        """None when arXiv publishes a listing dated ``listing_date``; otherwise why not."""
        weekday = listing_date.weekday()
        if weekday == _SATURDAY:
            return "Saturday: arXiv does not announce on Friday evenings"
        if weekday == _SUNDAY:
            return "Sunday: arXiv does not announce on Saturday evenings"
        evening = listing_date - _ONE_DAY
        name = self._holidays.get(evening)
        if name is not None:
            return (
                f"arXiv holiday: no announcement on "
                f"{_WEEKDAYS[evening.weekday()]} {evening.isoformat()} ({name})"
            )
        return None

    def is_listing_day(self, d: date) -> bool:
        """True when a listing is dated ``d`` (Monday to Friday, the evening before no holiday)."""
        return self.no_listing_reason(d) is None

    def announced_at(self, listing_date: date) -> datetime:
        """When the listing dated ``listing_date`` is announced: the evening before, 20:00 in
        America/New_York (EST or EDT as that date has it). Does not check that the day has a
        listing; ask ``no_listing_reason`` for that."""
        return datetime.combine(listing_date - _ONE_DAY, ANNOUNCEMENT_TIME, tzinfo=NEW_YORK)

    # --- moving along the calendar -------------------------------------------------------

    def latest_listing(self, now: datetime) -> date:
        """The latest listing already announced at ``now`` (aware, any zone)."""
        _require_aware(now)
        instant = now.astimezone(UTC)
        # The listing dated tomorrow (New York) is the newest that can be out already.
        day = now.astimezone(NEW_YORK).date() + _ONE_DAY
        for _ in range(_SEARCH_LIMIT_DAYS):
            if self.is_listing_day(day) and self.announced_at(day) <= instant:
                return day
            day -= _ONE_DAY
        raise ValueError(
            f"no arXiv listing in the {_SEARCH_LIMIT_DAYS} days before "
            f"{now.isoformat()}: the holiday table blocks every day"
        )

    def next_announcement(self, now: datetime) -> tuple[datetime, date]:
        """The first announcement strictly after ``now`` (aware, any zone), in New York time,
        and the date of the listing it publishes."""
        _require_aware(now)
        instant = now.astimezone(UTC)
        day = now.astimezone(NEW_YORK).date()
        for _ in range(_SEARCH_LIMIT_DAYS):
            if self.is_listing_day(day) and self.announced_at(day) > instant:
                return self.announced_at(day), day
            day += _ONE_DAY
        raise ValueError(
            f"no arXiv announcement in the {_SEARCH_LIMIT_DAYS} days after "
            f"{now.isoformat()}: the holiday table blocks every day"
        )

    def previous_listing(self, d: date) -> date:
        """The nearest listing date strictly before ``d``."""
        return self._step(d, -_ONE_DAY)

    def next_listing(self, d: date) -> date:
        """The nearest listing date strictly after ``d``."""
        return self._step(d, _ONE_DAY)

    def _step(self, d: date, step: timedelta) -> date:
        day = d + step
        for _ in range(_SEARCH_LIMIT_DAYS):
            if self.is_listing_day(day):
                return day
            day += step
        raise ValueError(
            f"no arXiv listing within {_SEARCH_LIMIT_DAYS} days of {d.isoformat()}: "
            "the holiday table blocks every day"
        )

    def listings_between(self, start: date, end: date) -> list[date]:
        """Every listing date from ``start`` to ``end``, both included, in order."""
        days = (end - start).days + 1
        return [
            day
            for day in (start + timedelta(days=n) for n in range(max(days, 0)))
            if self.is_listing_day(day)
        ]

    # --- what a listing covers -----------------------------------------------------------

    def submission_window(self, listing_date: date) -> tuple[datetime, datetime]:
        """The submissions a listing announces, as aware UTC datetimes [start, end).

        The window ends at the 14:00 US-Eastern cutoff of its announcement (a Sunday
        announcement takes Friday's) and starts at the previous announcement's cutoff, so a
        skipped announcement's submissions fall into the next window. Papers held in
        moderation are announced later than this says; it is an approximation for back-filling
        by submission date. Raises ValueError for a day without a listing.
        """
        reason = self.no_listing_reason(listing_date)
        if reason is not None:
            raise ValueError(f"no listing is dated {listing_date.isoformat()}: {reason}")
        end = _weekday_cutoff(listing_date - _ONE_DAY)
        start = _weekday_cutoff(self.previous_listing(listing_date) - _ONE_DAY)
        return start.astimezone(UTC), end.astimezone(UTC)
