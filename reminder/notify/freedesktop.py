"""Notifications with buttons, straight through the freedesktop Notifications interface.

Spoken on the session bus the daemon already holds (reminder.bus, on its loop): a prompt offers
I stretched, Snooze and Desk routine, a routine step Pause (Resume), Next step and Stop; each
routine step replaces the one before (replaces_id) instead of piling up; a repeated prompt
replaces the unanswered one; an answered prompt is taken down. Where the server offers no
actions, notifications are plain. When the server's name changes hands (a restart), what we knew
of the old one is forgotten. Its signals are taken only from the server itself (the bus tells who
sent them; anyone can send one that looks like it), only for notifications psoas sent and has not
seen closed, and a button counts once per note (a note put in its place asks anew).

A prompt stays until it is answered, replaced or withdrawn: it is sent with no timeout, and, to a
server that keeps notifications (``persistence``), as ``resident``, so that a click on it does not
dismiss it (psoas takes it down once it is answered). A server that takes one
down by itself all the same (it says it expired) is said once in the log, and kept among the
notifier's ``shortfalls`` for psoas status and doctor. (dunst 1.9: no ``persistence``, keeps a
note sent with no timeout on screen until it is closed, unless a rule of the user's sets
``override_dbus_timeout``; ignores ``resident``.) A server that goes away takes its notes with
it: when a new one comes (a restarted dunst, a bus back), the prompt still out is shown again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from reminder import APP_NAME
from reminder.bus import CALL_TIMEOUT, DBUS_NAME, BusError, Signal, Variant, call, watch_signals
from reminder.notify import LATE_ANSWER, Note, NotifyError
from reminder.words import duration

log = logging.getLogger(__name__)

#: What a server that reads markup would take for it (html.escape's, without loading its table
#: of every named character: half a megabyte for three replacements).
_MARKUP = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape_markup(text: str) -> str:
    """``text`` shown as it is by a server that reads its body as markup."""
    return text.translate(_MARKUP)


NAME = "org.freedesktop.Notifications"
#: The sound a prompt asks for (freedesktop sound naming: a message has come).
SOUND_NAME = "message-new-instant"
#: Why a notification closed, as NotificationClosed says it: the server's own timeout.
EXPIRED = 1
#: A slow server's answer to Notify is waited for this long (in the background).
NOTIFY_TIMEOUT = LATE_ANSWER
PATH = "/org/freedesktop/Notifications"


class FreedesktopNotifier:
    name = "freedesktop"

    def __init__(
        self,
        bus: Any,
        icons: Mapping[str | None, Path],
        on_action: Callable[[str], None],
        timeout_ms: int = 20000,
        show_again: Callable[[Note], None] = lambda note: None,
    ) -> None:
        self._bus = bus
        self.icons = {slot: str(path) for slot, path in icons.items()}  # by slot; None: the rest
        self.on_action = on_action
        self.timeout_ms = timeout_ms
        self.show_again = show_again  # hands a note back to be shown anew (the outbox's post)
        self._kept: dict[str, Note] = {}  # notes meant to stay, by slot, until taken down
        self._capabilities: set[str] | None = None  # asked once per server
        self._ids: dict[str, int] = {}  # slot -> id of the notification shown in it
        self._slot_of: dict[int, str] = {}  # id -> slot, to know which signals are ours
        self._keys: dict[int, frozenset[str]] = {}  # id -> the buttons it offers
        self._answered: set[int] = set()  # ids whose button was pressed
        self._coming: set[str] = set()  # slots whose note the server has not answered yet
        self._unwanted: set[str] = set()  # of those, the ones withdrawn meanwhile
        self._staying: dict[int, float] = {}  # id of a note meant to stay -> shown (monotonic)
        self.shortfalls: dict[str, str] = {}  # what this server was seen not to do as asked

    async def start(self) -> None:
        """Listen for button presses, closed popups and the server changing hands."""
        try:
            await watch_signals(self._bus, NAME, "ActionInvoked", self._invoked, sender=NAME)
            await watch_signals(self._bus, NAME, "NotificationClosed", self._closed, sender=NAME)
            await watch_signals(
                self._bus,
                DBUS_NAME,
                "NameOwnerChanged",
                self._owner_changed,
                arg0=NAME,
                sender=DBUS_NAME,
            )
            self._bus.when_reconnected(self._new_server)
        except BusError as error:
            raise NotifyError(str(error)) from None

    async def _call(
        self,
        method: str,
        signature: str = "",
        body: list | None = None,
        timeout: float = CALL_TIMEOUT,
    ) -> list:
        try:
            # The server may be one the bus starts when first asked (dunst, mako...).
            return await call(
                self._bus, NAME, PATH, NAME, method, signature, body, timeout, auto_start=True
            )
        except BusError as error:
            raise NotifyError(str(error)) from None

    async def capabilities(self) -> set[str]:
        if self._capabilities is None:
            (caps,) = await self._call("GetCapabilities")
            self._capabilities = {str(c) for c in caps}
        return self._capabilities

    async def show(self, note: Note) -> None:
        caps = await self.capabilities()
        body = escape_markup(note.body) if "body-markup" in caps else note.body
        flat: list[str] = []
        if "actions" in caps:
            for key, label in note.actions:
                flat += [key, label]
        replaces = self._ids.get(note.slot, 0) if note.slot else 0
        hints = {"desktop-entry": Variant("s", APP_NAME)}
        if note.image is not None:
            hints["image-path"] = Variant("s", str(note.image))
        if note.stays and "persistence" in caps:
            hints["resident"] = Variant("b", True)  # a click keeps it: psoas takes it down
        if note.sound:
            self._ask_for_sound(caps, hints)
        if note.slot and note.stays:
            self._kept[note.slot] = note
        elif note.slot:
            self._kept.pop(note.slot, None)
        icon = self.icons.get(note.slot, self.icons.get(None, ""))
        timeout = 0 if note.stays else self.timeout_ms  # 0: never expires
        args = [APP_NAME, replaces, icon, note.title, body, flat, hints, timeout]
        if note.slot:
            self._coming.add(note.slot)
        try:
            # A slow server's answer is waited for (the outbox goes on meanwhile: see
            # notify.FallbackNotifier), so its id is known even when it comes late.
            (new_id,) = await self._call("Notify", "susssasa{sv}i", args, NOTIFY_TIMEOUT)
        finally:
            self._coming.discard(note.slot or "")
        if note.stays:
            self._staying[int(new_id)] = time.monotonic()
        if note.slot:
            self._ids[note.slot] = int(new_id)
            self._slot_of[int(new_id)] = note.slot
            self._answered.discard(int(new_id))  # a note put in its place asks anew
            self._keys[int(new_id)] = frozenset(key for key, _ in note.actions)
            if note.slot in self._unwanted:  # answered or withdrawn while it was on its way
                self._unwanted.discard(note.slot)
                await self.withdraw(note.slot)

    def _ask_for_sound(self, caps: set[str], hints: dict[str, Variant]) -> None:
        """The message sound, from a server that plays sounds; one that does not is said once."""
        if "sound" in caps:
            hints["sound-name"] = Variant("s", SOUND_NAME)
        elif "sound" not in self.shortfalls:
            self.shortfalls["sound"] = "it plays no sounds"
            log.warning(
                "sound = true, but the notification server plays no sounds (it does not offer "
                "them): prompts come silent"
            )

    async def withdraw(self, slot: str) -> None:
        self._kept.pop(slot, None)
        if slot in self._coming:
            self._unwanted.add(slot)  # taken down as soon as the server says its id
        shown = self._ids.pop(slot, None)
        if shown is not None:
            self._forget(shown)
            await self._call("CloseNotification", "u", [shown])

    async def withdraw_all(self) -> None:
        self._kept.clear()
        for slot in list(self._ids):
            await self.withdraw(slot)

    def _invoked(self, message: Signal) -> None:
        if message.signature != "us":
            log.debug("ActionInvoked with arguments (%s) ignored", message.signature)
            return
        notification_id, action = message.body
        if notification_id not in self._slot_of or notification_id in self._answered:
            return  # not ours, closed already, or its button was pressed already
        if action not in self._keys.get(notification_id, ()):
            # A click on the note itself ("default", which psoas never offers) is no answer:
            # where the note stays up (resident), its buttons still count afterwards.
            log.debug("notification action %r is none of its buttons: ignored", action)
            return
        log.info("notification button: %s", action)
        self._answered.add(notification_id)  # one press, one answer: a server may say it twice
        self.on_action(str(action))

    def _closed(self, message: Signal) -> None:
        if message.signature != "uu":
            log.debug("NotificationClosed with arguments (%s) ignored", message.signature)
            return
        notification_id, reason = message.body
        shown = self._staying.get(notification_id)
        if reason == EXPIRED and shown is not None and "persistence" not in self.shortfalls:
            after = duration(time.monotonic() - shown)
            self.shortfalls["persistence"] = f"it took a prompt down by itself after {after}"
            log.warning(
                "the notification server took a prompt down by itself after %s: it does not "
                "keep notifications until they are answered. While a prompt waits, the tray "
                "icon (where there is one) and psoas status still say so",
                after,
            )
        slot = self._slot_of.get(notification_id)
        if slot is not None and self._ids.get(slot) == notification_id:
            self._kept.pop(slot, None)  # closed on the server (by the user, say): not shown again
        self._forget(notification_id)

    def _forget(self, notification_id: int) -> None:
        self._answered.discard(notification_id)
        self._staying.pop(notification_id, None)
        self._keys.pop(notification_id, None)
        slot = self._slot_of.pop(notification_id, None)
        if slot and self._ids.get(slot) == notification_id:
            del self._ids[slot]

    def _owner_changed(self, message: Signal) -> None:
        if message.signature != "sss":
            return
        _, old, new = message.body
        self._forget_server()
        if new and new != old:
            self._show_kept()

    def _new_server(self) -> None:
        self._forget_server()
        self._show_kept()

    def _show_kept(self) -> None:
        """The server's notes went with it: the ones still meant to be up are shown anew."""
        for slot, note in list(self._kept.items()):
            if slot not in self._coming:  # else on its way to the new server already
                log.info("a new notification server: %r is shown again", note.title)
                self.show_again(note)

    def _forget_server(self) -> None:
        """A new server (or none, or a new bus): its ids and abilities are not the old one's."""
        self._capabilities = None
        self.shortfalls.clear()
        self._staying.clear()
        self._ids.clear()
        self._slot_of.clear()
        self._keys.clear()
        self._answered.clear()
        self._unwanted.clear()
