"""The catalogue as text for the terminal: ``psoas stretches`` and ``psoas routines``."""

from __future__ import annotations

import textwrap

from reminder.catalogue.model import Catalogue, Routine, Stretch, credits, number_text
from reminder.language import N_, _, ngettext
from reminder.units import duration

WIDTH = 100  # terminal text is wrapped to this width

PICTURES_HINT = N_("A picture of each stretch: psoas stretches --pictures DIR")
#: Where a stretch is done, and what it needs, in words.
POSITIONS = {
    "lying": N_("lying on your back"),
    "kneeling": N_("kneeling"),
    "standing": N_("standing"),
    "lunge": N_("in a lunge"),
}
NEEDS = {"floor": N_("floor"), "raised surface": N_("raised surface")}
SIDES = {"left": N_("left"), "right": N_("right")}


def format_stretches(catalogue: Catalogue) -> str:
    """Every stretch, step by step, and where to get their pictures; ends with the credits."""
    blocks = [_format_stretch(s) for s in catalogue.stretches.values()]
    return "\n\n".join([*blocks, _(PICTURES_HINT), credits()])


def format_routines(catalogue: Catalogue, pace: float = 1.0) -> str:
    """Every routine with its length and timed steps at the user's routine pace (the times they
    will get); ends with the credits."""
    blocks = [_format_routine(catalogue, r, pace) for r in catalogue.routines.values()]
    if pace != 1:
        blocks.insert(0, _("Times at your routine_pace of {pace}.").format(pace=number_text(pace)))
    return "\n\n".join([*blocks, credits()])


def _format_routine(catalogue: Catalogue, routine: Routine, pace: float) -> str:
    lines = [
        f"{routine.name} [{routine.id}] · {routine_length(routine, pace)}",
        *_wrap(routine.purpose, "  ", "  "),
    ]
    rows = []
    start = 0.0
    for number, step in enumerate(routine.steps, 1):
        name = catalogue.stretch(step.stretch).name
        if step.hold_seconds is not None:
            work = _("{reps} x {time} hold").format(
                reps=step.reps, time=duration(step.hold_seconds * pace, exact=True)
            )
        else:
            work = ngettext("{n} rep", "{n} reps", step.reps).format(n=step.reps)
        rest = step.rest_seconds * pace
        rows.append(
            (
                f"{number}.",
                duration(start, exact=True),
                name,
                _(SIDES[step.side]) if step.side else "",
                work,
                duration(step.work_seconds * pace, exact=True),
                _("rest {time}").format(time=duration(rest, exact=True)) if rest else "",
                "; ".join(
                    part
                    for part in (step.cue, step.then and _("then {then}").format(then=step.then))
                    if part
                ),
            )
        )
        start += step.total_seconds * pace
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    # Notes sit at the end of the row when every row fits the width; else each goes on a line
    # of its own under the stretch name, so the columns stay aligned either way.
    under_name = " " * (2 + widths[0] + 2 + widths[1] + 2)
    table = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        cells[0] = row[0].rjust(widths[0])
        table.append(("  " + "  ".join(cells), row[-1]))
    inline = all(len(f"{line}  {note}".rstrip()) <= WIDTH for line, note in table)
    for line, note in table:
        if inline:
            lines.append(f"{line}  {note}".rstrip())
        else:
            lines.append(line.rstrip())
            lines += _wrap(note, under_name + "- ", under_name + "  ")
    lines.append(f"  {'':>{widths[0]}}  {duration(start, exact=True)}  {_('end')}")
    return "\n".join(lines)


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest)


def _format_stretch(stretch: Stretch) -> str:
    names = {
        "targets": _("Targets"),
        "position": _("Position"),
        "dose": _("Dose"),
        "steps": _("Steps"),
        "cue": _("Cue"),
    }
    label = max(11, *(len(name) + 1 for name in names.values()))  # the left-hand labels' width
    pad = " " * (2 + label)

    def field_lines(name: str, text: str) -> list[str]:
        return _wrap(text, f"  {names[name]:<{label}}", pad)

    where = _(POSITIONS[stretch.position])
    if stretch.needs:
        needed = ", ".join(_(NEEDS[need]) for need in stretch.needs)
        needs = _("needs {things}").format(things=needed)
    else:
        needs = _("no floor needed")
    if stretch.desk_friendly:
        needs = _("{needs}: fits beside a desk").format(needs=needs)
    origin = _origin(stretch)
    lines = [
        f"{stretch.name} [{stretch.id}]",
        *field_lines("targets", stretch.targets),
        *field_lines("position", f"{where}; {needs}"),
        *field_lines("dose", stretch.dose_text()),
        *_wrap(origin, pad, pad),
        f"  {names['steps']:<{label}}".rstrip(),
    ]
    for number, step in enumerate(stretch.steps, 1):
        lines += _wrap(step, f"{pad}{number}. ", pad + "   ")
    lines += field_lines("cue", stretch.cue)
    return "\n".join(lines)


def _origin(stretch: Stretch) -> str:
    """Which numbers of the dose are the article's and which are psoas's own: 'From the
    article: 2-3 sets, 10-12 reps. Ours: 3 s a rep without a hold.'"""
    sourced, own = [], []
    quantities = stretch.dose.quantities()
    held = "hold_seconds" in quantities
    for name in ("sets", "hold_seconds", "reps"):  # in the order the dose says them
        quantity = quantities.get(name)
        if quantity is None:
            continue
        many = 1 if quantity.high == 1 else 2
        if name == "sets":
            said = ngettext("{n} set", "{n} sets", many)
        elif name == "hold_seconds":
            said = _("hold {n} s")
        elif held:
            said = ngettext("{n} time", "{n} times", many)
        else:
            said = ngettext("{n} rep", "{n} reps", many)
        (sourced if quantity.sourced else own).append(said.format(n=quantity))
    tempo = _("{seconds} s a rep without a hold").format(
        seconds=number_text(stretch.dose.seconds_per_rep)
    )
    ours = "; ".join(filter(None, (", ".join(own), tempo)))
    if not sourced:
        return _("Ours, as the article gives none: {ours}.").format(ours=ours)
    return _("From the article: {sourced}. Ours: {ours}.").format(
        sourced=", ".join(sourced), ours=ours
    )


def routine_length(routine: Routine, pace: float) -> str:
    """How long a routine lasts at the user's routine_pace: the one length the menu, the
    terminal, ``psoas routines`` and the answers give ('2 min 15 s', '6.8 s')."""
    return duration(routine.total_seconds * pace, exact=True)
