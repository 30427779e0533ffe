"""Busy while the user is in a call: the microphone is recording ("call") or the camera is on
("camera"). Two signals, so that a machine without pactl still sees its camera.

- The microphone: PulseAudio (or PipeWire's pulse server) lists an application recording from a
  source that is not a ``.monitor`` of a speaker (recording what the machine plays is not a
  call). ``pactl list short`` is read, the format every version and pipewire-pulse share.
- The camera: a process of this user holds a ``/dev/video*`` device open, as /proc/PID/fd shows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reminder.busy.base import BusySignal
from reminder.busy.probe import COMMAND_TIMEOUT, command_output
from reminder.busy.procs import GONE_OR_HIDDEN, PROC, SCAN_DEADLINE, current_uid, own_processes
from reminder.system.offloop import OffLoop

#: The path the kernel shows for an open video4linux device (cameras, capture cards).
VIDEO_DEVICE = re.compile(r"/dev/video[0-9]+")
#: The client column of a recording the sound server makes itself (echo-cancel, loopback).
NO_CLIENT = "-"


class MicrophoneSignal:
    name = "call"
    subject = "you are in a call"

    def __init__(self, pactl: str = "pactl", timeout: float = COMMAND_TIMEOUT) -> None:
        self._pactl = pactl
        self._timeout = timeout

    async def busy(self) -> str | None:
        recordings = await self._list("source-outputs")
        if not recordings.strip():
            return None  # nothing records: no need to ask which sources are microphones
        sources = await self._list("sources")
        return "call" if microphone_in_use(recordings, sources) else None

    async def _list(self, kind: str) -> str:
        return await command_output([self._pactl, "list", "short", kind], self._timeout)


def microphone_in_use(source_outputs: str, sources: str) -> bool:
    """Whether an application records from a source that is not a monitor, from the tab-separated
    lines of ``pactl list short source-outputs`` (index, source, client, driver, format) and
    ``pactl list short sources`` (index, name, driver, format, state)."""
    names = {}
    for line in sources.splitlines():
        fields = line.split("\t")
        if len(fields) >= 2:
            names[fields[0]] = fields[1]
    for line in source_outputs.splitlines():
        fields = line.split("\t")
        if len(fields) < 3 or fields[2] == NO_CLIENT:
            continue
        name = names.get(fields[1])
        if name is not None and not name.endswith(".monitor"):
            return True
    return False


class CameraSignal:
    name = "call"
    subject = "your camera is on"

    def __init__(self, proc_root: Path = PROC, uid: int | None = None) -> None:
        self._proc_root = proc_root
        self._uid = uid
        self._scan = OffLoop(f"the scan of {proc_root} for a camera", SCAN_DEADLINE)

    async def busy(self) -> str | None:
        uid = current_uid() if self._uid is None else self._uid
        holder = await self._scan.call(camera_holder, self._proc_root, uid)
        return "camera" if holder is not None else None

    def close(self) -> None:
        self._scan.close()


def camera_holder(proc_root: Path, uid: int) -> int | None:
    """The id of a process of ``uid`` that holds a video device open, or None."""
    for folder in own_processes(proc_root, uid):
        try:
            descriptors = list(os.scandir(folder / "fd"))
        except GONE_OR_HIDDEN:
            continue
        for descriptor in descriptors:
            try:
                target = os.readlink(descriptor.path)
            except GONE_OR_HIDDEN:
                continue
            if VIDEO_DEVICE.fullmatch(target):
                return int(folder.name)
    return None


async def open_signals(buses: Any, apps: Sequence[str]) -> list[BusySignal]:
    return [MicrophoneSignal(), CameraSignal()]
