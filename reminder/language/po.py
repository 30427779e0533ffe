"""The catalogues' files, in pure Python: a ``.po`` read, a ``.mo`` written, a ``.po`` written.

psoas builds its ``.mo`` files with this when its wheel is built (setup.py), so installing it
needs no compiler, no system msgfmt and no Babel; a checkout compiles a ``.po`` in memory with the
same code. It knows what psoas's catalogues hold: messages with a context or a plural, comments,
and the fuzzy flag (a fuzzy or empty translation is left out of the ``.mo``: English shows).
"""

from __future__ import annotations

import ast
import struct
from dataclasses import dataclass, field


@dataclass
class Message:
    """One entry of a catalogue: what English says and what the language says."""

    msgid: str
    msgstr: list[str] = field(default_factory=lambda: [""])
    plural: str | None = None
    context: str | None = None
    notes: list[str] = field(default_factory=list)  # '#.' lines: where it is, for translators
    places: list[str] = field(default_factory=list)  # '#:' lines
    comments: list[str] = field(default_factory=list)  # '# ' lines: the translator's own
    fuzzy: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return self.context, self.msgid

    @property
    def translated(self) -> bool:
        return not self.fuzzy and all(self.msgstr) and bool(self.msgstr)


def parse_po(text: str) -> list[Message]:
    """Every entry of a ``.po`` file, the header (msgid "") first; obsolete ('#~') ones left
    out. A line it cannot read raises ValueError naming the line."""
    messages: list[Message] = []
    entry: Message | None = None  # the entry being read, from its first keyword on
    pending = Message("")  # the comments of the entry to come
    last: tuple[str, int] | None = None  # the field a continued string belongs to
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and entry.msgstr:
                messages.append(entry)
                entry, last = None, None
            if line.startswith("#,"):
                pending.fuzzy = "fuzzy" in line
            elif line.startswith("#."):
                pending.notes.append(line[2:].strip())
            elif line.startswith("#:"):
                pending.places += line[2:].split()
            else:
                pending.comments.append(line[1:].strip())
            continue
        if line.startswith('"'):
            if last is None or entry is None:
                raise ValueError(f"line {number}: a string that belongs to nothing")
            _add(entry, last, _string(line, number))
            continue
        keyword, _sep, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and entry is not None and entry.msgstr:
            messages.append(entry)
            entry = None
        if entry is None:
            entry, pending = pending, Message("")
            entry.msgstr = []
        value = _string(rest, number)
        if keyword == "msgctxt":
            entry.context, last = value, ("context", 0)
        elif keyword == "msgid":
            entry.msgid, last = value, ("msgid", 0)
        elif keyword == "msgid_plural":
            entry.plural, last = value, ("plural", 0)
        elif keyword == "msgstr":
            entry.msgstr.append(value)
            last = ("msgstr", len(entry.msgstr) - 1)
        elif keyword.startswith("msgstr[") and keyword.endswith("]"):
            index = int(keyword[7:-1])
            while len(entry.msgstr) <= index:
                entry.msgstr.append("")
            entry.msgstr[index], last = value, ("msgstr", index)
        else:
            raise ValueError(f"line {number}: {keyword!r} is not a .po keyword")
    if entry is not None:
        messages.append(entry)
    return messages


def _string(text: str, number: int) -> str:
    text = text.strip()
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        raise ValueError(f"line {number}: a string in double quotes was expected")
    try:
        return ast.literal_eval(text)
    except (SyntaxError, ValueError):
        raise ValueError(f"line {number}: the string cannot be read") from None


def _add(entry: Message, where: tuple[str, int], more: str) -> None:
    name, index = where
    if name == "context":
        entry.context = (entry.context or "") + more
    elif name == "msgid":
        entry.msgid += more
    elif name == "plural":
        entry.plural = (entry.plural or "") + more
    else:
        entry.msgstr[index] += more


def compile_mo(messages: list[Message]) -> bytes:
    """The GNU ``.mo`` of the translated messages (and the header), as msgfmt writes it: a
    table of originals and one of translations, sorted, each string NUL-ended."""
    pairs: list[tuple[bytes, bytes]] = []
    for message in messages:
        if message.msgid and not message.translated:
            continue
        original = message.msgid
        if message.plural is not None:
            original += "\0" + message.plural
        if message.context is not None:
            original = message.context + "\x04" + original
        pairs.append((original.encode("utf-8"), "\0".join(message.msgstr).encode("utf-8")))
    pairs.sort()
    count = len(pairs)
    originals_at = 7 * 4
    translations_at = originals_at + count * 8
    data_at = translations_at + count * 8
    tables: list[int] = []
    data = b""
    for text in [original for original, _ in pairs] + [translated for _, translated in pairs]:
        tables += [len(text), data_at + len(data)]
        data += text + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, originals_at, translations_at, 0, 0)
    return header + struct.pack(f"<{4 * count}I", *tables) + data


def write_po(messages: list[Message]) -> str:
    """A ``.po`` file's text, each entry as msgmerge would write it (long strings not folded)."""
    blocks = []
    for message in messages:
        lines = [f"# {comment}" for comment in message.comments]
        lines += [f"#. {note}" for note in message.notes]
        if message.places:
            lines.append("#: " + " ".join(message.places))
        if message.fuzzy:
            lines.append("#, fuzzy")
        if message.context is not None:
            lines.append(f"msgctxt {_quote(message.context)}")
        lines += _field("msgid", message.msgid)
        if message.plural is not None:
            lines += _field("msgid_plural", message.plural)
            for index, text in enumerate(message.msgstr or ["", ""]):
                lines += _field(f"msgstr[{index}]", text)
        else:
            lines += _field("msgstr", message.msgstr[0] if message.msgstr else "")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _field(keyword: str, text: str) -> list[str]:
    if "\n" not in text.rstrip("\n"):
        return [f"{keyword} {_quote(text)}"]
    parts = text.splitlines(keepends=True)
    return [f'{keyword} ""', *(_quote(part) for part in parts)]


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("\t", "\\t") + '"'
