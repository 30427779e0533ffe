"""The tray model put to work without a daemon: for the tests of what its items do."""

from __future__ import annotations

from reminder.tray.model import Backend, HistoryView, TrayModel


class Nobody:
    """A daemon that takes no command: the tray's items reach nothing."""

    def submit_threadsafe(self, command: object) -> None: ...

    def stop_threadsafe(self) -> None: ...


def connected(
    model: TrayModel, history: HistoryView | None = None, daemon: object = None
) -> list[tuple[str, str]]:
    """Connect ``model`` (on the running loop) to ``daemon`` (else :class:`Nobody`) and
    ``history``; the list of what it tells the user, (title, body) each."""
    told: list[tuple[str, str]] = []
    model.connect(
        Backend(daemon or Nobody(), history, lambda title, body: told.append((title, body)))  # type: ignore[arg-type]
    )
    return told
