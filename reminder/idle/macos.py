"""macOS: CGEventSourceSecondsSinceLastEventType from CoreGraphics, through ctypes."""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import sys
from typing import Any

from reminder.idle.base import AskedSource

HID_SYSTEM_STATE = 1  # kCGEventSourceStateHIDSystemState: input from the hardware
ANY_INPUT_EVENT = 0xFFFFFFFF  # kCGAnyInputEventType


def checked_seconds(value: float) -> float:
    """CoreGraphics answers in seconds (a double); reject what cannot be a duration."""
    if not math.isfinite(value) or value < 0:
        raise OSError(f"CGEventSourceSecondsSinceLastEventType gave {value!r}")
    return float(value)


class MacIdleSource(AskedSource):
    name = "macos"

    def __init__(self) -> None:
        if sys.platform != "darwin":
            raise OSError("the macos idle source needs macOS")
        path = ctypes.util.find_library("CoreGraphics") or ctypes.util.find_library(
            "ApplicationServices"
        )
        if not path:
            raise OSError("CoreGraphics not found")
        self._since = ctypes.cdll.LoadLibrary(path).CGEventSourceSecondsSinceLastEventType
        self._since.restype = ctypes.c_double
        self._since.argtypes = (ctypes.c_int32, ctypes.c_uint32)

    async def idle_seconds(self) -> float:
        return checked_seconds(self._since(HID_SYSTEM_STATE, ANY_INPUT_EVENT))


async def open_source(buses: Any, break_seconds: float) -> MacIdleSource:
    return MacIdleSource()
