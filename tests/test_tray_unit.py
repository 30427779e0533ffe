"""The tray's logic without a desktop: redraw only on change, words for every state."""

from __future__ import annotations

import asyncio
import types
from datetime import datetime
from pathlib import Path

from conftest import EVERY_DAY, make_config
from tray_doubles import connected

from reminder.config import settings_for
from reminder.core import events as ev
from reminder.core.sitting import SittingCore
from reminder.core.status import Status
from reminder.core.timebase import FixedCalendar, Moment
from reminder.history.keeper import BackgroundWriter, HistoryKeeper
from reminder.history.store import HistoryStore
from reminder.tray.model import TrayModel
from reminder.tray.pystray_tray import PystrayTray
from reminder.words import status_line, tooltip


class FakeIcon:
    """Stands in for pystray.Icon: records what the tray asks of it (a picture counts as a
    redraw, the first one too)."""

    HAS_MENU = True

    def __init__(self, name, icon, title, menu):
        self._icon, self.title, self._menu, self.menu_updates, self.redraws = (
            icon,
            title,
            menu,
            0,
            1,
        )

    @property
    def icon(self):
        return self._icon

    @icon.setter
    def icon(self, value):
        self._icon, self.redraws = value, self.redraws + 1

    @property
    def menu(self):
        return self._menu

    @menu.setter
    def menu(self, value):
        self._menu, self.menu_updates = value, self.menu_updates + 1


class FakeMenu:
    SEPARATOR = object()

    def __init__(self, *items):
        self.items = items


FAKE_PYSTRAY = types.SimpleNamespace(
    Icon=FakeIcon, Menu=FakeMenu, MenuItem=lambda *args, **kwargs: (args, kwargs)
)


def make_model(catalogue) -> TrayModel:
    config = make_config("sit_minutes = 60\nsnooze_minutes = [5, 15]\n" + EVERY_DAY, catalogue)
    return TrayModel(catalogue, config, lambda: Path("cfg.toml"), Path("week.png"))


def make_tray(catalogue) -> PystrayTray:
    tray = PystrayTray(make_model(catalogue), pystray=FAKE_PYSTRAY)
    tray._build()
    return tray


def status(state: str, sitting: float, next_prompt: float | None = None) -> Status:
    return Status(state, sitting, next_prompt, None, "bridge")


def test_the_icon_is_redrawn_only_when_its_picture_changes(catalogue):
    tray = make_tray(catalogue)
    drawn = tray.icon.redraws
    tray.seen([], status("sitting", 600))
    tray.seen([], status("sitting", 610))  # same notch of the ring: no redraw
    assert tray.icon.redraws == drawn + 1
    tray.seen([], status("sitting", 1800))
    tray.seen([], status("snoozed", 1800))
    assert tray.icon.redraws == drawn + 3
    updates = tray.icon.menu_updates
    assert updates >= 2  # sitting, then snoozed: new lines
    tray.seen([], status("snoozed", 1800))
    assert tray.icon.menu_updates == updates  # nothing changed: pystray is not made to rebuild it


def test_the_daemon_is_asked_to_wake_only_when_the_ring_moves_a_notch(catalogue):
    model = make_model(catalogue)  # 60 minutes of sitting: a notch of the ring every 225 s
    model.seen([], status("sitting", 100))
    assert model.next_wakeup(1000.0) == 1125.0
    model.seen([], status("sitting", 450))  # right on a notch: the next one
    assert model.next_wakeup(1000.0) == 1225.0
    model.seen([], status("away", 0))
    assert model.next_wakeup(1000.0) is None
    for state in ("due", "held", "snoozed", "paused"):  # the ring is full: nothing left to draw
        model.seen([], status(state, 3600))
        assert model.next_wakeup(1000.0) is None
        model.seen([], status(state, 7300))
        assert model.next_wakeup(1000.0) is None


def test_words_for_each_state(catalogue):
    now = 1_000_000.0
    assert tooltip(status("sitting", 42 * 60, now + 18 * 60), catalogue, now) == (
        "Sitting 42 min - stretch in 18 min"
    )
    assert "snoozed, stretch in 4 min" in tooltip(
        status("snoozed", 65 * 60, now + 240), catalogue, now
    )
    assert tooltip(status("away", 0), catalogue, now).startswith("Away")
    assert status_line(status("due", 3600), catalogue, now).endswith("time to stretch")
    routine = Status("routine", 0, None, None, None, "desk", 0.5, 1)
    assert tooltip(routine, catalogue, now) == "Desk break: step 2 of 4, 50% done"
    paused = Status("routine", 0, None, None, None, "desk", 0.5, 1, True)
    assert tooltip(paused, catalogue, now) == "Desk break: paused at step 2 of 4"
    assert status_line(paused, catalogue, now) == "Desk break: paused at step 2 of 4"


def test_the_today_line_counts_the_history_and_the_sit_under_way(catalogue, tmp_path):
    """Two sits recorded today (40 min) and one under way (25 min): the Today line says 1 h 05."""
    calendar = FixedCalendar()
    noon = calendar.epoch(datetime(2024, 1, 3, 12, 0))
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.record(
        [
            ev.SittingSpan(noon - 3 * 3600, noon - 2.5 * 3600),
            ev.BreakTaken(noon - 2.5 * 3600, noon - 2 * 3600, "natural"),
            ev.SittingSpan(noon - 2 * 3600, noon - 2 * 3600 + 600),
            ev.SittingSpan(noon - 86400, noon - 80000),  # yesterday: not today's
        ]
    )

    class Clock:
        def now(self) -> Moment:
            return Moment(noon, noon)

    config = make_config("sit_minutes = 60\n" + EVERY_DAY, catalogue)
    core = SittingCore(settings_for(config, catalogue), calendar, catalogue)
    core.observe(Moment(noon - 25 * 60, noon - 25 * 60), 0.0)  # sitting since 11:35
    core.observe(Moment(noon, noon), 0.0)

    async def play() -> str:
        writer = BackgroundWriter(store)
        keeper = HistoryKeeper(writer, core, Clock(), calendar, catalogue)
        model = make_model(catalogue)
        connected(model, keeper)
        assert model.seen([ev.Skipped(noon)], core.status(Moment(noon, noon)))  # to be read
        assert await model.read_today()  # changed
        assert not model.seen([], core.status(Moment(noon, noon)))  # nothing new, same day
        writer.close()
        return model.today

    assert asyncio.run(play()) == "Today: sat 1 h 05 min, longest 30 min, 1 break, 0 stretches"


def test_a_left_click_stands_for_stretch_now_except_where_the_menu_offers_none(catalogue):
    from reminder.tray.menu import default_item

    model = make_model(catalogue)
    for state in ("sitting", "due", "snoozed", "held"):
        model.seen([], status(state, 1200))
        assert default_item(model.menu()).key == "stretch-now", state
    model.seen([], Status("routine", 0, None, None, "bridge", routine="desk"))
    assert default_item(model.menu()) is None  # a click during a routine starts no prompt


def test_pause_and_snooze_choices_say_a_duration_the_same_way(catalogue):
    """One way to say a duration (words.duration): the menu's pauses read as its snoozes do."""
    from reminder.tray.menu import find

    model = make_model(catalogue)
    model.seen([], status("sitting", 1200))
    menu = model.menu()
    snoozes = [item.label for item in find(menu, "snooze").children]
    pauses = [item.label for item in find(menu, "pause").children]
    assert snoozes == ["5 min", "15 min"]
    assert pauses == ["30 min", "1 h", "2 h", "Until tomorrow"]


def test_while_a_prompt_is_out_the_menu_offers_the_stretch_it_names(catalogue):
    from reminder.tray.menu import find

    config = make_config("sit_minutes = 60\nrepeat_minutes = 10\n" + EVERY_DAY, catalogue)
    core = SittingCore(settings_for(config, catalogue), FixedCalendar(), catalogue)
    model = make_model(catalogue)
    start = FixedCalendar().epoch(datetime(2024, 1, 1, 9, 0))
    named = []
    for minute in (0, 60, 65, 70):
        now = Moment(start + minute * 60, start + minute * 60)
        named += [e.stretch for e in core.observe(now, 0.0) if isinstance(e, ev.PromptShown)]
        model.seen([], core.status(now))
        label = find(model.menu(), "stretch-now").label
        if named:  # the prompt, then its repeat: one stretch, on screen and in the menu
            assert label == f"Stretch now: {catalogue.stretch(named[0]).name}", minute
    assert len(named) == 2 and named[0] == named[1]
