"""The one place background tasks start (reminder.system.supervisor), and what a user hears back
when something they asked for from the tray fails: a line in a notification, never nothing."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest
from conftest import EVERY_DAY, make_config
from tray_doubles import connected

from reminder import words
from reminder.paths import log_dir
from reminder.system.supervisor import TaskSupervisor
from reminder.tray.menu import find
from reminder.tray.model import TrayModel


def test_a_failed_task_is_logged_with_its_traceback_and_said_to_whoever_asked(caplog):
    caplog.set_level(logging.DEBUG)
    told: list[str] = []

    async def broken() -> None:
        await asyncio.sleep(0)
        raise KeyError("no such stretch")

    async def fine() -> None:
        await asyncio.sleep(0)

    async def play() -> int:
        tasks = TaskSupervisor()
        tasks.start(broken(), "drawing the chart", failed=lambda: told.append("chart"))
        tasks.start(fine(), "reading today's figures", failed=lambda: told.append("today"))
        forever = tasks.start(asyncio.sleep(3600), "waiting", failed=lambda: told.append("wait"))
        held = tasks.running
        await asyncio.sleep(0.05)
        forever.cancel()
        await asyncio.sleep(0.01)
        assert tasks.running == 0
        return held

    assert asyncio.run(play()) == 3  # held until they end: the loop keeps only weak references
    assert told == ["chart"]  # not for one that worked, nor for one cancelled
    (failure,) = [r for r in caplog.records if r.name == "reminder.system.supervisor"]
    assert failure.levelno == logging.WARNING
    assert failure.getMessage() == "task 'drawing the chart' failed"
    assert "KeyError: 'no such stretch'" in caplog.text and "Traceback" in caplog.text


def test_a_failure_in_telling_the_user_is_logged_too(caplog):
    async def broken() -> None:
        raise RuntimeError("first fault")

    def tell() -> None:
        raise RuntimeError("second fault")

    async def play() -> None:
        TaskSupervisor().start(broken(), "opening the config", failed=tell)
        await asyncio.sleep(0.05)

    asyncio.run(play())
    assert "first fault" in caplog.text and "second fault" in caplog.text


class BrokenHistory:
    """A history whose read fails: with an error psoas expects, or with a fault of its own."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def days(self, count: int) -> list:
        raise self.error


class BrokenDaemon:
    """Takes no command: handing one over raises, as a fault in psoas would."""

    def submit_threadsafe(self, command: object) -> None:
        raise RuntimeError("the queue is gone")

    def stop_threadsafe(self) -> None:
        raise RuntimeError("the queue is gone")


def tray_model(catalogue, tmp_path: Path, config_path: Path | None = None) -> TrayModel:
    config = make_config("sit_minutes = 60\n" + EVERY_DAY, catalogue)
    where = config_path or tmp_path / "cfg.toml"
    return TrayModel(catalogue, config, lambda: where, tmp_path / "w.png")


def connect(model: TrayModel, history=None) -> list[tuple[str, str]]:
    """Put the model to work behind a broken daemon; what it tells the user."""
    return connected(model, history, BrokenDaemon())


@pytest.mark.parametrize(
    ("error", "title"),
    [
        (sqlite3.OperationalError("database is locked"), "psoas: this week's chart"),
        (RuntimeError("a fault of psoas's own"), "psoas could not show this week's chart"),
    ],
)
def test_a_chart_that_cannot_be_shown_is_said_in_a_notification(
    catalogue, tmp_path, caplog, error, title
):
    """An error psoas expects (a locked history) is said with its reason; a fault of its own
    names what failed and where the log is."""
    expected = (
        words.chart_not_drawn(str(error))
        if isinstance(error, sqlite3.Error)
        else words.action_failed(words.SHOW_CHART, log_dir())
    )
    model = tray_model(catalogue, tmp_path)

    async def play() -> list[tuple[str, str]]:
        told = connect(model, BrokenHistory(error))
        find(model.menu(), "chart").action()
        for _ in range(100):
            await asyncio.sleep(0.01)
            if told:
                break
        return told

    told = asyncio.run(play())
    assert told == [expected] and told[0][0] == title
    assert str(error) in caplog.text


def test_a_menu_entry_that_fails_is_said_in_a_notification(catalogue, tmp_path, caplog):
    model = tray_model(catalogue, tmp_path)

    async def play() -> list[tuple[str, str]]:
        told = connect(model)
        find(model.menu(), "done").action()  # the click itself returns: the host is answered
        await asyncio.sleep(0.05)
        return told

    told = asyncio.run(play())
    assert told == [words.action_failed("do “I stretched”", log_dir())]
    assert told[0][0] == "psoas could not do “I stretched”"
    assert "the queue is gone" in caplog.text and "Traceback" in caplog.text


def test_open_config_that_fails_is_said_in_a_notification(catalogue, tmp_path, caplog):
    """A config folder that cannot be made: the user hears where the file should be."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    model = tray_model(catalogue, tmp_path, blocker / "cfg.toml")

    async def play() -> list[tuple[str, str]]:
        told = connect(model)
        find(model.menu(), "open-config").action()
        for _ in range(100):
            await asyncio.sleep(0.01)
            if told:
                break
        return told

    told = asyncio.run(play())
    assert len(told) == 1 and told[0][0] == "psoas: your config file"
    assert str(blocker / "cfg.toml") in told[0][1]
