"""macOS's plainer notifications, through AppleScript's ``display notification``.

The second choice on macOS, where the Notification Center will not take notes from this Python
(one outside an app bundle, as pyenv's and uv's are): osascript is on every Mac and posts them in
Script Editor's name. No buttons, and nothing to replace or take down. The title and the text go
to the script as arguments, never into its source, so no quote in them can change what it does.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess

from reminder.notify import Note, NotifyError, last_line

SCRIPT = "on run argv\n  display notification (item 2 of argv) with title (item 1 of argv)\nend run"
#: The same, with one of the sounds every macOS has.
SOUNDING = SCRIPT.replace("(item 1 of argv)", '(item 1 of argv) sound name "Glass"')


class OsascriptNotifier:
    name = "osascript"

    def __init__(self, program: str = "osascript") -> None:
        self.program = program
        self.shortfalls: dict[str, str] = {}  # the Notification Center keeps what it shows

    async def show(self, note: Note) -> None:
        try:
            child = await asyncio.create_subprocess_exec(
                self.program,
                "-e",
                SOUNDING if note.sound else SCRIPT,
                note.title,
                note.body,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError as error:
            raise NotifyError(f"osascript: {error}") from None
        try:
            _, said = await child.communicate()
        except asyncio.CancelledError:  # past the caller's deadline: no osascript is left behind
            with contextlib.suppress(ProcessLookupError):
                child.kill()
            await child.wait()  # at once, once killed: reaped, not left a zombie
            raise
        if child.returncode != 0:
            reason = last_line(said.decode(errors="replace")) or f"exit status {child.returncode}"
            raise NotifyError(f"osascript: {reason}")

    async def withdraw(self, slot: str) -> None:
        return None

    async def withdraw_all(self) -> None:
        return None
