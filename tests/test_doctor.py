"""``psoas doctor`` in parts: the verdicts from what was seen, the report's two shapes, the
deadline that keeps a blocked look from holding the report, and the looks at psoas's own files
(real files in the test's private folders). The desktops themselves: test_doctor_desktop.py."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from e2e import in_process

from reminder.catalogue.loader import load_catalogue
from reminder.config.checks import ConfigError
from reminder.core import events as ev
from reminder.doctor import desktop_words, examine, files, words
from reminder.doctor.facts import (
    ConfigLook,
    EntryLook,
    HistoryLook,
    IdleLook,
    NotificationLook,
    QuietLook,
    RunningLook,
    Session,
    SignalAnswer,
    TrayLook,
)
from reminder.doctor.isolate import Late, in_thread, isolated
from reminder.doctor.report import VERDICTS, Part, as_json, as_text
from reminder.history.store import HistoryStore
from reminder.idle import auto_order
from reminder.install import autostart

X11 = Session("linux", "x11", display=":0", desktop="XFCE", bus_address="unix:path=/bus")
GNOME_WAYLAND = Session(
    "linux", "wayland", display=":0", wayland_display="wayland-0", desktop="ubuntu:GNOME"
)
SWAY = Session("linux", "wayland", wayland_display="wayland-1", desktop="sway")
NOT_RUNNING = RunningLook("not running")


def read(name: str, seconds: float = 3.0) -> IdleLook:
    return IdleLook(name, "read", seconds)


def failed(name: str, why: str = "it did not answer") -> IdleLook:
    return IdleLook(name, "failed", why=why)


def by_name(parts: list[Part]) -> dict[str, Part]:
    return {part.name: part for part in parts}


# ----- idle ----------------------------------------------------------------------------------


def test_idle_uses_the_first_source_of_the_order_that_answered():
    looks = [
        IdleLook("x11", "skipped", why="a Wayland session"),
        read("wayland"),
        read("gnome"),
        failed("freedesktop"),
    ]
    order = auto_order({"WAYLAND_DISPLAY": "w", "XDG_CURRENT_DESKTOP": "GNOME"}, "linux")
    parts = by_name(desktop_words.idle_parts(looks, "auto", order, GNOME_WAYLAND))
    assert parts["idle"].verdict == "works"
    assert parts["idle"].facts["uses"] == "gnome"  # GNOME keeps Mutter's monitor first
    assert [parts[f"idle.{n}"].verdict for n in ("x11", "wayland", "gnome", "freedesktop")] == [
        "skipped",
        "works",
        "works",
        "missing",
    ]
    assert "3 s since the last input" in parts["idle.gnome"].detail
    assert parts["idle.freedesktop"].detail == "it did not answer"


def test_no_idle_source_says_every_minute_counts_and_what_the_desktop_lacks():
    looks = [IdleLook("x11", "skipped", why="Wayland"), failed("wayland"), failed("gnome")]
    (summary, *_) = desktop_words.idle_parts(
        looks, "auto", ["wayland", "gnome", "freedesktop"], SWAY
    )
    assert (summary.verdict, summary.facts["uses"]) == ("missing", "none")
    assert "every minute psoas runs counts as sitting" in summary.detail
    assert "ext_idle_notifier_v1" in summary.advice
    (gnome, *_) = desktop_words.idle_parts(looks, "auto", ["gnome", "wayland"], GNOME_WAYLAND)
    assert "org.gnome.Mutter.IdleMonitor" in gnome.advice


def test_a_named_source_that_fails_points_to_auto_and_what_it_would_use():
    # In the registry's order; outside GNOME auto takes freedesktop before gnome.
    looks = [failed("x11", "no X display"), read("gnome"), read("freedesktop")]
    (summary, *_) = desktop_words.idle_parts(looks, "x11", ["x11", "freedesktop", "gnome"], X11)
    assert summary.verdict == "missing"
    assert 'idle_source = "x11"' in summary.detail
    assert summary.advice == 'set idle_source = "auto" in your config (psoas would use freedesktop)'
    (off, *_) = desktop_words.idle_parts(looks, "none", ["x11", "freedesktop", "gnome"], X11)
    assert off.verdict == "off"
    assert "freedesktop" in off.advice


# ----- tray ----------------------------------------------------------------------------------


def panel(host: bool | None = True, items: dict[str, int | None] | None = None) -> TrayLook:
    return TrayLook(
        True,
        bus=True,
        watcher=":1.4",
        watcher_program="plasmashell",
        watcher_pid=400,
        host_registered=host,
        items=items or {},
    )


def test_the_tray_says_whether_the_running_psoas_is_on_the_panel():
    running = RunningLook("running", {"pid": 77, "tray": "StatusNotifierItem"})
    on_it = desktop_words.tray_part(
        panel(items={"org.kde.StatusNotifierItem-77-1": 77}), X11, running
    )
    assert on_it.verdict == "works"
    assert "plasmashell, pid 400" in on_it.detail
    assert "running psoas's icon is on it" in on_it.detail
    away = desktop_words.tray_part(panel(items={":1.9/StatusNotifierItem": 12}), X11, running)
    assert away.verdict == "limited"
    assert "not registered" in away.detail
    alone = desktop_words.tray_part(panel(), X11, NOT_RUNNING)
    assert (alone.verdict, alone.advice) == ("works", "")
    assert alone.facts["uses"] == "StatusNotifierItem"


def test_no_panel_on_gnome_asks_for_the_appindicator_extension():
    watcher_only = desktop_words.tray_part(panel(host=False), GNOME_WAYLAND, NOT_RUNNING)
    assert watcher_only.verdict == "missing"
    assert "AppIndicator" in watcher_only.advice
    nothing = desktop_words.tray_part(
        TrayLook(True, bus=True, xembed=False), GNOME_WAYLAND, NOT_RUNNING
    )
    assert nothing.verdict == "missing"
    assert "gnome-shell-extension-appindicator" in nothing.advice
    elsewhere = desktop_words.tray_part(TrayLook(True, bus=True, xembed=False), X11, NOT_RUNNING)
    assert "AppIndicator" not in elsewhere.advice
    assert "system tray" in elsewhere.advice


def test_an_xembed_only_panel_needs_the_xembed_extra():
    without = desktop_words.tray_part(TrayLook(True, bus=True, xembed=True), X11, NOT_RUNNING)
    assert without.verdict == "missing"
    assert "psoas[xembed]" in without.advice
    assert without.facts["uses"] == "StatusNotifierItem"  # which waits for a panel
    with_gtk = TrayLook(True, bus=True, xembed=True, xembed_menu=True)
    on_trayer = desktop_words.tray_part(with_gtk, X11, NOT_RUNNING)
    assert (on_trayer.verdict, on_trayer.facts["uses"]) == ("works", "pystray")
    nothing = desktop_words.tray_part(TrayLook(True), X11, NOT_RUNNING)
    assert (nothing.verdict, nothing.facts["uses"]) == ("missing", "none")


# ----- notifications -------------------------------------------------------------------------


def server(*capabilities: str) -> NotificationLook:
    return NotificationLook(
        True,
        bus=True,
        owned=True,
        program="dunst",
        pid=5,
        server=("dunst", "knopwob", "1.9.0", "1.2"),
        capabilities=capabilities,
    )


def test_notifications_name_the_server_and_what_it_can_and_cannot_do():
    full = desktop_words.notifications_part(server("actions", "icon-static", "body-markup"), X11)
    assert full.verdict == "works"
    assert full.detail == (
        "dunst 1.9.0 by knopwob (pid 5): with buttons, pictures and markup; without sound; it "
        "does not promise to keep a prompt until you answer it (no persistence): psoas asks it "
        "to, and says so in its log if it takes one down by itself"
    )
    assert full.facts["capabilities"] == ["actions", "icon-static", "body-markup"]
    plain = desktop_words.notifications_part(server("body"), X11)
    assert plain.verdict == "limited"
    assert "psoas done" in plain.advice
    keeps = desktop_words.notifications_part(server("actions", "persistence", "sound"), X11)
    assert keeps.verdict == "works"
    assert keeps.detail.endswith("; it keeps a prompt until you answer it")


def test_a_server_the_running_psoas_saw_take_a_prompt_down_is_limited():
    dropped = {"persistence": "it took a prompt down by itself after 20 s"}
    running = RunningLook("running", {"pid": 7, "notifier_shortfalls": dropped})
    part = desktop_words.notifications_part(server("actions"), X11, running)
    assert part.verdict == "limited"
    assert part.detail.endswith("; the running psoas saw: " + dropped["persistence"])
    assert "tray icon" in part.advice and part.facts["shortfalls"] == dropped
    calm = RunningLook("running", {"pid": 7, "notifier_shortfalls": {}})
    assert desktop_words.notifications_part(server("actions"), X11, calm).verdict == "works"


def test_sound_asked_of_a_server_that_plays_none_is_limited():
    silent = desktop_words.notifications_part(server("actions"), X11, sound=True)
    assert silent.verdict == "limited"
    assert silent.detail.endswith(
        "; sound = true in your config, but it plays no sounds: prompts come silent"
    )
    assert "GNOME" in silent.advice
    playing = desktop_words.notifications_part(server("actions", "sound"), X11, sound=True)
    assert playing.verdict == "works"
    assert desktop_words.notifications_part(server("actions"), X11).verdict == "works"


def test_no_notification_server_unless_the_bus_would_start_one():
    later = NotificationLook(True, bus=True, activatable=True)
    assert desktop_words.notifications_part(later, X11).verdict == "works"
    none = desktop_words.notifications_part(NotificationLook(True, bus=True), X11)
    assert none.verdict == "missing"
    assert "terminal" in none.detail
    assert "dunst" in none.advice
    mac = desktop_words.notifications_part(NotificationLook(False), Session("darwin"))
    assert (mac.verdict, mac.detail.split("'")[0]) == ("works", "macOS")


# ----- busy signals --------------------------------------------------------------------------


def test_quiet_counts_the_signals_that_can_look_and_leaves_out_those_with_nothing_to_do():
    looks = [
        QuietLook("dnd", (SignalAnswer("do-not-disturb is on", "free"),)),
        QuietLook(
            "call",
            (
                SignalAnswer("you are in a call", "cannot", why="no pactl on PATH"),
                SignalAnswer("your camera is on", "busy", reason="camera"),
            ),
        ),
        QuietLook("fullscreen", error="no answer within 2 s"),
        QuietLook("apps"),
    ]
    parts = by_name(desktop_words.quiet_parts(looks, ["dnd", "call", "fullscreen", "apps"]))
    assert parts["quiet"].verdict == "limited"
    assert "(2 of 3 can look)" in parts["quiet"].detail
    assert parts["quiet.dnd"].verdict == "works"
    assert parts["quiet.call"].verdict == "limited"
    assert "cannot tell whether you are in a call: no pactl on PATH" in parts["quiet.call"].detail
    assert "says busy now: your camera is on" in parts["quiet.call"].detail
    assert "pactl" in parts["quiet.call"].advice
    assert parts["quiet.fullscreen"].verdict == "missing"
    assert parts["quiet.apps"].verdict == "off"
    (none,) = desktop_words.quiet_parts([], [])
    assert none.verdict == "off"


# ----- the report ----------------------------------------------------------------------------


def test_a_part_takes_only_a_known_verdict():
    with pytest.raises(ValueError, match="fine"):
        Part("tray", "fine", "?")


def test_the_text_report_gives_a_line_per_part_and_what_to_do_under_it():
    parts = [
        Part("idle", "works", "psoas uses x11"),
        Part("idle.x11", "works", "2 s since the last input"),
        Part("idle.gnome", "missing", "not on the bus"),
        Part("tray", "missing", "no panel", "add a system tray"),
    ]
    text = as_text(parts, "heading", words.footer(parts), width=100)
    lines = text.splitlines()
    assert lines[0] == "heading"
    assert lines[2].split() == ["works", "idle", "psoas", "uses", "x11"]
    assert lines[3].startswith("works      x11 ")  # a source, indented under its part
    assert lines[5].split()[:2] == ["missing", "tray"]
    assert lines[6].strip() == "-> add a system tray"
    assert lines[6].index("->") == lines[5].index("no panel")
    assert lines[-1].startswith("1 part could be better")


def test_the_json_report_has_one_shape_whatever_the_parts():
    parts = [Part(name, verdict, "d") for name, verdict in zip("abcdef", VERDICTS, strict=True)]
    report = json.loads(as_json(parts, "9.9", "linux"))
    assert report["psoas"] == "9.9"
    assert [part["verdict"] for part in report["parts"]] == list(VERDICTS)
    assert all(
        set(part) == {"name", "verdict", "detail", "advice", "facts"} for part in report["parts"]
    )


# ----- the deadline --------------------------------------------------------------------------


@pytest.mark.slow
def test_a_look_blocked_in_a_call_is_given_up_at_its_deadline():
    never = threading.Event()

    async def blocked(buses) -> str:
        never.wait(30)  # a blocking call, as python-xlib makes to a frozen X server
        return "late"

    async def both() -> tuple[object, object]:
        return await asyncio.gather(
            isolated(blocked, 0.3), in_thread(lambda: "quick", 0.3), return_exceptions=True
        )

    started = time.monotonic()
    late, quick = asyncio.run(both())
    assert time.monotonic() - started < 1.0
    assert isinstance(late, Late)
    assert str(late) == "no answer within 0.3 s"
    assert quick == "quick"
    never.set()


def test_a_fault_in_a_look_reaches_the_report_as_its_line():
    def broken() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        asyncio.run(in_thread(broken))
    said = asyncio.run(examine.guarded(in_thread(broken), lambda why: f"cannot tell: {why}"))
    assert said == "cannot tell: ValueError: a bug"


# ----- psoas's own files ---------------------------------------------------------------------


def test_the_history_is_read_without_being_changed(private_env):
    path = private_env.history
    assert files.look_history(path).state == "absent"
    store = HistoryStore(path)
    store.record([ev.BreakTaken(1_700_000_000.0, 1_700_000_300.0, "natural")] * 3)
    store.close()
    before = path.read_bytes()
    look = files.look_history(path)
    assert (look.state, look.events) == ("read", 3)
    assert look.size >= len(before)
    assert path.read_bytes() == before
    part = words.history_part(look)
    assert part.verdict == "works"
    assert "3 events" in part.detail


def test_a_damaged_history_is_said_so_and_left_where_it_is(private_env):
    path = private_env.history
    path.parent.mkdir(parents=True)
    path.write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)
    look = files.look_history(path)
    assert look.state == "damaged"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert words.history_part(look).verdict == "broken"


@pytest.mark.slow
def test_a_history_another_program_holds_is_busy_at_once(private_env):
    path = private_env.history
    HistoryStore(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        look = files.look_history(path)
        took = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert look.state == "busy"
    assert took < 1.0
    assert words.history_part(look).verdict == "limited"


def test_config_states_and_a_named_file_that_is_not_there(tmp_path: Path):
    catalogue = load_catalogue()
    look, config = files.look_config(None, catalogue)
    assert (look.state, config.idle_source) == ("defaults", "auto")
    broken = tmp_path / "broken.toml"
    broken.write_text('idle_source = "x12"\n')
    look, config = files.look_config(broken, catalogue)
    assert look.state == "broken"
    assert "idle_source" in look.error
    assert config.idle_source == "auto"  # the rest of the report runs on the defaults
    part = words.config_part(look)
    assert (part.verdict, part.detail) == ("broken", look.error)
    assert f"psoas config check {broken}" in part.advice
    with pytest.raises(ConfigError, match="no such config file"):
        files.look_config(tmp_path / "missing.toml", catalogue)
    assert words.config_part(ConfigLook("read", "/c.toml")).verdict == "works"


def test_the_login_entry_ours_dangling_or_someone_elses(private_env):
    assert files.look_autostart().state == "absent"
    path = autostart.enable()
    assert files.look_autostart().state == "ours"
    text = path.read_text()
    python = text.split("TryExec=")[1].split("\n")[0]
    path.write_text(text.replace(python, "/nowhere/python3"))
    dangling = files.look_autostart()
    assert (dangling.state, dangling.program) == ("dangling", "/nowhere/python3")
    part = words.entry_part("autostart", dangling)
    assert part.verdict == "broken"
    assert "psoas autostart enable" in part.advice
    path.write_text("[Desktop Entry]\nName=other\nExec=other\n")
    assert files.look_autostart().state == "foreign"


def test_a_psoas_not_running_is_off_and_one_running_is_described():
    assert files.look_running().state == "not running"
    assert words.running_part(NOT_RUNNING).verdict == "off"
    status = {"pid": 9, "idle_source": "x11", "tray": "pystray", "notifier": "freedesktop"}
    part = words.running_part(RunningLook("running", status))
    assert part.verdict == "works"
    assert part.detail == "pid 9: idle source x11, tray pystray, notifications via freedesktop"


def test_every_trouble_says_what_to_do():
    """Whatever is limited, missing or broken comes with advice; a part that works needs none."""
    samples = [
        words.history_part(HistoryLook("unreadable", "/h", error="denied")),
        words.history_part(HistoryLook("too new", "/h", error="schema 9")),
        desktop_words.notifications_part(
            NotificationLook(True, bus=True, owned=True, error="x"), X11
        ),
        words.session_part(Session("linux")),
        words.running_part(RunningLook("unreachable", error="refused")),
        words.entry_part("menu", EntryLook("unreadable", "", error="no answer within 2 s")),
    ]
    for part in samples:
        assert part.verdict in ("limited", "missing", "broken")
        assert part.advice, part


def test_the_command_ends_0_and_a_bad_config_option_ends_2(tmp_path: Path):
    done = in_process("doctor", "--config", str(tmp_path / "nope.toml"))
    assert done.returncode == 2
    assert done.stderr.startswith("psoas: ") and done.stderr.count("\n") == 1
    assert "nope.toml" in done.stderr
