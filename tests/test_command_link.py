"""The ``psoas`` command in ``~/.local/bin`` that ``./bootstrap`` links to its virtual
environment's: made, kept, moved with the checkout, and never put over a ``psoas`` that is not
ours; and a plain word when a new terminal would not find it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reminder.install.command_link import path_notes, place_link

ROOT = Path(__file__).resolve().parent.parent


def test_the_link_is_made_kept_and_moved_with_the_checkout(tmp_path):
    link = tmp_path / "home" / ".local" / "bin" / "psoas"
    target = tmp_path / "psoas" / ".venv" / "bin" / "psoas"
    assert place_link(target, link) == f"{link} -> {target}"  # the folder is made too
    assert link.is_symlink() and Path(os.readlink(link)) == target
    assert place_link(target, link) == f"{link} -> {target} (already)"

    moved = tmp_path / "elsewhere" / ".venv" / "bin" / "psoas"  # the checkout was moved
    assert place_link(moved, link) == f"{link} -> {moved} (it pointed to {target})"
    assert Path(os.readlink(link)) == moved
    assert sorted(p.name for p in link.parent.iterdir()) == ["psoas"]  # no temporary left


def test_a_psoas_that_is_not_ours_is_left_as_it_is(tmp_path):
    link = tmp_path / "bin" / "psoas"
    target = tmp_path / "checkout" / ".venv" / "bin" / "psoas"
    link.parent.mkdir()
    pipx = tmp_path / ".local" / "pipx" / "venvs" / "psoas" / "bin" / "psoas"
    link.symlink_to(pipx)
    said = place_link(target, link)
    assert said.startswith(f"{link} is already there and is not ours (a link to {pipx})")
    assert said.endswith(f"this psoas is {target}") and "\n" not in said
    assert Path(os.readlink(link)) == pipx

    link.unlink()
    link.write_text("#!/bin/sh\necho my own psoas\n")
    assert "is not ours (a file)" in place_link(target, link)
    assert link.read_text() == "#!/bin/sh\necho my own psoas\n"
    link.unlink()
    link.mkdir()
    assert "is not ours (a folder)" in place_link(target, link)
    assert link.is_dir()


def test_a_folder_not_on_path_is_said_plainly_with_the_way_to_add_it(tmp_path):
    link = tmp_path / ".local" / "bin" / "psoas"
    (note,) = path_notes(link, "/usr/local/bin:/usr/bin:/bin")
    assert note.startswith(f"{link.parent} is not on the PATH here")
    assert 'export PATH="$HOME/.local/bin:$PATH"' in note and "log out and back in" in note
    assert path_notes(link, f"/usr/bin:{link.parent}:/bin") == []
    assert path_notes(link, f"/usr/bin:{link.parent}/:/bin") == []  # the same folder

    other = tmp_path / "usr-local-bin"
    other.mkdir()
    (other / "psoas").write_text("#!/bin/sh\n")
    (other / "psoas").chmod(0o755)
    link.parent.mkdir(parents=True)
    link.symlink_to("/bin/true")
    (shadowed,) = path_notes(link, f"{other}:{link.parent}")
    assert shadowed == (
        f"note: 'psoas' in a terminal runs {other / 'psoas'}, which comes before {link.parent} "
        "on PATH"
    )


@pytest.mark.slow
def test_bootstrap_runs_it_as_a_module(tmp_path):
    target = tmp_path / "checkout" / ".venv" / "bin" / "psoas"
    env = dict(os.environ, HOME=str(tmp_path), PATH="/usr/bin:/bin")
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "reminder.install.command_link", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    made = run(str(target))
    link = tmp_path / ".local" / "bin" / "psoas"
    assert made.returncode == 0, made.stderr
    made_link, pipx, path = made.stdout.splitlines()
    assert made_link == f"{link} -> {target}"
    # pipx install . would find the link, keep it and say done: what to do instead, said now.
    assert pipx.startswith("to change to pipx's psoas later, use pipx install --force . ")
    assert f"leaves {link} as it is" in pipx
    assert "is not on the PATH here" in path
    assert run().returncode == 2

    link.unlink()
    link.write_text("#!/bin/sh\necho my own psoas\n")
    left = run(str(target))
    assert left.returncode == 0 and "is not ours" in left.stdout
    assert "pipx" not in left.stdout  # not ours: nothing of pipx's to say

    link.unlink()
    link.parent.rmdir()
    link.parent.write_text("not a folder")
    failed = run(str(target))
    assert failed.returncode == 1 and failed.stderr.startswith(f"{link}: cannot make the link")
