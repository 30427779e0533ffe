"""The one place a tray is chosen and started, or found missing and said so once.

On Linux a StatusNotifierItem (every current panel draws them), unless the panel only speaks
XEmbed and pystray's extra is installed; elsewhere pystray.
"""

from __future__ import annotations

import contextlib
import logging
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
#: Opening the display and one question: tens of milliseconds on a server that answers.
X_DEADLINE = 1.0


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
    # Only now what the question needs: a StatusNotifierItem desktop never loads it.
    from reminder.system.offloop import NoAnswer, OffLoop
    from reminder.tray.pystray_tray import xembed_host_present

    x = OffLoop("the X display", X_DEADLINE)  # python-xlib waits for a server that may not answer
    try:
        return await x.call(xembed_host_present)
    except NoAnswer as error:
        log.info("XEmbed tray check: %s", error)
        return False
    finally:
        x.close()


def _xembed_tray(model: TrayModel) -> PystrayTray | None:
    """pystray's tray for an XEmbed-only panel, or None (said why) without its extra."""
    import importlib.util

    from reminder.tray.pystray_tray import INSTALL_HINT, PystrayTray

    if importlib.util.find_spec("gi") is None or importlib.util.find_spec("pystray") is None:
        log.warning("this panel only shows XEmbed icons: %s", INSTALL_HINT)
        return None
    return PystrayTray(model)
