"""The icon, drawn with Pillow: a ring that fills as the sitting clock runs.

Colour tells the state at a glance (green, then amber as the prompt nears, red when overdue); a
snooze, a pause and a routine each have their own look, so the picture is never ambiguous at 16 px.
Drawn at 4x and scaled down, so it stays crisp from 16 to 64 pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reminder.paths import make_folder, package_data
from reminder.pictures.palette import AMBER, BACKGROUND, BLUE, GREEN, GREY, PURPLE, RED, TRACK

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True)
class IconLook:
    """Everything the picture depends on; equal looks give identical pictures (no redraw)."""

    state: str  # a State: away, sitting, due, held, snoozed, paused, routine, off-hours, standing
    fill: float  # 0..1, rounded by :func:`look_for` so tiny changes do not redraw


def look_for(state: str, fraction: float, steps: int = 16) -> IconLook:
    """The look for a state and progress, quantised to ``steps`` so the icon redraws rarely."""
    clamped = min(1.0, max(0.0, fraction))
    return IconLook(state, round(clamped * steps) / steps)


def _colour(look: IconLook) -> tuple[int, int, int]:
    if look.state == "routine":
        return PURPLE
    if look.state == "snoozed":
        return BLUE
    if look.state in ("paused", "away", "off-hours"):
        return GREY
    if look.state in ("due", "held") or look.fill >= 1.0:
        return RED
    return AMBER if look.fill >= 0.75 else GREEN


def draw_icon(look: IconLook, size: int = 64) -> Image.Image:
    from PIL import Image, ImageDraw  # here: a headless psoas never draws, never loads Pillow

    scale = 4
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    colour = _colour(look)
    pad = big // 16
    ring = max(big // 6, 6)
    box = (pad, pad, big - pad, big - pad)
    draw.ellipse(box, fill=BACKGROUND)
    draw.ellipse(box, outline=TRACK, width=ring)
    if look.fill > 0:
        draw.arc(box, -90, -90 + 360 * look.fill, fill=colour, width=ring)
    centre = big // 2
    inner = big // 2 - pad - ring
    if look.state == "paused":
        bar = inner // 3
        for x in (centre - bar - bar // 2, centre + bar // 2):
            draw.rectangle((x, centre - inner // 2, x + bar, centre + inner // 2), fill=GREY)
    elif look.state == "snoozed":
        z = inner // 2
        points = [(centre - z, centre - z), (centre + z, centre - z)]
        points += [(centre - z, centre + z), (centre + z, centre + z)]
        draw.line(points, fill=BLUE, width=max(ring // 2, 3), joint="curve")
    elif look.state == "held":  # due, but waiting for the user to be free: a hollow centre
        dot = inner // 2
        width = max(ring // 3, 3)
        draw.ellipse(
            (centre - dot, centre - dot, centre + dot, centre + dot), outline=RED, width=width
        )
    elif look.state == "standing":  # the clock stopped, the user upright: a standing bar
        bar = max(inner // 4, 2)
        draw.rounded_rectangle(
            (
                centre - bar // 2,
                centre - inner * 2 // 3,
                centre + bar // 2,
                centre + inner * 2 // 3,
            ),
            radius=bar // 2,
            fill=GREEN,
        )
    elif look.state == "routine":
        r = inner // 2
        triangle = [
            (centre - r // 2, centre - r),
            (centre - r // 2, centre + r),
            (centre + r, centre),
        ]
        draw.polygon(triangle, fill=PURPLE)
    else:
        dot = inner // 3 if look.state != "away" else inner // 5
        draw.ellipse((centre - dot, centre - dot, centre + dot, centre + dot), fill=colour)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def write_icon(path: Path, look: IconLook, size: int = 64) -> Path:
    """Save the icon as a PNG (notification servers want a file path)."""
    make_folder(path.parent)
    tmp = path.with_suffix(".tmp")
    draw_icon(look, size).save(tmp, format="PNG")
    tmp.replace(path)
    return path


#: The notification icons psoas ships (drawn by :func:`draw_icon`; a test keeps them so): the
#: plain ring, a prompt's due ring and a routine's own.
SHIPPED_ICONS = {
    "psoas.png": ("sitting", 0.625),
    "psoas-prompt.png": ("due", 1.0),
    "psoas-routine.png": ("routine", 0.5),
}


def shipped_icon(name: str) -> Path:
    return package_data(f"icons/{name}")
