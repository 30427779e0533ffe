"""Notifications on Windows and macOS through desktop-notifier: a WinRT toast, or a notification
of macOS's Notification Center (UNUserNotificationCenter), with a prompt's buttons on it.

desktop-notifier does what psoas would otherwise write by hand and could not run here: WinRT's
classes, events and toast XML on Windows; an Objective-C delegate and completion blocks on macOS.
Three things it does not do the way psoas needs, and this module adds:

- It logs a failed notification and returns. Here a note counts as shown only once the library
  says it was dispatched; anything else raises NotifyError, so psoas falls back to the terminal.
- It calls a pressed button on whatever thread the system calls it on (macOS: the main thread,
  where AppKit runs). The button is handed to the daemon's loop.
- Its calls wait on the system's completion handlers. They run shielded: a caller's deadline
  never cancels a call whose handler the system will still run.

A note's slot is its identifier, so a repeated prompt or the next routine step replaces the one
before, as on Linux.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, TypeVar

from reminder import APP_NAME
from reminder.notify import Action, Note, NotifyError

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Why desktop-notifier found no notification center (it then offers a stand-in that shows
#: nothing, and says so with no capabilities at all).
NO_CENTER = (
    "this system offers no notification center to desktop-notifier (macOS lets only a Python "
    "inside an app bundle post notifications, as python.org's and Homebrew's Pythons are)"
)
#: The user said no, in the system's settings or in the dialog macOS shows once.
TURNED_OFF = "notifications are turned off for psoas (or Python) in the system's settings"

_NAMES = {"win32": "windows-toast", "darwin": "macos-notification-center"}


class NativeNotifier:
    """Toasts on Windows, the Notification Center on macOS; :meth:`start` before the first note.

    ``buttons`` says whether a pressed button can reach psoas at all (on macOS only while AppKit
    runs the main thread, that is with the tray). ``library`` is the desktop_notifier module,
    imported by :meth:`start` when not given.
    """

    def __init__(
        self,
        icons: Mapping[str | None, Path],
        on_action: Callable[[str], None],
        buttons: bool = True,
        library: Any = None,
    ) -> None:
        self.name = _NAMES.get(sys.platform, "native")
        self.icons = dict(icons)  # by slot; None: the rest
        self.on_action = on_action
        self.buttons = buttons
        self._library = library
        self._notifier: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._allowed: asyncio.Task[bool] | None = None
        self._under_way: set[asyncio.Task[Any]] = set()  # held until done: the loop keeps weak refs
        self.shortfalls: dict[str, str] = {}  # the system's notification center keeps them

    async def start(self) -> None:
        """Reach the notification center and ask the user's leave to use it (macOS asks once, in
        a dialog whose answer is not waited for); NotifyError when there is none."""
        library = self._library
        if library is None:
            try:
                import desktop_notifier as library
            except ImportError as error:
                raise NotifyError(f"desktop-notifier is not installed ({error})") from None
            self._library = library
        self._loop = asyncio.get_running_loop()
        icon = self.icons.get(None)
        try:
            notifier = library.DesktopNotifier(APP_NAME, library.Icon(path=icon) if icon else None)
            capabilities = await notifier.get_capabilities()
        except Exception as error:  # the platform's own errors come through: COM, Objective-C
            raise NotifyError(f"no notification center ({error})") from None
        if not capabilities:
            raise NotifyError(NO_CENTER)
        notifier.on_button_pressed = self._pressed
        self._notifier = notifier
        self.buttons = self.buttons and library.Capability.BUTTONS in capabilities
        self._allowed = self._loop.create_task(self._ask_leave())
        await asyncio.sleep(0)  # the request is made (and marked made) before any note goes

    async def show(self, note: Note) -> None:
        notifier, library = self._started()
        if self._allowed is not None and self._allowed.done() and not self._allowed.result():
            # Said no before: asked again (no dialog this time), so turning them on brings the
            # notes back without a restart.
            self._allowed = asyncio.get_running_loop().create_task(self._ask_leave())
            if not await self._run_whole(self._allowed):
                raise NotifyError(TURNED_OFF)
        dispatched: list[bool] = []
        icon = self.icons.get(note.slot, self.icons.get(None))
        notification = library.Notification(
            note.title,
            note.body,
            icon=library.Icon(path=icon) if icon else None,
            buttons=self._buttons(note.actions) if self.buttons else (),
            attachment=library.Attachment(path=note.image) if note.image else None,
            sound=library.DEFAULT_SOUND if note.sound else None,  # silent unless asked
            on_dispatched=lambda: dispatched.append(True),
            **({"identifier": _identifier(note.slot)} if note.slot else {}),
        )
        await self._run_whole(notifier.send_notification(notification))
        if not dispatched:  # the library logged why, with its traceback
            raise NotifyError("the system did not take the notification")

    async def withdraw(self, slot: str) -> None:
        notifier, _ = self._started()
        await self._run_whole(notifier.clear(_identifier(slot)))

    async def withdraw_all(self) -> None:
        notifier, _ = self._started()
        await self._run_whole(notifier.clear_all())

    def _started(self) -> tuple[Any, Any]:
        if self._notifier is None:
            raise NotifyError("the notification center was not reached")
        return self._notifier, self._library

    def _buttons(self, actions: tuple[Action, ...]) -> tuple[Any, ...]:
        """The note's actions as buttons whose identifiers are the actions' keys. They must not
        change from note to note: macOS keeps the buttons of the first note with these labels
        (a notification category) and answers every later press with that note's identifiers."""
        return tuple(self._library.Button(label, identifier=key) for key, label in actions)

    def _pressed(self, notification_id: str, key: str) -> None:
        """A button, on the thread the system calls back on: handed to the daemon's loop."""
        log.info("notification button: %s", key)
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: psoas is quitting
                self._loop.call_soon_threadsafe(self.on_action, key)

    async def _ask_leave(self) -> bool:
        try:
            return bool(await self._notifier.request_authorisation())
        except Exception as error:  # as in start: whatever the platform raises
            log.warning("could not ask leave to show notifications: %s", error)
            return False

    async def _run_whole(self, work: Coroutine[Any, Any, T] | asyncio.Task[T]) -> T:
        """``work``, run to its end even when the caller stops waiting; its errors as
        NotifyError."""
        task = asyncio.ensure_future(work)
        self._under_way.add(task)
        task.add_done_callback(self._ended)
        try:
            return await asyncio.shield(task)
        except NotifyError:
            raise
        except Exception as error:  # as in start: whatever the platform raises
            raise NotifyError(str(error) or type(error).__name__) from None

    def _ended(self, task: asyncio.Task[Any]) -> None:
        self._under_way.discard(task)
        if not task.cancelled() and task.exception() is not None:  # seen here if not by a caller
            log.debug("a notification call failed: %s", task.exception())


def _identifier(slot: str) -> str:
    """The identifier of the note in ``slot``: a new note there replaces the one shown (a WinRT
    tag, at most 64 characters; a UNNotificationRequest identifier)."""
    return f"{APP_NAME}-{slot}"
