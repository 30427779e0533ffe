"""Drawing a pose (``reminder.pose``) as a picture with Pillow: a side-view figure on a floor.

The style is a pictogram: thick rounded limbs, a round head with a nose showing which way it faces,
the far limbs lighter and behind, and a warm glow along the front of the hip and thigh being
stretched. Drawn at 4x and scaled down so it stays smooth at 64 px. Pillow is imported only when a
picture is drawn, so importing this module costs nothing at ``psoas --help`` time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reminder.catalogue.pose import WORLD_HEIGHT, WORLD_WIDTH, Point, Pose, Prop

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

#: Bump whenever the drawing changes, so cached pictures are drawn again.
DRAWING_VERSION = 1

BACKGROUND = (250, 248, 244)
FLOOR = (226, 220, 208)
FLOOR_EDGE = (150, 138, 120)
NEAR = (44, 58, 84)
FAR = (150, 163, 184)
GLOW = (240, 96, 40)
BENCH = (168, 124, 84)
BENCH_EDGE = (120, 84, 52)

_SUPERSAMPLE = 4
_TOP_MARGIN = 0.03  # of the height, above the tallest head
_FLOOR_BAND = 0.09  # of the height, the floor below the figure

# Thickness in figure units.
_HEAD_RADIUS = 6.2
_TORSO_TOP = 5.8  # radius at the chest
_TORSO_BOTTOM = 5.2  # radius at the pelvis
_ARM = 3.2
_THIGH = 5.0
_SHIN = 4.0
_FOOT = 2.8
_HAND = 2.4


_PAD = 7.5  # room around the joints for the head, the limbs' thickness and the nose
_MAX_ZOOM = 1.6  # a small pose is drawn larger, but never more than this
_OUTLINE = 1.1  # the gap that separates a near limb from what lies behind it


def picture_size(height: int) -> tuple[int, int]:
    """Width and height in pixels of a picture ``height`` pixels high (the scene is 3:2)."""
    return round(height * WORLD_WIDTH / WORLD_HEIGHT), height


@dataclass(frozen=True)
class Frame:
    """The part of the scene a picture shows, in figure units: always down to the floor.

    Framing a small pose (lying, kneeling) closer makes it readable at 64 px; every pose of one
    stretch shares a frame, so its step pictures line up and compare at a glance.
    """

    left: float = 0.0
    right: float = WORLD_WIDTH
    top: float = WORLD_HEIGHT


def frame_for(poses: Iterable[Pose]) -> Frame:
    """The frame that holds every given pose with room to spare, centred on them."""
    xs: list[float] = []
    ys: list[float] = [0.0]
    for pose in poses:
        xs += [p.x for p in pose.joints]
        ys += [p.y for p in pose.joints]
        for prop in pose.props:
            xs += [prop.left, prop.right]
            ys.append(prop.height)
    if not xs:
        return Frame()
    return Frame(min(xs) - _PAD, max(xs) + _PAD, max(ys) + _PAD)


class _Canvas:
    """Figure units to pixels of the supersampled image, and the shapes the figure is made of."""

    def __init__(self, draw: ImageDraw.ImageDraw, width: int, height: int, frame: Frame) -> None:
        self.draw = draw
        room = height * (1 - _TOP_MARGIN - _FLOOR_BAND)
        base = room / WORLD_HEIGHT
        self.scale = min(
            room / frame.top, width * 0.94 / (frame.right - frame.left), base * _MAX_ZOOM
        )
        self.scale = max(self.scale, base)
        middle = (frame.left + frame.right) / 2
        self.left = width / 2 - middle * self.scale
        self.floor = height * (1 - _FLOOR_BAND)

    def at(self, point: Point) -> tuple[float, float]:
        return self.left + point.x * self.scale, self.floor - point.y * self.scale

    def disc(self, centre: Point, radius: float, colour: tuple[int, ...]) -> None:
        x, y = self.at(centre)
        r = radius * self.scale
        self.draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)

    def capsule(
        self, a: Point, b: Point, radius_a: float, radius_b: float, colour: tuple[int, ...]
    ) -> None:
        """A limb: two discs joined by their outer tangents, so it can taper."""
        self.disc(a, radius_a, colour)
        self.disc(b, radius_b, colour)
        dx, dy = b.x - a.x, b.y - a.y
        length = math.hypot(dx, dy)
        if length < 1e-6:
            return
        nx, ny = -dy / length, dx / length
        corners = [
            Point(a.x + nx * radius_a, a.y + ny * radius_a),
            Point(b.x + nx * radius_b, b.y + ny * radius_b),
            Point(b.x - nx * radius_b, b.y - ny * radius_b),
            Point(a.x - nx * radius_a, a.y - ny * radius_a),
        ]
        self.draw.polygon([self.at(c) for c in corners], fill=colour)

    def polygon(self, points: list[Point], colour: tuple[int, ...]) -> None:
        self.draw.polygon([self.at(p) for p in points], fill=colour)


def _toward(a: Point, b: Point, fraction: float) -> Point:
    return Point(a.x + (b.x - a.x) * fraction, a.y + (b.y - a.y) * fraction)


def _front(a: Point, b: Point) -> tuple[float, float]:
    """The unit vector on the front of the body for a segment running from ``a`` down to ``b``.

    The figure faces right: for a standing thigh (hip to knee, pointing down) the front is
    forward; turning the segment turns its front with it, so it also holds lying or kneeling.
    """
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    return -dy / length, dx / length


def _middle(a: Point, b: Point) -> Point:
    return _toward(a, b, 0.5)


def _draw_prop(canvas: _Canvas, prop: Prop) -> None:
    """A bench: a solid base under a rounded cushion, so it reads as something to rest a foot on."""
    if prop.kind != "bench":
        raise ValueError(f"no drawing for a prop of kind {prop.kind!r}")
    cushion = min(5.0, prop.height)
    base = [
        Point(prop.left + 1.5, 0),
        Point(prop.right - 1.5, 0),
        Point(prop.right - 1.5, prop.height - cushion),
        Point(prop.left + 1.5, prop.height - cushion),
    ]
    canvas.polygon(base, BENCH_EDGE)
    canvas.capsule(
        Point(prop.left + cushion / 2, prop.height - cushion / 2),
        Point(prop.right - cushion / 2, prop.height - cushion / 2),
        cushion / 2,
        cushion / 2,
        BENCH,
    )


def _layers(colour: tuple[int, ...], gap: float) -> list[tuple[float, tuple[int, ...]]]:
    """How to paint a limb: with a gap, first a slightly wider one in the background colour, so
    the limb stands out from the same-coloured body behind it."""
    return [(gap, BACKGROUND), (0.0, colour)] if gap else [(0.0, colour)]


def _draw_arm(canvas: _Canvas, pose: Pose, side: str, colour: tuple[int, ...], gap: float) -> None:
    shoulder, elbow, hand = (pose[f"{side}_{j}"] for j in ("shoulder", "elbow", "hand"))
    for extra, paint in _layers(colour, gap):
        canvas.capsule(shoulder, elbow, _ARM + extra, _ARM * 0.9 + extra, paint)
        canvas.capsule(elbow, hand, _ARM * 0.9 + extra, _ARM * 0.8 + extra, paint)
        canvas.disc(hand, _HAND + extra, paint)


def _draw_leg(canvas: _Canvas, pose: Pose, side: str, colour: tuple[int, ...], gap: float) -> None:
    hip, knee, ankle, toe = (pose[f"{side}_{j}"] for j in ("hip", "knee", "ankle", "toe"))
    for extra, paint in _layers(colour, gap):
        canvas.capsule(hip, knee, _THIGH + extra, _SHIN + 0.3 + extra, paint)
        canvas.capsule(knee, ankle, _SHIN + extra, _SHIN * 0.75 + extra, paint)
        canvas.capsule(ankle, toe, _FOOT + extra, _FOOT * 0.6 + extra, paint)


def _draw_glow(canvas: _Canvas, pose: Pose, side: str) -> None:
    """The band along the front of the hip and thigh where the stretch is felt."""
    neck = pose["neck"]
    hip, knee = pose[f"{side}_hip"], pose[f"{side}_knee"]
    belly = _toward(hip, neck, 0.3)
    fx, fy = _front(belly, hip)
    tx, ty = _front(hip, knee)
    reach = 0.75
    end = _toward(hip, knee, reach)
    offset_torso, offset_thigh = _TORSO_BOTTOM * 0.55, _THIGH * 0.55
    hx, hy = (fx + tx) / 2, (fy + ty) / 2
    path = [
        Point(belly.x + fx * offset_torso, belly.y + fy * offset_torso),
        Point(hip.x + hx * offset_thigh, hip.y + hy * offset_thigh),
        Point(end.x + tx * offset_thigh * 0.7, end.y + ty * offset_thigh * 0.7),
    ]
    width = 3.6
    for a, b in itertools.pairwise(path):
        canvas.capsule(a, b, width, width * 0.8, (*GLOW, 255))


def draw_pose(pose: Pose, height: int = 128, frame: Frame | None = None) -> Image.Image:
    """The picture of one pose, ``height`` pixels high and half again as wide, RGB.

    ``frame`` is the part of the scene to show (default: just this pose, see :func:`frame_for`).
    """
    from PIL import Image, ImageDraw, ImageFilter

    frame = frame or frame_for([pose])
    width, _ = picture_size(height)
    big_w, big_h = width * _SUPERSAMPLE, height * _SUPERSAMPLE
    image = Image.new("RGBA", (big_w, big_h), (*BACKGROUND, 255))
    draw = ImageDraw.Draw(image)
    canvas = _Canvas(draw, big_w, big_h, frame)
    draw.rectangle((0, canvas.floor, big_w, big_h), fill=FLOOR)
    draw.line((0, canvas.floor, big_w, canvas.floor), fill=FLOOR_EDGE, width=_SUPERSAMPLE)
    for prop in pose.props:
        _draw_prop(canvas, prop)

    # Back to front: far limbs, torso and head, near limbs.
    _draw_arm(canvas, pose, "far", FAR, 0.0)
    _draw_leg(canvas, pose, "far", FAR, 0.0)
    hip_middle = _middle(pose["near_hip"], pose["far_hip"])
    neck = pose["neck"]
    chest = _toward(neck, hip_middle, 0.08)
    canvas.capsule(chest, hip_middle, _TORSO_TOP, _TORSO_BOTTOM, NEAR)
    for side in ("near", "far"):
        canvas.capsule(pose[f"{side}_hip"], hip_middle, _TORSO_BOTTOM, _TORSO_BOTTOM, NEAR)
        canvas.capsule(chest, pose[f"{side}_shoulder"], _TORSO_TOP * 0.8, _ARM, NEAR)
    _draw_head(canvas, pose)
    _draw_leg(canvas, pose, "near", NEAR, _OUTLINE)
    _draw_arm(canvas, pose, "near", NEAR, _OUTLINE)

    picture = image.resize((width, height), Image.Resampling.LANCZOS)
    if pose.stretched != "none":
        # The glow is soft anyway: blurred at the final size, which is many times quicker.
        glow = Image.new("RGBA", (big_w, big_h), (*GLOW, 0))
        glow_canvas = _Canvas(ImageDraw.Draw(glow), big_w, big_h, frame)
        sides = ("near", "far") if pose.stretched == "both" else (pose.stretched,)
        for side in sides:
            _draw_glow(glow_canvas, pose, side)
        glow = glow.resize((width, height), Image.Resampling.BOX)
        glow = glow.filter(ImageFilter.GaussianBlur(canvas.scale * 1.6 / _SUPERSAMPLE))
        glow.putalpha(glow.getchannel("A").point(lambda a: round(a * 0.85)))
        picture.alpha_composite(glow)
    return picture.convert("RGB")


def _draw_head(canvas: _Canvas, pose: Pose) -> None:
    head, neck = pose["head"], pose["neck"]
    canvas.disc(head, _HEAD_RADIUS, NEAR)
    fx, fy = _front(head, neck)
    dx, dy = head.x - neck.x, head.y - neck.y
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    # A small nose on the face side, a little above the head's middle.
    base = Point(head.x + fx * (_HEAD_RADIUS - 1.0), head.y + fy * (_HEAD_RADIUS - 1.0))
    tip = Point(base.x + fx * 3.0 - ux * 0.8, base.y + fy * 3.0 - uy * 0.8)
    canvas.polygon(
        [
            Point(base.x + ux * 2.2, base.y + uy * 2.2),
            tip,
            Point(base.x - ux * 1.6, base.y - uy * 1.6),
        ],
        NEAR,
    )
