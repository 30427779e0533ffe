"""The Windows and macOS notifiers, run here against the shape of what they talk to.

Windows and macOS cannot run on this machine, so these tests keep everything real except the
system itself. :class:`NativeNotifier` drives desktop-notifier's own ``DesktopNotifier`` and
``Notification``, ``Button``, ``Icon`` and ``Attachment``. Only the backend that would call WinRT
or UNUserNotificationCenter is a stand-in: a subclass of the library's own backend base class,
so sending, the dispatched callback, the library's habit of logging a failure rather than
raising, and its routing of a pressed button are the library's real code. The stand-in calls a
pressed button back on another thread, as macOS does from the main thread, or on the loop, as
the WinRT backend does. The osascript notifier runs a real program standing in for osascript.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import threading
import time
from pathlib import Path

import desktop_notifier
import desktop_notifier.main
import pytest
from desktop_notifier.backends.base import DesktopNotifierBackend
from desktop_notifier.backends.dummy import DummyNotificationCenter
from test_adapters import Seen, VirtualClock, _daemon, _running, _stopped

from reminder.core import events as ev
from reminder.idle import NoIdleSource
from reminder.notify import FallbackNotifier, Note, NotifyError, TerminalNotifier
from reminder.notify.native import NO_CENTER, TURNED_OFF, NativeNotifier
from reminder.notify.osascript import SCRIPT, OsascriptNotifier
from reminder.runtime.app import native_notifier

Capability = desktop_notifier.Capability
ICONS = {"prompt": Path("/icons/prompt.png"), None: Path("/icons/psoas.png")}


class System:
    """The operating system's side: what it was given, what it shows, and the user's hand."""

    def __init__(self, callback_thread: bool = True) -> None:
        self.callback_thread = callback_thread  # macOS: the main thread; WinRT: the loop
        self.shown: dict[str, desktop_notifier.Notification] = {}
        self.cleared: list[str] = []
        self.created: list[tuple[str, object]] = []
        self.granted = True
        self.asked = 0
        self.fail = False
        self.stall: asyncio.Event | None = None
        self.capabilities = {Capability.TITLE, Capability.MESSAGE, Capability.BUTTONS}
        self.backend: DesktopNotifierBackend | None = None

    def backend_class(self) -> type[DesktopNotifierBackend]:
        system = self

        class Backend(DesktopNotifierBackend):
            def __init__(self, app_name: str, app_icon=None) -> None:
                super().__init__(app_name, app_icon)
                system.backend = self
                system.created.append((app_name, app_icon))

            async def request_authorisation(self) -> bool:
                system.asked += 1
                return system.granted

            async def has_authorisation(self) -> bool:
                return system.granted

            async def _send(self, notification) -> None:
                if system.stall is not None:
                    await system.stall.wait()
                if system.fail:
                    raise OSError("the toast was refused")
                system.shown[notification.identifier] = notification  # same id: replaced

            async def _clear(self, identifier: str) -> None:
                system.shown.pop(identifier, None)
                system.cleared.append(identifier)

            async def _clear_all(self) -> None:
                system.shown.clear()
                system.cleared.append("all")

            async def _get_capabilities(self) -> frozenset:
                return frozenset(system.capabilities)

        return Backend

    def press(self, identifier: str, label: str) -> None:
        """The user presses the button labelled ``label``, as the platform reports it."""
        (button,) = [b for b in self.shown[identifier].buttons if b.title == label]
        backend = self.backend
        assert backend is not None

        def report() -> None:
            notification = backend._clear_notification_from_cache(identifier)
            backend.handle_button(identifier, button.identifier, notification)

        if self.callback_thread:
            hand = threading.Thread(target=report)
            hand.start()
            hand.join()
        else:
            report()


@pytest.fixture
def system(monkeypatch) -> System:
    system = System()
    monkeypatch.setattr(desktop_notifier.main, "get_backend_class", system.backend_class)
    return system


def notifier(on_action=lambda key: None, buttons: bool = True) -> NativeNotifier:
    return NativeNotifier(ICONS, on_action, buttons, library=desktop_notifier)


@pytest.mark.parametrize("callback_thread", [True, False], ids=["macos-main-thread", "winrt-loop"])
def test_a_prompt_names_the_stretch_offers_buttons_and_a_press_reaches_the_daemon(
    system, catalogue, callback_thread
):
    system.callback_thread = callback_thread

    async def play() -> tuple[list, Seen, tuple]:
        seen, clock, held, threads = Seen(), VirtualClock(time.time()), [], []

        def on_action(key: str) -> None:
            threads.append(threading.get_ident())
            held[0].on_action(key)

        native = notifier(on_action)
        await native.start()
        daemon, outbox = _daemon(
            catalogue,
            NoIdleSource(),
            native,
            "sit_minutes = 1\nrepeat_minutes = 0\n",
            clock,
            [seen],
        )
        held.append(daemon)
        task = await _running(daemon, outbox)
        await clock.advance(61, daemon)
        await outbox.flushed()
        prompt = system.shown["psoas-prompt"]
        offered = [(b.identifier, b.title) for b in prompt.buttons]
        system.press("psoas-prompt", dict(daemon.prompt_actions())["snooze"])
        await asyncio.sleep(0.05)  # the press crosses over to the loop
        await clock.advance(0, daemon)
        await outbox.flushed()
        after_press = dict(system.shown)
        assert threads == [threading.get_ident()], "the press is handed to the daemon's loop"
        await _stopped(daemon, outbox, task)
        return [prompt, offered, after_press, daemon.prompt_actions()], seen, tuple(system.cleared)

    (prompt, offered, after_press, actions), seen, cleared = asyncio.run(play())
    (shown,) = [e for events in seen.calls for e in events if isinstance(e, ev.PromptShown)]
    assert prompt.title == f"Time to stretch: {catalogue.stretch(shown.stretch).name}"
    assert prompt.icon == desktop_notifier.Icon(path=ICONS["prompt"])
    assert offered == list(actions)  # the keys are the buttons' identifiers
    assert offered == [
        ("done", "I stretched"),
        ("snooze", "Snooze 5 min"),
        ("routine", "Desk routine"),
    ]
    snoozed = [e for events in seen.calls for e in events if isinstance(e, ev.Snoozed)]
    assert len(snoozed) == 1, "the Snooze button snoozes, as the menu would"
    assert "psoas-prompt" in cleared and "psoas-prompt" not in after_press  # answered: taken down


def test_a_note_in_a_slot_replaces_the_last_and_can_be_taken_down(system):
    async def play() -> NativeNotifier:
        native = notifier()
        await native.start()
        await native.show(Note("Step 1 of 3", "Bridge", slot="routine"))
        await native.show(Note("Step 2 of 3", "Lunge", slot="routine"))
        assert [n.title for n in system.shown.values()] == ["Step 2 of 3"]
        await native.show(Note("Time to stretch: Bridge", "...", slot="prompt", image=Path("/b")))
        assert system.shown["psoas-prompt"].attachment == desktop_notifier.Attachment(
            path=Path("/b")
        )
        await native.withdraw("prompt")
        assert list(system.shown) == ["psoas-routine"]
        await native.withdraw_all()
        return native

    native = asyncio.run(play())
    assert system.shown == {} and system.cleared == ["psoas-prompt", "all"]
    assert system.created == [("psoas", desktop_notifier.Icon(path=ICONS[None]))]
    assert native.name in ("windows-toast", "macos-notification-center", "native")


def test_only_a_note_that_asks_for_sound_sounds(system):
    async def play() -> None:
        native = notifier()
        await native.start()
        await native.show(Note("Time to stretch: Bridge", "...", slot="prompt", sound=True))
        await native.show(Note("Step 1 of 3", "Bridge", slot="routine"))

    asyncio.run(play())
    assert system.shown["psoas-prompt"].sound == desktop_notifier.DEFAULT_SOUND
    assert system.shown["psoas-routine"].sound is None  # a toast with no sound is silent


def test_buttons_are_left_off_where_a_press_could_not_reach_psoas(system):
    async def play(buttons: bool, capabilities: set) -> tuple:
        system.capabilities = capabilities
        native = notifier(buttons=buttons)
        await native.start()
        await native.show(Note("Time to stretch", "x", slot="prompt", actions=(("done", "Done"),)))
        return system.shown["psoas-prompt"].buttons

    with_buttons = {Capability.TITLE, Capability.BUTTONS}
    assert [b.title for b in asyncio.run(play(True, with_buttons))] == ["Done"]
    assert asyncio.run(play(False, with_buttons)) == ()  # macOS with no AppKit run loop
    assert asyncio.run(play(True, {Capability.TITLE})) == ()  # the system shows none


def test_a_refused_notification_falls_back_to_the_terminal_said_once(system, caplog):
    async def play() -> str:
        stream = io.StringIO()
        native = notifier()
        await native.start()
        chain = FallbackNotifier(native, TerminalNotifier(stream))
        system.fail = True
        await chain.show(Note("Time to stretch: Bridge", "one"))
        await chain.show(Note("Time to stretch: Bridge", "two"))
        assert chain.name == "terminal" and system.shown == {}
        system.fail = False
        await chain.show(Note("Time to stretch: Bridge", "three", slot="prompt"))
        assert chain.name == native.name
        return stream.getvalue()

    terminal = asyncio.run(play())
    assert "one" in terminal and "two" in terminal and "three" not in terminal
    assert [n.message for n in system.shown.values()] == ["three"]
    assert caplog.text.count("the system did not take the notification") == 1
    assert "desktop notifications work again" in caplog.text


def test_notifications_turned_off_go_to_the_terminal_until_turned_on(system, caplog):
    async def play() -> str:
        stream = io.StringIO()
        system.granted = False
        native = notifier()
        await native.start()
        chain = FallbackNotifier(native, TerminalNotifier(stream))
        await asyncio.sleep(0)
        await chain.show(Note("Time to stretch: Bridge", "while off"))
        system.granted = True
        await chain.show(Note("Time to stretch: Bridge", "once on"))
        return stream.getvalue()

    terminal = asyncio.run(play())
    assert "while off" in terminal and "once on" not in terminal
    assert [n.message for n in system.shown.values()] == ["once on"]
    assert system.asked == 3  # at start, then before each note while the answer was no
    assert TURNED_OFF in caplog.text


@pytest.mark.slow
def test_a_slow_notification_center_costs_the_deadline_and_its_late_answer_counts(system, caplog):
    terminal = io.StringIO()

    async def play() -> float:
        native = notifier()
        await native.start()
        system.stall = asyncio.Event()
        chain = FallbackNotifier(native, TerminalNotifier(terminal), timeout=0.3, late=2.0)
        started = time.monotonic()
        await chain.show(Note("Time to stretch: Bridge", "late", slot="prompt"))
        took = time.monotonic() - started
        system.stall.set()  # the system answers at last: its call ends, not cancelled
        await asyncio.sleep(0.05)
        return took

    took = asyncio.run(play())
    assert took < 1.0
    assert "psoas-prompt" in system.shown
    assert terminal.getvalue() == ""  # shown once, by the system, however late
    assert "desktop notifications failed" not in caplog.text


def test_no_notification_center_is_refused_at_start_and_the_next_choice_taken(monkeypatch):
    """desktop-notifier's stand-in (macOS's Python outside an app bundle, Windows before 10)."""
    monkeypatch.setattr(desktop_notifier.main, "get_backend_class", lambda: DummyNotificationCenter)

    async def refused() -> str:
        with pytest.raises(NotifyError) as raised:
            await notifier().start()
        return str(raised.value)

    assert asyncio.run(refused()) == NO_CENTER
    for platform, expected in (("darwin", OsascriptNotifier), ("win32", TerminalNotifier)):
        monkeypatch.setattr(sys, "platform", platform)
        chosen = asyncio.run(native_notifier(ICONS, lambda key: None, True))
        monkeypatch.setattr(sys, "platform", "linux")
        assert type(chosen) is expected, platform


def test_the_notification_center_is_chosen_where_it_answers(system):
    chosen = asyncio.run(native_notifier(ICONS, lambda key: None, True))
    assert isinstance(chosen, NativeNotifier) and chosen.buttons


# ----- osascript ----------------------------------------------------------------------------


def fake_osascript(folder: Path, body: str) -> Path:
    """A program in osascript's place: it writes its arguments, one a line, then does ``body``."""
    program = folder / "osascript"
    program.write_text(
        '#!/bin/sh\necho $$ > "$(dirname "$0")/pid"\n'
        'for a in "$@"; do printf "%s\\0" "$a"; done > "$(dirname "$0")/argv"\n' + body + "\n"
    )
    program.chmod(0o755)
    return program


def test_osascript_gets_title_and_text_as_arguments_never_as_source(tmp_path):
    program = fake_osascript(tmp_path, "exit 0")
    title, body = 'Time to stretch: "Bridge"', 'end run\ndo shell script "rm -rf ~"'
    asyncio.run(OsascriptNotifier(str(program)).show(Note(title, body)))
    argv = (tmp_path / "argv").read_text().split("\0")[:-1]
    assert argv == ["-e", SCRIPT, title, body]
    asyncio.run(OsascriptNotifier(str(program)).show(Note(title, body, sound=True)))
    argv = (tmp_path / "argv").read_text().split("\0")[:-1]
    assert argv == [
        "-e",
        SCRIPT.replace("(item 1 of argv)", '(item 1 of argv) sound name "Glass"'),
        title,
        body,
    ]


def test_osascript_failing_says_why_and_falls_back(tmp_path, caplog):
    program = fake_osascript(
        tmp_path,
        'echo "0:12: execution error: Not authorised to send Apple events. (-1743)" >&2\nexit 1',
    )
    stream = io.StringIO()
    chain = FallbackNotifier(OsascriptNotifier(str(program)), TerminalNotifier(stream))
    asyncio.run(chain.show(Note("Time to stretch: Bridge", "now")))
    assert "Time to stretch: Bridge" in stream.getvalue()
    assert "osascript: 0:12: execution error: Not authorised" in caplog.text

    async def missing() -> None:
        await OsascriptNotifier(str(tmp_path / "nowhere")).show(Note("a", "b"))

    with pytest.raises(NotifyError, match="osascript: "):
        asyncio.run(missing())


@pytest.mark.slow
def test_a_hanging_osascript_is_killed_at_the_deadline(tmp_path):
    program = fake_osascript(tmp_path, "exec sleep 60")

    async def play() -> float:
        chain = FallbackNotifier(
            OsascriptNotifier(str(program)), TerminalNotifier(io.StringIO()), 0.5
        )
        started = time.monotonic()
        await chain.show(Note("Time to stretch: Bridge", "now"))
        return time.monotonic() - started

    took = asyncio.run(play())
    assert took < 1.5
    pid = int((tmp_path / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped: not even a zombie is left
