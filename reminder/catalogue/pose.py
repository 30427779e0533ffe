"""The figure in a stretch's picture: where each joint of a simple person is, seen from the side.

Pictures are drawn from this data (``reminder.pictures.figure``), never from art files, so every
picture has the same style and a new stretch gets one by adding numbers to the catalogue.
Coordinates are in figure units: ``x`` runs forward (the figure faces right), ``y`` is the height
above the floor, and a person standing tall is about 95 units from the floor to the top of the
head.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

#: The scene every picture shows; a joint or prop outside it would be cut off.
WORLD_WIDTH = 150.0
WORLD_HEIGHT = 100.0

#: The limbs nearer the viewer are drawn darker and on top; the far ones lighter, behind.
LIMB_JOINTS: tuple[str, ...] = ("shoulder", "elbow", "hand", "hip", "knee", "ankle", "toe")
JOINTS: tuple[str, ...] = (
    "head",
    "neck",
    *(f"{side}_{joint}" for side in ("near", "far") for joint in LIMB_JOINTS),
)


def _bones() -> dict[tuple[str, str], float]:
    bones = {
        ("head", "neck"): 14.0,
        ("near_hip", "far_hip"): 11.0,
        ("near_shoulder", "far_shoulder"): 22.0,  # the shoulders seen apart: the chest turned
    }
    for side in ("near", "far"):
        bones |= {
            ("neck", f"{side}_shoulder"): 11.0,
            ("neck", f"{side}_hip"): 32.0,
            (f"{side}_shoulder", f"{side}_elbow"): 18.0,
            (f"{side}_elbow", f"{side}_hand"): 18.0,
            (f"{side}_hip", f"{side}_knee"): 24.0,
            (f"{side}_knee", f"{side}_ankle"): 23.0,
            (f"{side}_ankle", f"{side}_toe"): 12.0,
        }
    return bones


#: The longest each bone may look, in figure units. A bone pointing at the viewer looks shorter,
#: so only the upper bound is checked: it catches a typo that would stretch a limb out of shape.
BONES: dict[tuple[str, str], float] = _bones()

Stretched = Literal["near", "far", "both", "none"]
#: Whose hip flexor the picture marks: the near leg's, the far leg's, both, or none (a start pose).
STRETCHED: tuple[str, ...] = ("near", "far", "both", "none")
#: Things a pose may need drawn beside the figure; the floor is always there.
PROP_KINDS: tuple[str, ...] = ("bench",)


class Point(NamedTuple):
    x: float
    y: float


@dataclass(frozen=True)
class Prop:
    """Furniture in the picture: a ``bench`` is a seat from ``left`` to ``right``, this high."""

    kind: str
    left: float
    right: float
    height: float

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "left": self.left, "right": self.right, "height": self.height}


@dataclass(frozen=True)
class Pose:
    """One position of a stretch, as a picture shows it.

    ``steps`` are the numbers (from 1) of the stretch's steps done in this position; ``main`` marks
    the pose that stands for the whole stretch (the stretched position itself). ``joints`` holds a
    point for each name in :data:`JOINTS`, in that order (a tuple keeps the pose hashable).
    """

    steps: tuple[int, ...]
    main: bool
    stretched: Stretched
    joints: tuple[Point, ...]
    props: tuple[Prop, ...] = ()

    def __post_init__(self) -> None:
        if len(self.joints) != len(JOINTS):
            raise ValueError(f"a pose needs {len(JOINTS)} joints, not {len(self.joints)}")

    def __getitem__(self, joint: str) -> Point:
        return self.joints[JOINTS.index(joint)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": list(self.steps),
            "main": self.main,
            "stretched": self.stretched,
            "joints": {name: list(point) for name, point in zip(JOINTS, self.joints, strict=True)},
            "props": [prop.to_dict() for prop in self.props],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pose:
        """The inverse of :meth:`to_dict` (the JSON of ``psoas stretches --json``)."""
        return cls(
            steps=tuple(data["steps"]),
            main=data["main"],
            stretched=data["stretched"],
            joints=tuple(Point(*data["joints"][name]) for name in JOINTS),
            props=tuple(Prop(**prop) for prop in data["props"]),
        )

    def key(self) -> str:
        """What the picture is drawn from, as stable text: hashed to name cached pictures.

        ``steps`` and ``main`` are left out: they say where the picture is used, not what it shows.
        """
        drawn = {k: v for k, v in self.to_dict().items() if k not in ("steps", "main")}
        return json.dumps(drawn, sort_keys=True, separators=(",", ":"))
