"""The tray on Linux: a StatusNotifierItem with its menu over D-Bus, drawn by the desktop's panel.

KDE Plasma, GNOME with the AppIndicator extension, XFCE, Cinnamon, LXQt, Budgie and waybar all
draw these, on X11 and Wayland alike, with no toolkit in psoas at all: everything here runs on the
daemon's loop. While no panel is there the item waits, and shows as soon as one starts.
"""

from __future__ import annotations

import logging
from typing import Any

from reminder.paths import cache_dir
from reminder.tray.dbusmenu import DBusMenu
from reminder.tray.front import TrayFront
from reminder.tray.icon import IconLook
from reminder.tray.kept_pixmaps import KeptPixmaps
from reminder.tray.menu import Item, default_item
from reminder.tray.model import TrayModel
from reminder.tray.sni import StatusNotifierItem

log = logging.getLogger(__name__)


class SniTray(TrayFront):
    """The item and its menu, kept in step with the daemon."""

    needs_main_thread = False
    name = "StatusNotifierItem"

    def __init__(self, model: TrayModel, bus: Any) -> None:
        super().__init__(model)
        self.menu = DBusMenu(bus, on_about_to_show=self.refresh_menu)
        self.item = StatusNotifierItem(
            bus,
            "psoas",
            "psoas",
            menu=self.menu,
            on_activate=lambda x, y: self._activate(),
            on_host_change=self._host_changed,
            tasks=model.tasks,
        )
        self.pictures = KeptPixmaps(cache_dir())
        self._host_said = False

    async def start(self) -> None:
        """Put the item on the bus (BusError if it cannot be); a panel shows it once one runs."""
        self.draw()
        await self.item.start()
        if not await self.item.registered(timeout=1.0):
            log.warning(
                "no tray host on this desktop yet (nothing draws StatusNotifierItems); the icon "
                "appears when one starts, and notifications work meanwhile"
            )
            self._host_said = True

    async def stop(self) -> None:
        await self.item.stop()

    # ----- how it shows them (reminder.tray.front.TrayFront) -----------------------------------

    def show_icon(self, look: IconLook) -> None:
        self.item.set_icon(self.pictures.of(look))

    def show_words(self, tooltip: str, attention: bool) -> None:
        self.item.set_tooltip("psoas", tooltip)
        self.item.set_status("NeedsAttention" if attention else "Active")

    def show_menu(self, items: tuple[Item, ...]) -> None:
        self.menu.set_items(items)

    def _activate(self) -> None:
        """A left click does what the menu's default item does, as pystray's trays do."""
        item = default_item(self.model.menu())
        if item is not None and item.action is not None:
            item.action()

    def _host_changed(self, present: bool) -> None:
        if present and self._host_said:
            log.warning("a tray host is here: the icon shows")
            self._host_said = False
        elif not present and not self._host_said:
            log.warning("the tray host went away; the icon comes back with the next one")
            self._host_said = True
