"""The doctor's report: one :class:`Part` per thing psoas needs, with a verdict, what was seen and
what to do, printed one line each for a person, or as JSON of a fixed shape for a bug report."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Every verdict, the best first. ``limited``: it works, with less; ``missing``: psoas cannot do
#: this here; ``broken``: a file of the user's is wrong; ``off``: not set up, and that is a
#: choice; ``skipped``: not for this kind of session.
VERDICTS = ("works", "limited", "missing", "broken", "off", "skipped")
#: The verdicts that come with something to do.
TROUBLE = ("limited", "missing", "broken")
#: A sub-part ("idle.x11") is shown indented under its part ("idle") by this much.
INDENT = 2
#: The widest a line is wrapped to, whatever the terminal.
WIDEST = 110


@dataclass(frozen=True)
class Part:
    """One line of the report. ``name`` is stable ("idle", "idle.x11", "quiet.dnd"); ``facts``
    carries the raw values behind the words (capabilities, seconds, counts) for a bug report."""

    name: str
    verdict: str
    detail: str
    advice: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r} for {self.name}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "verdict": self.verdict,
            "detail": self.detail,
            "advice": self.advice,
            "facts": dict(self.facts),
        }


def as_json(parts: Sequence[Part], version: str, platform: str) -> str:
    """The report for a bug report: ``{"psoas", "platform", "parts": [{"name", "verdict",
    "detail", "advice", "facts"}]}``, in the order printed."""
    return json.dumps(
        {"psoas": version, "platform": platform, "parts": [part.as_dict() for part in parts]},
        indent=2,
    )


def as_text(parts: Sequence[Part], heading: str, footer: str, width: int = 100) -> str:
    """A line per part: verdict, name, what was seen; what to do under it, after an arrow."""
    width = max(60, min(width, WIDEST))
    labels = [_label(part.name) for part in parts]
    name_width = max((len(label) for label in labels), default=0)
    verdict_width = max(len(v) for v in VERDICTS)
    column = verdict_width + 2 + name_width + 2
    lines = [heading, ""]
    for part, label in zip(parts, labels, strict=True):
        lead = f"{part.verdict:<{verdict_width}}  {label:<{name_width}}  "
        lines += _wrapped(lead, part.detail, column, width)
        if part.advice:
            lines += _wrapped(" " * column + "-> ", part.advice, column + 3, width)
    lines += ["", footer]
    return "\n".join(lines)


def _label(name: str) -> str:
    """A sub-part is shown by its own name, indented under its part's."""
    depth = name.count(".")
    return " " * (INDENT * depth) + name.rpartition(".")[2]


def _wrapped(lead: str, text: str, column: int, width: int) -> list[str]:
    return textwrap.wrap(
        text or "-",
        width,
        initial_indent=lead,
        subsequent_indent=" " * column,
        break_on_hyphens=False,
        break_long_words=False,
    )
