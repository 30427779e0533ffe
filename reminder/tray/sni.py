"""The tray icon as a StatusNotifierItem: what KDE, GNOME's AppIndicator extension, XFCE, waybar and
most Linux panels show, spoken over D-Bus (reminder.bus) on the daemon's own loop.

No toolkit and no thread: the item is a few properties (a picture, a tooltip, a status) that the
panel (the "host") reads, signals that tell it when they changed, and the menu
(:class:`reminder.tray.dbusmenu.DBusMenu`) it draws itself. The item registers with the panel's
StatusNotifierWatcher, and again whenever a new watcher appears (the panel restarted); while
there is none it simply waits, and says so through ``on_host_change``. A bus that is lost and
comes back gets the item's name, objects and registration back (see ``_bus_back``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from reminder.bus import (
    DBUS_NAME,
    DBUS_PATH,
    BusError,
    Connection,
    ServiceError,
    Signal,
    call,
    get_property,
    watch_signals,
)
from reminder.bus.errors import INVALID_ARGS
from reminder.bus.service import Interface, Objects, dbus_property, method
from reminder.system.supervisor import TaskSupervisor
from reminder.tray.callbacks import run_callback
from reminder.tray.dbusmenu import DBusMenu

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

INTERFACE = "org.kde.StatusNotifierItem"
ITEM_PATH = "/StatusNotifierItem"
WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
STATUSES = ("Active", "Passive", "NeedsAttention")
ICON_SIZES = (16, 22, 24, 32, 48)
#: The watcher may look at the item before it answers; give it longer than an ordinary call.
REGISTER_TIMEOUT = 3.0
#: Seconds between tries when the watcher is not ready for us yet (about 6 s in all).
REGISTER_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)
#: DBUS_NAME_FLAG_DO_NOT_QUEUE; RequestName answers 1 (primary owner) or 4 (already owner).
DO_NOT_QUEUE = 4

#: One picture: width, height, and ARGB32 bytes in network order (A, R, G, B per pixel).
Pixmap = tuple[int, int, bytes]
PIXMAPS = "a(iiay)"


def pixmaps(draw: Callable[[int], Image.Image], sizes: Iterable[int] = ICON_SIZES) -> list[Pixmap]:
    """The ``a(iiay)`` value for pictures drawn at each size: the host picks the one that fits.

    Pillow reorders the channels (R, G, B, A to A, R, G, B) in C: about 20 us for 48 px, where a
    Python loop over the pixels takes 30 times as long.
    """
    from PIL import Image  # here: a start that finds its pictures kept never loads Pillow

    result = []
    for size in sizes:
        image = draw(size)
        if image.mode != "RGBA":
            image = image.convert("RGBA")
        red, green, blue, alpha = image.split()
        argb = Image.merge("RGBA", (alpha, red, green, blue)).tobytes()
        result.append((image.width, image.height, argb))
    return result


class StatusNotifierItem:
    """The tray icon: ``/StatusNotifierItem`` under the name ``org.kde.StatusNotifierItem-PID-N``.

    Call the setters whenever the daemon's state changes: each tells the host only when its value
    really changed. ``host_present`` says whether a panel shows the item now; ``on_host_change``
    hears when that changes.
    """

    def __init__(
        self,
        bus: Connection,
        item_id: str,
        title: str,
        *,
        menu: DBusMenu | None = None,
        on_activate: Callable[[int, int], None] | None = None,
        on_secondary_activate: Callable[[int, int], None] | None = None,
        on_host_change: Callable[[bool], None] | None = None,
        number: int = 1,
        tasks: TaskSupervisor | None = None,
    ) -> None:
        self.bus = bus
        self.item_id = item_id
        self.title = title
        self.menu = menu
        self.on_activate = on_activate
        self.on_secondary_activate = on_secondary_activate
        self.on_host_change = on_host_change
        self.name = f"org.kde.StatusNotifierItem-{os.getpid()}-{number}"
        self.status = "Active"
        self.icon: list[Pixmap] = []
        self.tooltip: tuple[str, str] = (title, "")
        self.host_present = False
        self.running = False
        self._interface = _ItemInterface(self)
        self._watching = False
        self._watcher_owner: str | None = None
        self._generation = 0  # counts watcher owners, so a late registration knows it is stale
        self._registered = False  # with the current watcher
        self._registration: asyncio.Task[None] | None = None
        self._supervisor = tasks or TaskSupervisor()
        self._tasks: set[asyncio.Task[None]] = set()  # to cancel when the item stops

    # ----- start and stop ---------------------------------------------------------------------

    async def start(self) -> None:
        """Export the item (and its menu), own its name, and register with the watcher if one
        runs; BusError when the item cannot be put on the bus at all."""
        if self.running:
            return
        if self.menu is not None:
            self.menu.export()
        Objects.on(self.bus).export(ITEM_PATH, self._interface)
        self.running = True
        try:
            await self.bus.request_name(self.name, DO_NOT_QUEUE)
            if not self._watching:
                # Watch before asking, so a watcher that starts in between is not missed.
                await watch_signals(
                    self.bus,
                    DBUS_NAME,
                    "NameOwnerChanged",
                    self._on_name_owner,
                    arg0=WATCHER,
                    sender=DBUS_NAME,
                )
                await watch_signals(
                    self.bus, WATCHER, None, self._on_watcher_signal, sender=WATCHER
                )
                self.bus.when_reconnected(self._bus_back)
                self._watching = True
        except BusError:
            await self.stop()
            raise
        await self._find_watcher()

    async def _find_watcher(self) -> None:
        owner = await self._current_watcher()
        if owner is not None and owner != self._watcher_owner:
            self._watcher_appeared(owner)
        elif owner is None:
            log.info("no StatusNotifierWatcher on the bus yet: the tray icon waits for a panel")

    async def registered(self, timeout: float) -> bool:
        """Wait (at most ``timeout`` seconds) for the registration with the watcher that runs;
        whether a panel shows the item now."""
        task = self._registration
        if task is not None and not task.done():
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(task), timeout)
        return self.host_present

    async def stop(self) -> None:
        """Take the item (and its menu) off the bus and give its name back."""
        if not self.running:
            return
        self.running = False
        self._new_watcher(None)
        for task in list(self._tasks):
            task.cancel()
        self.host_present = False
        Objects.on(self.bus).unexport(ITEM_PATH, self._interface)
        if self.menu is not None:
            self.menu.unexport()
        try:
            await self.bus.release_name(self.name)
        except BusError as error:
            log.debug("releasing %s: %s", self.name, error)

    def _bus_back(self) -> None:
        """The bus was lost and is back (its names and match rules are): register again with
        whichever watcher runs now; the item was not shown meanwhile."""
        if not self.running:
            return
        self._new_watcher(None)
        self._set_host_present(False)
        self._spawn(self._find_watcher())

    # ----- what the daemon calls when its state changes -------------------------------------

    def set_icon(self, icon: list[Pixmap]) -> None:
        """A new picture (see :func:`pixmaps`); the attention picture is the same one."""
        if icon != self.icon:
            self.icon = list(icon)
            self._emit("NewIcon")
            self._emit("NewAttentionIcon")

    def set_tooltip(self, title: str, text: str) -> None:
        if (title, text) != self.tooltip:
            self.tooltip = (title, text)
            self._emit("NewToolTip")

    def set_status(self, status: str) -> None:
        """Active, NeedsAttention (a prompt is due) or Passive (a host may hide the item)."""
        if status not in STATUSES:
            raise ValueError(f"a StatusNotifierItem status is one of {STATUSES}, not {status!r}")
        if status != self.status:
            self.status = status
            self._emit("NewStatus", status)

    # ----- the watcher ------------------------------------------------------------------------

    async def _current_watcher(self) -> str | None:
        try:
            (owner,) = await call(
                self.bus, DBUS_NAME, DBUS_PATH, DBUS_NAME, "GetNameOwner", "s", [WATCHER]
            )
        except BusError as error:  # NameHasNoOwner: no panel (yet)
            log.debug("no %s: %s", WATCHER, error)
            return None
        return str(owner) or None

    def _on_name_owner(self, message: Signal) -> None:
        """NameOwnerChanged for the watcher's name: a panel started, stopped or restarted."""
        if not self.running or message.signature != "sss":
            return
        _name, _old, new = message.body
        if new == self._watcher_owner:
            return  # start() found this owner already
        if new:
            self._watcher_appeared(new)
        else:
            log.info("the StatusNotifierWatcher went away: the tray icon waits for a panel")
            self._new_watcher(None)
            self._set_host_present(False)

    def _on_watcher_signal(self, message: Signal) -> None:
        """A host (panel) registered with the watcher or went: ask whether one is there now, or
        register at last if the watcher was not ready for us before."""
        if not self.running or message.sender is None or message.sender != self._watcher_owner:
            return
        if message.member not in ("StatusNotifierHostRegistered", "StatusNotifierHostUnregistered"):
            return
        if self._registered:
            self._spawn(self._refresh_host(self._generation))
        elif self._registration is None or self._registration.done():
            self._registration = self._spawn(self._register(message.sender, self._generation))

    def _watcher_appeared(self, owner: str) -> None:
        self._new_watcher(owner)
        self._registration = self._spawn(self._register(owner, self._generation))

    def _new_watcher(self, owner: str | None) -> None:
        """Forget the registration with the last watcher; work in flight for it goes stale."""
        self._watcher_owner = owner
        self._generation += 1
        self._registered = False
        if self._registration is not None:
            self._registration.cancel()
            self._registration = None

    async def _register(self, owner: str, generation: int) -> None:
        """RegisterStatusNotifierItem with the watcher ``owner``; a few retries, close together,
        for a watcher that owns its name a moment before its object is there (the Haskell
        status-notifier-watcher answers UnknownObject then)."""
        failure: BusError | None = None
        for delay in (0.0, *REGISTER_RETRY_DELAYS):
            await asyncio.sleep(delay)
            try:
                await call(
                    self.bus,
                    owner,
                    WATCHER_PATH,
                    WATCHER,
                    "RegisterStatusNotifierItem",
                    "s",
                    [self.name],
                    timeout=REGISTER_TIMEOUT,
                )
                break
            except BusError as error:
                failure = error
        else:
            if generation == self._generation:
                log.warning("the tray icon could not register with the panel: %s", failure)
                self._set_host_present(False)
            return
        if generation != self._generation:
            return
        log.info("the tray icon registered with the StatusNotifierWatcher %s", owner)
        self._registered = True
        await self._refresh_host(generation)

    async def _refresh_host(self, generation: int) -> None:
        owner = self._watcher_owner
        if owner is None or not self._registered:
            return
        try:
            present = bool(
                await get_property(
                    self.bus, owner, WATCHER_PATH, WATCHER, "IsStatusNotifierHostRegistered"
                )
            )
        except BusError as error:  # a watcher without the property: it took us, so trust it
            log.debug("IsStatusNotifierHostRegistered: %s", error)
            present = True
        if generation == self._generation:
            self._set_host_present(present)

    def _set_host_present(self, present: bool) -> None:
        if present != self.host_present:
            self.host_present = present
            run_callback("host-change", self.on_host_change, present)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run ``coroutine`` on the loop, watched (a failure is logged), until done or stop."""
        task = self._supervisor.start(coroutine, "the tray icon's registration with the panel")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _emit(self, signal: str, *args: object) -> None:
        """Send a signal while on the bus; before start nobody listens."""
        if self.running:
            self._interface.emit(signal, *args)


class _ItemInterface(Interface):
    """org.kde.StatusNotifierItem; every value comes from the item."""

    name = INTERFACE
    signals: ClassVar[dict[str, str]] = {
        "NewTitle": "",
        "NewIcon": "",
        "NewAttentionIcon": "",
        "NewOverlayIcon": "",
        "NewToolTip": "",
        "NewStatus": "s",
    }

    def __init__(self, item: StatusNotifierItem) -> None:
        super().__init__()
        self.item = item

    @dbus_property("s")
    def Category(self) -> str:
        return "ApplicationStatus"

    @dbus_property("s")
    def Id(self) -> str:
        return self.item.item_id

    @dbus_property("s")
    def Title(self) -> str:
        return self.item.title

    @dbus_property("s")
    def Status(self) -> str:
        return self.item.status

    @dbus_property("i")
    def WindowId(self) -> int:
        return 0

    @dbus_property("s")
    def IconThemePath(self) -> str:
        return ""

    @dbus_property("s")
    def IconName(self) -> str:
        return ""

    @dbus_property(PIXMAPS)
    def IconPixmap(self) -> list[Pixmap]:
        return self.item.icon

    @dbus_property("s")
    def AttentionIconName(self) -> str:
        return ""

    @dbus_property(PIXMAPS)
    def AttentionIconPixmap(self) -> list[Pixmap]:
        return self.item.icon

    @dbus_property("s")
    def AttentionMovieName(self) -> str:
        return ""

    @dbus_property("s")
    def OverlayIconName(self) -> str:
        return ""

    @dbus_property(PIXMAPS)
    def OverlayIconPixmap(self) -> list[Pixmap]:
        return []

    @dbus_property("(sa(iiay)ss)")
    def ToolTip(self) -> tuple[str, list[Pixmap], str, str]:
        title, text = self.item.tooltip
        return "", [], title, text

    @dbus_property("b")
    def ItemIsMenu(self) -> bool:
        return False

    @dbus_property("o")
    def Menu(self) -> str:
        return self.item.menu.path if self.item.menu is not None else "/"

    @method("ii")
    def ContextMenu(self, x: int, y: int) -> None:
        # Only hosts that cannot draw dbusmenu ask for this; the item has no menu of its own.
        log.debug("ContextMenu at %d,%d ignored: the menu is for the host to draw", x, y)

    @method("ii")
    def Activate(self, x: int, y: int) -> None:
        run_callback("activate", self.item.on_activate, x, y)

    @method("ii")
    def SecondaryActivate(self, x: int, y: int) -> None:
        run_callback("secondary-activate", self.item.on_secondary_activate, x, y)

    @method("is")
    def Scroll(self, delta: int, orientation: str) -> None:
        direction = orientation.lower()
        if direction not in ("horizontal", "vertical"):
            raise ServiceError(INVALID_ARGS, "orientation is 'horizontal' or 'vertical'")
        # A wheel over the icon does nothing in psoas; the host is answered all the same.
        log.debug("Scroll %d %s ignored", delta, direction)
