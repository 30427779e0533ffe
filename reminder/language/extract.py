"""Every sentence to translate, gathered from the code and the stretch catalogue, and each
language's ``.po`` brought up to date: ``python -m reminder.language.extract``.

From the code: the string given to ``_``, ``N_``, ``ngettext`` or ``pgettext`` (a literal: an
f-string cannot be looked up and is refused, naming its place). From
``reminder/data/catalogue.toml``: each stretch's and routine's words. It writes
``reminder/data/locale/psoas.pot`` and, in each ``LANG.po``, keeps the translations of the
sentences still there, adds the new ones untranslated and drops the ones gone;
``--new CODE`` starts a language. The completeness test (tests/test_language.py) then names
every sentence a catalogue still lacks.
"""

from __future__ import annotations

import argparse
import ast
import sys
import tomllib
from pathlib import Path

from reminder.language import LOCALE
from reminder.language.po import Message, parse_po, write_po

PACKAGE = Path(__file__).resolve().parent.parent
CATALOGUE = PACKAGE / "data" / "catalogue.toml"
TEMPLATE = LOCALE / "psoas.pot"

#: The catalogue's fields a user reads, by the table they are in.
STRETCH_TEXT = ("name", "targets", "how", "steps", "cue")
#: A side cue is said whole with its side filled in: "left" agrees with the knee or the foot.
SIDES = ("left", "right")
DEFAULT_SIDE_CUE = "{side} side"
ROUTINE_TEXT = ("name", "purpose")
STEP_TEXT = ("cue", "then")

#: How each language counts (the .po's Plural-Forms); most say one thing for 1 and another
#: for the rest.
PLURALS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "pt_BR": "nplurals=2; plural=(n > 1);",
}
TWO_FORMS = "nplurals=2; plural=(n != 1);"


class Refused(Exception):
    """A call the extraction cannot read: its place and why."""


def from_code(root: Path = PACKAGE) -> list[Message]:
    found: dict[tuple[str | None, str], Message] = {}
    problems = []
    for path in sorted(root.rglob("*.py")):
        place = path.relative_to(root.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            name = node.func.id
            if name not in ("_", "N_", "ngettext", "pgettext"):
                continue
            wanted = {"ngettext": 2, "pgettext": 2}.get(name, 1)
            if not node.args or not isinstance(node.args[0], ast.Constant | ast.JoinedStr):
                continue  # a constant's name: marked where it is made, with N_
            texts = [_literal(arg) for arg in node.args[:wanted]]
            if len(texts) < wanted or None in texts:
                problems.append(f"{place}:{node.lineno}: {name}() of something not a plain string")
                continue
            if name == "ngettext":
                message = Message(texts[0], plural=texts[1], msgstr=["", ""])
            elif name == "pgettext":
                message = Message(texts[1], context=texts[0])
            else:
                message = Message(texts[0])
            kept = found.setdefault(message.key, message)
            if place not in kept.places:
                kept.places.append(place)
    if problems:
        raise Refused("\n".join(problems))
    return list(found.values())


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def from_catalogue(path: Path = CATALOGUE) -> list[Message]:
    data = tomllib.loads(path.read_text("utf-8"))
    found: dict[tuple[str | None, str], Message] = {}

    def add(text: str, note: str) -> None:
        message = found.setdefault((None, text), Message(text))
        message.notes.append(note)

    for stretch in data.get("stretch", []):
        for key in STRETCH_TEXT:
            value = stretch.get(key)
            for text in value if isinstance(value, list) else [value] if value else []:
                add(text, f"stretch {stretch['id']}: {key}")
        for side in SIDES:
            cue = stretch.get("side_cue", DEFAULT_SIDE_CUE)
            add(cue.format(side=side), f"stretch {stretch['id']}: which side, in a routine step")
    for routine in data.get("routine", []):
        for key in ROUTINE_TEXT:
            add(routine[key], f"routine {routine['id']}: {key}")
        for step in routine.get("step", []):
            for key in STEP_TEXT:
                if step.get(key):
                    add(step[key], f"routine {routine['id']}: a step's {key}")
    return list(found.values())


def header(code: str | None) -> Message:
    plural = PLURALS.get(code or "", PLURALS.get((code or "").split("_")[0], TWO_FORMS))
    text = (
        "Project-Id-Version: psoas\n"
        f"Language: {code or ''}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        f"Plural-Forms: {plural}\n"
    )
    return Message("", msgstr=[text])


def merge(template: list[Message], old: list[Message], code: str) -> list[Message]:
    """The template with ``old``'s translations of the sentences it still has."""
    known = {message.key: message for message in old if message.msgid}
    first = next((message for message in old if not message.msgid), header(code))
    merged = [first]
    for message in template:
        kept = known.get(message.key)
        fresh = Message(
            message.msgid,
            msgstr=list(kept.msgstr) if kept else list(message.msgstr),
            plural=message.plural,
            context=message.context,
            notes=list(message.notes),
            places=list(message.places),
            comments=list(kept.comments) if kept else [],
            fuzzy=kept.fuzzy if kept else False,
        )
        merged.append(fresh)
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reminder.language.extract")
    parser.add_argument("--new", metavar="CODE", help="start a catalogue for this language")
    args = parser.parse_args(argv)
    try:
        template = from_code() + from_catalogue()
    except Refused as problem:
        print(f"not extracted:\n{problem}", file=sys.stderr)
        return 2
    TEMPLATE.write_text(write_po([header(None), *template]), "utf-8")
    codes = sorted(path.stem for path in LOCALE.glob("*.po"))
    if args.new and args.new not in codes:
        codes.append(args.new)
    for code in codes:
        path = LOCALE / f"{code}.po"
        old = parse_po(path.read_text("utf-8")) if path.exists() else []
        merged = merge(template, old, code)
        path.write_text(write_po(merged), "utf-8")
        missing = sum(1 for message in merged[1:] if not message.translated)
        print(f"{path.relative_to(PACKAGE.parent)}: {len(merged) - 1} sentences, {missing} to do")
    print(f"{TEMPLATE.relative_to(PACKAGE.parent)}: {len(template)} sentences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
