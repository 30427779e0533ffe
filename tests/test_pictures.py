"""Stretch pictures: drawn by psoas from the catalogue's pose data, cached, written on request."""

from __future__ import annotations

import itertools
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from e2e import ROOT, psoas
from PIL import Image, ImageChops, ImageDraw, ImageStat

from reminder.catalogue.model import Catalogue
from reminder.catalogue.pose import JOINTS, Point
from reminder.pictures import cache as pictures
from reminder.pictures.cache import (
    PICTURE_HEIGHT,
    draw_picture,
    picture_files,
    picture_path,
    warm_pictures,
)

ARTIFACTS = Path(__file__).parent / "artifacts"
DOCS = ROOT / "docs" / "stretches"
SIZE = (192, 128)


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two pictures, from 0 (the same) to 1 (black against white)."""
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3 / 255


def strongly_different(a: Image.Image, b: Image.Image) -> float:
    """The share of pixels that differ clearly (more than a smoothing difference could make)."""
    grey = ImageChops.difference(a, b).convert("L")
    return ImageStat.Stat(grey.point(lambda v: 255 if v > 40 else 0)).mean[0] / 255


def every_pose(catalogue: Catalogue) -> list[tuple[str, int]]:
    return [(s.id, n) for s in catalogue.stretches.values() for n in range(1, len(s.poses) + 1)]


@pytest.fixture(scope="module")
def drawn(catalogue: Catalogue) -> dict[tuple[str, int], Image.Image]:
    """Every pose of every stretch at 128 px; also left as a contact sheet to look at."""
    images = {(sid, n): draw_picture(catalogue.stretch(sid), n) for sid, n in every_pose(catalogue)}
    small = {
        (sid, n): draw_picture(catalogue.stretch(sid), n, 64) for sid, n in every_pose(catalogue)
    }
    ARTIFACTS.mkdir(exist_ok=True)
    contact_sheet(catalogue, images, small).save(ARTIFACTS / "stretch-pictures.png")
    return images


def contact_sheet(
    catalogue: Catalogue,
    images: dict[tuple[str, int], Image.Image],
    small: dict[tuple[str, int], Image.Image],
) -> Image.Image:
    """Every picture at the sizes it is shown (128 and 64 px), named, on one grey sheet."""
    gap, label = 10, 14
    width = sum(image.width + gap for image in images.values()) + gap
    sheet = Image.new("RGB", (width, gap + label + 128 + gap + 64 + gap), (96, 96, 96))
    draw = ImageDraw.Draw(sheet)
    x = gap
    for (sid, n), image in images.items():
        stretch = catalogue.stretch(sid)
        name = sid if n == stretch.main_pose else f"{sid} {n}"
        if len(stretch.poses) > 1:
            name = f"{sid} {n}/{len(stretch.poses)}" + (" (main)" if n == stretch.main_pose else "")
        draw.text((x, gap), name, fill="white")
        sheet.paste(image, (x, gap + label))
        sheet.paste(small[sid, n], (x, gap + label + 128 + gap))
        x += image.width + gap
    return sheet


# ----- the pictures ------------------------------------------------------------------------------


def test_every_stretch_has_a_picture_at_least_128_px_high(catalogue, drawn):
    for stretch in catalogue.stretches.values():
        image = drawn[stretch.id, stretch.main_pose]
        assert image.size == SIZE and image.height >= PICTURE_HEIGHT
        # Something is drawn: the figure, not an empty floor.
        assert len(image.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50


def test_no_two_pictures_are_alike(drawn):
    for (a, image_a), (b, image_b) in itertools.combinations(drawn.items(), 2):
        assert mean_difference(image_a, image_b) > 0.02, (a, b)


def test_the_stretched_side_is_marked_and_a_start_pose_is_not(catalogue, drawn):
    def glowing(image: Image.Image) -> int:
        """Pixels in the warm orange of the glow (nothing else in a picture is that colour)."""
        red, green, blue = (band.load() for band in image.split())
        return sum(
            1
            for x in range(image.width)
            for y in range(image.height)
            if red[x, y] > 200 and 60 < green[x, y] < 170 and blue[x, y] < 110
        )

    bridge = catalogue.stretch("bridge")
    assert bridge.poses[0].stretched == "none" and glowing(drawn["bridge", 1]) == 0
    for stretch in catalogue.stretches.values():
        assert glowing(drawn[stretch.id, stretch.main_pose]) > 40, stretch.id


def test_a_picture_can_be_drawn_small_and_large(catalogue):
    stretch = catalogue.stretch("standing")
    assert draw_picture(stretch, 1, 64).size == (96, 64)
    assert draw_picture(stretch, 1, 256).size == (384, 256)
    with pytest.raises(ValueError, match="no pose 2"):
        draw_picture(stretch, 2)


@pytest.mark.slow
def test_drawing_does_not_load_pillow_until_a_picture_is_drawn():
    code = (
        "import sys, reminder.cli.main, reminder.pictures.figure, reminder.pictures.cache; "
        "reminder.cli.main.build_parser().format_help(); print('PIL' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


# ----- the cache the daemon uses -----------------------------------------------------------------


@pytest.fixture
def draws(monkeypatch) -> list[tuple[str, int]]:
    """Every picture the cache draws, as (stretch id, pose)."""
    seen: list[tuple[str, int]] = []
    real = pictures.draw_picture

    def counting(stretch, pose, height=PICTURE_HEIGHT):
        seen.append((stretch.id, pose))
        return real(stretch, pose, height)

    monkeypatch.setattr(pictures, "draw_picture", counting)
    return seen


def with_stretch(catalogue: Catalogue, stretch_id: str, **changes: object) -> Catalogue:
    """The catalogue with one stretch changed, the way a new catalogue file would change it."""
    changed = replace(catalogue.stretch(stretch_id), **changes)
    return replace(catalogue, stretches=catalogue.stretches | {stretch_id: changed})


def test_the_cache_draws_once_and_reuses_the_file(catalogue, tmp_path, draws):
    first = picture_path(catalogue, "standing", folder=tmp_path / "cache")
    assert first.is_file() and Image.open(first).size == SIZE
    stamp = first.stat().st_mtime_ns
    again = picture_path(catalogue, "standing", folder=tmp_path / "cache")
    assert again == first and first.stat().st_mtime_ns == stamp
    assert draws == [("standing", 1)]
    # Words are not what the picture is drawn from: new text keeps the picture.
    reworded = with_stretch(catalogue, "standing", how="Stand up straight.", name="Standing")
    assert picture_path(reworded, "standing", folder=tmp_path / "cache") == first
    assert draws == [("standing", 1)]
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [first.name]  # no temporary files


def test_the_cache_redraws_when_the_pose_data_or_the_drawing_changes(
    catalogue, tmp_path, draws, monkeypatch
):
    folder = tmp_path / "cache"
    before = picture_path(catalogue, "standing", folder=folder)
    pose = catalogue.stretch("standing").poses[0]
    joints = list(pose.joints)
    elbow = JOINTS.index("near_elbow")
    joints[elbow] = Point(joints[elbow].x - 1, joints[elbow].y + 1)
    moved = with_stretch(catalogue, "standing", poses=(replace(pose, joints=tuple(joints)),))
    after = picture_path(moved, "standing", folder=folder)
    assert after != before and after.is_file()
    assert not before.exists()  # the stale drawing is removed
    with Image.open(after) as new:
        assert mean_difference(new.convert("RGB"), draw_picture(catalogue.stretch("standing"), 1))
    monkeypatch.setattr(pictures, "DRAWING_VERSION", pictures.DRAWING_VERSION + 1)
    redrawn = picture_path(catalogue, "standing", folder=folder)
    assert redrawn not in (before, after)
    assert draws == [("standing", 1)] * 3
    assert [p.name for p in folder.iterdir()] == [redrawn.name]


def test_a_step_gets_the_picture_of_the_pose_it_is_done_in(catalogue, tmp_path, draws):
    folder = tmp_path / "cache"
    main = picture_path(catalogue, "bridge", folder=folder)
    assert picture_path(catalogue, "bridge", 2, folder=folder) == main
    down = picture_path(catalogue, "bridge", 1, folder=folder)
    assert down != main and picture_path(catalogue, "bridge", 3, folder=folder) == down
    assert draws == [("bridge", 2), ("bridge", 1)]
    with pytest.raises(ValueError, match="no step 4"):
        picture_path(catalogue, "bridge", 4, folder=folder)
    with pytest.raises(KeyError, match="brigde"):
        picture_path(catalogue, "brigde", folder=folder)


def test_warming_draws_every_pose_once(catalogue, tmp_path, draws):
    paths = warm_pictures(catalogue, tmp_path)
    assert len(paths) == len(set(paths)) == len(every_pose(catalogue))
    assert sorted(draws) == sorted(every_pose(catalogue))
    assert warm_pictures(catalogue, tmp_path) == paths
    assert len(draws) == len(paths)


def test_a_folder_that_cannot_be_written_is_an_os_error(catalogue, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        picture_path(catalogue, "bridge", folder=blocker / "cache")


# ----- psoas stretches --pictures DIR --------------------------------------------------------


@pytest.mark.slow
def test_psoas_stretches_pictures_writes_a_png_per_stretch_and_position(catalogue, tmp_path, env):
    folder = tmp_path / "new" / "pictures"
    result = psoas(env, "stretches", "--pictures", str(folder))
    assert result.returncode == 0, result.stderr
    expected = [name for s in catalogue.stretches.values() for name, _ in picture_files(s)]
    assert [Path(line).name for line in result.stdout.splitlines()] == expected
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected)
    for stretch in catalogue.stretches.values():
        with Image.open(folder / f"{stretch.id}.png") as image:
            assert image.format == "PNG" and image.size == SIZE
    assert {"bridge-1.png", "bridge-2.png", "low-lunge-twist-2.png"} <= set(expected)


@pytest.mark.slow
def test_psoas_stretches_pictures_into_an_unwritable_place_is_one_line(tmp_path, env):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder")
    for target in (blocker, blocker / "pictures"):
        result = psoas(env, "stretches", "--pictures", str(target))
        assert result.returncode == 2, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.stderr
        assert lines[0].startswith(f"psoas: {target}: cannot write pictures there")
    clash = psoas(env, "stretches", "--json", "--pictures", str(tmp_path))
    assert clash.returncode == 2 and len(clash.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_the_stretch_list_says_pictures_exist(env):
    assert "psoas stretches --pictures DIR" in psoas(env, "stretches").stdout
    assert "ID-1.png" in psoas(env, "stretches", "--help").stdout


# ----- the pictures in the README --------------------------------------------------------------


def test_the_committed_readme_pictures_are_what_the_code_draws(catalogue):
    """docs/stretches holds what `psoas stretches --pictures docs/stretches` writes.

    Compared closely rather than byte for byte: another Pillow version may smooth an edge or
    compress a little differently, but a stale picture (a joint moved by half a unit) differs
    clearly on a few hundred pixels, and that fails.
    """
    expected = {
        name: (s, pose) for s in catalogue.stretches.values() for name, pose in picture_files(s)
    }
    assert sorted(p.name for p in DOCS.glob("*.png")) == sorted(expected)
    for name, (stretch, pose) in expected.items():
        with Image.open(DOCS / name) as committed:
            assert committed.size == SIZE, name
            drawn = draw_picture(stretch, pose)
            assert strongly_different(committed.convert("RGB"), drawn) < 0.001, name
            assert mean_difference(committed.convert("RGB"), drawn) < 0.002, name
    readme = (ROOT / "README.md").read_text()
    for stretch in catalogue.stretches.values():
        assert f"docs/stretches/{stretch.id}.png" in readme
