"""Shared fixtures and helpers: every test's private environment, the virtual desktop, a day
played through the real core, configs from TOML text.

Every test runs in a private environment (:func:`private_env`, autouse): its own HOME and XDG
folders under its ``tmp_path``, a session bus address that leads nowhere and no display. It is set
in ``os.environ`` itself, so every ``psoas`` a test starts (in process or as a subprocess)
inherits it and can never reach the user's own psoas, config, history or desktop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from desktop import ARTIFACTS, Desktop
from desktop_processes import ELSEWHERE
from e2e import kill_leftovers
from strangers import STRANGER
from wayland_desktop import Compositor, KWin, Sway

from reminder.catalogue.loader import load_catalogue
from reminder.catalogue.model import Catalogue
from reminder.config import Config, parse_config
from reminder.language import choose as choose_language
from reminder.replay.scenario import parse_scenario
from reminder.replay.simulate import run_scenario, simulate

C = TypeVar("C", bound=Compositor)

#: Working hours that never close, for tests that run at whatever time it is.
EVERY_DAY = (
    '[hours]\ndays = ["mon","tue","wed","thu","fri","sat","sun"]\nstart = "00:00"\nend = "24:00"\n'
)

# ----- the private environment ------------------------------------------------------------------

#: The environment the test run was started in, before any test changed it.
OUTER_ENV = dict(os.environ)

#: What is dropped from the outer environment: anything that leads to the user's session, desktop,
#: bus, folders or running psoas.
_DROPPED_PREFIXES = ("XDG_", "DBUS_", "WAYLAND_", "AT_SPI_")
_DROPPED = (
    "DISPLAY",
    "XAUTHORITY",
    "SESSION_MANAGER",
    "DESKTOP_SESSION",
    "APPDATA",
    # The tests read psoas's English: the language is pinned by LANG below, and a test that
    # wants another sets LANG (or the config's language) itself.
    "LANGUAGE",
    "LC_ALL",
    "LC_MESSAGES",
)


@dataclass(frozen=True)
class Private:
    """A test's private folders (all under its ``tmp_path``) and the environment naming them."""

    home: Path
    config: Path  # XDG_CONFIG_HOME
    data: Path  # XDG_DATA_HOME
    state: Path  # XDG_STATE_HOME
    cache: Path  # XDG_CACHE_HOME
    runtime: Path  # XDG_RUNTIME_DIR: the control socket and the one-psoas lock live here
    env: dict[str, str]

    @property
    def history(self) -> Path:
        return self.data / "psoas" / "history.sqlite3"

    @property
    def log(self) -> Path:
        return self.state / "psoas" / "log" / "psoas.log"


def private_environment(root: Path) -> Private:
    """The outer environment without the user's session, with folders of its own under ``root``
    (created: the runtime folder must exist, or psoas would fall back to a shared one in /tmp)."""
    runtime = root / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {
        key: value
        for key, value in OUTER_ENV.items()
        if not key.startswith(_DROPPED_PREFIXES) and key not in _DROPPED
    }
    env |= {
        "HOME": str(root),
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_DATA_HOME": str(root / "data"),
        "XDG_STATE_HOME": str(root / "state"),
        "XDG_CACHE_HOME": str(root / "cache"),
        "XDG_RUNTIME_DIR": str(runtime),
        # A bus that is not there: nothing of the user's session is ever asked (nor the system's).
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={root}/no-session-bus",
        "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={root}/no-system-bus",
        "PYTHONUNBUFFERED": "1",
        "LANG": "C.UTF-8",
    }
    return Private(
        home=root,
        config=root / "config",
        data=root / "data",
        state=root / "state",
        cache=root / "cache",
        runtime=runtime,
        env=env,
    )


@pytest.fixture(autouse=True)
def private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Private]:
    """Every test, in process and in every process it starts, sees only its own folders; a
    psoas the test started and left running (it failed half way) is killed after it."""
    private = private_environment(tmp_path)
    for key in list(os.environ):
        if key not in private.env:
            monkeypatch.delenv(key)
    for key, value in private.env.items():
        monkeypatch.setenv(key, value)
    choose_language("en")  # an in-process psoas a test ran in another language is not kept
    with _logger_kept("reminder"):
        yield private
    choose_language("en")
    kill_leftovers()


@contextlib.contextmanager
def _logger_kept(name: str) -> Iterator[None]:
    """A test that runs a command in process (a terminal routine sets up psoas's logging: its
    level, its handlers, no propagation) leaves the logger as it found it for the next test,
    whose ``caplog`` would otherwise miss records."""
    logger = logging.getLogger(name)
    level, propagate, handlers = logger.level, logger.propagate, list(logger.handlers)
    try:
        yield
    finally:
        for handler in logger.handlers:
            if handler not in handlers:
                handler.close()
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


@pytest.fixture
def env(private_env: Private) -> dict[str, str]:
    """The private environment as a dict, for a subprocess (a copy: change it freely)."""
    return dict(private_env.env)


# ----- the virtual desktop ---------------------------------------------------------------------

#: The fixtures that start a private desktop or bus: a test that uses one is marked ``desktop``.
DESKTOP_FIXTURES = ("desktop", "private_bus", "sway", "kwin")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """In CI (``CI`` set) a skipped test fails, naming why it would have skipped: a missing tool,
    no root, no namespace must never pass unnoticed. Only skips about the operating system
    (:data:`ELSEWHERE`) stay skips."""
    outcome = yield
    report = outcome.get_result()
    if "CI" not in os.environ or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if ELSEWHERE not in reason:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which must run every test: {reason}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse to run a test that starts a desktop without the ``desktop`` mark: the quick suite
    (``-m "not desktop"``) must never start one, and ``-m desktop`` must select all of them."""
    unmarked = [
        item.nodeid
        for item in items
        if set(DESKTOP_FIXTURES) & set(getattr(item, "fixturenames", ()))
        and item.get_closest_marker("desktop") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests use a desktop fixture but are not marked desktop: " + ", ".join(unmarked)
        )


def _desktop(request: pytest.FixtureRequest, display: bool) -> Iterator[Desktop]:
    failures_before = request.session.testsfailed
    with Desktop(display=display) as desk:
        yield desk
        if request.session.testsfailed > failures_before:
            slug = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            desk.keep_logs(ARTIFACTS / "desktop-logs" / slug)


@pytest.fixture
def desktop(request: pytest.FixtureRequest) -> Iterator[Desktop]:
    """A fresh virtual desktop per test (Xvfb, private bus, bus monitor); see tests/desktop.py.

    Start dunst and trayer with ``desktop.start_dunst()`` / ``desktop.start_tray_host()``, a
    StatusNotifierItem panel with ``desktop.start_sni_host()`` (``stop_sni_host()`` to restart it).
    When the test fails, the logs of every process are copied to tests/artifacts/desktop-logs/.
    """
    yield from _desktop(request, display=True)


@pytest.fixture
def private_bus(request: pytest.FixtureRequest) -> Iterator[Desktop]:
    """Only a private session bus (no X, no monitor): for tests that speak D-Bus and nothing
    else. ``bus_address`` is its address; processes started with ``spawn`` are killed at the end.
    """
    yield from _desktop(request, display=False)


def _compositor(request: pytest.FixtureRequest, kind: type[C]) -> Iterator[C]:
    failures_before = request.session.testsfailed
    with kind() as compositor:
        yield compositor
        if request.session.testsfailed > failures_before:
            slug = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            compositor.keep_logs(ARTIFACTS / "desktop-logs" / slug)


@pytest.fixture
def sway(request: pytest.FixtureRequest) -> Iterator[Sway]:
    """Headless sway per test (tests/wayland_desktop.py): ``socket``, ``env_for_client()``,
    ``globals()``, ``type(text)`` for real input, ``spawn`` for a client as sway's user."""
    yield from _compositor(request, Sway)


@pytest.fixture
def kwin(request: pytest.FixtureRequest) -> Iterator[KWin]:
    """Headless KWin per test (tests/wayland_desktop.py); no virtual input."""
    yield from _compositor(request, KWin)


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
