"""The one place a tray is chosen and started, or found missing and said so once.

On Linux a StatusNotifierItem (every current panel draws them), unless the panel only speaks
XEmbed and pystray's extra is installed; elsewhere pystray.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from reminder.bus import BusError, desktop_over_dbus, name_has_owner
from reminder.tray.model import TrayUnavailable

if TYPE_CHECKING:
    from reminder.bus import Buses
    from reminder.tray.front import TrayFront
    from reminder.tray.model import TrayModel
    from reminder.tray.pystray_tray import PystrayTray

log = logging.getLogger(__name__)

SNI_WATCHER = "org.kde.StatusNotifierWatcher"
#: Opening the display, and each question: milliseconds on a server that answers.
X_DEADLINE = 0.5


async def start_tray(model: TrayModel, buses: Buses) -> TrayFront | None:
    """The tray for this desktop, started; or None after saying once, plainly, why there is none."""
    tray: Any
    try:
        if desktop_over_dbus():
            if buses.session is None:
                log.info("no tray icon: no D-Bus session bus for a StatusNotifierItem")
                return None  # said already, with everything else the missing bus costs
            tray = _xembed_tray(model) if await _xembed_only(buses) else None
            if tray is None:
                from reminder.tray.sni_tray import SniTray

                tray = SniTray(model, buses.session)
        else:
            from reminder.tray.pystray_tray import PystrayTray

            tray = PystrayTray(model)
        await tray.start()
    except (TrayUnavailable, BusError) as error:
        log.warning("no tray icon: %s; running headless (notifications only)", error)
        return None
    log.info("tray: %s", tray.name)
    return tray


async def _xembed_only(buses: Buses) -> bool:
    """An XEmbed tray (trayer, stalonetray...) runs and no StatusNotifierItem host does.

    The bus is asked first: where a StatusNotifierItem host runs (nearly everywhere), the X
    display is never opened (that alone takes 30 ms of a start that should show the icon soonest).
    """
    with contextlib.suppress(BusError):
        if await name_has_owner(buses.session, SNI_WATCHER):
            return False
    return await xembed_host_present()


async def xembed_host_present(environ: Mapping[str, str] | None = None) -> bool:
    """Whether an XEmbed system tray (trayer, stalonetray, i3bar...) runs on this X display: the
    owner of its ``_NET_SYSTEM_TRAY_S<screen>`` selection. False, said why in the log, when the
    display cannot be read in time."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux") or not env.get("DISPLAY"):
        return False
    # Only now what the question needs: a StatusNotifierItem desktop never loads it.
    from reminder.bus import x11

    try:
        display = x11.parse_display(env.get("DISPLAY"))
        connection = await x11.connect(display, X_DEADLINE, env)
    except x11.X11Error as error:
        log.info("XEmbed tray check: %s", error)
        return False
    try:
        return await connection.selection_owner(f"_NET_SYSTEM_TRAY_S{display.screen}") != 0
    except x11.X11Error as error:
        log.info("XEmbed tray check: %s", error)
        return False
    finally:
        connection.close()


def _xembed_tray(model: TrayModel) -> PystrayTray | None:
    """pystray's tray for an XEmbed-only panel, or None (said why) without its extra."""
    import importlib.util

    from reminder.tray.pystray_tray import INSTALL_HINT, PystrayTray

    if importlib.util.find_spec("gi") is None or importlib.util.find_spec("pystray") is None:
        log.warning("this panel only shows XEmbed icons: %s", INSTALL_HINT)
        return None
    return PystrayTray(model)
