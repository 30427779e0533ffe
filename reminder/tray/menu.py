"""The tray's menu as plain data: what it holds in a given state, whoever draws it.

The StatusNotifierItem tray exports it over D-Bus (com.canonical.dbusmenu) and the pystray tray
turns it into pystray's items; both build it here, from the daemon's status, so the two menus can
never drift apart. Every item has a stable ``key``: a host that clicks an item by its id while the
menu changes underneath still reaches the item it meant, or none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from reminder.catalogue.model import Catalogue
from reminder.core import commands as cmd
from reminder.language import SOURCE, _, speaking
from reminder.words import PROMPT_BUTTONS, SIT_BUTTON, pause_choice, routine_length, snooze_choice

#: What "Pause reminders" offers, in minutes; None: until working hours start on a later day.
PAUSE_MINUTES: tuple[float | None, ...] = (30, 60, 120, None)


@dataclass(frozen=True)
class Item:
    """One entry: a label to click, a line to read (no action), a submenu or a separator."""

    key: str
    label: str = ""
    action: Callable[[], None] | None = field(default=None, compare=False, repr=False)
    enabled: bool = True
    default: bool = False  # what a left click on the icon does, where the host allows
    children: tuple[Item, ...] = ()
    separator: bool = False


def default_item(items: tuple[Item, ...]) -> Item | None:
    """The item a left click on the icon stands for, if the menu has one now (none during a
    routine, say, where a click must not start a prompt)."""
    return next((item for item in items if item.default and item.enabled and item.action), None)


def separator(key: str) -> Item:
    return Item(key, separator=True)


class MenuActions(Protocol):
    """What the menu's items do: a front-end supplies these (each returns at once)."""

    def send(self, command: cmd.Command) -> None: ...

    def quit(self) -> None: ...

    def show_chart(self) -> None: ...

    def open_config(self) -> None: ...

    def open_settings(self) -> None: ...


@dataclass(frozen=True)
class MenuState:
    """Everything the menu's words depend on."""

    state: str  # Status.state
    status_line: str
    today: str | None  # None: no history, so no Today line and no chart
    next_stretch_name: str
    routine_paused: bool = False
    desk: bool = False  # the user has a sit-stand desk: they may say they stand
    standing: bool = False  # ... and they stand now


def build_menu(
    state: MenuState,
    catalogue: Catalogue,
    snooze_minutes: tuple[float, ...],
    routine_pace: float,
    actions: MenuActions,
) -> tuple[Item, ...]:
    """The menu for ``state``: items that make no sense now are left out, not greyed."""

    def send(command: cmd.Command) -> Callable[[], None]:
        return lambda: actions.send(command)

    def asks(command: cmd.Command, label: str, **more: bool) -> Item:
        """The item that sends ``command``, keyed by the command's name."""
        return Item(cmd.name_of(type(command)), label, send(command), **more)

    def choices(kind: type[cmd.Command], label: str, children: tuple[Item, ...]) -> Item:
        return Item(cmd.name_of(kind), label, children=children)

    in_routine = state.state == "routine"
    items: list[Item] = [Item("status", state.status_line, enabled=False)]
    if state.today is not None:  # how today went; it opens the week's chart
        items.append(Item("today", state.today, actions.show_chart))
    items.append(separator("sep-top"))
    if in_routine:
        if state.routine_paused:
            items.append(asks(cmd.ResumeRoutine(), _("Resume routine")))
        else:
            items.append(asks(cmd.PauseRoutine(), _("Pause routine")))
        items += [
            asks(cmd.SkipStep(), _("Next step")),
            asks(cmd.CancelRoutine(), _("Stop routine")),
        ]
    else:
        # Keyed by what they say in English: the config check lets no two choices say the same.
        snooze, routine = cmd.name_of(cmd.Snooze), cmd.name_of(cmd.StartRoutine)
        snoozes = tuple(
            Item(f"{snooze}/{_english(snooze_choice, m)}", snooze_choice(m), send(cmd.Snooze(m)))
            for m in snooze_minutes
        )
        routines = tuple(
            Item(
                f"{routine}/{r.id}",
                f"{r.name} ({routine_length(r, routine_pace)})",
                send(cmd.StartRoutine(r.id)),
            )
            for r in catalogue.routines.values()
        )
        items += [
            asks(
                cmd.StretchNow(),
                _("Stretch now: {stretch}").format(stretch=state.next_stretch_name),
                default=True,
            ),
            asks(cmd.Done(), _("I stretched")),
            *_posture(state, asks),
            choices(cmd.Snooze, _("Snooze"), snoozes),
            choices(cmd.StartRoutine, _("Start routine"), routines),
            asks(cmd.Skip(), _("Skip this break")),
        ]
    if state.state == "paused":
        items.append(asks(cmd.ResumeReminders(), _("Resume reminders")))
    else:
        pause = cmd.name_of(cmd.Pause)
        pauses = tuple(
            Item(
                f"{pause}/{_english(pause_choice, minutes)}",
                pause_choice(minutes),
                send(cmd.Pause(minutes)),
            )
            for minutes in PAUSE_MINUTES
        )
        items.append(choices(cmd.Pause, _("Pause reminders"), pauses))
    items.append(separator("sep-bottom"))
    if state.today is not None:
        items.append(Item("chart", _("This week's chart"), actions.show_chart))
    items += [
        Item("settings", _("Settings…"), actions.open_settings),
        Item("open-config", _("Open config"), actions.open_config),
        Item("quit", _("Quit"), actions.quit),
    ]
    return tuple(items)


def _posture(state: MenuState, asks: Callable[[cmd.Command, str], Item]) -> list[Item]:
    """At a sit-stand desk: I'll stand, or I sat down while standing."""
    if state.standing:
        return [asks(cmd.Sit(), _(SIT_BUTTON))]
    if state.desk:
        return [asks(cmd.Stand(), _(PROMPT_BUTTONS[cmd.Stand]))]
    return []


def _english(say: Callable[[float], str], minutes: float | None) -> str:
    """A choice as English says it, for a key that stays the same in every language."""
    with speaking(SOURCE):
        return say(minutes)  # type: ignore[arg-type]


def find(items: tuple[Item, ...], key: str) -> Item | None:
    """The item with ``key`` anywhere in the menu."""
    for item in items:
        if item.key == key:
            return item
        found = find(item.children, key)
        if found is not None:
            return found
    return None
