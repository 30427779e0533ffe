"""Notifiers: the desktop's notification server through plyer, and the terminal when that fails.

A missing notification server must never stop the reminder: :class:`FallbackNotifier` says once,
plainly, what was lost, shows the text in the terminal instead, and goes back to the desktop as soon
as it answers again.
"""

from __future__ import annotations

import contextlib
import html
import io
import logging
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, TextIO

from reminder import APP_NAME

log = logging.getLogger(__name__)


Action = tuple[str, str]


class NotifyError(Exception):
    """The notification could not be shown; the message says why in a few words."""


class Notifier(Protocol):
    name: str

    def notify(
        self, title: str, body: str, slot: str | None = None, actions: Sequence[Action] = ()
    ) -> None:
        """Show a notification or raise NotifyError.

        Notifications in the same ``slot`` replace each other where the notifier can; ``actions``
        are (key, label) buttons, offered where the notifier can.
        """
        ...


class PlyerNotifier:
    """Desktop notifications through plyer (D-Bus on Linux, toasts on Windows, macOS centre)."""

    name = "plyer"

    def __init__(self, icon: Path | None = None, timeout: int = 20) -> None:
        self.icon = icon
        self.timeout = timeout
        self._markup = sys.platform.startswith("linux")  # freedesktop servers may read markup

    def notify(
        self, title: str, body: str, slot: str | None = None, actions: Sequence[Action] = ()
    ) -> None:
        if self._markup:
            title, body = html.escape(title, quote=False), html.escape(body, quote=False)
        chatter = io.StringIO()
        try:
            from plyer import notification

            # plyer prints tracebacks and warnings of its own; keep them out of the user's terminal.
            with (
                warnings.catch_warnings(),
                contextlib.redirect_stderr(chatter),
                contextlib.redirect_stdout(chatter),
            ):
                warnings.simplefilter("ignore")
                notification.notify(
                    title=title,
                    message=body,
                    app_name=APP_NAME,
                    app_icon=str(self.icon) if self.icon else "",
                    timeout=self.timeout,
                )
        except Exception as error:  # plyer lets any backend error through: D-Bus, COM, ...
            reason = _first_line(str(error)) or type(error).__name__
            raise NotifyError(reason) from error
        if chatter.getvalue().strip():
            log.debug("plyer said: %s", chatter.getvalue().strip())


class TerminalNotifier:
    """The last resort: a bell and a line on the terminal."""

    name = "terminal"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def notify(
        self, title: str, body: str, slot: str | None = None, actions: Sequence[Action] = ()
    ) -> None:
        stream = self.stream or sys.stderr
        try:
            stream.write(f"\a{APP_NAME}: {title}\n    {body}\n")
            stream.flush()
        except (OSError, ValueError) as error:  # a closed or vanished terminal
            raise NotifyError(f"terminal: {error}") from error


class FallbackNotifier:
    """Tries the desktop first, then the terminal; reports each change of fortune once."""

    def __init__(self, primary: Notifier, fallback: Notifier) -> None:
        self.primary = primary
        self.fallback = fallback
        self._failing = False

    @property
    def name(self) -> str:
        return self.fallback.name if self._failing else self.primary.name

    def notify(
        self, title: str, body: str, slot: str | None = None, actions: Sequence[Action] = ()
    ) -> None:
        try:
            self.primary.notify(title, body, slot, actions)
        except NotifyError as error:
            if not self._failing:
                log.warning(
                    "desktop notifications failed (%s); showing them in the terminal until "
                    "the notification server answers again",
                    error,
                )
                self._failing = True
            try:
                self.fallback.notify(title, body)
            except NotifyError as second:
                log.error("could not show a notification anywhere: %s", second)
            return
        if self._failing:
            log.warning("desktop notifications work again")
            self._failing = False


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
