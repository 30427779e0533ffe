"""Stretches of one's own: a stretches.toml beside the config, in the shipped catalogue's form,
prompted, listed and used in routines as the shipped ones are; each mistake one line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from e2e import in_process
from test_cli import assert_one_line_error

from reminder.catalogue.loader import load_catalogue, with_own
from reminder.pictures.cache import CARD, picture_path, pose_number
from reminder.pictures.card import draw_card
from reminder.pictures.figure import BACKGROUND

TWO = """
[[stretch]]
id = "couch"
name = "Couch stretch"
targets = "the front of the hip and thigh"
steps = ["Kneel with one shin up the back of the sofa.", "Bring the other foot forward."]
cue = "Tuck the pelvis under."
how = "One shin up the sofa, the other foot forward; tuck the pelvis under."
sides = "each"
position = "kneeling"
needs = ["floor"]
[stretch.dose]
hold_seconds = { value = 45, sourced = false }
seconds_per_rep = { value = 3, sourced = false }

[[stretch]]
id = "wall-lean"
name = "Wall lean"
targets = "the hip flexor of the back leg"
steps = ["Stand a step from a wall, hands on it.", "Step one foot back and lean in."]
cue = "Keep the back heel down."
how = "Hands on a wall, one foot back, lean in."
sides = "together"
position = "standing"
needs = []
dose = { reps = { value = 8, sourced = false }, seconds_per_rep = { value = 4, sourced = false } }

[[routine]]
id = "mine"
name = "My routine"
purpose = "Two of my own and one of psoas's."
[[routine.step]]
stretch = "wall-lean"
reps = 1
[[routine.step]]
stretch = "couch"
side = "left"
reps = 1
[[routine.step]]
stretch = "couch"
side = "right"
reps = 1
"""


def write_config(config_folder: Path, text: str = "", own: str | None = TWO) -> Path:
    folder = config_folder / "psoas"
    folder.mkdir(parents=True, exist_ok=True)
    if own is not None:
        (folder / "stretches.toml").write_text(textwrap.dedent(own))
    config = folder / "config.toml"
    config.write_text(text)
    return config


def shipped_ids() -> list[str]:
    return list(load_catalogue().stretches)


def test_own_stretches_are_listed_with_the_shipped_ones(private_env):
    write_config(private_env.config)
    listed = in_process("stretches", "--json")
    assert listed.returncode == 0, listed.stderr
    ids = [s["id"] for s in json.loads(listed.stdout)["stretches"]]
    assert ids == [*shipped_ids(), "couch", "wall-lean"]
    text = in_process("stretches").stdout
    assert "Couch stretch" in text and "Kneel with one shin up the back of the sofa." in text
    routines = json.loads(in_process("routines", "--json").stdout)["routines"]
    assert [r["id"] for r in routines][-1] == "mine"


def test_own_stretches_are_prompted_in_turn_when_the_shipped_are_left_out(private_env, tmp_path):
    exclude = ", ".join(f'"{s}"' for s in shipped_ids())
    write_config(private_env.config, f"repeat_minutes = 0\n[stretches]\nexclude = [{exclude}]\n")
    scenario = tmp_path / "day.txt"
    scenario.write_text("09:00 active\n10:01 done\n11:02 done\n12:03 done\n12:30 end\n")
    result = in_process("simulate", str(scenario))
    assert result.returncode == 0, result.stderr
    named = [json.loads(line)["stretch"] for line in result.stdout.splitlines()]
    assert sorted(named[:2]) == ["couch", "wall-lean"] and len(named) == 3


def test_a_file_named_in_the_config_is_read_from_beside_it(private_env, tmp_path):
    write_config(private_env.config, '[stretches]\nfile = "physio.toml"\n', own=None)
    (private_env.config / "psoas" / "physio.toml").write_text(TWO)
    ids = [s["id"] for s in json.loads(in_process("stretches", "--json").stdout)["stretches"]]
    assert "couch" in ids
    missing = write_config(tmp_path, '[stretches]\nfile = "nowhere.toml"\n', own=None)
    assert_one_line_error(in_process("stretches", "--config", str(missing)), "nowhere.toml")


@pytest.mark.parametrize(
    ("own", "names"),
    [
        ("[[stretch]\nid = 1", ["stretches.toml", "not valid TOML"]),
        ("title = 'mine'\n", ["stretches.toml", "nothing to add"]),
        (TWO.replace('id = "couch"', 'id = "bridge"'), ["'bridge'", "psoas ships one"]),
        (TWO.replace('id = "wall-lean"', 'id = "couch"'), ["'couch'", "used twice"]),
        (TWO.replace('sides = "each"', 'sides = "both"'), ["'couch'", "'sides'", "both"]),
        (TWO.replace('cue = "Keep', 'cu = "Keep'), ["'wall-lean'", "'cue' is missing"]),
        (TWO.replace('stretch = "wall-lean"', 'stretch = "wall"'), ["'mine'", "'wall'"]),
        (TWO.replace("hold_seconds = { value = 45", "hold_seconds = { value = -4"), ["'couch'"]),
    ],
)
def test_a_broken_own_catalogue_is_one_line_naming_it(private_env, own: str, names: list[str]):
    write_config(private_env.config, own=own)
    for command in ("stretches", "routines", "config"):
        args = (command, "check") if command == "config" else (command,)
        assert_one_line_error(in_process(*args), *names)


def test_a_stretch_with_no_picture_gets_a_plain_card_with_its_name(tmp_path):
    catalogue = with_own(load_catalogue(), TWO, "stretches.toml")
    couch = catalogue.stretch("couch")
    assert pose_number(couch) == CARD
    card = draw_card(couch, 128)
    assert card.size == (192, 128)
    colours = {colour for _count, colour in card.getcolors(192 * 128) or []}
    assert BACKGROUND in colours and len(colours) > 20  # text, smoothed: many shades
    grey = card.convert("L").tobytes()
    dark = sum(1 for value in grey if value < 100)
    assert dark > 200  # words, not a blank
    other = draw_card(catalogue.stretch("wall-lean"), 128)
    assert other.tobytes() != card.tobytes()  # each card says its own stretch
    path = picture_path(catalogue, "couch", folder=tmp_path)
    assert path.is_file() and path.read_bytes().startswith(b"\x89PNG")
    assert picture_path(catalogue, "couch", folder=tmp_path) == path  # drawn once


def test_the_settings_page_knows_ones_own_stretches_and_shows_their_cards(private_env, tmp_path):
    from reminder.config.own import catalogue_for_page
    from reminder.settings.site import Site

    shipped = load_catalogue()
    config = write_config(
        private_env.config, 'repeat_minutes = 0\n[stretches]\nexclude = ["couch"]\n'
    )
    catalogue = catalogue_for_page(config, shipped)
    assert "couch" in catalogue.stretches  # so the page may save an exclude naming it
    not_yet = tmp_path / "new" / "config.toml"  # a page for a file not written yet
    not_yet.parent.mkdir()
    (not_yet.parent / "stretches.toml").write_text(TWO)
    assert "wall-lean" in catalogue_for_page(not_yet, shipped).stretches
    (not_yet.parent / "stretches.toml").write_text("[[stretch]\n")  # broken: the shipped five
    assert catalogue_for_page(not_yet, shipped).stretches.keys() == shipped.stretches.keys()
    picture = Site(config, catalogue).picture("couch")
    assert picture.status == 200 and picture.body.startswith(b"\x89PNG")
