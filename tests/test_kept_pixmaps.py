"""The tray's pictures kept on disk: read back exactly as drawn, drawn again when the file is
wrong or cannot be kept, and never stale after the drawing code changes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import reminder
from reminder.tray.icon import draw_icon, look_for
from reminder.tray.kept_pixmaps import KeptPixmaps
from reminder.tray.sni import ICON_SIZES, pixmaps

LOOK = look_for("sitting", 0.5)


def drawn_now(look=LOOK):
    return pixmaps(lambda size: draw_icon(look, size))


def test_a_look_drawn_once_is_read_back_by_the_next_start_exactly_as_drawn(tmp_path: Path):
    first = KeptPixmaps(tmp_path)
    assert first.of(LOOK) == drawn_now()
    assert first.drawn == 1
    later = KeptPixmaps(tmp_path)  # a later start
    assert later.of(LOOK) == drawn_now()
    assert later.drawn == 0
    other = look_for("due", 1.0)
    assert later.of(other) == drawn_now(other) != drawn_now()
    assert later.drawn == 1
    assert [(w, h) for w, h, _ in later.of(LOOK)] == [(s, s) for s in ICON_SIZES]


def test_a_file_cut_short_or_garbled_is_drawn_again_and_kept_right(tmp_path: Path):
    KeptPixmaps(tmp_path).of(LOOK)
    (kept,) = tmp_path.glob("tray-*/*.argb")
    whole = kept.read_bytes()
    for damaged in (whole[:-1], whole + b"x", b"", b"\xff" * 8 + whole[8:], whole[:4]):
        kept.write_bytes(damaged)
        again = KeptPixmaps(tmp_path)
        assert again.of(LOOK) == drawn_now()
        assert again.drawn == 1
        assert kept.read_bytes() == whole


def test_a_cache_that_cannot_be_written_costs_a_drawing_each_time_not_the_icon(tmp_path: Path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder should be")
    pictures = KeptPixmaps(blocked)
    assert pictures.of(LOOK) == drawn_now()
    assert pictures.of(LOOK) == drawn_now()
    assert pictures.drawn == 2
    assert blocked.read_text() == "a file where the folder should be"


def test_pictures_of_an_older_drawing_are_neither_shown_nor_kept(tmp_path: Path):
    old = tmp_path / "tray-0.0.1-1-1"
    old.mkdir()
    (old / f"{LOOK.state}-{LOOK.fill:.4f}.argb").write_bytes(b"an old picture")
    pictures = KeptPixmaps(tmp_path)
    assert pictures.of(LOOK) == drawn_now()
    assert pictures.drawn == 1
    assert not old.exists()
    assert list(tmp_path.glob("tray-*")) == [pictures.folder]


@pytest.mark.slow
def test_a_start_that_finds_its_picture_kept_never_loads_pillow(tmp_path: Path):
    KeptPixmaps(tmp_path).of(LOOK)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from reminder.tray.icon import look_for\n"
        "from reminder.tray.sni_tray import SniTray\n"
        "from reminder.tray.kept_pixmaps import KeptPixmaps\n"
        f"pictures = KeptPixmaps(Path({str(tmp_path)!r}))\n"
        "pictures.of(look_for('sitting', 0.5))\n"
        "print(pictures.drawn, sorted(m for m in sys.modules if m.split('.')[0] == 'PIL'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=os.environ
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "[]"]


def _folder_name_from(package_root: Path) -> str:
    """The kept pictures' folder a psoas imported from ``package_root`` would use."""
    script = (
        "from pathlib import Path\n"
        "import reminder\n"
        "from reminder.tray.kept_pixmaps import KeptPixmaps\n"
        f"assert Path(reminder.__file__).is_relative_to({str(package_root)!r}), reminder.__file__\n"
        "print(KeptPixmaps(Path('.')).folder.name)\n"
    )
    env = os.environ | {"PYTHONPATH": str(package_root)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=package_root
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.slow
def test_the_same_drawing_code_finds_the_same_pictures_wherever_and_whenever_installed(
    tmp_path: Path,
):
    """A checkout and the copy pip installed from it (another place, other file times) share
    their kept pictures; a change to the drawing code gets a folder of its own."""
    here = KeptPixmaps(tmp_path).folder.name
    installed = tmp_path / "site-packages"
    # shutil.copy, not copy2: new file times, as an install has.
    shutil.copytree(
        Path(reminder.__file__).parent, installed / "reminder", copy_function=shutil.copy
    )
    assert _folder_name_from(installed) == here

    palette = installed / "reminder" / "pictures" / "palette.py"
    palette.write_text(
        palette.read_text().replace("GREEN = (46, 160, 67)", "GREEN = (46, 161, 67)")
    )
    recoloured = _folder_name_from(installed)
    assert recoloured != here
    drawing = installed / "reminder" / "tray" / "icon.py"
    drawing.write_text(drawing.read_text() + "\n# the ring drawn another way\n")
    assert _folder_name_from(installed) not in (here, recoloured)
