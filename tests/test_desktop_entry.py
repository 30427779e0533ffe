"""psoas in the application menu, and the login entry beside it: written, checked by the
freedesktop validator and by GLib (which reads them for GNOME and most menus), and removed, in a
temporary home. An entry psoas did not write is never replaced or removed."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest
from desktop_processes import require_modules, require_tools
from PIL import Image

from reminder.install import autostart, desktop_entry

ROOT = Path(__file__).resolve().parent.parent


def psoas(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``psoas ARGS`` for a user whose home is ``home`` (data and config folders in it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env |= {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "my data"),
        "XDG_CONFIG_HOME": str(home / "config"),
    }
    return subprocess.run(
        [sys.executable, "-m", "reminder", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def read_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A private home, also for what the tests call in this process."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "my data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


@pytest.mark.slow
def test_the_menu_entry_is_installed_with_its_icon_and_removed(home):
    menu = home / "my data" / "applications" / "psoas.desktop"
    assert psoas(home, "desktop-entry", "status").stdout == (
        "psoas is not in your application menu: psoas desktop-entry install puts it there\n"
    )

    installed = psoas(home, "desktop-entry", "install")
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout == f"psoas is in your application menu: {menu}\n"
    entry = read_entry(menu)
    assert entry["Type"] == "Application" and entry["Name"] == "psoas"
    assert entry["GenericName"] and entry["Comment"] and entry["Keywords"]
    assert entry["Terminal"] == "false" and entry["StartupNotify"] == "false"
    assert entry["Categories"] == "Utility;"
    assert entry["Exec"] == f"{sys.executable} -m reminder run"
    assert entry["TryExec"] == sys.executable
    icon = Path(entry["Icon"])
    assert icon == home / "my data" / "psoas" / "psoas.png"  # absolute, in psoas's data folder
    with Image.open(icon) as picture:
        assert picture.format == "PNG" and picture.size == (256, 256)
    # The status says what install said.
    assert psoas(home, "desktop-entry", "status").stdout == installed.stdout
    assert psoas(home, "desktop-entry", "install").returncode == 0  # again: replaces its own

    removed = psoas(home, "desktop-entry", "remove")
    assert removed.returncode == 0
    assert removed.stdout == f"psoas is no longer in your application menu: {menu} removed\n"
    assert not menu.exists() and not icon.exists()
    again = psoas(home, "desktop-entry", "remove")
    assert again.returncode == 0
    assert again.stdout == "psoas is not in your application menu: nothing to remove\n"
    assert psoas(home, "desktop-entry", "bogus").returncode == 2


def test_the_menu_and_login_entries_pass_the_freedesktop_validator(home):
    require_tools("desktop-file-validate")
    menu = desktop_entry.install()
    login = autostart.enable("linux")
    assert read_entry(login)["Icon"] == read_entry(menu)["Icon"]  # the login entry has it too
    assert Path(read_entry(login)["Icon"]).is_file()
    for path in (menu, login):
        checked = subprocess.run(
            ["desktop-file-validate", str(path)], capture_output=True, text=True, timeout=30
        )
        assert (checked.returncode, checked.stdout + checked.stderr) == (0, ""), path


ODD_ARGUMENTS = [
    '/opt/my apps/py"th$on`x\\y%z',
    "-m",
    "reminder",
    "it's",
    "tab\there",
    "new\nline",
    "",
    "50%",
]


def glib_reads(path: Path) -> tuple[list[str], str]:
    """The command GLib (GNOME, and most menus) runs for an entry, and its icon: the string
    unescaped, ``%%`` made ``%``, then split as the spec says."""
    require_modules("gi")
    from gi.repository import GLib

    keys = GLib.KeyFile()
    keys.load_from_file(str(path), GLib.KeyFileFlags.NONE)
    exec_value = keys.get_string("Desktop Entry", "Exec")
    _, argv = GLib.shell_parse_argv(exec_value.replace("%%", "%"))
    return argv, keys.get_string("Desktop Entry", "Icon")


def test_glib_reads_back_exactly_the_command_that_was_written(tmp_path):
    path = tmp_path / "odd.desktop"
    path.write_text(desktop_entry.entry_text(ODD_ARGUMENTS, tmp_path / "a\\b c.png", "x"))
    assert glib_reads(path) == (ODD_ARGUMENTS, str(tmp_path / "a\\b c.png"))
    assert read_entry(path)["TryExec"] == ODD_ARGUMENTS[0].replace("\\", "\\\\")


def test_the_login_and_menu_entries_run_a_python_in_an_odd_folder(home, monkeypatch):
    """A checkout in a folder whose name has quotes, a dollar or a backslash still starts."""
    python = str(home / 'my "apps" $HOME \\ 100%' / ".venv" / "bin" / "python")
    monkeypatch.setattr(sys, "executable", python)
    for write in (autostart.enable, desktop_entry.install):
        argv, _ = glib_reads(write())
        assert argv == [python, "-m", "reminder", "run"], write


@pytest.mark.slow
def test_an_entry_psoas_did_not_write_is_never_replaced_or_removed(home):
    menu = home / "my data" / "applications" / "psoas.desktop"
    login = home / "config" / "autostart" / "psoas.desktop"
    theirs = "[Desktop Entry]\nType=Application\nName=psoas\nExec=/opt/their/psoas --tray\n"
    for path in (menu, login):
        path.parent.mkdir(parents=True)
        path.write_text(theirs)
    for args in (("desktop-entry", "install"), ("desktop-entry", "remove")):
        refused = psoas(home, *args)
        assert refused.returncode == 1 and refused.stdout == ""
        assert refused.stderr == (
            f"psoas: desktop-entry: {menu}: "
            + (
                "an entry psoas did not write is already there; left as it is\n"
                if args[1] == "install"
                else "not an entry psoas wrote; left as it is\n"
            )
        )
    assert psoas(home, "desktop-entry", "status").stdout == (
        f"psoas is not in your application menu: {menu} is another program's entry, left as it is\n"
    )
    assert psoas(home, "autostart", "status").stdout == (
        f"psoas does not start at login: {login} is another program's entry, left as it is\n"
    )
    for args in (("autostart", "enable"), ("autostart", "disable")):
        refused = psoas(home, *args)
        assert refused.returncode == 1, refused
        assert refused.stderr.startswith(f"psoas: autostart: {login}: ")
        assert refused.stderr.count("\n") == 1
    assert menu.read_text() == theirs and login.read_text() == theirs
    assert not (home / "my data" / "psoas" / "psoas.png").exists()  # nothing drawn for nothing

    # A link someone put there is not ours either, whatever it points to.
    menu.unlink()
    menu.symlink_to(login)
    assert psoas(home, "desktop-entry", "install").returncode == 1
    assert psoas(home, "desktop-entry", "remove").returncode == 1
    assert menu.is_symlink()


def test_the_icon_stays_while_an_entry_needs_it(home):
    icon = home / "my data" / "psoas" / "psoas.png"
    desktop_entry.install()
    autostart.enable("linux")
    desktop_entry.remove()
    assert icon.is_file()  # the login entry still shows it
    autostart.disable("linux")
    assert not icon.exists()


def test_a_login_entry_from_an_earlier_psoas_is_still_ours(home):
    """Before entries carried our key, `psoas autostart enable` wrote this."""
    login = home / "config" / "autostart" / "psoas.desktop"
    login.parent.mkdir(parents=True)
    login.write_text(
        "[Desktop Entry]\nType=Application\nName=psoas\n"
        "Comment=Hip-flexor stretch reminder that counts real sitting time\n"
        "Exec=/home/me/psoas/.venv/bin/python -m reminder run\nTerminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )
    assert autostart.disable("linux") == login and not login.exists()


def test_a_folder_that_cannot_be_written_is_one_line(home):
    (home / "my data").write_text("a file where the data folder should be")
    failed = psoas(home, "desktop-entry", "install")
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr.startswith("psoas: desktop-entry: cannot change ")
    assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr


def test_other_systems_are_told_in_one_line(monkeypatch, capsys):
    from reminder.cli.main import main

    monkeypatch.setattr(sys, "platform", "darwin")
    assert main(["desktop-entry", "install"]) == 1
    assert "for Linux and BSD desktops" in capsys.readouterr().err
