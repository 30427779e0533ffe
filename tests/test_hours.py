"""Working hours: inside, outside, weekends, overnight windows, and 'tomorrow'."""

from __future__ import annotations

from datetime import datetime, time

from reminder.core.hours import WorkingHours

OFFICE = WorkingHours(frozenset(range(5)), time(9), time(18))  # mon-fri 09:00-18:00
NIGHTS = WorkingHours(frozenset({0}), time(22), time(6))  # Monday 22:00 to Tuesday 06:00


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, minute)  # 2024-01-01 is a Monday


def test_inside_and_at_the_edges():
    assert OFFICE.is_open(at(1, 9))
    assert OFFICE.is_open(at(1, 17, 59))
    assert not OFFICE.is_open(at(1, 18))
    assert OFFICE.next_open(at(1, 12)) == at(1, 12)


def test_before_start_waits_for_the_same_day_and_after_end_for_the_next():
    assert OFFICE.next_open(at(1, 7, 30)) == at(1, 9)
    assert OFFICE.next_open(at(1, 19)) == at(2, 9)


def test_friday_evening_and_the_weekend_wait_for_monday():
    assert OFFICE.next_open(at(5, 18, 30)) == at(8, 9)
    assert OFFICE.next_open(at(6, 12)) == at(8, 9)
    assert not OFFICE.is_open(at(7, 12))


def test_an_overnight_window_belongs_to_the_day_it_starts():
    assert NIGHTS.is_open(at(1, 23))
    assert NIGHTS.is_open(at(2, 5, 59))  # Tuesday early morning: Monday's window
    assert not NIGHTS.is_open(at(1, 3))  # Monday early morning: Sunday has none
    assert NIGHTS.next_open(at(1, 3)) == at(1, 22)
    assert NIGHTS.next_open(at(2, 7)) == at(8, 22)


def test_next_day_start_skips_to_a_later_calendar_day():
    assert OFFICE.next_day_start(at(1, 8)) == at(2, 9)
    assert OFFICE.next_day_start(at(5, 10)) == at(8, 9)
    assert NIGHTS.next_day_start(at(1, 23)) == at(8, 22)


def test_describe():
    assert OFFICE.describe() == "mon-fri 09:00-18:00"
    assert NIGHTS.describe() == "mon 22:00-06:00"


ALL_WEEK = frozenset(range(7))


def test_an_end_of_midnight_closes_at_the_end_of_the_day():
    late = WorkingHours(frozenset({5}), time(14), time(0))  # the config's end = "24:00"
    assert late.is_open(at(6, 23, 59))
    assert not late.is_open(at(7, 0))
    assert late.next_open(at(6, 10)) == at(6, 14)
    assert late.describe() == "sat 14:00-24:00"


def test_all_day_windows_on_consecutive_days_join_up_at_midnight():
    office_days = WorkingHours(frozenset(range(5)), time(0), time(0))  # start = end: all day
    for moment in (at(1, 0), at(1, 12), at(1, 23, 59), at(2, 0), at(5, 23, 59)):
        assert office_days.is_open(moment)
        assert office_days.next_open(moment) == moment  # no prompt held back at midnight
    assert not office_days.is_open(at(6, 0))
    assert office_days.next_open(at(6, 0)) == at(8, 0)
    assert office_days.next_day_start(at(1, 12)) == at(2, 0)
    assert office_days.describe() == "mon-fri all day"
    always = WorkingHours(ALL_WEEK, time(0), time(0))
    assert all(
        always.next_open(at(day, hour)) == at(day, hour)
        for day in range(1, 15)
        for hour in range(24)
    )


def test_all_day_from_another_hour_lasts_24_hours():
    shifts = WorkingHours(frozenset({0, 1}), time(6), time(6))  # Monday 06:00 to Wednesday 06:00
    assert shifts.is_open(at(1, 6)) and shifts.is_open(at(2, 5, 59)) and shifts.is_open(at(3, 5))
    assert not shifts.is_open(at(3, 6)) and not shifts.is_open(at(1, 5, 59))
    assert shifts.describe() == "mon, tue all day from 06:00"
