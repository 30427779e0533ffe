"""What `./bootstrap run` installs is the whole program, not just what the checkout happens to hold.

The other tests run against an editable install, which reads the source tree and so cannot notice a
module the wheel leaves out; this one builds the real wheel and runs psoas from it alone.
"""

from __future__ import annotations

import configparser
import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop import Desktop
from e2e import ROOT, copy_checkout
from test_layout import imports, modules


def build_wheel(folder: Path) -> Path:
    """psoas's wheel, built from a copy of the checkout into ``folder``."""
    checkout = folder / "checkout"
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
            str(folder),
            str(checkout),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = folder.glob("psoas-*.whl")
    return wheel


@pytest.mark.slow
def test_the_wheel_holds_every_module_and_psoas_runs_from_it(tmp_path):
    wheel = build_wheel(tmp_path)
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if name.startswith("reminder/")}
        archive.extractall(site)
    source = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "reminder").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    # The catalogues' sources stay out; each .po is in as the .mo the build made of it.
    catalogues = {name for name in source if name.endswith((".po", ".pot"))}
    built = {name.removesuffix(".po") + ".mo" for name in catalogues if name.endswith(".po")}
    assert {"reminder/data/locale/de.mo", "reminder/data/locale/fr.mo"} <= built
    assert shipped == (source - catalogues) | built

    entry_points = configparser.ConfigParser()
    entry_points.read(next(site.glob("psoas-*.dist-info")) / "entry_points.txt")
    module, function = entry_points["console_scripts"]["psoas"].split(":")
    env = os.environ | {"PYTHONPATH": str(site)}
    script = (
        f"import reminder, {module}, reminder.runtime.launch, reminder.runtime.app; "
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

    # It speaks German from the .mo alone: no .po to fall back on in the wheel.
    german = subprocess.run(
        [sys.executable, "-m", "reminder", "stretches"],
        cwd=tmp_path,
        env=env | {"LANG": "de_DE.UTF-8"},
        capture_output=True,
        text=True,
    )
    assert german.returncode == 0, german.stderr
    assert "Hüftbeuger-Dehnung im Stehen" in german.stdout
    assert "30 Sek. halten, 2-mal, jede Seite" in german.stdout
    assert not list((site / "reminder" / "data" / "locale").glob("*.po"))


# ----- Linux without the xembed extra -----------------------------------------------------------

#: What a plain Linux install (no extra) must hold, and what it must not: the xembed extra's tray
#: and the notifiers of the other systems stay out.
LINUX_NEEDS = {"jeepney", "pillow", "tomlkit"}
LINUX_LACKS = {
    "python-xlib",
    "pystray",
    "pygobject",
    "desktop-notifier",
    "plyer",
    "rubicon-objc",
    "pyobjc-core",
    "dbus-fast",
    "platformdirs",
}
#: Packages psoas may load on Linux only on the xembed path, or never.
NEVER_LOADED = (
    "pystray",
    "gi",
    "desktop_notifier",
    "plyer",
    "rubicon",
    "dbus_fast",
    "platformdirs",
)


@pytest.fixture(scope="module")
def plain_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """psoas from its wheel, with no extra, in a new virtual environment, from wheels alone: what
    ``pipx install`` or ``./bootstrap run`` make on Linux. Its python."""
    folder = tmp_path_factory.mktemp("plain")
    wheel = build_wheel(folder)
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--only-binary=:all:", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr
    return python


@pytest.mark.slow
def test_linux_without_the_extra_holds_what_it_uses_and_loads_no_pystray(plain_install):
    listed = subprocess.run(
        [str(plain_install), "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    names = {package["name"].lower() for package in json.loads(listed.stdout)}
    assert names >= LINUX_NEEDS, LINUX_NEEDS - names
    assert not names & LINUX_LACKS, names & LINUX_LACKS
    # Every module of psoas imports without them (each loads its optional parts when used).
    script = (
        "import importlib, json, pkgutil, sys, reminder\n"
        "names = [m.name for m in pkgutil.walk_packages(reminder.__path__, 'reminder.')\n"
        "         if m.name != 'reminder.__main__']  # that one runs psoas\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps([len(names), [n for n in {NEVER_LOADED!r} if n in sys.modules]]))\n"
    )
    imported = subprocess.run(
        [str(plain_install), "-c", script], capture_output=True, text=True, timeout=60
    )
    assert imported.returncode == 0, imported.stderr
    count, loaded = json.loads(imported.stdout)
    assert count > 50 and loaded == []


@pytest.mark.slow
def test_pystray_is_imported_by_its_tray_alone():
    """On Linux pystray is the xembed extra's: one module imports it, and the tray choice takes
    that module's tray only where pystray is installed (the test below)."""
    importers = {name for name, tree in modules().items() if "pystray" in imports(name, tree)}
    assert importers == {"reminder.tray.pystray_tray"}


@pytest.mark.desktop
def test_linux_without_the_extra_on_an_xembed_panel_says_so_and_prompts(
    plain_install, desktop: Desktop
):
    """The one place Linux could want pystray: an XEmbed-only panel. Without the extra psoas
    says what to install, offers its StatusNotifierItem instead, and prompts with buttons; even
    where PyGObject can be found (as Debian's python3-gi can be) but pystray cannot."""
    found_gi = desktop.root / "found-gi"  # a PyGObject to be found, not one that works
    (found_gi / "gi").mkdir(parents=True)
    (found_gi / "gi" / "__init__.py").write_text("")
    desktop.start_tray_host()
    desktop.start_dunst()
    config = desktop.home / "psoas.toml"
    config.write_text('sit_minutes = 0.1\nrepeat_minutes = 0\nidle_source = "none"\n' + EVERY_DAY)
    command = [plain_install, "-m", "reminder", "-v", "run", "--config", config]
    process = desktop.spawn(command, name="psoas", env={"PYTHONPATH": str(found_gi)})
    prompt = desktop.wait_for_notifications(1, 30, "Time to stretch", process)[0]
    assert prompt["actions"][::2] == ["done", "snooze", "routine"]
    status = subprocess.run(
        [str(plain_install), "-m", "reminder", "status", "--json"],
        env=desktop.env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert json.loads(status.stdout)["tray"] == "StatusNotifierItem", status.stderr
    assert "this panel only shows XEmbed icons" in process.stderr_text()
    assert "pip install 'psoas[xembed]'" in process.stderr_text()
    process.send_signal(signal.SIGTERM)
    assert process.finish() == 0
    assert "Traceback" not in process.stderr_text()


# ----- every platform, from wheels alone --------------------------------------------------------

#: The systems psoas runs on, as uv names their platforms.
PLATFORMS = {
    "windows-x86_64": "x86_64-pc-windows-msvc",
    "macos-arm64": "aarch64-apple-darwin",
    "macos-x86_64": "x86_64-apple-darwin",
    "linux-x86_64": "x86_64-unknown-linux-gnu",
    "linux-aarch64": "aarch64-unknown-linux-gnu",
}
#: The oldest Python psoas supports, and the newest released.
PYTHONS = ("3.11", "3.14")
#: What each system's resolution must hold, and must not: proof that the environment markers
#: were read for that system, not for the one running the test.
EXPECTED = {
    "windows": (
        {
            "desktop-notifier",
            "pystray",
            "winrt-runtime",
            "winrt-windows-ui-notifications",
            "platformdirs",
        },
        {"jeepney", "python-xlib", "rubicon-objc", "pyobjc-core", "plyer"},
    ),
    "macos": (
        {
            "desktop-notifier",
            "pystray",
            "rubicon-objc",
            "pyobjc-framework-quartz",
            "platformdirs",
        },
        {"jeepney", "python-xlib", "winrt-runtime", "plyer"},
    ),
    "linux": (
        {"jeepney"},
        {
            "python-xlib",
            "pystray",
            "desktop-notifier",
            "rubicon-objc",
            "winrt-runtime",
            "pyobjc-core",
            "plyer",
            "dbus-fast",
            "platformdirs",
        },
    ),
}


def resolve(
    source: Path, platform: str, python: str, cache: Path, *options: str
) -> subprocess.CompletedProcess[str]:
    """uv's resolution of ``source`` for ``platform`` from wheels alone: markers evaluated for
    that platform, wheels chosen by its tags, nothing built."""
    command = [sys.executable, "-m", "uv", "pip", "compile", str(source), *options]
    # This interpreter runs the resolution, for the version and platform given: uv need not
    # look for one of that version (9 s in vain when there is none).
    command += ["--python", sys.executable, "--python-version", python]
    command += ["--python-platform", platform]
    command += ["--only-binary", ":all:", "--no-header", "--no-annotate", "--cache-dir", str(cache)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def uv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """uv's cache, shared by the resolutions of one test process: each asks PyPI once."""
    return tmp_path_factory.mktemp("uv-cache")


@pytest.mark.slow
@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("system", PLATFORMS)
def test_each_platform_installs_from_wheels_alone(system, python, uv_cache):
    resolved = resolve(ROOT / "pyproject.toml", PLATFORMS[system], python, uv_cache)
    assert resolved.returncode == 0, resolved.stderr
    pins = [line for line in resolved.stdout.splitlines() if line.strip()]
    assert pins and all("==" in line for line in pins), pins
    names = {line.split("==")[0].lower() for line in pins}
    must, must_not = EXPECTED[system.split("-")[0]]
    assert names >= must, must - names
    assert not names & must_not, names & must_not


@pytest.mark.slow
def test_the_wheel_check_fails_where_something_must_be_built_or_fits_another_system(
    tmp_path, uv_cache
):
    """The check above would pass on a resolver that ignored the platform or built sdists:
    PyGObject (the xembed extra) has no wheel, and WinRT has none for Linux."""
    cache = uv_cache
    linux = PLATFORMS["linux-x86_64"]
    built = resolve(ROOT / "pyproject.toml", linux, "3.11", cache, "--extra", "xembed")
    assert built.returncode != 0 and "pygobject" in built.stderr.lower(), built.stderr
    windows_only = tmp_path / "requirements.in"
    windows_only.write_text("winrt-runtime\n")
    elsewhere = resolve(windows_only, linux, "3.11", cache)
    said = " ".join(elsewhere.stderr.split())  # uv wraps its lines
    assert elsewhere.returncode != 0 and "no wheels with a matching platform tag" in said, said
