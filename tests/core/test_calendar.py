"""arXiv's announcement calendar: listing days, announcement instants, submission windows."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from paperfeed.core.calendar import (
    NEW_YORK,
    ArxivCalendar,
    Holiday,
    bundled_holidays,
    load_holidays,
    utc_offset_label,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = ArxivCalendar()


def ny(y: int, m: int, d: int, hh: int = 0, mm: int = 0, fold: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, fold=fold, tzinfo=NEW_YORK)


def utc(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


# --- the holiday table -----------------------------------------------------------------------

# shared/FORMATS.md section 6.2 (arXiv's availability page), without the 2025-05-26 date that
# only one revision of the page listed.
EXPECTED_HOLIDAYS = {
    date(2024, 1, 15),
    date(2024, 5, 22),
    date(2024, 6, 19),
    date(2024, 7, 4),
    date(2024, 9, 2),
    date(2024, 10, 8),
    date(2024, 11, 28),
    date(2024, 12, 25),
    date(2024, 12, 26),
    date(2024, 12, 31),
    date(2025, 1, 1),
    date(2025, 1, 20),
    date(2025, 6, 19),
    date(2025, 7, 6),
    date(2025, 9, 1),
    date(2025, 11, 27),
    date(2025, 12, 25),
    date(2025, 12, 30),
    date(2026, 1, 1),
    date(2026, 1, 19),
    date(2026, 6, 19),
    date(2026, 7, 3),
    date(2026, 9, 7),
    date(2026, 11, 26),
    date(2026, 12, 25),
    date(2026, 12, 29),
    date(2026, 12, 31),
}


def test_bundled_holidays_are_the_published_dates_with_names() -> None:
    holidays = bundled_holidays()
    assert {h.day for h in holidays} == EXPECTED_HOLIDAYS
    assert [h.day for h in holidays] == sorted(h.day for h in holidays)
    assert all(h.name.strip() == h.name and h.name for h in holidays)
    table = load_holidays()
    assert table[date(2026, 11, 26)] == "Thanksgiving"
    assert table[date(2025, 12, 25)] == "Christmas"
    assert table[date(2026, 1, 1)] == "New Year"
    assert table[date(2026, 1, 19)] == "Martin Luther King Jr. Day"
    assert table[date(2025, 6, 19)] == "Juneteenth"
    assert table[date(2024, 7, 4)] == "Independence Day"
    assert table[date(2026, 9, 7)] == "Labor Day"
    assert date(2025, 5, 26) not in table


def test_holiday_is_a_frozen_record() -> None:
    holiday = Holiday(day=date(2026, 11, 26), name="Thanksgiving")
    with pytest.raises(dataclasses.FrozenInstanceError):
        holiday.name = "x"  # type: ignore[misc]
    assert holiday in bundled_holidays()


def test_load_holidays_with_extra_and_removed_dates() -> None:
    table = load_holidays(
        extra={date(2026, 3, 10): "Ad-hoc deferral", date(2026, 11, 26): "Turkey day"},
        removed=[date(2026, 1, 19), date(2030, 1, 1)],
    )
    assert table[date(2026, 3, 10)] == "Ad-hoc deferral"
    assert table[date(2026, 11, 26)] == "Turkey day"
    assert date(2026, 1, 19) not in table
    assert list(table) == sorted(table)
    # the bundled table itself is untouched
    assert load_holidays()[date(2026, 11, 26)] == "Thanksgiving"
    assert date(2026, 1, 19) in load_holidays()


def test_a_date_both_added_and_removed_is_removed() -> None:
    table = load_holidays(extra={date(2026, 3, 10): "x"}, removed=[date(2026, 3, 10)])
    assert date(2026, 3, 10) not in table


# --- which days carry a listing --------------------------------------------------------------


def test_weekend_reasons() -> None:
    assert CAL.no_listing_reason(date(2026, 2, 21)) == (
        "Saturday: arXiv does not announce on Friday evenings"
    )
    assert CAL.no_listing_reason(date(2026, 2, 22)) == (
        "Sunday: arXiv does not announce on Saturday evenings"
    )
    assert not CAL.is_listing_day(date(2026, 2, 21))
    assert not CAL.is_listing_day(date(2026, 2, 22))
    for weekday in days(date(2026, 2, 23), date(2026, 2, 27)):
        assert CAL.no_listing_reason(weekday) is None
        assert CAL.is_listing_day(weekday)


def test_holiday_reasons() -> None:
    assert CAL.no_listing_reason(date(2026, 11, 27)) == (
        "arXiv holiday: no announcement on Thu 2026-11-26 (Thanksgiving)"
    )
    assert CAL.no_listing_reason(date(2026, 1, 20)) == (
        "arXiv holiday: no announcement on Mon 2026-01-19 (Martin Luther King Jr. Day)"
    )
    # a Sunday holiday removes the Monday listing
    assert CAL.no_listing_reason(date(2025, 7, 7)) == (
        "arXiv holiday: no announcement on Sun 2025-07-06 (Independence Day)"
    )
    # a holiday on a Friday changes nothing: there is no Friday announcement anyway
    reason = CAL.no_listing_reason(date(2026, 6, 20))
    assert reason is not None and reason.startswith("Saturday")
    assert CAL.is_listing_day(date(2026, 6, 19))  # announced Thu 06-18


def test_listing_days_are_weekdays_after_an_announcing_evening() -> None:
    holidays = load_holidays()
    for day in days(date(2024, 1, 1), date(2026, 12, 31)):
        expected = day.weekday() < 5 and (day - timedelta(days=1)) not in holidays
        assert CAL.is_listing_day(day) is expected, day
        assert CAL.announces_on(day - timedelta(days=1)) is expected


def test_custom_holidays_replace_the_bundled_table() -> None:
    no_holidays = ArxivCalendar({})
    assert no_holidays.is_listing_day(date(2026, 11, 27))
    assert no_holidays.holidays == {}
    ad_hoc = ArxivCalendar({date(2026, 3, 10): "Ad-hoc deferral"})
    assert ad_hoc.no_listing_reason(date(2026, 3, 11)) == (
        "arXiv holiday: no announcement on Tue 2026-03-10 (Ad-hoc deferral)"
    )
    assert ad_hoc.is_listing_day(date(2026, 11, 27))
    assert ArxivCalendar().holidays == load_holidays()


# --- Thanksgiving 2026 -----------------------------------------------------------------------


def test_thanksgiving_2026() -> None:
    assert not CAL.is_listing_day(date(2026, 11, 27))
    assert CAL.next_listing(date(2026, 11, 26)) == date(2026, 11, 30)
    assert CAL.previous_listing(date(2026, 11, 30)) == date(2026, 11, 26)
    assert CAL.listings_between(date(2026, 11, 23), date(2026, 11, 30)) == [
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 26),
        date(2026, 11, 30),
    ]
    monday = CAL.announced_at(date(2026, 11, 30))
    assert monday == ny(2026, 11, 29, 20)
    assert monday.tzname() == "EST"
    assert monday.astimezone(UTC) == utc(2026, 11, 30, 1)


# --- announcement instants, EST and EDT ------------------------------------------------------


def test_winter_listing_is_announced_the_evening_before_in_est() -> None:
    announced = CAL.announced_at(date(2026, 2, 23))
    assert announced == ny(2026, 2, 22, 20)
    assert announced.tzinfo is NEW_YORK
    assert announced.tzname() == "EST"
    local = announced.astimezone(SHANGHAI)
    assert (local.date(), local.hour, local.minute) == (date(2026, 2, 23), 9, 0)
    assert utc_offset_label(local) == "UTC+8"


def test_summer_listing_is_announced_the_evening_before_in_edt() -> None:
    announced = CAL.announced_at(date(2026, 6, 4))
    assert announced == ny(2026, 6, 3, 20)
    assert announced.tzname() == "EDT"
    assert announced.utcoffset() == timedelta(hours=-4)
    assert announced.astimezone(UTC) == utc(2026, 6, 4, 0)
    assert announced.astimezone(SHANGHAI).hour == 8


def test_dst_starts_on_sunday_2026_03_08() -> None:
    friday = CAL.announced_at(date(2026, 3, 6))
    monday = CAL.announced_at(date(2026, 3, 9))
    assert (friday.tzname(), friday.astimezone(UTC)) == ("EST", utc(2026, 3, 6, 1))
    assert (monday.tzname(), monday.astimezone(UTC)) == ("EDT", utc(2026, 3, 9, 0))


def test_dst_ends_on_sunday_2026_11_01() -> None:
    friday = CAL.announced_at(date(2026, 10, 30))
    monday = CAL.announced_at(date(2026, 11, 2))
    assert (friday.tzname(), friday.astimezone(UTC)) == ("EDT", utc(2026, 10, 30, 0))
    assert (monday.tzname(), monday.astimezone(UTC)) == ("EST", utc(2026, 11, 2, 1))
    # 01:30 happens twice that night; either way Friday's listing is the latest
    assert CAL.latest_listing(ny(2026, 11, 1, 1, 30, fold=0)) == date(2026, 10, 30)
    assert CAL.latest_listing(ny(2026, 11, 1, 1, 30, fold=1)) == date(2026, 10, 30)
    assert CAL.latest_listing(utc(2026, 11, 2, 0, 59)) == date(2026, 10, 30)
    assert CAL.latest_listing(utc(2026, 11, 2, 1, 0)) == date(2026, 11, 2)


# --- latest listing --------------------------------------------------------------------------


def test_latest_listing_switches_at_20_00_eastern() -> None:
    assert CAL.latest_listing(ny(2026, 6, 3, 19, 59)) == date(2026, 6, 3)
    assert CAL.latest_listing(ny(2026, 6, 3, 20, 0)) == date(2026, 6, 4)
    # the same instants seen from Shanghai (EDT: 20:00 ET = 08:00 next day UTC+8)
    assert CAL.latest_listing(datetime(2026, 6, 4, 7, 59, tzinfo=SHANGHAI)) == date(2026, 6, 3)
    assert CAL.latest_listing(datetime(2026, 6, 4, 8, 0, tzinfo=SHANGHAI)) == date(2026, 6, 4)
    # in winter 20:00 EST is 09:00 in Shanghai
    assert CAL.latest_listing(datetime(2026, 2, 25, 8, 59, tzinfo=SHANGHAI)) == date(2026, 2, 24)
    assert CAL.latest_listing(datetime(2026, 2, 25, 9, 0, tzinfo=SHANGHAI)) == date(2026, 2, 25)


def test_latest_listing_on_friday_and_saturday_nights() -> None:
    # Thursday 20:00 publishes Friday's listing; nothing new until Sunday 20:00
    assert CAL.latest_listing(ny(2026, 6, 4, 20, 0)) == date(2026, 6, 5)
    assert CAL.latest_listing(ny(2026, 6, 5, 20, 30)) == date(2026, 6, 5)
    assert CAL.latest_listing(ny(2026, 6, 6, 23, 59)) == date(2026, 6, 5)
    assert CAL.latest_listing(ny(2026, 6, 7, 19, 59)) == date(2026, 6, 5)
    assert CAL.latest_listing(ny(2026, 6, 7, 20, 0)) == date(2026, 6, 8)
    # Saturday morning in Shanghai is still Friday evening in New York
    assert CAL.latest_listing(datetime(2026, 6, 6, 9, 0, tzinfo=SHANGHAI)) == date(2026, 6, 5)


def test_latest_listing_over_thanksgiving() -> None:
    assert CAL.latest_listing(ny(2026, 11, 26, 21, 0)) == date(2026, 11, 26)
    assert CAL.latest_listing(ny(2026, 11, 28, 12, 0)) == date(2026, 11, 26)
    assert CAL.latest_listing(ny(2026, 11, 29, 20, 0)) == date(2026, 11, 30)


def test_latest_and_next_agree_with_announcement_instants() -> None:
    for listing in CAL.listings_between(date(2024, 1, 1), date(2026, 12, 31)):
        at = CAL.announced_at(listing)
        before = at - timedelta(minutes=1)
        previous = CAL.previous_listing(listing)
        assert CAL.latest_listing(at) == listing
        assert CAL.latest_listing(before) == previous
        assert CAL.next_announcement(before) == (at, listing)
        assert CAL.next_announcement(CAL.announced_at(previous)) == (at, listing)


# --- next announcement -----------------------------------------------------------------------


def test_next_announcement_is_strictly_after_now() -> None:
    assert CAL.next_announcement(ny(2026, 6, 3, 19, 59)) == (ny(2026, 6, 3, 20), date(2026, 6, 4))
    assert CAL.next_announcement(ny(2026, 6, 3, 20, 0)) == (ny(2026, 6, 4, 20), date(2026, 6, 5))
    # Thursday 20:00 -> Sunday 20:00
    assert CAL.next_announcement(ny(2026, 6, 4, 20, 0)) == (ny(2026, 6, 7, 20), date(2026, 6, 8))


def test_next_announcement_across_holidays() -> None:
    # Thanksgiving Thursday has no announcement: after Wednesday's comes Sunday's
    at, listing = CAL.next_announcement(ny(2026, 11, 25, 20, 0))
    assert (at, listing) == (ny(2026, 11, 29, 20), date(2026, 11, 30))
    assert at.tzname() == "EST"
    # MLK Monday: after Sunday's comes Tuesday's
    assert CAL.next_announcement(ny(2026, 1, 18, 21, 0)) == (ny(2026, 1, 20, 20), date(2026, 1, 21))
    # the year end: 29 and 31 December 2026 are holidays, 1 January 2027 a Friday
    assert CAL.next_announcement(ny(2026, 12, 28, 20, 0)) == (
        ny(2026, 12, 30, 20),
        date(2026, 12, 31),
    )
    assert CAL.next_announcement(ny(2026, 12, 30, 20, 0)) == (ny(2027, 1, 3, 20), date(2027, 1, 4))
    # asked from Shanghai, answered in New York time
    at, _ = CAL.next_announcement(datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI))
    assert at.tzinfo is NEW_YORK


def test_next_and_previous_listing() -> None:
    assert CAL.next_listing(date(2026, 6, 5)) == date(2026, 6, 8)
    assert CAL.next_listing(date(2026, 6, 6)) == date(2026, 6, 8)
    assert CAL.previous_listing(date(2026, 6, 8)) == date(2026, 6, 5)
    assert CAL.previous_listing(date(2026, 6, 4)) == date(2026, 6, 3)
    assert CAL.next_listing(date(2025, 7, 4)) == date(2025, 7, 8)
    assert CAL.listings_between(date(2026, 6, 8), date(2026, 6, 1)) == []
    assert CAL.listings_between(date(2026, 6, 6), date(2026, 6, 6)) == []
    assert CAL.listings_between(date(2026, 6, 5), date(2026, 6, 8)) == [
        date(2026, 6, 5),
        date(2026, 6, 8),
    ]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        CAL.latest_listing(datetime(2026, 6, 3, 20, 0))
    with pytest.raises(ValueError, match="no time zone"):
        CAL.next_announcement(datetime(2026, 6, 3, 20, 0))


# --- submission windows ----------------------------------------------------------------------


def test_monday_listing_covers_thursday_to_friday() -> None:
    start, end = CAL.submission_window(date(2026, 2, 23))
    assert (start, end) == (ny(2026, 2, 19, 14), ny(2026, 2, 20, 14))
    assert start.tzinfo is UTC and end.tzinfo is UTC
    assert (start, end) == (utc(2026, 2, 19, 19), utc(2026, 2, 20, 19))


def test_tuesday_listing_covers_friday_to_monday() -> None:
    start, end = CAL.submission_window(date(2026, 2, 24))
    assert (start, end) == (ny(2026, 2, 20, 14), ny(2026, 2, 23, 14))


def test_midweek_listings_cover_one_day() -> None:
    assert CAL.submission_window(date(2026, 6, 4)) == (
        utc(2026, 6, 2, 18),
        utc(2026, 6, 3, 18),
    )  # Tue 14:00 EDT - Wed 14:00 EDT
    assert CAL.submission_window(date(2026, 6, 5)) == (utc(2026, 6, 3, 18), utc(2026, 6, 4, 18))


def test_windows_around_holidays_absorb_the_skipped_day() -> None:
    # Thanksgiving: Wednesday 14:00 to Friday 14:00 is announced on Sunday
    assert CAL.submission_window(date(2026, 11, 30)) == (ny(2026, 11, 25, 14), ny(2026, 11, 27, 14))
    # MLK Monday: Friday 14:00 to Tuesday 14:00 is announced on Tuesday
    assert CAL.submission_window(date(2026, 1, 21)) == (ny(2026, 1, 16, 14), ny(2026, 1, 20, 14))
    # Sunday holiday: Thursday 14:00 to Monday 14:00 is announced on Monday
    assert CAL.submission_window(date(2025, 7, 8)) == (ny(2025, 7, 3, 14), ny(2025, 7, 7, 14))


def test_window_across_the_spring_dst_change_is_71_hours() -> None:
    start, end = CAL.submission_window(date(2026, 3, 10))
    assert (start, end) == (utc(2026, 3, 6, 19), utc(2026, 3, 9, 18))
    assert end - start == timedelta(hours=71)


def test_windows_tile_time_without_gaps_or_overlaps() -> None:
    listings = CAL.listings_between(date(2024, 1, 2), date(2026, 12, 31))
    windows = [CAL.submission_window(day) for day in listings]
    for (_, end), (start, _) in pairwise(windows):
        assert end == start
    for start, end in windows:
        assert start < end
        local_start, local_end = start.astimezone(NEW_YORK), end.astimezone(NEW_YORK)
        assert (local_start.hour, local_end.hour) == (14, 14)
        assert local_start.weekday() < 5 and local_end.weekday() < 5


def test_no_window_for_a_day_without_listing() -> None:
    with pytest.raises(ValueError, match="Saturday"):
        CAL.submission_window(date(2026, 6, 6))
    with pytest.raises(ValueError, match="Thanksgiving"):
        CAL.submission_window(date(2026, 11, 27))


# --- UTC offset labels -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "label"),
    [
        (datetime(2026, 6, 4, 8, 0, tzinfo=SHANGHAI), "UTC+8"),
        (ny(2026, 2, 22, 20), "UTC-5"),
        (ny(2026, 6, 3, 20), "UTC-4"),
        (datetime(2026, 6, 4, tzinfo=ZoneInfo("Asia/Kolkata")), "UTC+5:30"),
        (datetime(2026, 6, 4, tzinfo=ZoneInfo("Asia/Kathmandu")), "UTC+5:45"),
        (datetime(2026, 1, 4, tzinfo=ZoneInfo("America/St_Johns")), "UTC-3:30"),
        (datetime(2026, 7, 4, tzinfo=ZoneInfo("America/St_Johns")), "UTC-2:30"),
        (datetime(2026, 1, 4, tzinfo=ZoneInfo("Australia/Adelaide")), "UTC+10:30"),
        (datetime(2026, 1, 4, tzinfo=ZoneInfo("Europe/London")), "UTC"),
        (datetime(2026, 7, 4, tzinfo=ZoneInfo("Europe/London")), "UTC+1"),
        (datetime(2026, 7, 4, tzinfo=UTC), "UTC"),
        (datetime(2026, 7, 4, tzinfo=timezone(timedelta(hours=-9, minutes=-30))), "UTC-9:30"),
        (datetime(2026, 7, 4, tzinfo=ZoneInfo("Pacific/Kiritimati")), "UTC+14"),
    ],
)
def test_utc_offset_label(when: datetime, label: str) -> None:
    assert utc_offset_label(when) == label


def test_utc_offset_label_needs_an_aware_datetime() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        utc_offset_label(datetime(2026, 6, 4, 8, 0))
