"""The tray on Linux: a StatusNotifierItem with its menu over D-Bus, drawn by the desktop's panel.

KDE Plasma, GNOME with the AppIndicator extension, XFCE, Cinnamon, LXQt, Budgie and waybar all
draw these, on X11 and Wayland alike, with no toolkit in psoas at all: everything here runs on the
daemon's loop. While no panel is there the item waits, and shows as soon as one starts.
"""

from __future__ import annotations

import logging
from typing import Any

from reminder.core import events as ev
from reminder.core.status import Status
from reminder.paths import cache_dir
from reminder.tray.dbusmenu import DBusMenu
from reminder.tray.icon import IconLook
from reminder.tray.kept_pixmaps import KeptPixmaps
from reminder.tray.menu import default_item
from reminder.tray.model import TrayModel
from reminder.tray.sni import StatusNotifierItem

log = logging.getLogger(__name__)


class SniTray:
    """The item and its menu, kept in step with the daemon."""

    needs_main_thread = False
    name = "StatusNotifierItem"

    def __init__(self, model: TrayModel, bus: Any) -> None:
        self.model = model
        self.menu = DBusMenu(bus, on_about_to_show=self._refresh_menu)
        self.item = StatusNotifierItem(
            bus,
            "psoas",
            "psoas",
            menu=self.menu,
            on_activate=lambda x, y: self._activate(),
            on_host_change=self._host_changed,
            tasks=model.tasks,
        )
        self._look: IconLook | None = None
        self.pictures = KeptPixmaps(cache_dir())
        self.redraws = 0
        self._host_said = False
        model.on_change = self._refresh_menu

    async def start(self) -> None:
        """Put the item on the bus (BusError if it cannot be); a panel shows it once one runs."""
        self._draw()
        await self.item.start()
        if not await self.item.registered(timeout=1.0):
            log.warning(
                "no tray host on this desktop yet (nothing draws StatusNotifierItems); the icon "
                "appears when one starts, and notifications work meanwhile"
            )
            self._host_said = True

    async def stop(self) -> None:
        await self.item.stop()

    # ----- following the daemon (reminder.core.observer.Observer) ------------------------------

    def seen(self, events: list[ev.Event], status: Status) -> None:
        self.model.seen(events, status)
        self._draw()

    def next_wakeup(self, now: float) -> float | None:
        return self.model.next_wakeup(now)

    def _draw(self) -> None:
        look = self.model.look()
        if look != self._look:
            self._look = look
            self.redraws += 1
            self.item.set_icon(self.pictures.of(look))
        self.item.set_tooltip("psoas", self.model.tooltip())
        self.item.set_status("NeedsAttention" if self.model.needs_attention() else "Active")
        self._refresh_menu()

    def _activate(self) -> None:
        """A left click does what the menu's default item does, as pystray's trays do."""
        item = default_item(self.model.menu())
        if item is not None and item.action is not None:
            item.action()

    def _refresh_menu(self) -> None:
        self.menu.set_items(self.model.menu())

    def _host_changed(self, present: bool) -> None:
        if present and self._host_said:
            log.warning("a tray host is here: the icon shows")
            self._host_said = False
        elif not present and not self._host_said:
            log.warning("the tray host went away; the icon comes back with the next one")
            self._host_said = True
