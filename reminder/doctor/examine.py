"""``psoas doctor`` from end to end: every look at once, each under its deadline, then the report.

A look that fails, whatever the reason, becomes its part's "cannot tell" line; the report is
always printed and the command ends with status 0. Only a ``--config`` naming no readable file
ends it with status 2, before anything is looked at.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from reminder import __version__
from reminder.catalogue.loader import load_catalogue
from reminder.config import Config
from reminder.doctor import desktop_words, files, looks, words
from reminder.doctor.facts import (
    BusLook,
    ConfigLook,
    EntryLook,
    HistoryLook,
    IdleLook,
    NotificationLook,
    QuietLook,
    RunningLook,
    Session,
    TrayLook,
)
from reminder.doctor.isolate import Late, in_thread, isolated
from reminder.doctor.report import Part, as_json, as_text
from reminder.idle import auto_order, ruled_out
from reminder.paths import config_file, history_file

T = TypeVar("T")


def doctor(config_path: Path | None, as_json_output: bool) -> int:
    """Print the report (as JSON for a bug report); 0 whatever it finds."""
    session, parts = asyncio.run(examine(config_path))
    if as_json_output:
        print(as_json(parts, __version__, session.platform))
    else:
        width = shutil.get_terminal_size((100, 24)).columns
        heading = words.heading(__version__, session)
        print(as_text(parts, heading, words.footer(parts), width))
    return 0


async def examine(config_path: Path | None) -> tuple[Session, list[Part]]:
    """Every part of the report, in the order it is printed."""
    catalogue = load_catalogue()
    try:  # a --config naming no readable file raises ConfigError: exit status 2
        config_look, config = await in_thread(lambda: files.look_config(config_path, catalogue))
    except Late as late:  # a folder on a network that stopped answering
        shown = str(config_path or config_file())
        config_look, config = ConfigLook("broken", shown, f"{shown}: {late}"), Config()
    here = looks.session()
    wanted = config.idle_source
    sources = looks.idle_sources_here()
    if wanted not in (*sources, "auto", "none"):
        sources.append(wanted)  # a source of another system, named in the config: tried too
    ruled = {name: why for name, why in ruled_out().items() if name != wanted}

    async def idle(name: str) -> IdleLook:
        if name in ruled:
            return IdleLook(name, "skipped", why=ruled[name])
        return await guarded(
            isolated(lambda buses: looks.look_idle(name, config.break_seconds, buses)),
            lambda why: IdleLook(name, "failed", why=why),
        )

    async def quiet(name: str) -> QuietLook:
        return await guarded(
            isolated(lambda buses: looks.look_quiet(name, config.quiet.apps, buses)),
            lambda why: QuietLook(name, error=why),
        )

    def entry(look: Callable[[], EntryLook]) -> Awaitable[EntryLook]:
        return guarded(in_thread(look), lambda why: EntryLook("unreadable", "", error=why))

    bus, idle_looks, tray, notes, quiet_looks, history, running, login, menu = await asyncio.gather(
        guarded(in_thread(lambda: asyncio.run(looks.look_bus())), lambda why: BusLook(False, why)),
        asyncio.gather(*map(idle, sources)),
        guarded(isolated(looks.look_tray), lambda why: TrayLook(True, bus=True, error=why)),
        guarded(
            isolated(looks.look_notifications),
            lambda why: NotificationLook(True, bus=True, owned=True, error=why),
        ),
        asyncio.gather(*map(quiet, config.quiet.when)),
        guarded(
            in_thread(files.look_history),
            lambda why: HistoryLook("unreadable", str(history_file()), error=why),
        ),
        guarded(in_thread(files.look_running), lambda why: RunningLook("unreachable", error=why)),
        entry(files.look_autostart),
        entry(files.look_menu_entry),
    )
    return here, [
        words.session_part(here),
        words.bus_part(here, bus),
        *desktop_words.idle_parts(idle_looks, wanted, auto_order(), here),
        desktop_words.tray_part(tray, here, running),
        desktop_words.notifications_part(notes, here, running, config.sound),
        *desktop_words.quiet_parts(quiet_looks, config.quiet.when),
        words.config_part(config_look),
        words.history_part(history),
        words.entry_part("autostart", login),
        words.entry_part("menu", menu),
        words.running_part(running),
    ]


async def guarded(look: Awaitable[T], failed: Callable[[str], T]) -> T:
    """What ``look`` saw, or ``failed(why)`` when it was late or failed."""
    try:
        return await look
    except (OSError, ImportError) as error:  # Late is a TimeoutError, an OSError
        return failed(str(error) or type(error).__name__)
    except Exception as error:  # a fault in one look costs its line, never the report
        return failed(f"{type(error).__name__}: {error}")
