"""Notifications with buttons, straight through the freedesktop Notifications interface.

plyer can neither offer actions nor tell us a notification's id, so on Linux we speak the
interface ourselves (dbus-python): a prompt offers Done, Snooze and Start routine; each routine
step replaces the one before (replaces_id) instead of piling up; a repeated prompt replaces the
unanswered one. Where the server offers no actions, notifications are plain, as plyer's are.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reminder import APP_NAME
from reminder.notify import NotifyError

log = logging.getLogger(__name__)

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class FreedesktopNotifier:
    name = "freedesktop"

    def __init__(
        self,
        icon: Path | None,
        on_action: Callable[[str], None],
        timeout_ms: int = 20000,
    ) -> None:
        try:
            import dbus
            from dbus.mainloop.glib import DBusGMainLoop
        except ImportError as error:
            raise NotifyError(f"dbus-python is missing ({error})") from None
        self._dbus = dbus
        self.icon = str(icon) if icon else ""
        self.on_action = on_action
        self.timeout_ms = timeout_ms
        self._loop: Any = None
        self._thread: threading.Thread | None = None
        self._ids: dict[str, int] = {}  # slot -> id of the notification shown in it
        self._actions_of: dict[int, str] = {}  # id -> slot, to know which actions are ours
        try:
            self._bus = dbus.SessionBus(mainloop=DBusGMainLoop())
            self._bus.add_signal_receiver(self._invoked, "ActionInvoked", NAME, path=PATH)
            self._bus.add_signal_receiver(self._closed, "NotificationClosed", NAME, path=PATH)
        except dbus.exceptions.DBusException as error:
            raise NotifyError(f"no D-Bus session bus: {_first_line(error)}") from None

    def start_loop(self) -> None:
        """Without a GUI main loop, run one in a thread so button presses reach us."""
        from gi.repository import GLib

        self._loop = GLib.MainLoop()
        self._thread = threading.Thread(target=self._loop.run, name="notifications", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop our loop thread before the interpreter goes (a loop left in C at exit aborts)."""
        if self._loop is not None:
            self._loop.quit()
            self._thread.join(5)
            self._loop = None

    def _call(self, method: str, *args: Any) -> Any:
        try:
            return self._bus.call_blocking(
                NAME, PATH, NAME, method, _SIGNATURES[method], args, timeout=5.0
            )
        except self._dbus.exceptions.DBusException as error:
            raise NotifyError(_first_line(error)) from None

    def capabilities(self) -> set[str]:
        return {str(c) for c in self._call("GetCapabilities")}

    def notify(
        self,
        title: str,
        body: str,
        slot: str | None = None,
        actions: Sequence[tuple[str, str]] = (),
    ) -> None:
        caps = self.capabilities()
        if "body-markup" in caps:
            body = html.escape(body, quote=False)
        flat: list[str] = []
        if "actions" in caps:
            for key, label in actions:
                flat += [key, label]
        replaces = self._ids.get(slot, 0) if slot else 0
        hints = {"desktop-entry": self._dbus.String(APP_NAME)}
        new_id = int(
            self._call(
                "Notify", APP_NAME, replaces, self.icon, title, body, flat, hints, self.timeout_ms
            )
        )
        if slot:
            self._ids[slot] = new_id
            self._actions_of[new_id] = slot

    def _invoked(self, notification_id: int, action: str) -> None:
        if int(notification_id) in self._actions_of:
            log.info("notification button: %s", action)
            self.on_action(str(action))

    def _closed(self, notification_id: int, reason: int) -> None:
        slot = self._actions_of.pop(int(notification_id), None)
        if slot and self._ids.get(slot) == int(notification_id):
            del self._ids[slot]


_SIGNATURES = {"Notify": "susssasa{sv}i", "GetCapabilities": ""}


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0][:200] if lines else type(error).__name__
