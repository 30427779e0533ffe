"""The tray icon as a StatusNotifierItem: what KDE, GNOME's AppIndicator extension, XFCE, waybar and
most Linux panels show, spoken over D-Bus with dbus-fast on the daemon's own loop.

No toolkit and no thread: the item is a few properties (a picture, a tooltip, a status) that the
panel (the "host") reads, signals that tell it when they changed, and the menu
(:class:`reminder.tray.dbusmenu.DBusMenu`) it draws itself. The item registers with the panel's
StatusNotifierWatcher, and again whenever a new watcher appears (the panel restarted); while
there is none it simply waits, and says so through ``on_host_change``.

No ``from __future__ import annotations`` here: dbus-fast reads the D-Bus signatures from the
annotations of the exported interface, and a postponed ``-> None`` would reach it as no signature.
"""

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Annotated, Any

from dbus_fast import DBusError, ErrorType, Message, PropertyAccess
from dbus_fast.annotations import DBusBool, DBusInt32, DBusObjectPath, DBusSignature, DBusStr
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from reminder.bus import (
    DBUS_NAME,
    DBUS_PATH,
    BusError,
    call,
    get_property,
    watch_signals,
)
from reminder.bus_service import NoReplyGuard, run_callback
from reminder.supervisor import TaskSupervisor
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

# The D-Bus signatures of the interface, as dbus-fast reads them from the annotations.
Pixmaps = Annotated[list[Pixmap], DBusSignature("a(iiay)")]
ToolTip = Annotated[tuple[str, list[Pixmap], str, str], DBusSignature("(sa(iiay)ss)")]


def pixmaps(
    draw: Callable[[int], "Image.Image"], sizes: Iterable[int] = ICON_SIZES
) -> list[Pixmap]:
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
        bus: Any,
        item_id: str,
        title: str,
        *,
        menu: DBusMenu | None = None,
        on_activate: Callable[[int, int], None] | None = None,
        on_secondary_activate: Callable[[int, int], None] | None = None,
        on_scroll: Callable[[int, str], None] | None = None,
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
        self.on_scroll = on_scroll
        self.on_host_change = on_host_change
        self.name = f"org.kde.StatusNotifierItem-{os.getpid()}-{number}"
        self.status = "Active"
        self.icon: list[Pixmap] = []
        self.tooltip: tuple[str, str] = (title, "")
        self.host_present = False
        self.running = False
        self._interface = _ItemInterface(self)
        self._guard = NoReplyGuard(
            ITEM_PATH,
            INTERFACE,
            {
                "Activate": ("ii", self._interface.Activate),
                "SecondaryActivate": ("ii", self._interface.SecondaryActivate),
                "ContextMenu": ("ii", self._interface.ContextMenu),
                "Scroll": ("is", self._interface.Scroll),
            },
        )
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
        self.bus.export(ITEM_PATH, self._interface)
        self.bus.add_message_handler(self._guard)
        self.running = True
        try:
            (answer,) = await call(
                self.bus,
                DBUS_NAME,
                DBUS_PATH,
                DBUS_NAME,
                "RequestName",
                "su",
                [self.name, DO_NOT_QUEUE],
            )
            if answer not in (1, 4):
                raise BusError(f"the bus name {self.name} belongs to another program")
            if not self._watching:
                # Watch before asking, so a watcher that starts in between is not missed.
                await watch_signals(
                    self.bus, DBUS_NAME, "NameOwnerChanged", self._on_name_owner, arg0=WATCHER
                )
                await watch_signals(self.bus, WATCHER, None, self._on_watcher_signal)
                self._watching = True
        except BusError:
            await self.stop()
            raise
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
        self.bus.remove_message_handler(self._guard)
        self.bus.unexport(ITEM_PATH, self._interface)
        if self.menu is not None:
            self.menu.unexport()
        if self.bus.connected:
            try:
                await call(
                    self.bus, DBUS_NAME, DBUS_PATH, DBUS_NAME, "ReleaseName", "s", [self.name]
                )
            except BusError as error:
                log.debug("releasing %s: %s", self.name, error)

    # ----- what the daemon calls when its state changes -------------------------------------

    def set_icon(self, icon: list[Pixmap]) -> None:
        """A new picture (see :func:`pixmaps`); the attention picture is the same one."""
        if icon != self.icon:
            self.icon = list(icon)
            self._emit(self._interface.NewIcon)
            self._emit(self._interface.NewAttentionIcon)

    def set_tooltip(self, title: str, text: str) -> None:
        if (title, text) != self.tooltip:
            self.tooltip = (title, text)
            self._emit(self._interface.NewToolTip)

    def set_status(self, status: str) -> None:
        """Active, NeedsAttention (a prompt is due) or Passive (a host may hide the item)."""
        if status not in STATUSES:
            raise ValueError(f"a StatusNotifierItem status is one of {STATUSES}, not {status!r}")
        if status != self.status:
            self.status = status
            self._emit(self._interface.NewStatus, status)

    def set_title(self, title: str) -> None:
        if title != self.title:
            self.title = title
            self._emit(self._interface.NewTitle)

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

    def _on_name_owner(self, message: Message) -> None:
        """NameOwnerChanged for the watcher's name: a panel started, stopped or restarted."""
        if not self.running or message.sender != DBUS_NAME or message.signature != "sss":
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

    def _on_watcher_signal(self, message: Message) -> None:
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

    def _emit(self, signal: Callable[..., object], *args: object) -> None:
        """Send a signal while on a live connection; before start nobody listens."""
        if self.running and self.bus.connected:
            signal(*args)


class _ItemInterface(ServiceInterface):
    """org.kde.StatusNotifierItem as dbus-fast exports it; every value comes from the item."""

    def __init__(self, item: StatusNotifierItem) -> None:
        super().__init__(INTERFACE)
        self.item = item

    @dbus_property(access=PropertyAccess.READ)
    def Category(self) -> DBusStr:
        return "ApplicationStatus"

    @dbus_property(access=PropertyAccess.READ)
    def Id(self) -> DBusStr:
        return self.item.item_id

    @dbus_property(access=PropertyAccess.READ)
    def Title(self) -> DBusStr:
        return self.item.title

    @dbus_property(access=PropertyAccess.READ)
    def Status(self) -> DBusStr:
        return self.item.status

    @dbus_property(access=PropertyAccess.READ)
    def WindowId(self) -> DBusInt32:
        return 0

    @dbus_property(access=PropertyAccess.READ)
    def IconThemePath(self) -> DBusStr:
        return ""

    @dbus_property(access=PropertyAccess.READ)
    def IconName(self) -> DBusStr:
        return ""

    @dbus_property(access=PropertyAccess.READ)
    def IconPixmap(self) -> Pixmaps:
        return self.item.icon

    @dbus_property(access=PropertyAccess.READ)
    def AttentionIconName(self) -> DBusStr:
        return ""

    @dbus_property(access=PropertyAccess.READ)
    def AttentionIconPixmap(self) -> Pixmaps:
        return self.item.icon

    @dbus_property(access=PropertyAccess.READ)
    def AttentionMovieName(self) -> DBusStr:
        return ""

    @dbus_property(access=PropertyAccess.READ)
    def OverlayIconName(self) -> DBusStr:
        return ""

    @dbus_property(access=PropertyAccess.READ)
    def OverlayIconPixmap(self) -> Pixmaps:
        return []

    @dbus_property(access=PropertyAccess.READ)
    def ToolTip(self) -> ToolTip:
        title, text = self.item.tooltip
        return "", [], title, text

    @dbus_property(access=PropertyAccess.READ)
    def ItemIsMenu(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def Menu(self) -> DBusObjectPath:
        return self.item.menu.path if self.item.menu is not None else "/"

    @dbus_method()
    def ContextMenu(self, x: DBusInt32, y: DBusInt32) -> None:
        # Only hosts that cannot draw dbusmenu ask for this; the item has no menu of its own.
        log.debug("ContextMenu at %d,%d ignored: the menu is for the host to draw", x, y)

    @dbus_method()
    def Activate(self, x: DBusInt32, y: DBusInt32) -> None:
        run_callback("activate", self.item.on_activate, x, y)

    @dbus_method()
    def SecondaryActivate(self, x: DBusInt32, y: DBusInt32) -> None:
        run_callback("secondary-activate", self.item.on_secondary_activate, x, y)

    @dbus_method()
    def Scroll(self, delta: DBusInt32, orientation: DBusStr) -> None:
        direction = orientation.lower()
        if direction not in ("horizontal", "vertical"):
            raise DBusError(ErrorType.INVALID_ARGS, "orientation is 'horizontal' or 'vertical'")
        run_callback("scroll", self.item.on_scroll, delta, direction)

    @dbus_signal()
    def NewTitle(self) -> None:
        return None

    @dbus_signal()
    def NewIcon(self) -> None:
        return None

    @dbus_signal()
    def NewAttentionIcon(self) -> None:
        return None

    @dbus_signal()
    def NewOverlayIcon(self) -> None:
        return None

    @dbus_signal()
    def NewToolTip(self) -> None:
        return None

    @dbus_signal()
    def NewStatus(self, status: str) -> DBusStr:
        return status
