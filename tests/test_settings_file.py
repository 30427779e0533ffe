"""The settings page's side of the config file: every key has its field, a save changes only the
values changed (comments, order and formatting kept), and a mistake is refused in the very words
of ``psoas config check``, beside its field, with nothing written."""

from __future__ import annotations

import os
import stat
import tomllib

import pytest
from e2e import in_process

from reminder.config import DEFAULTS, example_text, file_settings, parse_config
from reminder.settings import document
from reminder.settings import words as page_words
from reminder.settings.fields import FIELDS, GROUPS

MINE = """\
# my own notes, first
sit_minutes = 60   # an hour, as the physio said

snooze_minutes = [5,   15, 30]   # spaced my way
idle_source = 'auto'

[hours]
# I start late
start = 10:00:00
days = ["mon", "tue", "wed", "thu", "fri"]

[quiet]
apps = ["zoom"]
"""


def as_sent(file: document.ConfigFile, catalogue, **changes: object) -> dict:
    """The form as the page would send it back, with ``changes`` (keys with _ for .) made."""
    sent = document.values(file, list(catalogue.stretches))
    for name, value in changes.items():
        key = name.replace("__", ".")
        assert key in sent, key
        sent[key] = value
    return sent


def test_every_key_psoas_reads_has_a_field_a_label_a_meaning_and_a_group():
    keys = [field.key for field in FIELDS]
    assert sorted(keys) == sorted(file_settings(DEFAULTS))
    assert len(set(keys)) == len(keys)
    for field in FIELDS:
        assert page_words.LABELS[field.key] and page_words.MEANINGS[field.key].endswith(".")
        for choice in field.choices:
            assert choice in page_words.CHOICES[field.key]
    assert [group for group, _ in GROUPS] == list(page_words.GROUPS)


def test_the_page_shows_what_the_file_holds_and_the_defaults_for_the_rest(tmp_path, catalogue):
    path = tmp_path / "config.toml"
    path.write_text(MINE)
    shown = document.values(document.read(path), list(catalogue.stretches))
    assert shown["sit_minutes"] == "60"
    assert shown["snooze_minutes"] == "5, 15, 30"
    assert shown["hours.start"] == "10:00"  # a TOML time, as the page writes one
    assert shown["hours.end"] == "18:00"  # not in the file: the default
    assert shown["quiet.apps"] == "zoom"
    assert shown["stretches.exclude"] == tuple(catalogue.stretches)  # all suggested
    assert shown["quiet.when"] == ("dnd", "fullscreen", "call", "apps")


def test_a_save_changes_only_the_values_changed_and_keeps_everything_else(tmp_path, catalogue):
    path = tmp_path / "config.toml"
    path.write_text(MINE)
    file = document.read(path)
    sent = as_sent(
        file,
        catalogue,
        sit_minutes="45",
        break_minutes="7.5",
        hours__end="17:30",
        stretches__exclude=tuple(s for s in catalogue.stretches if s != "bridge"),
        quiet__apps="zoom, teams",
    )
    outcome = document.validate(file, sent, catalogue)
    assert outcome.errors == {}
    text = outcome.text
    assert text is not None
    # Every line of the user's that held no changed value is there as it was, in order.
    changed = ("sit_minutes", "apps")
    kept = [line for line in MINE.splitlines() if line and not line.startswith(changed)]
    lines = text.splitlines()
    assert [line for line in lines if line in kept] == kept
    assert "sit_minutes = 45   # an hour, as the physio said" in lines
    assert "snooze_minutes = [5,   15, 30]   # spaced my way" in lines  # untouched: as typed
    assert "start = 10:00:00" in lines  # not rewritten as "10:00"
    data = tomllib.loads(text)
    assert data["break_minutes"] == 7.5 and data["hours"]["end"] == "17:30"
    assert data["stretches"]["exclude"] == ["bridge"]
    assert data["quiet"]["apps"] == ["zoom", "teams"]
    assert lines.index("break_minutes = 7.5") < lines.index("[hours]")  # a top-level key
    config = parse_config(text, "x", list(catalogue.stretches))
    assert config.sit_minutes == 45 and config.exclude == ("bridge",)


def test_an_unchanged_form_writes_nothing(tmp_path, catalogue):
    path = tmp_path / "config.toml"
    path.write_text(MINE)
    file = document.read(path)
    assert document.validate(file, as_sent(file, catalogue), catalogue) == document.Outcome(
        None, {}
    )


def test_no_file_yet_starts_from_the_commented_example(tmp_path, catalogue):
    file = document.read(tmp_path / "none.toml")
    assert file.stamp == document.ABSENT and file.text is None
    outcome = document.validate(file, as_sent(file, catalogue, sit_minutes="50"), catalogue)
    assert outcome.text == example_text().replace("sit_minutes = 60", "sit_minutes = 50")


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"sit_minutes": "-5"}, "sit_minutes"),
        ({"sit_minutes": "an hour"}, "sit_minutes"),
        ({"repeat_minutes": "1e9"}, "repeat_minutes"),
        ({"snooze_minutes": "5, 5.000001"}, "snooze_minutes"),
        ({"snooze_minutes": ""}, "snooze_minutes"),
        ({"hours__start": "9am"}, "hours.start"),
        ({"hours__end": "25:00"}, "hours.end"),
        ({"hours__days": ()}, "hours.days"),
        ({"quiet__apps": "/usr/bin/zoom"}, "quiet.apps"),
        ({"routine_pace": "20"}, "routine_pace"),
        ({"stretches__exclude": ()}, "stretches.exclude"),
        ({"stretches__place": "desk", "stretches__exclude": ("bridge",)}, "stretches.exclude"),
        ({"idle_source": "x12"}, "idle_source"),
    ],
)
def test_a_mistake_is_said_beside_its_field_in_the_words_of_config_check(
    tmp_path, catalogue, changes, key
):
    path = tmp_path / "config.toml"
    path.write_text(MINE)
    before = path.read_bytes()
    file = document.read(path)
    outcome = document.validate(file, as_sent(file, catalogue, **changes), catalogue)
    assert outcome.text is None and list(outcome.errors) == [key]
    # The same file, written by hand and checked by the command line, says the same.
    fields = {field.key: field for field in FIELDS}
    by_hand = document.with_changes(
        file,
        {
            k.replace("__", "."): document.to_file(
                fields[k.replace("__", ".")], v, list(catalogue.stretches)
            )
            for k, v in changes.items()
        },
    )
    written = tmp_path / "by-hand.toml"
    written.write_text(by_hand)
    checked = in_process("config", "check", str(written))
    assert checked.returncode == 2
    said = checked.stderr.strip().removeprefix(f"psoas: {written}: ")
    assert outcome.errors[key] == said
    assert path.read_bytes() == before


def test_every_field_in_error_is_named_at_once(tmp_path, catalogue):
    path = tmp_path / "config.toml"
    path.write_text(MINE)
    file = document.read(path)
    sent = as_sent(
        file,
        catalogue,
        sit_minutes="0",
        hours__start="nine",
        quiet__recheck_minutes="x",
        break_minutes="3",
    )
    outcome = document.validate(file, sent, catalogue)
    assert sorted(outcome.errors) == ["hours.start", "quiet.recheck_minutes", "sit_minutes"]
    assert outcome.text is None


def test_a_file_with_a_mistake_of_its_own_shows_it_and_takes_no_save(tmp_path, catalogue):
    path = tmp_path / "config.toml"
    path.write_text(MINE.replace("sit_minutes = 60", "sit_minutes = -1"))
    file = document.read(path)
    outcome = document.validate(file, as_sent(file, catalogue, break_minutes="6"), catalogue)
    assert list(outcome.errors) == ["sit_minutes"] and outcome.text is None
    broken = tmp_path / "broken.toml"
    broken.write_text("sit_minutes = = 3\n")
    file = document.read(broken)
    checked = in_process("config", "check", str(broken))
    assert file.problem == checked.stderr.strip().removeprefix("psoas: ")


def test_the_write_replaces_the_file_whole_keeping_its_mode_line_endings_and_link(
    tmp_path, catalogue
):
    real = tmp_path / "dotfiles" / "psoas.toml"
    real.parent.mkdir()
    real.write_bytes(MINE.replace("\n", "\r\n").encode())
    os.chmod(real, 0o640)
    link = tmp_path / "config" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(real)
    file = document.read(link)
    outcome = document.validate(file, as_sent(file, catalogue, sit_minutes="30"), catalogue)
    assert outcome.text is not None
    inode = real.stat().st_ino
    document.write(file, outcome.text)
    assert link.is_symlink() and link.resolve() == real
    assert real.stat().st_ino != inode  # a new file renamed into place, not written in place
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    data = real.read_bytes()
    assert b"sit_minutes = 30   # an hour, as the physio said\r\n" in data
    assert data.count(b"\r\n") == data.count(b"\n")
    assert [p.name for p in real.parent.iterdir()] == ["psoas.toml"]  # no temporary left


def test_the_stamp_changes_with_any_byte(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(MINE)
    first = document.read(path).stamp
    path.write_text(MINE + " ")
    assert document.read(path).stamp not in (first, document.ABSENT)
