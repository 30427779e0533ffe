"""Stretch pictures as PNG files: drawn once into a cache folder, or written out for people.

The daemon asks :func:`picture_path` for a stretch's picture ahead of a prompt (or draws them all
with :func:`warm_pictures`), so a prompt never waits for Pillow. A cached file is used as long as
its name matches: the name carries a hash of the stretch's pose data, the size and the drawing
version, so changing any of them draws a new file and the old one is removed.
"""

from __future__ import annotations

import itertools
import os
import re
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from reminder.catalogue.model import Catalogue, Stretch
from reminder.paths import make_folder, package_data
from reminder.pictures.card import card_text, draw_card
from reminder.pictures.figure import DRAWING_VERSION, draw_pose, frame_for

if TYPE_CHECKING:
    from PIL import Image

#: Pictures for files and notifications are this many pixels high (and half again as wide).
PICTURE_HEIGHT = 128


#: The pose number of a stretch's plain card: a stretch with no poses (the user's own).
CARD = 0


def pose_number(stretch: Stretch, step: int | None = None) -> int:
    """The pose that pictures a stretch (or the step ``step`` of it); :data:`CARD` for a stretch
    with no poses to draw."""
    if not stretch.poses:
        return CARD
    return stretch.main_pose if step is None else stretch.pose_for_step(step)


def draw_picture(stretch: Stretch, pose: int, height: int = PICTURE_HEIGHT) -> Image.Image:
    """Pose number ``pose`` (from 1) of a stretch, framed like the stretch's other poses; its
    plain card (pose :data:`CARD`) when it has no poses."""
    if pose == CARD and not stretch.poses:
        return draw_card(stretch, height)
    if not 1 <= pose <= len(stretch.poses):
        raise ValueError(f"stretch {stretch.id!r} has no pose {pose} (it has {len(stretch.poses)})")
    return draw_pose(stretch.poses[pose - 1], height, frame_for(stretch.poses))


def cache_name(stretch: Stretch, pose: int, height: int = PICTURE_HEIGHT) -> str:
    """The cached file's name: changes whenever anything the picture is drawn from changes.

    Every pose of the stretch goes into the hash, because they share one frame.
    """
    drawn_from = "\n".join(
        [f"drawing {DRAWING_VERSION}", f"height {height}", f"pose {pose}"]
        + [p.key() for p in stretch.poses]
        + ([] if stretch.poses else ["card", *card_text(stretch)])
    )
    # A cache key, not a secret: crc32 spares loading OpenSSL's hashes (3 MiB) into the daemon.
    digest = f"{zlib.crc32(drawn_from.encode()):08x}"
    return f"{stretch.id}-{pose}-{height}-{digest}.png"


def picture_path(
    catalogue: Catalogue,
    stretch_id: str,
    step: int | None = None,
    *,
    folder: Path,
    height: int = PICTURE_HEIGHT,
) -> Path:
    """The PNG of a stretch (its main pose), or of the pose step ``step`` (from 1) is done in.

    Drawn into ``folder`` only when missing or stale; written atomically, so a reader never sees
    half a file. Raises KeyError for an unknown stretch, ValueError for a step it does not have,
    and OSError when the folder cannot be written.
    """
    stretch = catalogue.stretch(stretch_id)
    pose = pose_number(stretch, step)
    path = folder / cache_name(stretch, pose, height)
    if path.is_file():
        return path
    make_folder(folder)
    _save(draw_picture(stretch, pose, height), path)
    _remove_stale(folder, stretch.id, pose, height, keep=path.name)
    return path


def warm_pictures(catalogue: Catalogue, folder: Path, height: int = PICTURE_HEIGHT) -> list[Path]:
    """Every pose of every stretch in the cache, drawing only what is missing or stale."""
    paths = []
    for stretch in catalogue.stretches.values():
        steps = [pose.steps[0] for pose in stretch.poses] or [None]  # no poses: the card
        for step in steps:
            paths.append(picture_path(catalogue, stretch.id, step, folder=folder, height=height))
    return paths


def picture_files(stretch: Stretch) -> list[tuple[str, int]]:
    """The file names ``psoas stretches --pictures`` writes for a stretch, with their pose.

    ``ID.png`` is the main pose; a stretch with more than one pose also gets ``ID-1.png``,
    ``ID-2.png``... one per pose, in the order its steps go through them.
    """
    files = [(f"{stretch.id}.png", pose_number(stretch))]
    if len(stretch.poses) > 1:
        files += [(f"{stretch.id}-{n}.png", n) for n in range(1, len(stretch.poses) + 1)]
    return files


def write_pictures(catalogue: Catalogue, folder: Path, height: int = PICTURE_HEIGHT) -> list[Path]:
    """Every stretch's pictures as ``ID.png`` (and ``ID-N.png``) in ``folder``, created if needed.

    Raises OSError when the folder cannot be created or written.
    """
    make_folder(folder)
    written = []
    for stretch in catalogue.stretches.values():
        for name, pose in picture_files(stretch):
            _save(draw_picture(stretch, pose, height), folder / name)
            written.append(folder / name)
    return written


#: Numbers for temporary files: two threads of one process never pick the same name.
_TEMPORARY = itertools.count()


def _save(image: Image.Image, path: Path) -> None:
    """Write a PNG beside its final name, then rename it into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{next(_TEMPORARY)}.tmp")
    try:
        with tmp.open("xb") as out:
            image.save(out, format="PNG")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)  # only still there if something failed


def _remove_stale(folder: Path, stretch_id: str, pose: int, height: int, keep: str) -> None:
    """Earlier drawings of the same picture: their data or drawing has changed since."""
    same = re.compile(rf"{re.escape(stretch_id)}-{pose}-{height}-[0-9a-f]{{8}}\.png")
    for old in folder.iterdir():
        if old.name != keep and same.fullmatch(old.name):
            old.unlink(missing_ok=True)


def packaged_pictures() -> Path:
    """The main pictures psoas ships, drawn by this module from the catalogue's poses (a test
    keeps them in step): psoas need not load Pillow at all to show them."""
    return package_data("pictures")


def write_packaged_pictures(folder: Path | None = None) -> list[Path]:
    """Draw the shipped pictures again (after a pose changes): every stretch's main pose."""
    from reminder.catalogue.loader import load_catalogue

    folder = folder or packaged_pictures()
    for old in folder.glob("*.png"):
        old.unlink()
    catalogue = load_catalogue()
    return [
        picture_path(catalogue, stretch_id, folder=folder) for stretch_id in catalogue.stretches
    ]


class PictureCache:
    """The stretches' main pictures for notifications: the shipped ones where they match the
    poses, else drawn once into ``folder``, off the daemon's loop; until then (or if they cannot
    be drawn) notifications go without."""

    def __init__(self, catalogue: Catalogue, folder: Path) -> None:
        self.catalogue = catalogue
        self.folder = folder
        self._ready: dict[str, Path] = {}

    def draw_all(self) -> None:
        """Take the shipped pictures, and draw what is missing (in a worker thread: Pillow takes
        about 15 ms a picture)."""
        shipped = packaged_pictures()
        for stretch in self.catalogue.stretches.values():
            packaged = shipped / cache_name(stretch, pose_number(stretch))
            if packaged.is_file():
                self._ready[stretch.id] = packaged
            else:
                self._ready[stretch.id] = picture_path(
                    self.catalogue, stretch.id, folder=self.folder
                )

    def of(self, stretch_id: str) -> Path | None:
        return self._ready.get(stretch_id)
