"""The config file followed however it comes to be, on the real kernel's inotify: a folder made
after psoas started, a file linked into a dotfiles folder (GNU stow links the file or the
folder), a folder moved aside or deleted and made again. Every edit is seen within a second, an
edit elsewhere is not, and nothing runs while nothing changes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop_processes import wait_until
from e2e import psoas, status

from reminder.config import watch as config_watch
from reminder.config.watch import ConfigWatch

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="inotify is Linux's (elsewhere: the stamp)"
)

#: The promise: an edit is applied within a second (the watch waits SETTLE for the writes of a
#: save to end).
WITHIN = 1.0


class Seen:
    """What ``changed`` was called with: the file's text each time, and when."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.texts: list[str | None] = []

    def __call__(self) -> None:
        try:
            self.texts.append(self.path.read_text())
        except OSError:
            self.texts.append(None)

    async def after(self, act: Callable[[], object], expected: str | None) -> float:
        """Do ``act``; how long until the change was seen, reading ``expected``."""
        before = len(self.texts)
        started = time.monotonic()
        act()
        while time.monotonic() - started < WITHIN + 2:
            if len(self.texts) > before:
                took = time.monotonic() - started
                assert self.texts[before:] == [expected]
                assert took < WITHIN, f"seen after {took:.2f} s"
                return took
            await asyncio.sleep(0.01)
        raise AssertionError(f"not seen within {WITHIN + 2} s: {act}")

    async def nothing_after(self, act: Callable[[], object]) -> None:
        before = len(self.texts)
        act()
        await asyncio.sleep(config_watch.SETTLE + 0.5)
        assert self.texts[before:] == []


def watching(path: Path, test: Callable[[ConfigWatch, Seen], Awaitable[None]]) -> None:
    """Run ``test`` with a started watch on ``path``, on a loop of its own."""

    async def main() -> None:
        seen = Seen(path)
        watch = ConfigWatch(path, seen)
        watch.start()
        try:
            assert watch.how == "inotify"
            await test(watch, seen)
        finally:
            watch.stop()

    asyncio.run(main())


def write(path: Path, text: str) -> Callable[[], None]:
    """A save in place, as ``echo >`` or an editor that keeps the file does."""
    return lambda: path.write_text(text)


def save_by_rename(path: Path, text: str) -> Callable[[], None]:
    """A save as vim, VS Code and most editors make it: a new file renamed over the old."""

    def save() -> None:
        new = path.with_name(f".{path.name}.swp")
        new.write_text(text)
        new.replace(path)

    return save


def watched_inodes(watch: ConfigWatch) -> set[int]:
    """The folders the kernel watches for ``watch`` (its inotify descriptor's fdinfo)."""
    lines = Path(f"/proc/self/fdinfo/{watch._fd}").read_text().splitlines()
    fields = [dict(f.split(":", 1) for f in line.split()[1:]) for line in lines if "wd:" in line]
    return {int(f["ino"], 16) for f in fields}


@pytest.mark.slow
def test_a_folder_made_after_the_start_is_followed(tmp_path):
    """The README's order: psoas runs, then ``psoas config init`` makes the folder and the
    file (Open config in the tray does the same). Not even the config home exists yet."""
    path = tmp_path / "config" / "psoas" / "config.toml"

    async def test(watch: ConfigWatch, seen: Seen) -> None:
        assert watched_inodes(watch) == {tmp_path.stat().st_ino}  # the nearest that exists

        def init() -> None:
            path.parent.mkdir(parents=True)
            path.write_text("sit_minutes = 50\n")

        await seen.after(init, "sit_minutes = 50\n")
        await seen.after(write(path, "sit_minutes = 40\n"), "sit_minutes = 40\n")
        await seen.after(save_by_rename(path, "sit_minutes = 30\n"), "sit_minutes = 30\n")
        await seen.after(path.unlink, None)
        await seen.after(write(path, "sit_minutes = 20\n"), "sit_minutes = 20\n")
        # The file and its folder, no more: not ~/.config, which other programs write all day.
        places = {path.stat().st_ino, path.parent.stat().st_ino}
        assert watched_inodes(watch) == places

    watching(path, test)


def test_writes_to_the_other_files_beside_it_do_not_wake_psoas(tmp_path):
    """~/.config is written all day by other programs (KDE keeps its rc files there, saved by
    renaming a new copy over each): the kernel is not asked to tell psoas of those writes, so
    its loop does not wake for them."""
    path = tmp_path / "config" / "psoas" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("sit_minutes = 50\n")
    beside = [path.parent / "stretches.log", path.parent.parent / "kwinrc"]
    for other in beside:
        other.write_text("made before psoas looked\n")

    async def test(watch: ConfigWatch, seen: Seen) -> None:
        for round_ in range(20):
            for other in beside:
                with other.open("a") as appended:
                    appended.write(f"line {round_}\n")
                os.utime(other)
            saved = path.parent.parent / "kwinrc.new"  # saved by a rename, as KDE saves
            saved.write_text(f"round {round_}\n")
            saved.replace(path.parent.parent / "kwinrc")
        with pytest.raises(BlockingIOError):  # not one event queued for psoas to read
            os.read(watch._fd, 4096)
        await seen.after(write(path, "sit_minutes = 40\n"), "sit_minutes = 40\n")

    watching(path, test)


@pytest.mark.slow
def test_a_file_linked_into_a_dotfiles_folder_is_followed_to_its_target(tmp_path):
    """GNU stow links ~/.config/psoas/config.toml to the file in the dotfiles folder (with a
    relative link); edits are made to the target, often by an editor that renames over it."""
    dotfiles = tmp_path / "dotfiles" / "psoas" / ".config" / "psoas"
    dotfiles.mkdir(parents=True)
    target = dotfiles / "config.toml"
    target.write_text("sit_minutes = 50\n")
    path = tmp_path / "home" / ".config" / "psoas" / "config.toml"
    path.parent.mkdir(parents=True)
    path.symlink_to(os.path.relpath(target, path.parent))

    async def test(watch: ConfigWatch, seen: Seen) -> None:
        await seen.after(write(target, "sit_minutes = 40\n"), "sit_minutes = 40\n")
        await seen.after(save_by_rename(target, "sit_minutes = 30\n"), "sit_minutes = 30\n")
        other = dotfiles / "work.toml"
        other.write_text("sit_minutes = 25\n")
        await seen.nothing_after(write(dotfiles / "notes.txt", "not the config"))

        def relink() -> None:  # the link pointed at another file
            path.unlink()
            path.symlink_to(other)

        await seen.after(relink, "sit_minutes = 25\n")
        await seen.after(write(other, "sit_minutes = 20\n"), "sit_minutes = 20\n")
        await seen.nothing_after(write(target, "sit_minutes = 99\n"))  # no longer the config

    watching(path, test)


@pytest.mark.slow
def test_a_folder_linked_into_a_dotfiles_folder_is_followed(tmp_path):
    """Where ~/.config/psoas did not exist, stow links the folder itself ("folding")."""
    dotfiles = tmp_path / "dotfiles" / "psoas"
    dotfiles.mkdir(parents=True)
    (tmp_path / "home" / ".config").mkdir(parents=True)
    folder = tmp_path / "home" / ".config" / "psoas"
    folder.symlink_to(dotfiles, target_is_directory=True)
    path = folder / "config.toml"

    async def test(watch: ConfigWatch, seen: Seen) -> None:
        await seen.after(
            write(dotfiles / "config.toml", "sit_minutes = 40\n"), "sit_minutes = 40\n"
        )
        await seen.after(save_by_rename(path, "sit_minutes = 30\n"), "sit_minutes = 30\n")
        elsewhere = tmp_path / "other-dotfiles"
        elsewhere.mkdir()
        (elsewhere / "config.toml").write_text("sit_minutes = 25\n")

        def relink() -> None:
            folder.unlink()
            folder.symlink_to(elsewhere, target_is_directory=True)

        await seen.after(relink, "sit_minutes = 25\n")
        await seen.after(write(path, "sit_minutes = 20\n"), "sit_minutes = 20\n")
        await seen.nothing_after(write(dotfiles / "config.toml", "sit_minutes = 99\n"))

    watching(path, test)


@pytest.mark.slow
def test_a_folder_moved_aside_or_deleted_and_made_again_is_followed(tmp_path):
    folder = tmp_path / ".config" / "psoas"
    folder.mkdir(parents=True)
    path = folder / "config.toml"
    path.write_text("sit_minutes = 50\n")

    async def test(watch: ConfigWatch, seen: Seen) -> None:
        aside = tmp_path / ".config" / "psoas.old"

        def move_aside_and_start_again() -> None:
            folder.rename(aside)
            folder.mkdir()
            path.write_text("sit_minutes = 40\n")

        await seen.after(move_aside_and_start_again, "sit_minutes = 40\n")
        await seen.nothing_after(write(aside / "config.toml", "sit_minutes = 99\n"))
        await seen.after(write(path, "sit_minutes = 30\n"), "sit_minutes = 30\n")

        def delete() -> None:
            path.unlink()
            folder.rmdir()

        await seen.after(delete, None)
        await seen.nothing_after(lambda: (tmp_path / ".config" / "other").mkdir())

        def make_again() -> None:
            folder.mkdir()
            save_by_rename(path, "sit_minutes = 20\n")()

        await seen.after(make_again, "sit_minutes = 20\n")
        await seen.after(write(path, "sit_minutes = 10\n"), "sit_minutes = 10\n")

    watching(path, test)


@pytest.mark.slow
def test_nothing_runs_while_nothing_changes_and_other_files_are_passed_over(tmp_path):
    path = tmp_path / "psoas" / "config.toml"
    path.parent.mkdir()
    path.write_text("sit_minutes = 50\n")

    async def test(watch: ConfigWatch, seen: Seen) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(0.1)
        # No timer of the watch's waits on the loop, and none is made by a file beside it.
        assert watch._pending is None
        await seen.nothing_after(write(path.parent / "history.txt", "not the config"))
        assert watch._pending is None
        busy_before = time.process_time()
        await asyncio.sleep(1)
        assert time.process_time() - busy_before < 0.05  # a second of nothing costs nothing
        assert not [h for h in loop._scheduled if not h.cancelled()]  # type: ignore[attr-defined]

    watching(path, test)


@pytest.mark.slow
def test_without_inotify_the_stamp_is_looked_at_when_psoas_wakes(tmp_path, monkeypatch):
    """Elsewhere than Linux: a change is seen at the daemon's next wake-up, once it settles."""
    monkeypatch.setattr(config_watch, "_inotify", lambda: None)
    path = tmp_path / "config.toml"

    async def main() -> None:
        seen = Seen(path)
        watch = ConfigWatch(path, seen)
        watch.start()
        assert watch.how == "mtime"
        path.write_text("sit_minutes = 40\n")
        await asyncio.sleep(config_watch.SETTLE + 0.2)
        assert seen.texts == []  # nothing looks until psoas wakes
        watch.seen([], None)
        await asyncio.sleep(config_watch.SETTLE + 0.2)
        assert seen.texts == ["sit_minutes = 40\n"]
        watch.seen([], None)
        await asyncio.sleep(config_watch.SETTLE + 0.2)
        assert seen.texts == ["sit_minutes = 40\n"]  # once

    asyncio.run(main())


# ----- the running psoas ----------------------------------------------------------------------


@pytest.mark.slow
def test_psoas_run_then_config_init_applies_the_new_file_at_once(env, private_env):
    """The README's order on a new machine, with the real commands: ``psoas run`` (no config
    folder yet), then ``psoas config init``, then an edit. Each is applied within about a
    second (before: the first one after 2 min 39 s, at the next look the daemon made)."""
    path = private_env.config / "psoas" / "config.toml"
    assert not path.parent.exists()
    out = (private_env.home / "psoas.err").open("wb")
    daemon = subprocess.Popen(
        [sys.executable, "-m", "reminder", "run", "--headless"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=out,
    )
    try:
        first = wait_until(lambda: status(env), 15, "psoas to answer", process=daemon)
        assert first["config"]["file"] == "defaults"
        made = psoas(env, "config", "init")
        assert made.returncode == 0, made.stderr
        started = time.monotonic()
        wait_until(lambda: status(env)["config"]["file"] == str(path), 5, "the new file applied")
        assert time.monotonic() - started < 2.5  # a second, and a psoas status or two
        before = status(env)["next_prompt"]
        path.write_text('sit_minutes = 30\nidle_source = "none"\n' + EVERY_DAY)
        started = time.monotonic()
        wait_until(lambda: status(env)["next_prompt"] != before, 5, "the edit applied")
        assert time.monotonic() - started < 2.5
    finally:
        daemon.terminate()
        daemon.wait(15)
        out.close()
