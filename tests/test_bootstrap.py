"""``./bootstrap run`` for real, in a temporary copy of the checkout and a private home: what it
says while it works, the ``psoas`` command a new terminal finds, the menu entry, and, started
through sudo, everything after the Debian packages done as the user who ran sudo.

``./bootstrap run --help`` goes the whole way (Debian packages, virtual environment, pip, the
link, the menu entry) and ends in ``psoas run --help``, which starts nothing.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from desktop_processes import require_tools, wait_until
from e2e import copy_checkout, start_headless, status
from strangers import STRANGER

ROOT = Path(__file__).resolve().parent.parent
#: The PATH sudo gives a command (Debian's secure_path).
SUDO_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
STEP = r"bootstrap: {} \.\.\. (\d+\.\d) s"


def timed_run(
    command: list[str], cwd: Path, env: dict[str, str], timeout: float = 600
) -> tuple[int, str, list[tuple[float, str]]]:
    """Run ``command``: exit status, standard output, and its standard error in the pieces it
    came in, each with the time it arrived."""
    pieces: list[tuple[float, str]] = []
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.PIPE)

        def read_errors() -> None:
            assert process.stderr is not None
            while piece := os.read(process.stderr.fileno(), 65536):
                pieces.append((time.monotonic(), piece.decode(errors="replace")))

        reader = threading.Thread(target=read_errors, daemon=True)
        reader.start()
        try:
            process.wait(timeout=timeout)
        finally:
            process.kill()
            process.wait()
            reader.join(timeout=10)
            process.stderr.close()
        output.seek(0)
        stdout = output.read().decode(errors="replace")
    return process.returncode, stdout, pieces


def arrival(pieces: list[tuple[float, str]], text: str) -> float:
    """When ``text`` had come in full."""
    seen = ""
    for when, piece in pieces:
        seen += piece
        if text in seen:
            return when
    raise AssertionError(f"{text!r} never came: {seen}")


def errors(pieces: list[tuple[float, str]]) -> str:
    return "".join(piece for _, piece in pieces)


def user_env(home: Path, path: str | None = None) -> dict[str, str]:
    """This environment for a user whose home is ``home``: no sudo, no XDG folders of ours but
    the test's private runtime folder (the one a running psoas is found by)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "SUDO_", "PYTEST_", "VIRTUAL_ENV"))
    }
    env["HOME"] = str(home)
    env["XDG_RUNTIME_DIR"] = os.environ["XDG_RUNTIME_DIR"]
    if path is not None:
        env["PATH"] = path
    return env


@pytest.fixture
def checkout(tmp_path) -> Path:
    copy = tmp_path / "psoas checkout"  # a space, as in a folder called "My programs"
    copy_checkout(copy)
    return copy


@pytest.fixture
def home(tmp_path) -> Path:
    """A new user's home: Debian's ~/.profile, which puts ~/.local/bin on PATH if it exists."""
    folder = tmp_path / "home"
    folder.mkdir()
    skeleton = Path("/etc/skel/.profile")
    if skeleton.is_file():
        shutil.copy(skeleton, folder / ".profile")
    return folder


@pytest.mark.slow
def test_bootstrap_run_says_each_step_links_psoas_and_adds_the_menu_entry(checkout, home):
    code, stdout, pieces = timed_run(["./bootstrap", "run", "--help"], checkout, user_env(home))
    said = errors(pieces)
    assert code == 0, said
    assert stdout.startswith("usage: psoas run"), stdout  # psoas run itself, at the end

    # One line per step, in order, each with the time it took.
    steps = [
        "virtual environment in \\.venv",
        "installing psoas and its Python packages",
        "the psoas command in ~/\\.local/bin",
        "psoas in the application menu",
    ]
    if sys.platform == "linux":
        steps.insert(0, "Debian packages")
    found = [re.search(STEP.format(step), said) for step in steps]
    assert all(found), said
    assert [match.start() for match in found] == sorted(match.start() for match in found)
    assert said.rstrip().endswith("bootstrap: starting psoas: psoas run --help")
    # The step is named while pip works, not after: the line's end came as long after its
    # start as the step says it took.
    label = "bootstrap: installing psoas and its Python packages ..."
    took = float(found[steps.index(steps[-3])].group(1))
    finished = arrival(pieces, f"{label} {took} s\n")
    assert finished - arrival(pieces, label) >= took - 0.5

    venv_psoas = checkout / ".venv" / "bin" / "psoas"
    link = home / ".local" / "bin" / "psoas"
    assert link.is_symlink() and Path(os.readlink(link)) == venv_psoas
    assert f"  {link} -> {venv_psoas}\n" in said
    assert f"  {link.parent} is not on the PATH here" in said  # pytest's PATH does not have it
    menu = home / ".local" / "share" / "applications" / "psoas.desktop"
    assert f"  psoas is in your application menu: {menu}\n" in said
    assert f"TryExec={checkout}/.venv/bin/python" in menu.read_text()  # python or python3
    # The entry bootstrap made passes the validator (the entry itself: test_desktop_entry).
    require_tools("desktop-file-validate")
    checked = subprocess.run(["desktop-file-validate", str(menu)], capture_output=True, text=True)
    assert (checked.returncode, checked.stdout) == (0, "")

    # A new terminal, after logging in again, finds psoas: Debian's ~/.profile adds ~/.local/bin.
    if (home / ".profile").is_file() and shutil.which("bash"):
        terminal = subprocess.run(
            ["bash", "-l", "-c", "psoas --version"],
            env={"HOME": str(home), "PATH": "/usr/bin:/bin", "TERM": "dumb"},
            cwd=home,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert terminal.stdout == "psoas 0.1.0\n", terminal.stderr

    # A psoas there that is not ours is left alone, in one line, and psoas still starts.
    link.unlink()
    link.write_text("#!/bin/sh\necho my own psoas\n")
    code, stdout, pieces = timed_run(["./bootstrap", "run", "--help"], checkout, user_env(home))
    said = errors(pieces)
    assert code == 0 and stdout.startswith("usage: psoas run"), said
    assert "bootstrap: virtual environment in .venv ... already there\n" in said
    assert re.search(STEP.format("the psoas command in ~/\\.local/bin"), said), said
    assert f"  {link} is already there and is not ours (a file); left as it is" in said
    assert link.read_text() == "#!/bin/sh\necho my own psoas\n"

    # A step that fails says so, shows why, and stops bootstrap with its status.
    (checkout / "pyproject.toml").write_text("[project\n")
    code, stdout, pieces = timed_run(["./bootstrap", "run", "--help"], checkout, user_env(home))
    said = errors(pieces)
    assert code != 0 and stdout == ""
    failed = re.search(
        r"bootstrap: installing psoas and its Python packages \.\.\. failed after \d+\.\d s:\n",
        said,
    )
    assert failed, said
    assert "TOMLDecodeError" in said[failed.end() :]  # pip's own words, as it said them
    assert "starting psoas" not in said


@pytest.mark.slow
def test_after_bootstrap_run_pipx_install_force_changes_to_pipx_as_bootstrap_says(checkout, home):
    """A plain ``pipx install .`` after ``./bootstrap run`` leaves bootstrap's link and says done;
    what bootstrap and the README say to do instead really changes to pipx's psoas."""
    require_tools("pipx")
    code, _, pieces = timed_run(["./bootstrap", "run", "--help"], checkout, user_env(home))
    said = errors(pieces)
    assert code == 0, said
    link = home / ".local" / "bin" / "psoas"
    assert "  to change to pipx's psoas later, use pipx install --force . " in said

    env = user_env(home) | {"PIPX_HOME": str(home / "pipx"), "PIPX_BIN_DIR": str(link.parent)}
    run = lambda *command: subprocess.run(  # noqa: E731
        command, cwd=checkout, env=env, capture_output=True, text=True, timeout=300
    )
    plain = run("pipx", "install", ".")
    assert plain.returncode == 0, plain.stderr  # pipx says done...
    assert Path(os.readlink(link)) == checkout / ".venv" / "bin" / "psoas"  # ...and left it
    forced = run("pipx", "install", "--force", ".")
    assert forced.returncode == 0, forced.stderr
    pipx_psoas = home / "pipx" / "venvs" / "psoas" / "bin" / "psoas"
    assert Path(os.readlink(link)) == pipx_psoas
    # The README's next step points the menu entry at pipx's psoas too.
    entry = run(str(link), "desktop-entry", "install")
    assert entry.returncode == 0, entry.stderr
    menu = (home / ".local" / "share" / "applications" / "psoas.desktop").read_text()
    assert f"TryExec={pipx_psoas.parent}/python" in menu, menu


@pytest.mark.slow
def test_bootstrap_run_with_psoas_running_says_so_before_installing_anything(
    checkout, home, tmp_path
):
    """Reinstalling under a running psoas would swap its code as it runs; `psoas run` at the
    end would then only say it is already running. bootstrap asks first, and stops."""
    config = tmp_path / "psoas.toml"
    config.write_text('idle_source = "none"\n')
    running = start_headless(config)
    wait_until(lambda: status(dict(os.environ)), 15, "psoas to answer", process=running)

    code, stdout, pieces = timed_run(["./bootstrap", "run", "--help"], checkout, user_env(home))
    said = errors(pieces)
    assert (code, stdout) == (1, ""), said
    assert said.splitlines()[-1] == (
        f"bootstrap: psoas is already running (pid {running.pid}); nothing was installed or "
        "changed. To run this one instead, stop that one (psoas quit), then run ./bootstrap run "
        "again"
    )
    assert "installing psoas" not in said and "virtual environment" not in said
    assert not (checkout / ".venv").exists()
    assert not (home / ".local").exists()  # no link, no menu entry
    assert running.poll() is None


# ----- through sudo ------------------------------------------------------------------------------


@pytest.fixture
def stranger_place() -> Iterator[Path]:
    """A folder the stranger (nobody) may use: pytest's own tmp folders are private to root."""
    if os.getuid() != 0:
        pytest.skip("sudo is simulated as root, handing over to another user")
    require_tools("runuser", "unshare", "mount")
    folder = Path(tempfile.mkdtemp(prefix="psoas-sudo-"))
    os.chown(folder, STRANGER, STRANGER)
    yield folder
    shutil.rmtree(folder)


def as_if_nobody_lived_in(home: Path, passwd: Path, command: list[str]) -> list[str]:
    """``command`` in a private mount namespace whose /etc/passwd gives nobody ``home``: the
    stranger gets a private home, and the machine's own passwd is never touched."""
    lines = []
    for line in Path("/etc/passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == "nobody":
            fields[5] = str(home)
        lines.append(":".join(fields))
    passwd.write_text("\n".join(lines) + "\n")
    mount_then_run = 'mount --bind "$1" /etc/passwd && shift && exec "$@"'
    unshare = ["unshare", "--mount", "--propagation", "private", "--"]
    return [*unshare, "sh", "-c", mount_then_run, "sh", str(passwd), *command]


def through_sudo(user: str = "nobody") -> dict[str, str]:
    """The environment sudo gives root's command: the caller's name, sudo's PATH."""
    return {
        "SUDO_USER": user,
        "SUDO_UID": str(STRANGER),
        "SUDO_GID": str(STRANGER),
        "HOME": "/root",
        "PATH": SUDO_PATH,
        "TERM": "dumb",
        "LANG": "C.UTF-8",
    }


def system_python() -> str:
    """A Python another user may run (pytest's may live under /root), with venv."""
    python = shutil.which("python3", path=SUDO_PATH)
    if python is None:
        pytest.skip("no python3 on sudo's PATH")
    check = [python, "-c", "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))"]
    if subprocess.run(check, capture_output=True).returncode != 0:
        pytest.skip(f"{python} is older than 3.11 or has no venv")
    return python


@pytest.mark.slow
def test_sudo_bootstrap_run_does_all_but_the_debian_packages_as_the_user(stranger_place):
    """Through sudo, the Debian packages are installed as root and all the rest, psoas itself
    included, runs as the user who ran sudo, in their home; what an earlier run as root left in
    the checkout is handed over. Proved with nobody, whose home a private passwd moves into a
    temporary folder."""
    home = stranger_place / "home"
    checkout = stranger_place / "checkout"
    home.mkdir(mode=0o700)
    copy_checkout(checkout)
    for folder, folders, files in os.walk(stranger_place):
        for name in [folder, *(os.path.join(folder, f) for f in folders + files)]:
            os.lchown(name, STRANGER, STRANGER)
    # An earlier `sudo ./bootstrap run` made these as root.
    subprocess.run([system_python(), "-m", "venv", str(checkout / ".venv")], check=True)
    (checkout / "build").mkdir()
    (checkout / "build" / "left-by-root").write_text("")
    # Only root may read this config, and it has a mistake: psoas run as nobody cannot read it,
    # psoas run as root would report the mistake.
    config = stranger_place / "root-only.toml"
    config.write_text('sit_minutes = "soon"\n')
    config.chmod(0o600)
    os.chown(config, 0, 0)

    command = ["./bootstrap", "run", "--config", str(config)]
    wrapped = as_if_nobody_lived_in(home, stranger_place / "passwd", command)
    code, _, pieces = timed_run(wrapped, checkout, through_sudo())
    said = errors(pieces)
    if "mount: " in said and "bootstrap:" not in said:
        pytest.skip(f"no private mount namespace here: {said.strip()}")
    assert re.search(STEP.format("Debian packages"), said), said
    assert "bootstrap: handing .venv over to nobody\n" in said
    assert "bootstrap: handing build over to nobody\n" in said
    assert f"bootstrap: started through sudo: going on as nobody (HOME {home})" in said
    assert re.search(STEP.format("installing psoas and its Python packages"), said), said
    assert said.count("Debian packages") == 1  # not again as nobody
    # psoas ran, as nobody: root would have read the file and named the mistake in it.
    assert code == 2, said
    assert f"psoas: {config}: cannot be read (permission denied" in said
    assert "sit_minutes" not in said

    link = home / ".local" / "bin" / "psoas"
    assert Path(os.readlink(link)) == checkout / ".venv" / "bin" / "psoas"
    assert (home / ".local" / "share" / "applications" / "psoas.desktop").is_file()
    assert (home / ".local" / "share" / "psoas" / "psoas.png").is_file()
    not_nobodys = [
        path
        for top in (home, checkout)
        for path in [top, *top.rglob("*")]
        if path.lstat().st_uid != STRANGER
    ]
    assert not_nobodys == []


@pytest.mark.slow
def test_sudo_bootstrap_run_says_plainly_when_it_cannot_go_on_as_the_user(stranger_place):
    checkout = stranger_place / "checkout"
    copy_checkout(checkout)
    command = ["./bootstrap", "run", "--help"]

    # nobody's own home (Debian's /nonexistent) does not exist.
    nobodys_home = pwd.getpwnam("nobody").pw_dir
    if not os.path.isdir(nobodys_home):
        code, stdout, pieces = timed_run(command, checkout, through_sudo())
        said = errors(pieces)
        assert code == 1 and stdout == "", said
        assert said.splitlines()[-1] == (
            f"bootstrap: nobody's home folder ({nobodys_home}) does not exist; "
            "run ./bootstrap run as yourself, without sudo"
        )
        assert not (checkout / ".venv").exists()  # nothing done as root

    # A checkout of root's that nobody may not write to.
    home = stranger_place / "home"
    home.mkdir()
    os.chown(home, STRANGER, STRANGER)
    wrapped = as_if_nobody_lived_in(home, stranger_place / "passwd", command)
    code, stdout, pieces = timed_run(wrapped, checkout, through_sudo())
    said = errors(pieces)
    if "mount: " in said and "bootstrap:" not in said:
        pytest.skip(f"no private mount namespace here: {said.strip()}")
    assert code == 1 and stdout == "", said
    assert said.splitlines()[-1].startswith(
        f"bootstrap: nobody may not write to {checkout} or run ./bootstrap there"
    )
    assert not (checkout / ".venv").exists()

    # An unknown user.
    code, _, pieces = timed_run(command, checkout, through_sudo("no-such-user-here"))
    assert code == 1
    assert errors(pieces).splitlines()[-1] == (
        "bootstrap: cannot find the user 'no-such-user-here' who ran sudo; "
        "run ./bootstrap run as yourself, without sudo"
    )
