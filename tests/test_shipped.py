"""What psoas ships pre-drawn (so a headless psoas never loads Pillow) is exactly what its code
draws today: the notification icons and the stretches' main pictures."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops

from reminder.catalogue.loader import load_catalogue
from reminder.pictures.cache import cache_name, draw_picture, packaged_pictures
from reminder.tray.icon import SHIPPED_ICONS, draw_icon, look_for, shipped_icon

REDRAW = (
    '.venv-test/bin/python -c "from reminder.pictures.cache import write_packaged_pictures; '
    'write_packaged_pictures()"'
)


def same(shipped: Path, drawn: Image.Image) -> bool:
    """Equal pixels, give or take what another Pillow's resampling may change."""
    difference = ImageChops.difference(Image.open(shipped).convert("RGBA"), drawn.convert("RGBA"))
    histogram = difference.convert("L").histogram()
    return sum(histogram[16:]) <= 0.001 * sum(histogram)


def test_the_shipped_icons_are_what_draw_icon_draws():
    for name, (state, fill) in SHIPPED_ICONS.items():
        assert same(shipped_icon(name), draw_icon(look_for(state, fill))), name
    shipped = [shipped_icon(name).read_bytes() for name in SHIPPED_ICONS]
    assert len(set(shipped)) == len(shipped)  # three different icons


def test_the_shipped_pictures_are_the_main_poses_as_drawn_today():
    catalogue = load_catalogue()
    expected = {
        cache_name(stretch, stretch.main_pose): stretch for stretch in catalogue.stretches.values()
    }
    found = {path.name for path in packaged_pictures().glob("*.png")}
    assert found == set(expected), f"the poses changed: draw them again with {REDRAW}"
    for name, stretch in expected.items():
        assert same(packaged_pictures() / name, draw_picture(stretch, stretch.main_pose)), name
