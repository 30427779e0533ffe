"""What `./bootstrap run` installs is the whole program, not just what the checkout happens to hold.

The other tests run against an editable install, which reads the source tree and so cannot notice a
module the wheel leaves out; this one builds the real wheel and runs psoas from it alone.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import zipfile

from e2e import ROOT, copy_checkout


def test_the_wheel_holds_every_module_and_psoas_runs_from_it(tmp_path):
    checkout = tmp_path / "checkout"
    copy_checkout(checkout)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(checkout),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("psoas-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if name.startswith("reminder/")}
        archive.extractall(site)
    source = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "reminder").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert shipped == source

    entry_points = configparser.ConfigParser()
    entry_points.read(next(site.glob("psoas-*.dist-info")) / "entry_points.txt")
    module, function = entry_points["console_scripts"]["psoas"].split(":")
    env = os.environ | {"PYTHONPATH": str(site)}
    script = (
        f"import reminder, {module}, reminder.launch, reminder.app; "
        f"assert callable({module}.{function}); print(reminder.__file__)"
    )
    imported = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip().startswith(str(site))  # the wheel's copy, not the checkout's

    listed = subprocess.run(
        [sys.executable, "-m", "reminder", "stretches"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    assert "psoas" in listed.stdout.lower()  # the catalogue (package data) came along
