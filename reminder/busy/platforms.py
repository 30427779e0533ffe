"""Do-not-disturb and fullscreen on Windows and macOS: the smallest reading each system offers.

- Windows: ``SHQueryUserNotificationState`` (shell32, documented) says whether Windows itself
  would hold back a notification now: quiet time or presentation mode (taken as do-not-disturb),
  a fullscreen or Direct3D exclusive app (fullscreen). Focus Assist's own switch has no documented
  reading (only an undocumented WNF state), so it is not read: with Focus Assist on and none of
  the above, psoas counts the user as not busy.
- macOS: Focus (do-not-disturb) has no documented way for an ordinary program to read it
  (INFocusStatusCenter needs an app bundle with a Communication Notifications entitlement), nor
  does a fullscreen app: both raise OSError, which the combiner logs once as "cannot tell".

The shell answers SHQueryUserNotificationState from Explorer's state, and a hung Explorer can
keep it waiting: each Windows signal asks from a worker of its own, under a deadline.
"""

from __future__ import annotations

import ctypes
import sys

from reminder.system.offloop import OffLoop

# QUERY_USER_NOTIFICATION_STATE, shellapi.h
QUNS_NOT_PRESENT = 1  # a screensaver, a locked machine or fast user switching
QUNS_BUSY = 2  # a fullscreen application
QUNS_RUNNING_D3D_FULL_SCREEN = 3
QUNS_PRESENTATION_MODE = 4
QUNS_ACCEPTS_NOTIFICATIONS = 5
QUNS_QUIET_TIME = 6  # the first hour after a new user first signs in: Windows asks for quiet
QUNS_APP = 7  # a Windows Store app in fullscreen

DND_STATES = frozenset({QUNS_PRESENTATION_MODE, QUNS_QUIET_TIME})
FULLSCREEN_STATES = frozenset({QUNS_BUSY, QUNS_RUNNING_D3D_FULL_SCREEN, QUNS_APP})

MACOS_FOCUS = "not readable here: macOS offers no documented way for a program to read Focus"
MACOS_FULLSCREEN = "not readable here: macOS offers no documented way to ask for a fullscreen app"
#: A shell call that answers at once; past this, Explorer is not answering.
SHELL_DEADLINE = 0.3


def notification_state() -> int:
    """Windows' QUERY_USER_NOTIFICATION_STATE now; OSError elsewhere or when the call fails."""
    if sys.platform != "win32":
        raise OSError("SHQueryUserNotificationState needs Windows")
    state = ctypes.c_int(0)
    result = ctypes.windll.shell32.SHQueryUserNotificationState(  # type: ignore[attr-defined]
        ctypes.byref(state)
    )
    if result != 0:
        raise OSError(f"SHQueryUserNotificationState failed (HRESULT {result & 0xFFFFFFFF:#010x})")
    return state.value


class WindowsDnd:
    name = "dnd"
    subject = "do-not-disturb is on"

    def __init__(self) -> None:
        self._shell = OffLoop("Windows' notification state", SHELL_DEADLINE)

    async def busy(self) -> str | None:
        return "dnd" if await self._shell.call(notification_state) in DND_STATES else None

    def close(self) -> None:
        self._shell.close()


class WindowsFullscreen:
    name = "fullscreen"
    subject = "a window is fullscreen"

    def __init__(self) -> None:
        self._shell = OffLoop("Windows' notification state", SHELL_DEADLINE)

    async def busy(self) -> str | None:
        state = await self._shell.call(notification_state)
        return "fullscreen" if state in FULLSCREEN_STATES else None

    def close(self) -> None:
        self._shell.close()


class MacDnd:
    name = "dnd"
    subject = "do-not-disturb is on"

    async def busy(self) -> str | None:
        raise OSError(MACOS_FOCUS)


class MacFullscreen:
    name = "fullscreen"
    subject = "a window is fullscreen"

    async def busy(self) -> str | None:
        raise OSError(MACOS_FULLSCREEN)
