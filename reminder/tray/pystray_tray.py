"""The tray through pystray: Windows, macOS, and panels that only speak XEmbed.

pystray runs its toolkit in a thread of its own (the GUI thread): the toolkit is imported, the
icon built and every toolkit call made there; the daemon's loop only sets pystray's properties,
which pystray hands over to that thread (GTK's idle queue, Win32 messages). Menu callbacks only
queue a command on the daemon's loop, so the menu never waits on anything. macOS wants its GUI on
the main thread: there the daemon's loop runs in pystray's setup thread instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from reminder.tray.front import TrayFront
from reminder.tray.icon import IconLook, draw_icon
from reminder.tray.menu import Item
from reminder.tray.model import TrayModel, TrayUnavailable

log = logging.getLogger(__name__)

#: What an XEmbed-only panel needs for pystray to show a menu there.
INSTALL_HINT = (
    "for a tray on an XEmbed-only panel (trayer, i3bar, polybar, stalonetray) install the xembed "
    "extra: pip install 'psoas[xembed]' (it builds PyGObject: apt install gcc pkg-config "
    "libgirepository1.0-dev libcairo2-dev gir1.2-ayatanaappindicator3-0.1)"
)


def load_pystray() -> Any:
    """pystray with a backend that has a menu, or TrayUnavailable saying why not."""
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        raise TrayUnavailable("no X display (DISPLAY is not set)")
    try:
        import pystray
    except Exception as error:  # pystray raises whatever its backends raise on import
        raise TrayUnavailable(f"no tray backend could start ({error}); {INSTALL_HINT}") from None
    if not pystray.Icon.HAS_MENU:
        raise TrayUnavailable(f"only pystray's menu-less backend is available; {INSTALL_HINT}")
    return pystray


def _toolkit_warnings_to_the_log() -> None:
    """GTK's own warnings (Gdk-CRITICAL and the like) go to psoas's log, never the terminal."""
    if "gi" not in sys.modules:
        return
    from gi.repository import GLib

    def to_log(domain: str | None, level: object, message: str, *_: object) -> None:
        log.debug("%s: %s", domain or "GLib", message)

    levels = GLib.LogLevelFlags.LEVEL_MASK | GLib.LogLevelFlags.FLAG_RECURSION
    for domain in ("Gdk", "Gtk", "GLib", "GLib-GObject", "GLib-GIO", "libayatana-appindicator"):
        GLib.log_set_handler(domain, levels, to_log, None)


class PystrayTray(TrayFront):
    """The tray through pystray: a picture of the sitting clock and the menu of everything."""

    #: macOS runs its GUI on the main thread only.
    needs_main_thread = sys.platform == "darwin"

    def __init__(self, model: TrayModel, pystray: Any = None) -> None:
        super().__init__(model)
        self._pystray = pystray
        self._items: tuple[Item, ...] = ()
        self.icon: Any = None
        self.name = "pystray"

    def _build(self) -> None:
        """Import the toolkit and make the icon: on the thread that will run it."""
        self.pystray = self._pystray or load_pystray()
        _toolkit_warnings_to_the_log()
        self._items = self.model.menu()
        self._look = self.model.look()
        self.icon = self.pystray.Icon(
            "psoas", self._picture(self._look), self.model.tooltip(), self._menu(self._items)
        )
        self.name = f"pystray {type(self.icon).__module__.rsplit('_', 1)[-1]}"

    # ----- running ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the GUI thread and wait until the icon is up; TrayUnavailable if it cannot be."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def settle(error: TrayUnavailable | None) -> None:
            if ready.done():
                return
            if error is None:
                ready.set_result(None)
            else:
                ready.set_exception(error)

        def gui() -> None:
            try:
                self._build()
            except TrayUnavailable as error:
                loop.call_soon_threadsafe(settle, error)
                return
            except Exception as error:  # a boundary: a toolkit failing must cost the tray only
                log.debug("the tray could not start", exc_info=True)
                loop.call_soon_threadsafe(settle, TrayUnavailable(f"pystray failed: {error}"))
                return
            loop.call_soon_threadsafe(settle, None)
            self.icon.run()

        threading.Thread(target=gui, name="tray", daemon=True).start()
        await ready

    async def stop(self) -> None:
        if self.icon is not None:
            self.icon.stop()

    def run_on_main_thread(self, serve: Callable[[], None]) -> None:
        """macOS: the GUI takes this (main) thread; ``serve`` runs the daemon's loop beside it."""
        self._build()

        def setup(icon: Any) -> None:
            icon.visible = True
            try:
                serve()
            finally:
                icon.stop()

        self.icon.run(setup=setup)

    # ----- how it shows them (reminder.tray.front.TrayFront), handed to the GUI thread --------

    def show_icon(self, look: IconLook) -> None:
        if self.icon is not None:
            self.icon.icon = self._picture(look)

    def show_words(self, tooltip: str, attention: bool) -> None:
        if self.icon is not None:
            self.icon.title = tooltip  # pystray has no "needs attention": the ring says it

    def show_menu(self, items: tuple[Item, ...]) -> None:
        """Give pystray a new menu only when it changed: each one is rebuilt whole by GTK."""
        if self.icon is not None and items != self._items:
            self._items = items
            self.icon.menu = self._menu(items)

    def _picture(self, look: IconLook) -> Any:
        return draw_icon(look, 64)

    def _menu(self, items: tuple[Item, ...]) -> Any:
        """The model's menu in pystray's terms."""
        item, menu = self.pystray.MenuItem, self.pystray.Menu

        def convert(entry: Item) -> Any:
            if entry.separator:
                return menu.SEPARATOR
            if entry.children:
                return item(entry.label, menu(*map(convert, entry.children)))
            action = entry.action
            return item(
                entry.label,
                (lambda *_: action()) if action else None,
                enabled=entry.enabled,
                default=entry.default,
            )

        return menu(*map(convert, items))
