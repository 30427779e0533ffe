"""What every tray front-end does with the model, written once: follow the daemon, redraw the
picture only when it changes, show the words, refresh the menu, and take up the Today line when
the history answers. Each front-end (a StatusNotifierItem, pystray) fills in how it shows them.
"""

from __future__ import annotations

from reminder.config import Config
from reminder.core import events as ev
from reminder.core.status import Status
from reminder.tray.icon import IconLook
from reminder.tray.menu import Item
from reminder.tray.model import Backend, TrayModel


class TrayFront:
    """A tray front-end: the model's picture, words and menu, shown its own way.

    It follows the daemon (reminder.core.observer.Observer); the app connects it to what runs
    behind the icon (:meth:`connect`) and hands it a new config (:meth:`reconfigure`).
    """

    name = "tray"

    def __init__(self, model: TrayModel) -> None:
        self.model = model
        self._look: IconLook | None = None

    # ----- what a front-end shows, its own way --------------------------------------------------

    def show_icon(self, look: IconLook) -> None:
        """Show a new picture (only called when it changed)."""
        raise NotImplementedError

    def show_words(self, tooltip: str, attention: bool) -> None:
        """Show the tooltip, and whether a prompt waits for the user."""
        raise NotImplementedError

    def show_menu(self, items: tuple[Item, ...]) -> None:
        """Show the menu as it stands now."""
        raise NotImplementedError

    # ----- the same for every front-end -------------------------------------------------------

    def connect(self, backend: Backend) -> None:
        """psoas runs behind the icon now: the menu's items reach it."""
        self.model.connect(backend)
        self.refresh_menu()

    def reconfigure(self, config: Config) -> None:
        """The user's config changed: the menu's choices and the ring follow it."""
        self.model.reconfigure(config)
        self.draw()

    def seen(self, events: list[ev.Event], status: Status) -> None:
        """After each wake-up of the daemon: draw what changed; the Today line follows when the
        history answers, if anything happened (or a new day began)."""
        if self.model.seen(events, status):
            self.model.tasks.start(self._follow_today(), "reading today's figures for the tray")
        self.draw()

    def next_wakeup(self, now: float) -> float | None:
        return self.model.next_wakeup(now)

    def draw(self) -> None:
        look = self.model.look()
        if look != self._look:
            self._look = look
            self.show_icon(look)
        self.show_words(self.model.tooltip(), self.model.needs_attention())
        self.refresh_menu()

    def refresh_menu(self) -> None:
        self.show_menu(self.model.menu())

    async def _follow_today(self) -> None:
        if await self.model.read_today():
            self.refresh_menu()
