"""The settings page: every config key in its group, with its label, its meaning in one line, its
default, and the error ``psoas config check`` gives for its value, beside it.

Every field has a label; help and errors are tied to their field (aria-describedby) so a screen
reader reads them with it; an error says "Error" in words, not only in red. The stretches are
boxes to tick with their pictures as part of the label, so clicking a picture leaves the stretch
out or takes it back; choosing "at the desk only" marks, in words, the ones that need the floor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from reminder.catalogue.model import Catalogue
from reminder.settings import words
from reminder.settings.document import ABSENT, WHOLE_FILE, ConfigFile
from reminder.settings.fields import (
    CHECKS,
    CHOICE,
    CLOCK,
    FIELDS,
    FILE,
    FLAG,
    GROUPS,
    NAMES,
    STRETCHES,
    Field,
    FormValue,
    default_values,
    shown,
)
from reminder.settings.html import attribute, hidden, notice, page, problem, text


@dataclass(frozen=True)
class SettingsView:
    """Everything the settings page shows at one moment."""

    file: ConfigFile
    values: Mapping[str, FormValue]
    form_key: str
    errors: Mapping[str, str] = dataclasses.field(default_factory=dict)
    notice: str | None = None
    problem: str | None = None
    reload: bool = False  # offer to load the file afresh (it changed on disk)


def field_id(field: Field, choice: str | None = None) -> str:
    base = "f-" + field.key.replace(".", "-")
    return base if choice is None else f"{base}-{choice}"


def settings_page(view: SettingsView, catalogue: Catalogue) -> str:
    errors = view.errors
    parts = [notice(view.notice), _top_problem(view, errors)]
    if view.file.problem is not None:
        parts.append(problem(words.unreadable(view.file.problem), _reload_link()))
        return page("/settings", words.SETTINGS, "".join(parts), view.form_key)
    parts.append(f'<p class="file">{text(words.editing(view.file.path))}</p>\n')
    if view.file.stamp == ABSENT:
        parts.append(f'<p class="file">{text(words.NO_FILE_YET)}</p>\n')
    parts.append(
        '<form method="post" action="/settings" novalidate>'
        + hidden("form_key", view.form_key)
        + hidden("stamp", view.file.stamp)
    )
    defaults = default_values()
    stretch_ids = list(catalogue.stretches)
    for group, fields in GROUPS:
        parts.append(f'<fieldset class="group"><legend>{text(words.GROUPS[group])}</legend>\n')
        for field in fields:
            default = shown(field, defaults[field.key], stretch_ids)
            value = view.values[field.key]
            parts.append(_field(field, value, default, errors.get(field.key), catalogue))
        parts.append("</fieldset>\n")
    parts.append(f'<p><button type="submit" class="save">{text(words.SAVE)}</button></p></form>\n')
    return page("/settings", words.SETTINGS, "".join(parts), view.form_key)


def _top_problem(view: SettingsView, errors: Mapping[str, str]) -> str:
    if view.problem:
        return problem(view.problem, _reload_link() if view.reload else "")
    if not errors:
        return ""
    labels = {field.key: words.LABELS[field.key] for field in FIELDS}
    items = []
    for key, line in errors.items():
        if key == WHOLE_FILE:
            items.append(f"<li>{text(line)}</li>")
        else:
            target = field_id(next(f for f in FIELDS if f.key == key))
            items.append(
                f"<li><a href={attribute('#' + target)}>{text(labels[key])}</a>: {text(line)}</li>"
            )
    summary = f"<ul>{''.join(items)}</ul>"
    return problem(words.errors_summary(len(errors)), summary)


def _reload_link() -> str:
    return f'<p><a class="button" href="/settings">{text(words.RELOAD)}</a></p>'


def _described(field: Field, error: str | None) -> str:
    ids = [field_id(field) + "-help"] + ([field_id(field) + "-error"] if error else [])
    invalid = ' aria-invalid="true"' if error else ""
    return f" aria-describedby={attribute(' '.join(ids))}{invalid}"


def _help(field: Field, default: FormValue, error: str | None) -> str:
    if field.kind == STRETCHES:
        shown_default = words.ALL_STRETCHES  # none is left out unless the user says so
    elif isinstance(default, tuple):
        names = words.SHORT_CHOICES.get(field.key, words.CHOICES.get(field.key, {}))
        shown_default = ", ".join(names.get(item, item) for item in default) or words.NOTHING
    else:
        shown_default = words.CHOICES.get(field.key, {}).get(default, default) or words.NOTHING
    line = (
        f'<p class="help" id={attribute(field_id(field) + "-help")}>'
        f"{text(words.MEANINGS[field.key])} "
        f'<span class="default">{text(words.DEFAULT)}: {text(shown_default)}.</span></p>'
    )
    if error:
        line += (
            f'<p class="error" id={attribute(field_id(field) + "-error")}>'
            f"<strong>{text(words.ERROR)}:</strong> {text(error)}</p>"
        )
    return line


def _field(
    field: Field, value: FormValue, default: FormValue, error: str | None, catalogue: Catalogue
) -> str:
    wrong = " wrong" if error else ""
    if field.kind == STRETCHES:
        return _stretches(field, value, default, error, catalogue)
    if field.ticks or (field.kind in (CHOICE, FLAG) and len(field.choices) <= 3):
        return _boxes(field, value, default, error)
    label = f"<label for={attribute(field_id(field))}>{text(words.LABELS[field.key])}</label>"
    if field.kind == CHOICE:
        options = "".join(
            f"<option value={attribute(choice)}{' selected' if choice == value else ''}>"
            f"{text(words.CHOICES[field.key].get(choice, choice))}</option>"
            for choice in field.choices
        )
        control = (
            f"<select id={attribute(field_id(field))} name={attribute(field.key)}"
            f"{_described(field, error)}>{options}</select>"
        )
    else:
        mode = "text" if field.kind in (CLOCK, NAMES, FILE) else "decimal"
        control = (
            f'<input type="text" id={attribute(field_id(field))} name={attribute(field.key)} '
            f'value={attribute(value)} inputmode={attribute(mode)} autocomplete="off"'
            f"{_described(field, error)}>"
        )
    return f'<div class="field{wrong}">{label}{_help(field, default, error)}{control}</div>\n'


def _boxes(field: Field, value: FormValue, default: FormValue, error: str | None) -> str:
    """Boxes to tick (several) or round buttons (one of a few), in a group with its legend."""
    kind = "checkbox" if field.kind == CHECKS else "radio"
    chosen = set(value) if isinstance(value, tuple) else {value}
    boxes = "".join(
        f'<div class="choice"><input type={attribute(kind)} id={attribute(field_id(field, c))} '
        f"name={attribute(field.key)} value={attribute(c)}"
        f"{' checked' if c in chosen else ''}>"
        f"<label for={attribute(field_id(field, c))}>"
        f"{text(words.CHOICES[field.key].get(c, c))}</label></div>"
        for c in field.choices
    )
    wrong = " wrong" if error else ""
    return (
        f'<fieldset class="field{wrong}" id={attribute(field_id(field))}'
        f"{_described(field, error)}><legend>{text(words.LABELS[field.key])}</legend>"
        f'{_help(field, default, error)}<div class="choices">{boxes}</div></fieldset>\n'
    )


def _stretches(
    field: Field, value: FormValue, default: FormValue, error: str | None, catalogue: Catalogue
) -> str:
    cards = []
    desk = {stretch.id for stretch in catalogue.allowed("desk", ())}
    for stretch in catalogue.stretches.values():
        box_id = field_id(field, stretch.id)
        floor = "" if stretch.id in desk else " floor"
        alt = words.picture_of(stretch.name, stretch.how)
        cards.append(
            f'<div class="stretch{floor}">'
            f'<input type="checkbox" id={attribute(box_id)} name={attribute(field.key)} '
            f"value={attribute(stretch.id)}{' checked' if stretch.id in value else ''}>"
            f"<label for={attribute(box_id)}>"
            f"<img src={attribute('/picture/' + stretch.id + '.png')} alt={attribute(alt)} "
            f'width="192" height="128">'
            f'<span class="name">{text(stretch.name)}</span></label>'
            f'<p class="floor-note">{text(words.NOT_AT_THE_DESK)}</p>'
            f'<p class="out-note">{text(words.LEFT_OUT)}</p></div>'
        )
    wrong = " wrong" if error else ""
    return (
        f'<fieldset class="field{wrong}" id={attribute(field_id(field))}'
        f"{_described(field, error)}><legend>{text(words.LABELS[field.key])}</legend>"
        f'{_help(field, default, error)}<div class="stretches">{"".join(cards)}</div></fieldset>\n'
    )
