"""Small, deadline-bound looks that the busy signals share: a short command's output, which names
are owned on the bus, one D-Bus property. Each is made only when a prompt is due, never polled.

Failures come out as OSError with a few words saying why, so the combiner can log them once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
from collections.abc import Sequence
from typing import Any

from reminder.bus import DBUS_NAME, DBUS_PATH, PROPERTIES, BusError, call, short, unwrap

#: A D-Bus call made for a busy signal: the whole check must stay well under a second.
BUS_TIMEOUT = 0.3
#: A short command (pactl, gsettings): starting a process costs more than a bus call.
COMMAND_TIMEOUT = 0.4


async def command_output(argv: Sequence[str], timeout: float = COMMAND_TIMEOUT) -> str:
    """What ``argv`` prints (no shell, C locale); OSError naming the program when it is not
    installed, fails or does not finish within ``timeout`` (then it is killed)."""
    program = argv[0]
    if shutil.which(program) is None:
        raise OSError(f"no {program} on PATH")
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=os.environ | {"LC_ALL": "C"},
        )
    except OSError as error:
        raise OSError(f"{program} could not start ({error.strerror or error})") from None
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        raise OSError(f"{program} gave no answer within {timeout:g} s") from None
    finally:
        # Late, or the caller gave up on us (cancelled): never leave the command running.
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    if process.returncode != 0:
        complaint = short(err.decode(errors="replace")) if err.strip() else "no message"
        raise OSError(f"{program} failed (exit status {process.returncode}: {complaint})")
    return out.decode(errors="replace")


async def owned_names(bus: Any, timeout: float = BUS_TIMEOUT) -> set[str]:
    """Every name owned on the bus right now: one call, and no service is ever started by it
    (asking an activatable name directly would launch its daemon)."""
    (names,) = await call(bus, DBUS_NAME, DBUS_PATH, DBUS_NAME, "ListNames", timeout=timeout)
    return set(names)


async def optional_property(
    bus: Any, name: str, path: str, interface: str, prop: str, timeout: float = BUS_TIMEOUT
) -> Any | None:
    """A property's value; None when the service answers that it has no such interface or
    property (this desktop does not offer it). Raises BusError when it does not answer."""
    try:
        (variant,) = await call(
            bus, name, path, PROPERTIES, "Get", "ss", [interface, prop], timeout=timeout
        )
    except BusError as error:
        if error.error_name is not None:
            return None
        raise
    return unwrap(variant)
