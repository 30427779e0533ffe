"""The tray's logic without a desktop: redraw only on change, words for every state."""

from __future__ import annotations

import types
from datetime import datetime
from pathlib import Path

from conftest import EVERY_DAY, make_config

from reminder.core.status import Status
from reminder.tray import Tray
from reminder.words import status_line, tooltip


class FakeIcon:
    """Stands in for pystray.Icon: records what the tray asks of it."""

    HAS_MENU = True

    def __init__(self, name, icon, title, menu):
        self.icon, self.title, self._menu, self.menu_updates = icon, title, menu, 0

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


def make_tray(catalogue) -> Tray:
    config = make_config("sit_minutes = 60\nsnooze_minutes = [5, 15]\n" + EVERY_DAY, catalogue)
    tray = Tray(catalogue, config, lambda: Path("cfg.toml"), pystray=FAKE_PYSTRAY)
    tray._build()
    return tray


def status(state: str, sitting: float, next_prompt: float | None = None) -> Status:
    return Status(state, sitting, next_prompt, None, "bridge")


def test_the_icon_is_redrawn_only_when_its_picture_changes(catalogue):
    tray = make_tray(catalogue)
    drawn = tray.redraws
    tray.seen([], status("sitting", 600))
    tray.seen([], status("sitting", 610))  # same notch of the ring: no redraw
    assert tray.redraws == drawn + 1
    tray.seen([], status("sitting", 1800))
    tray.seen([], status("snoozed", 1800))
    assert tray.redraws == drawn + 3
    assert tray.icon.menu_updates == 4


def test_the_daemon_is_asked_to_wake_only_when_the_ring_moves_a_notch(catalogue):
    tray = make_tray(catalogue)
    tray.status = status("sitting", 100)
    notch = 3600 / 16
    assert tray.next_wakeup(1000.0) == 1000.0 + notch - 100
    tray.status = status("away", 0)
    assert tray.next_wakeup(1000.0) is None


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
    assert tooltip(routine, catalogue, now) == "Desk break: step 2, 50% done"


def test_the_today_line_reads_the_history(catalogue, tmp_path):
    import time as clock

    from reminder.core import events as ev
    from reminder.store import HistoryStore

    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    now = clock.time()
    store.record(
        [
            ev.SittingSpan(now - 1800, now - 600),
            ev.BreakTaken(now - 600, now - 300, "natural"),
        ]
    )
    store.close()
    tray = make_tray(catalogue)
    tray.history = path
    tray.seen([ev.Skipped(now)], status("sitting", 60))
    if datetime.fromtimestamp(now - 1800).date() == datetime.fromtimestamp(now).date():
        assert tray.today == "Today: sat 20 min, 1 break, 0 stretches"
