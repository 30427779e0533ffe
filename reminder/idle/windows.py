"""Windows: GetLastInputInfo and GetTickCount through ctypes (no extra package)."""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from reminder.idle.base import AskedSource

TICK_WRAP = 2**32  # both counters are 32-bit milliseconds and wrap after ~49.7 days


def idle_from_ticks(now_ticks: int, last_input_ticks: int) -> float:
    """Seconds between two 32-bit millisecond tick readings, across a wrap-around."""
    return ((now_ticks - last_input_ticks) % TICK_WRAP) / 1000.0


class _LastInputInfo(ctypes.Structure):
    _fields_ = (("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint32))


class WindowsIdleSource(AskedSource):
    name = "windows"

    def __init__(self) -> None:
        if sys.platform != "win32":
            raise OSError("the windows idle source needs Windows")
        self._user32 = ctypes.windll.user32  # type: ignore[attr-defined]
        self._kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        self._kernel32.GetTickCount.restype = ctypes.c_uint32

    async def idle_seconds(self) -> float:
        info = _LastInputInfo(ctypes.sizeof(_LastInputInfo), 0)
        if not self._user32.GetLastInputInfo(ctypes.byref(info)):
            raise OSError("GetLastInputInfo failed")
        return idle_from_ticks(self._kernel32.GetTickCount(), info.dwTime)


async def open_source(buses: Any, break_seconds: float) -> WindowsIdleSource:
    return WindowsIdleSource()
