"""One command vocabulary: the command line, the control channel, scenario files, the tray's menu
and the notification buttons all name a command as reminder.core.commands does, with the same
argument and the same default."""

from __future__ import annotations

import argparse
from dataclasses import replace

import pytest
from e2e import in_process

from reminder import words
from reminder.cli.main import ROUTINE_CONTROLS, build_parser
from reminder.control.protocol import REQUESTS, Request, decode_request
from reminder.core import commands as cmd
from reminder.replay.scenario import SCENARIO_COMMANDS, ScenarioEvent, command_of, parse_scenario
from reminder.tray.menu import Item, MenuState, build_menu

ROUTINES = ("desk", "floor")


class _Recorder:
    """What the menu's items do: the commands they send, and nothing else."""

    def __init__(self) -> None:
        self.sent: list[cmd.Command] = []

    def send(self, command: cmd.Command) -> None:
        self.sent.append(command)

    def quit(self) -> None: ...

    def show_chart(self) -> None: ...

    def open_config(self) -> None: ...

    def open_settings(self) -> None: ...


def _with_argument(spec: cmd.CommandSpec) -> tuple[dict, object]:
    """A request's fields for ``spec`` with an argument, and the argument the core gets."""
    if spec.argument == "minutes":
        return {"minutes": 7}, 7.0
    if spec.argument == "routine":
        return {"name": "floor"}, "floor"
    return {}, None


@pytest.mark.parametrize("name", list(cmd.COMMANDS))
def test_every_command_travels_the_control_channel_by_its_name(name):
    spec = cmd.COMMANDS[name]
    fields, argument = _with_argument(spec)
    request = decode_request(Request(name, **fields).to_line(), ROUTINES)
    assert request.command == name
    command = cmd.named(request.command, request.argument)
    assert type(command) is spec.kind
    if argument is not None:
        assert getattr(command, spec.argument) == argument
    bare = decode_request(Request(name).to_line(), ROUTINES)  # no argument: the default
    assert cmd.named(bare.command, bare.argument) == spec.kind()


def test_the_channel_knows_the_cores_commands_and_only_status_and_quit_besides():
    assert set(REQUESTS) - set(cmd.COMMANDS) == {"status", "quit"}


def test_the_default_routine_is_the_same_on_every_surface():
    default = cmd.StartRoutine().routine
    assert cmd.spec_of(cmd.StartRoutine).default == default
    sent = decode_request(b'{"command": "routine"}\n', ROUTINES)
    assert cmd.named(sent.command, sent.argument) == cmd.StartRoutine(default)
    played = parse_scenario("09:00 active\n09:10 routine\n10:00 end\n", "day.txt", ROUTINES)
    assert command_of(played.events[1]) == cmd.StartRoutine(default)
    parsed = build_parser().parse_args(["routine"])
    assert parsed.name == default
    assert f"default: {default}" in in_process("routine", "--help").stdout
    (routine_button,) = [key for key, _ in words.prompt_buttons(5) if key == "routine"]
    assert cmd.named(routine_button) == cmd.StartRoutine(default)


def test_every_command_can_be_given_on_the_command_line():
    """A top-level command each, but the routine's controls: flags of ``psoas routine``."""
    (commands,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    flags = {cmd.name_of(kind) for _, kind, _ in ROUTINE_CONTROLS}
    assert set(cmd.COMMANDS) <= set(commands.choices) | flags
    parsed = build_parser().parse_args(["stretch-now"])
    assert parsed.handler is not None


def test_every_scenario_command_is_the_command_of_its_name():
    commands = {cmd.COMMANDS[name].kind for name in SCENARIO_COMMANDS.values()}
    assert commands == {spec.kind for spec in cmd.COMMANDS.values()}
    for event, name in SCENARIO_COMMANDS.items():
        played = command_of(ScenarioEvent(0, event, None, 1))
        assert played == cmd.named(name)
    # "resume" in a scenario is the machine waking up; ending a pause has its own word.
    assert command_of(ScenarioEvent(0, "resume", None, 1)) is None
    assert command_of(ScenarioEvent(0, "resume-reminders", None, 1)) == cmd.ResumeReminders()
    assert command_of(ScenarioEvent(0, "snooze", "15", 1)) == cmd.Snooze(15.0)


@pytest.mark.parametrize(
    "state", ["sitting", "paused", "routine", "routine-paused", "sitting-desk", "standing"]
)
def test_every_menu_item_that_sends_a_command_is_keyed_by_its_name(catalogue, state):
    shown = MenuState(state.split("-")[0], "status", None, "Bridge")
    shown = replace(
        shown,
        routine_paused=state.endswith("-paused"),
        desk=state in ("sitting-desk", "standing"),
        standing=state == "standing",
    )
    doers = _Recorder()

    def click_all(items: tuple[Item, ...]) -> None:
        for item in items:
            click_all(item.children)
            if item.action is None or item.key in ("chart", "settings", "open-config", "quit"):
                continue
            item.action()
            (sent,) = doers.sent[-1:]
            assert item.key.split("/")[0] == cmd.name_of(type(sent)), item

    click_all(build_menu(shown, catalogue, (5, 10), 1.0, doers))
    assert doers.sent


def test_every_button_sends_the_command_it_is_keyed_by():
    keys = [key for key, _ in words.prompt_buttons(5, stand=True)]
    keys += [key for paused in (False, True) for key, _ in words.routine_buttons(paused)]
    keys += [key for key, _ in words.sit_buttons()]
    assert {type(cmd.named(key)) for key in keys} == {
        cmd.Done,
        cmd.Stand,
        cmd.Sit,
        cmd.Snooze,
        cmd.StartRoutine,
        cmd.PauseRoutine,
        cmd.ResumeRoutine,
        cmd.SkipStep,
        cmd.CancelRoutine,
    }
    assert "snooze" not in {key for key, _ in words.prompt_buttons(5, snooze=False)}


def test_every_command_on_the_command_line_is_named_as_the_table_names_it():
    parser = build_parser()
    sub = next(action for action in parser._actions if action.dest == "command")
    offered = set(sub.choices)
    for name in ("snooze", "done", "skip", "stand", "sit", "pause", "resume", "routine"):
        assert name in offered and name in cmd.COMMANDS
    for flag in ("--pause", "--resume", "--next", "--stop"):
        control = parser.parse_args(["routine", flag]).control
        assert control in cmd.COMMANDS and control != "routine"
