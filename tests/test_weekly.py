"""The weekly word on progress: due by the calendar at the start of the week's first working
day, given once, from the figures psoas keeps; replayed over weeks, and on a real daemon whose
clock crosses a Monday morning."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from conftest import make_config, play
from test_adapters import Recorder, SettlingDaemon, VirtualClock, _running, _stopped

from reminder.config import settings_for, weekly_notes_for
from reminder.core import events as ev
from reminder.core.sitting import SittingCore
from reminder.core.trend import Week
from reminder.idle import NoIdleSource
from reminder.notify import Outbox
from reminder.replay.scenario import DEFAULT_DAY
from reminder.system.clock import SystemCalendar
from reminder.words import WEEKLY_SUGGESTIONS, WEEKLY_TITLE, weekly_note

LONG_DAY = [
    *("09:00 active", "11:30 away", "11:45 active"),
    *("14:00 away", "14:30 active", "17:00 away"),
]
SHORTER = [
    *("09:00 active", "09:50 away", "10:00 active"),
    *("12:10 away", "12:20 active", "17:00 away"),
]


def weeks_of(*days: list[str], weekends: bool = False) -> str:
    """Working days from the default Monday on, a week of ``days[0]``, then of ``days[1]``..."""
    lines: list[str] = []
    for week, day in enumerate(days):
        for n in range(7 if weekends else 5):
            lines += [f"date {DEFAULT_DAY + timedelta(weeks=week, days=n)}", *day]
    lines[-1] = lines[-1].replace("away", "end")
    return "\n".join(lines)


def notes_in(records: list[dict]) -> list[dict]:
    return [r for r in records if r["kind"] == "weekly-note"]


def test_three_replayed_weeks_give_one_note_on_the_third_monday():
    records = play(weeks_of(LONG_DAY, SHORTER, SHORTER), "repeat_minutes = 0\n")
    third_monday = (DEFAULT_DAY + timedelta(weeks=2)).isoformat()
    # The second Monday has nothing to compare (no week before the first): no note.
    assert notes_in(records) == [
        {
            "date": third_monday,
            "time": "09:00:00",
            "kind": "weekly-note",
            "week": third_monday,
            "bouts_over_60_per_day": 2.0,
            "before": 3.0,
            "longest_sit_minutes": 280,
            "suggestion": None,
        }
    ]


def test_the_note_says_what_changed_in_a_sentence():
    note = ev.WeeklyNote(0.0, "2026-11-30", 1.4, 2.6, 74 * 60)
    assert weekly_note(note) == (
        "Last week: 1.4 sits of an hour or more a day, down from 2.6; your longest sit 1 h 14 min."
    )
    up = weekly_note(ev.WeeklyNote(0.0, "2026-11-30", 1.0, 0.5, 3600, "desk"))
    assert up.startswith("Last week: 1 sit of an hour or more a day, up from 0.5;"), up
    assert up.endswith(WEEKLY_SUGGESTIONS["desk"])


def test_no_note_when_switched_off_or_with_nothing_to_compare():
    three = weeks_of(LONG_DAY, SHORTER, SHORTER)
    assert not notes_in(play(three, "repeat_minutes = 0\n[coach]\nweekly_note = false\n"))
    assert not notes_in(play(weeks_of(LONG_DAY, SHORTER), "repeat_minutes = 0\n"))


def test_the_first_working_day_is_the_one_the_hours_name():
    config = 'repeat_minutes = 0\n[hours]\ndays = ["tue", "wed", "thu", "fri", "sat"]\n'
    records = play(weeks_of(LONG_DAY, SHORTER, SHORTER, weekends=True), config)
    assert [(r["date"], r["time"]) for r in notes_in(records)] == [
        ((DEFAULT_DAY + timedelta(weeks=2, days=1)).isoformat(), "09:00:00")
    ]


def week(answered: int) -> Week:
    return Week(date(2026, 1, 5), date(2026, 1, 11), 5, 5, 3600.0, 10, answered)


def test_a_fall_in_answers_three_weeks_running_suggests_one_change_once(catalogue):
    notes = weekly_notes_for(make_config("", catalogue), SystemCalendar(), catalogue)
    falling = [week(5), week(9), week(7), week(5), week(3)]
    assert notes._suggestion(falling) == "desk"
    assert notes._suggestion([*falling[1:], week(1)]) is None  # a fourth week: said already
    assert notes._suggestion([week(5), week(9), week(7), week(8), week(3)]) is None
    at_desk = weekly_notes_for(
        make_config('sit_minutes = 45\n[stretches]\nplace = "desk"\n', catalogue),
        SystemCalendar(),
        catalogue,
    )
    assert at_desk._suggestion(falling) == "sit_minutes"


def history_of_two_weeks(first_monday: date) -> list[ev.Event]:
    """What a history holds: a week of one long sit a day, then a week of two."""
    calendar, events = SystemCalendar(), []

    def at(day: date, hour: float) -> float:
        return calendar.epoch(datetime.combine(day, datetime.min.time())) + hour * 3600

    for n in range(12):
        day = first_monday + timedelta(days=n)
        if day.weekday() >= 5:
            continue
        sits = [(9, 10.5), (11, 11.5)] if n < 7 else [(9, 10.5), (11, 12.5)]
        for start, end in sits:
            events.append(ev.SittingSpan(at(day, start), at(day, end)))
            events.append(ev.BreakTaken(at(day, end), at(day, end + 0.25), "natural"))
    return events


def test_a_daemon_whose_clock_crosses_a_monday_morning_shows_the_note_once(catalogue):
    calendar = SystemCalendar()
    sunday_evening = calendar.epoch(datetime(2026, 11, 29, 20, 0))
    history = history_of_two_weeks(date(2026, 11, 16))
    config = make_config("repeat_minutes = 0\n", catalogue)

    async def run(start: float, hours: float, remembered: list[ev.Event]) -> list:
        clock = VirtualClock(start)
        notes = weekly_notes_for(config, calendar, catalogue)
        notes.remember(remembered)
        core = SittingCore(settings_for(config, catalogue), calendar, catalogue)
        outbox = Outbox(Recorder())
        daemon = SettlingDaemon(core, clock, NoIdleSource(), outbox, catalogue, notes=notes)
        task = await _running(daemon, outbox)
        fired = clock.fired
        await clock.advance(hours * 3600, daemon)
        woken = clock.fired - fired
        await _stopped(daemon, outbox, task)
        shown = [n for n in outbox.notifier.shown if n.title == WEEKLY_TITLE]
        return shown, woken, notes.events

    shown, woken, remembered = asyncio.run(run(sunday_evening, 14, history))
    (note,) = shown
    assert note.body.startswith("Last week: 2 sits of an hour or more a day, up from 1;")
    assert note.slot == "coach" and not note.actions
    given = [e for e in remembered if isinstance(e, ev.WeeklyNote)]
    nine = calendar.epoch(datetime(2026, 11, 30, 9, 0))
    assert [e.week for e in given] == ["2026-11-30"] and 0 <= given[0].at - nine < 1
    assert woken <= 6  # slept until the note was due: no polling through the night
    # Restarted at 11:00 the same Monday, from a history that holds the note: not again.
    monday_late = calendar.epoch(datetime(2026, 11, 30, 11, 0))
    again, _, _ = asyncio.run(run(monday_late, 3, history + given))
    assert again == []
    # Not running at 09:00 (started at 11:00, the note not in its history): given at once.
    late, _, _ = asyncio.run(run(monday_late, 1, history))
    assert len(late) == 1


def test_the_note_and_the_desk_speak_the_users_language():
    from reminder.language import speaking
    from reminder.words import prompt_buttons

    note = ev.WeeklyNote(0.0, "2026-11-30", 1.4, 2.6, 74 * 60, "routine")
    with speaking("de"):
        said = weekly_note(note)
        buttons = dict(prompt_buttons(5, stand=True))
    assert said.startswith("Letzte Woche: 1,4-mal am Tag eine Stunde oder länger gesessen")
    assert "Schreibtischpause" in said
    assert buttons["stand"] == "Ich stehe auf"
    with speaking("fr"):
        assert weekly_note(note).startswith("La semaine dernière\u00a0: 1,4 séances assises")
    with speaking("es"):
        assert dict(prompt_buttons(5, stand=True))["stand"] == "Me pongo de pie"
    assert weekly_note(note).startswith("Last week: 1.4 sits")  # English outside the blocks


def test_a_machine_asleep_through_monday_morning_gives_the_note_when_it_wakes_once():
    text = weeks_of(LONG_DAY, SHORTER, SHORTER)
    third_monday = f"date {DEFAULT_DAY + timedelta(weeks=2)}\n09:00 active"
    asleep = text.replace(
        third_monday, third_monday.replace("09:00 active", "08:30 suspend\n09:40 resume")
    )
    assert asleep != text
    notes = notes_in(play(asleep, "repeat_minutes = 0\n"))
    assert [(n["date"], n["time"]) for n in notes] == [
        ((DEFAULT_DAY + timedelta(weeks=2)).isoformat(), "09:40:00")
    ]
