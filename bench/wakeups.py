"""How often the daemon wakes, with and without its tray, and how fast a day replays.

    .venv-test/bin/python bench/wakeups.py

The daemon sleeps until the core's next wake-up or the tray's (the ring moves a notch every
sit/16), so a replayed day woken the same way counts the daemon's wake-ups exactly (commands
aside). Printed for a few typical days, with the time a simulated day takes to replay, for an
idle source that must be asked (it is looked at every fifth of a break while the user is away) and
for one that says when input returns (Wayland's: an absence costs no look).
"""

from __future__ import annotations

import time
from pathlib import Path

from reminder.catalogue.loader import load_catalogue
from reminder.config import parse_config
from reminder.core import sitting
from reminder.replay.scenario import parse_scenario
from reminder.replay.simulate import run_scenario
from reminder.tray.model import TrayModel

DAYS = {
    "busy all day (09-17, one lunch)": "09:00 active\n12:30 away\n13:15 active\n17:00 end\n",
    "answers every prompt (done)": "\n".join(
        ["09:00 active", *(f"{h:02d}:01 done" for h in range(10, 17)), "17:00 end"]
    ),
    "away all day": "09:00 away\n17:00 end\n",
}


def measure(name: str, text: str, with_tray: bool, returns_told: bool = False) -> str:
    catalogue = load_catalogue()
    config = parse_config("", "defaults")
    scenario = parse_scenario(text, name, list(catalogue.routines))
    tray = TrayModel(catalogue, config, Path, Path("week.png"))
    calls = 0  # each look at the user is one wake-up of the daemon
    original = sitting.SittingCore.observe

    def counted(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        return original(self, *args, **kwargs)

    sitting.SittingCore.observe = counted
    try:
        started = time.perf_counter()
        events = run_scenario(
            scenario, config, catalogue, [tray] if with_tray else [], returns_told=returns_told
        )
        elapsed = time.perf_counter() - started
    finally:
        sitting.SittingCore.observe = original
    hours = (scenario.events[-1].seconds - scenario.events[0].seconds) / 3600
    prompts = sum(1 for e in events if e.kind == "prompt")
    return f"{calls / hours:6.1f} wake-ups/h  {prompts:3d} prompts  {elapsed * 1000:6.1f} ms"


if __name__ == "__main__":
    print("default config: sit 60, break 5, repeat 10 (minutes)")
    print(f"{'':34s} {'headless':>40s}   {'with the tray':>40s}")
    for told, source in ((False, "asked (X11, GNOME, KDE on X11...)"), (True, "told (Wayland)")):
        print(f"idle source {source}")
        for day_name, day_text in DAYS.items():
            headless, tray = (
                measure(day_name, day_text, with_tray, told) for with_tray in (False, True)
            )
            print(f"  {day_name:32s} {headless}   {tray}")
