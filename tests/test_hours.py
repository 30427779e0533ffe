"""Working hours: inside, outside, weekends, overnight windows, and 'tomorrow'."""

from __future__ import annotations

from datetime import datetime, time

from reminder.hours import WorkingHours

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
