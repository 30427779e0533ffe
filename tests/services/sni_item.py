"""A psoas tray icon on its own, for the StatusNotifierItem tests: the real item and menu modules,
the real menu (``build_menu``) and icon (``draw_icon``), with the daemon replaced by a log.

    python sni_item.py LOG

Every action of the menu, every activation and every host change appends one line to LOG
("send StretchNow()", "activate 12 30", "host True"...). It prints "started" once the item is on
the bus, and answers SIGUSR1 by changing the menu's structure (a routine under way: the menu
loses Snooze and the rest) and SIGUSR2 by changing only the status line's words. SIGTERM stops
it cleanly (stop() then exit 0).
"""

import asyncio
import signal
import sys
from pathlib import Path

from reminder.bus import connect
from reminder.catalogue.loader import load_catalogue
from reminder.tray.dbusmenu import DBusMenu
from reminder.tray.icon import draw_icon, look_for
from reminder.tray.menu import MenuState, build_menu
from reminder.tray.sni import StatusNotifierItem, pixmaps


class LoggingActions:
    """The menu's actions: each writes what it was asked to the log instead of doing it."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def write(self, line: str) -> None:
        with self.log.open("a") as out:
            out.write(line + "\n")

    def send(self, command: object) -> None:
        self.write(f"send {command!r}")

    def quit(self) -> None:
        self.write("quit")

    def show_chart(self) -> None:
        self.write("chart")

    def open_config(self) -> None:
        self.write("config")

    def open_settings(self) -> None:
        self.write("settings")


async def main(log: Path) -> None:
    bus = await connect()
    actions = LoggingActions(log)
    catalogue = load_catalogue()
    shown = {"state": "sitting", "line": "Sitting since 09:00 · stretch at 10:00", "shows": 0}

    def refresh() -> None:
        state = MenuState(shown["state"], shown["line"], "Today: 2 h 10 min sat", "Kneeling_lunge")
        menu.set_items(build_menu(state, catalogue, (5, 15), 1.0, actions))

    def about_to_show() -> None:
        shown["shows"] += 1
        actions.write(f"about-to-show {shown['shows']}")
        refresh()

    menu = DBusMenu(bus, on_about_to_show=about_to_show)
    item = StatusNotifierItem(
        bus,
        "psoas",
        "psoas",
        menu=menu,
        on_activate=lambda x, y: actions.write(f"activate {x} {y}"),
        on_secondary_activate=lambda x, y: actions.write(f"secondary {x} {y}"),
        on_host_change=lambda present: actions.write(f"host {present}"),
    )
    refresh()
    item.set_icon(pixmaps(lambda size: draw_icon(look_for("sitting", 0.6), size)))
    item.set_tooltip("psoas", "Sitting 36 min - stretch in 24 min")
    await item.start()
    print("started", item.name, flush=True)

    def routine() -> None:
        shown["state"] = "routine"
        refresh()

    def new_words() -> None:
        shown["line"] = "Sitting since 09:00 · stretch at 10:05"
        refresh()

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, routine)
    loop.add_signal_handler(signal.SIGUSR2, new_words)
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    await stopping.wait()
    await item.stop()
    bus.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
