"""Shared helpers: play a day through the real core, build configs from TOML text."""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from strangers import STRANGER

from reminder.catalogue.loader import load_catalogue
from reminder.catalogue.model import Catalogue
from reminder.config import Config, parse_config
from reminder.scenario import parse_scenario
from reminder.simulate import run_scenario, simulate

#: Working hours that never close, for tests that run at whatever time it is.
EVERY_DAY = (
    '[hours]\ndays = ["mon","tue","wed","thu","fri","sat","sun"]\nstart = "00:00"\nend = "24:00"\n'
)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


def make_config(text: str = "", catalogue: Catalogue | None = None) -> Config:
    catalogue = catalogue or load_catalogue()
    return parse_config(textwrap.dedent(text), "test.toml", stretch_ids=list(catalogue.stretches))


def play(
    scenario: str, config: str = "", catalogue: Catalogue | None = None, stats: bool = False
) -> list[dict]:
    """The notifications of a day, as ``psoas simulate`` prints them (``--stats``: then the
    day's figures)."""
    catalogue = catalogue or load_catalogue()
    parsed = parse_scenario(textwrap.dedent(scenario), "day.txt", list(catalogue.routines))
    return simulate(parsed, make_config(config, catalogue), catalogue, stats=stats)


def play_events(scenario: str, config: str = "", catalogue: Catalogue | None = None) -> list:
    """Every event the core reported over the day."""
    catalogue = catalogue or load_catalogue()
    parsed = parse_scenario(textwrap.dedent(scenario), "day.txt", list(catalogue.routines))
    return run_scenario(parsed, make_config(config, catalogue), catalogue)


def prompts(records: list[dict]) -> list[tuple[str, float]]:
    """(time, sitting minutes) of each prompt."""
    return [(r["time"], r["sitting_minutes"]) for r in records if r["kind"] == "prompt"]


@pytest.fixture
def stranger_home() -> Iterator[Path]:
    """A home the test can hand to another user: pytest's own tmp folders are private to root."""
    home = Path(tempfile.mkdtemp(prefix="psoas-stranger-"))
    if os.getuid() == 0:
        os.chown(home, STRANGER, STRANGER)
    yield home
    for folder, _, _ in os.walk(home):
        os.chmod(folder, 0o700)
    shutil.rmtree(home)


#: A figure standing with its near foot stepped back: pose data that loads, for catalogues
#: written in tests.
STANDING_JOINTS: dict[str, tuple[float, float]] = {
    "head": (66.5, 82.5),
    "neck": (66.5, 71.5),
    "near_shoulder": (67, 69.5),
    "near_elbow": (56, 57),
    "near_hand": (68.5, 48.5),
    "near_hip": (70, 42.5),
    "near_knee": (55.5, 24.5),
    "near_ankle": (41.5, 7.5),
    "near_toe": (48, 1),
    "far_shoulder": (67.5, 69.5),
    "far_elbow": (57.5, 56.5),
    "far_hand": (70.5, 49),
    "far_hip": (70.5, 43),
    "far_knee": (86, 26),
    "far_ankle": (88, 4),
    "far_toe": (98.5, 1),
}


def pose_toml(
    steps: str,
    main: bool = True,
    stretched: str = "near",
    joints: dict[str, tuple[float, float]] | None = None,
) -> str:
    """A ``[[stretch.pose]]`` block for a catalogue written in a test (default: standing)."""
    lines = [
        "[[stretch.pose]]",
        f"steps = {steps}",
        f"main = {'true' if main else 'false'}",
        f'stretched = "{stretched}"',
        "[stretch.pose.joints]",
        *(f"{name} = [{x}, {y}]" for name, (x, y) in (joints or STANDING_JOINTS).items()),
    ]
    return "\n".join(lines) + "\n"

