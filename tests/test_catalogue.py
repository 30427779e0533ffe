"""The stretch catalogue: the packaged data, the loader's checks, the computed lengths, the text."""

from __future__ import annotations

import json
import textwrap
import tomllib
from importlib import resources

import pytest
from conftest import pose_toml

from reminder.catalogue.loader import load_catalogue, parse_catalogue
from reminder.catalogue.model import (
    CREDITS,
    Catalogue,
    Dose,
    Quantity,
    Routine,
    RoutineStep,
    Stretch,
)
from reminder.catalogue.pose import Pose
from reminder.catalogue.text import format_routines, format_stretches
from reminder.words import duration

IDS = ["bridge", "half-kneeling", "standing", "low-lunge-twist", "raised-foot"]

# Every number the article gives, and nothing else, must be flagged sourced.
ARTICLE_NUMBERS = {
    ("bridge", "sets"): (2, 3),
    ("bridge", "reps"): (10, 12),
    ("standing", "hold_seconds"): (30, 30),
    ("low-lunge-twist", "hold_seconds"): (15, 20),
}
# Where the article is silent, psoas must still give a number, flagged as its own.
OWN_NUMBERS = {
    ("half-kneeling", "reps"),
    ("half-kneeling", "hold_seconds"),
    ("raised-foot", "reps"),
    ("raised-foot", "hold_seconds"),
    ("standing", "reps"),
    ("low-lunge-twist", "reps"),
}


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def raw() -> dict:
    """The packaged file read straight with tomllib: a view independent of the loader."""
    text = resources.files("reminder").joinpath("data/catalogue.toml").read_text("utf-8")
    return tomllib.loads(text)


# ----- the packaged data ---------------------------------------------------------------------


def test_the_five_stretches_are_there_in_the_articles_order(cat):
    assert list(cat.stretches) == IDS
    assert [s.id for s in cat.stretches.values()] == IDS
    for stretch in cat.stretches.values():
        assert stretch.name and stretch.targets and stretch.cue and stretch.how
        assert len(stretch.steps) >= 2 and all(step.strip() for step in stretch.steps)


def test_position_sides_and_needs_follow_the_article(cat):
    facts = {
        "bridge": ("together", "lying", ("floor",)),
        "half-kneeling": ("each", "kneeling", ("floor",)),
        "standing": ("each", "standing", ()),
        "low-lunge-twist": ("each", "lunge", ("floor",)),
        "raised-foot": ("each", "kneeling", ("floor", "raised surface")),
    }
    for stretch_id, (sides, position, needs) in facts.items():
        stretch = cat.stretch(stretch_id)
        assert (stretch.sides, stretch.position, stretch.needs) == (sides, position, needs)
    assert [s.id for s in cat.stretches.values() if s.desk_friendly] == ["standing"]
    assert all(s.needs_floor != s.desk_friendly for s in cat.stretches.values())


def test_every_number_says_where_it_comes_from_in_the_file(raw):
    for stretch in raw["stretch"]:
        for key, number in stretch["dose"].items():
            assert isinstance(number, dict), (stretch["id"], key)
            assert isinstance(number.get("sourced"), bool), (stretch["id"], key)
        # The tempo is psoas's own in every stretch: the article gives none.
        assert stretch["dose"]["seconds_per_rep"]["sourced"] is False


def test_the_numbers_flagged_sourced_are_exactly_the_articles(cat):
    sourced, own = {}, set()
    for stretch in cat.stretches.values():
        for name, quantity in stretch.dose.quantities().items():
            assert isinstance(quantity.sourced, bool)
            if quantity.sourced:
                sourced[stretch.id, name] = (quantity.low, quantity.high)
            else:
                own.add((stretch.id, name))
    assert sourced == ARTICLE_NUMBERS
    assert own == OWN_NUMBERS
    assert all(s.dose.seconds_per_rep > 0 for s in cat.stretches.values())


def test_routine_ids_and_each_has_steps(cat):
    assert list(cat.routines) == ["desk", "floor", "warm-up", "cool-down"]
    for routine in cat.routines.values():
        assert routine.name and routine.purpose and routine.steps


def test_the_desk_routine_is_the_standing_stretch_on_both_sides_without_a_floor(cat):
    desk = cat.routine("desk")
    desk_ids = {s.id for s in cat.allowed("desk", [])}
    assert {step.stretch for step in desk.steps} <= desk_ids
    assert {step.stretch for step in desk.steps} == {"standing"}
    assert {step.side for step in desk.steps} == {"left", "right"}
    assert not any(cat.stretch(step.stretch).needs_floor for step in desk.steps)


def test_the_floor_routine_uses_floor_stretches_including_the_bridge(cat):
    floor = cat.routine("floor")
    used = [step.stretch for step in floor.steps]
    assert "bridge" in used
    assert all(cat.stretch(stretch_id).needs_floor for stretch_id in used)


#: Worked out by hand from data/catalogue.toml, each step reps x (its hold, else the stretch's
#: tempo) + its rest: (work of each step, work + rest of each step, total seconds, minutes).
ROUTINE_LENGTHS = {
    # The standing stretch held 30 s, left and right twice; rests 5, 5, 5, 0.
    "desk": ([30, 30, 30, 30], [35, 35, 35, 30], 135, 2),
    # Bridges 12 x 3 s + 15 twice; half-kneeling 4 x 10 s + 5, + 10; low lunge 2 x 20 s + 5,
    # + 10; raised foot 3 x 10 s + 5, + 0.
    "floor": ([36, 36, 40, 40, 40, 40, 30, 30], [51, 51, 45, 50, 45, 50, 35, 30], 357, 6),
    # Half-kneeling 6 x 5 s + 5, + 10; low lunge 5 x 15 s + 5, + 0.
    "warm-up": ([30, 30, 75, 75], [35, 40, 80, 75], 230, 4),
    # 3 moving reps at each stretch's tempo (standing and half-kneeling 4 s, low lunge and
    # raised foot 5 s); rests 5 then 10 on each pair, none after the last.
    "cool-down": ([12, 12, 12, 12, 15, 15, 15, 15], [17, 22, 17, 22, 20, 25, 20, 15], 158, 3),
}


def test_routine_lengths_are_the_ones_worked_out_by_hand(cat):
    assert list(ROUTINE_LENGTHS) == list(cat.routines)
    for routine_id, (work, totals, total, minutes) in ROUTINE_LENGTHS.items():
        routine = cat.routine(routine_id)
        assert [step.work_seconds for step in routine.steps] == work, routine_id
        assert [step.total_seconds for step in routine.steps] == totals, routine_id
        assert (routine.total_seconds, routine.minutes) == (total, minutes), routine_id


def test_the_file_never_states_a_length(raw):
    for raw_routine in raw["routine"]:
        assert not {"total_seconds", "minutes", "length"} & raw_routine.keys()
        for raw_step in raw_routine["step"]:
            assert not {"work_seconds", "total_seconds"} & raw_step.keys()


def test_desk_is_about_two_minutes_and_floor_about_six(cat):
    assert 90 <= cat.routine("desk").total_seconds <= 150
    assert 300 <= cat.routine("floor").total_seconds <= 420


def test_warm_up_is_static_5_to_10_reps_and_cool_down_is_2_to_3_moving_reps(cat):
    # The article pairs them this way round; psoas keeps it as given.
    for step in cat.routine("warm-up").steps:
        assert step.hold_seconds is not None and 5 <= step.reps <= 10
    for step in cat.routine("cool-down").steps:
        assert step.hold_seconds is None and 2 <= step.reps <= 3  # timed by tempo: see above
    for routine_id in ("warm-up", "cool-down"):
        sides = [step.side for step in cat.routine(routine_id).steps]
        assert sides and all(side in ("left", "right") for side in sides)


def test_one_sided_stretches_come_as_a_left_step_then_a_right_step(cat):
    for routine in cat.routines.values():
        steps = routine.steps
        index = 0
        while index < len(steps):
            step = steps[index]
            if cat.stretch(step.stretch).sides == "each":
                follower = steps[index + 1]
                assert (step.side, follower.side) == ("left", "right"), routine.id
                assert follower.stretch == step.stretch
                index += 2
            else:
                assert step.side is None
                index += 1


def test_holds_in_routines_stay_inside_the_articles_hold_ranges(cat):
    for routine in cat.routines.values():
        for step in routine.steps:
            hold = cat.stretch(step.stretch).dose.hold_seconds
            if step.hold_seconds is not None and hold is not None and hold.sourced:
                assert hold.low <= step.hold_seconds <= hold.high, (routine.id, step)


# ----- choosing and looking up -------------------------------------------------------------


def test_allowed_at_the_desk_is_only_the_standing_stretch(cat):
    assert [s.id for s in cat.allowed("desk", [])] == ["standing"]
    assert [s.id for s in cat.allowed("anywhere", [])] == IDS


def test_allowed_leaves_out_excluded_stretches_and_keeps_the_order(cat):
    assert [s.id for s in cat.allowed("anywhere", ["bridge", "raised-foot"])] == [
        "half-kneeling",
        "standing",
        "low-lunge-twist",
    ]
    assert cat.allowed("desk", ("standing",)) == []
    assert [s.id for s in cat.allowed("desk", iter(["bridge"]))] == ["standing"]


def test_allowed_rejects_an_unknown_place_or_id(cat):
    with pytest.raises(ValueError, match="office"):
        cat.allowed("office", [])
    with pytest.raises(ValueError, match="brigde"):
        cat.allowed("anywhere", ["brigde"])


def test_lookup_by_id_and_unknown_ids_are_named(cat):
    assert cat.stretch("standing").name == "Standing hip flexor stretch"
    assert cat.routine("floor").id == "floor"
    with pytest.raises(KeyError, match="nope"):
        cat.stretch("nope")
    with pytest.raises(KeyError, match="lunch"):
        cat.routine("lunch")


# ----- words for people -----------------------------------------------------------------------


def test_quantity_and_duration_text():
    assert str(Quantity(10, 12, True)) == "10-12"
    assert str(Quantity(30, 30, True)) == "30"
    assert str(Quantity(2.5, 2.5, False)) == "2.5"
    with pytest.raises(ValueError):
        Quantity(12, 10, True)
    assert duration(130, exact=True) == "2 min 10 s"
    assert duration(360, exact=True) == "6 min"
    assert duration(45, exact=True) == "45 s"


def test_summary_says_how_and_how_much(cat):
    assert cat.stretch("bridge").summary().endswith("2-3 sets of 10-12 reps.")
    standing = cat.stretch("standing").summary()
    assert "Hold 30 s" in standing and "each side" in standing
    assert "Hold 15-20 s" in cat.stretch("low-lunge-twist").summary()
    for stretch in cat.stretches.values():
        summary = stretch.summary()
        assert summary.startswith(stretch.how)
        assert summary.count(". ") <= 2 and len(summary) < 220


def test_stretch_text_has_every_name_step_cue_and_the_credits(cat):
    text = format_stretches(cat)
    for stretch in cat.stretches.values():
        assert stretch.name in text
        assert stretch.dose_text() in text
        flat = " ".join(text.split())
        assert all(step in flat for step in stretch.steps)
        assert stretch.cue in flat
    assert text.endswith(CREDITS)
    assert "not medical advice" in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_each_dose_says_plainly_which_numbers_are_the_articles_and_which_are_ours(cat):
    text = format_stretches(cat)
    assert "From the article: 2-3 sets, 10-12 reps. Ours: 3 s a rep without a hold.\n" in text
    assert "From the article: hold 30 s. Ours: 2 times; 4 s a rep without a hold.\n" in text
    assert "Ours, as the article gives none: hold 10 s, 5 times; 4 s a rep without a hold.\n" in (
        text
    )
    assert "own default" not in text and "moving rep" not in text


def test_routine_text_has_every_routine_its_length_and_the_credits(cat):
    text = format_routines(cat)
    for routine in cat.routines.values():
        assert routine.name in text
        assert duration(routine.total_seconds, exact=True) in text
    assert cat.stretch("bridge").name in text
    assert "2 min 15 s" in text  # the desk routine: 4 x 30 s holds and 3 x 5 s rests
    assert text.endswith(CREDITS)
    assert max(len(line) for line in text.splitlines()) <= 100


def test_credits_name_the_therapists_the_article_and_the_limits():
    for words in (
        "Kristen Lettenberger (DPT, CSCS)",
        "Winnie Yu\n(DPT, CPT)",
        "Bespoke Treatments, New York City",
        "Stretching this little muscle can make knee and back pain\ngo away",
        "not medical advice",
        "Pain means ease off",
    ):
        assert words in CREDITS


# ----- JSON -----------------------------------------------------------------------------------


def _quantity(data: dict | None) -> Quantity | None:
    return None if data is None else Quantity(data["low"], data["high"], data["sourced"])


def _stretch_back(data: dict) -> Stretch:
    dose = data["dose"]
    assert dose["seconds_per_rep"]["sourced"] is False
    return Stretch(
        id=data["id"],
        name=data["name"],
        targets=data["targets"],
        steps=tuple(data["steps"]),
        cue=data["cue"],
        dose=Dose(
            _quantity(dose["sets"]),
            _quantity(dose["reps"]),
            _quantity(dose["hold_seconds"]),
            dose["seconds_per_rep"]["value"],
        ),
        sides=data["sides"],
        position=data["position"],
        needs=tuple(data["needs"]),
        how=data["how"],
        poses=tuple(Pose.from_dict(pose) for pose in data["poses"]),
        side_cue=data["side_cue"],
    )


def _routine_back(data: dict) -> Routine:
    steps = tuple(
        RoutineStep(
            s["stretch"],
            s["side"],
            s["reps"],
            s["hold_seconds"],
            s["rest_seconds"],
            s["cue"],
            s["then"],
            s["work_seconds"],
        )
        for s in data["steps"]
    )
    return Routine(data["id"], data["name"], data["purpose"], steps)


def test_to_dict_is_json_and_rebuilds_every_field(cat):
    data = json.loads(json.dumps(cat.to_dict()))
    assert data == cat.to_dict()
    assert data["credits"] == CREDITS
    rebuilt = Catalogue(
        {s["id"]: _stretch_back(s) for s in data["stretches"]},
        {r["id"]: _routine_back(r) for r in data["routines"]},
    )
    assert rebuilt == cat
    assert list(rebuilt.stretches) == IDS


def test_to_dict_carries_the_computed_values(cat):
    data = cat.to_dict()
    for item, stretch in zip(data["stretches"], cat.stretches.values(), strict=True):
        assert item["desk_friendly"] == stretch.desk_friendly
        assert item["needs_floor"] == stretch.needs_floor
        assert item["summary"] == stretch.summary()
    for item in data["routines"]:
        work, totals, total, minutes = ROUTINE_LENGTHS[item["id"]]
        assert (item["total_seconds"], item["minutes"]) == (total, minutes)
        assert [step["work_seconds"] for step in item["steps"]] == work
        assert [step["total_seconds"] for step in item["steps"]] == totals
    desk_rests = [step["rest_seconds"] for step in data["routines"][0]["steps"]]
    assert desk_rests == [5, 5, 5, 0]


# ----- the loader's checks --------------------------------------------------------------------

GOOD = textwrap.dedent(
    """
    [[stretch]]
    id = "one"
    name = "One"
    targets = "hips"
    position = "lying"
    sides = "together"
    needs = ["floor"]
    how = "Do one."
    steps = ["Lie down.", "Lift."]
    cue = "Breathe."
    [stretch.dose]
    reps = { low = 10, high = 12, sourced = true }
    seconds_per_rep = { value = 3, sourced = false }
    <POSE>

    [[stretch]]
    id = "two"
    name = "Two"
    targets = "hips"
    position = "standing"
    sides = "each"
    side_cue = "{side} foot back"
    needs = []
    how = "Do two."
    steps = ["Stand.", "Step back."]
    cue = "Tall."
    [stretch.dose]
    hold_seconds = { value = 30, sourced = true }
    seconds_per_rep = { value = 4, sourced = false }
    <POSE>

    [[routine]]
    id = "r"
    name = "R"
    purpose = "Test."
    [[routine.step]]
    stretch = "one"
    reps = 10
    rest_seconds = 5
    [[routine.step]]
    stretch = "two"
    side = "left"
    reps = 2
    hold_seconds = 30
    then = "shake out your legs"
    [[routine.step]]
    stretch = "two"
    side = "right"
    reps = 3
    """
).replace("<POSE>\n", pose_toml("[1, 2]"))


def test_a_small_good_catalogue_loads_with_computed_lengths():
    cat = parse_catalogue(GOOD)
    assert [s.work_seconds for s in cat.routine("r").steps] == [30, 60, 12]
    assert cat.routine("r").total_seconds == 107  # 10 x 3 s + 5 rest, 2 x 30 s, 3 x 4 s
    assert cat.stretch("one").dose.hold_seconds is None
    assert cat.stretch("two").dose.reps is None
    assert cat.routine("r").steps[0].side is None


def test_load_catalogue_reads_a_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD)
    assert list(load_catalogue(path).stretches) == ["one", "two"]
    path.write_text(GOOD.replace('name = "Two"\n', ""))
    with pytest.raises(ValueError, match=r"mine\.toml: stretch 'two': field 'name' is missing"):
        load_catalogue(path)


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ('stretch = "one"', 'stretch = "uno"', ["routine 'r', step 1", "unknown stretch 'uno'"]),
        ('cue = "Tall."\n', "", ["stretch 'two'", "'cue' is missing"]),
        ('cue = "Tall."', "cue = 3", ["stretch 'two'", "'cue' must be a string"]),
        ("reps = 10\n", 'reps = "ten"\n', ["routine 'r', step 1", "'reps' must be a whole number"]),
        ("reps = 10\n", "reps = 0\n", ["routine 'r', step 1", "'reps' must be at least 1"]),
        ("rest_seconds = 5", "rest_seconds = -5", ["routine 'r', step 1", "'rest_seconds'"]),
        ("hold_seconds = 30\n", 'hold_seconds = "30"\n', ["step 2", "'hold_seconds'"]),
        (
            "reps = { low = 10, high = 12, sourced = true }",
            "reps = { low = 10, high = 12 }",
            ["stretch 'one'", "dose.reps", "'sourced' is missing"],
        ),
        (
            "reps = { low = 10, high = 12, sourced = true }",
            'reps = { low = 10, high = 12, sourced = "yes" }',
            ["stretch 'one'", "'sourced' must be true or false"],
        ),
        (
            "reps = { low = 10, high = 12, sourced = true }",
            "reps = { low = 12, high = 10, sourced = true }",
            ["stretch 'one'", "dose.reps", "low <= high"],
        ),
        (
            "hold_seconds = { value = 30, sourced = true }",
            "hold_seconds = 30",
            ["stretch 'two'", "dose.hold_seconds", "must be a table"],
        ),
        (
            "seconds_per_rep = { value = 3, sourced = false }",
            "seconds_per_rep = { value = 3, sourced = true }",
            ["stretch 'one'", "seconds_per_rep", "no tempo"],
        ),
        (
            "seconds_per_rep = { value = 4, sourced = false }\n",
            "",
            ["stretch 'two'", "'seconds_per_rep' is missing"],
        ),
        ('sides = "each"', 'sides = "both"', ["stretch 'two'", "'sides'", "'both'"]),
        ('position = "lying"', 'position = "sitting"', ["stretch 'one'", "'position'"]),
        ('needs = ["floor"]', 'needs = ["mat"]', ["stretch 'one'", "'needs'", "'mat'"]),
        ('steps = ["Stand.", "Step back."]', "steps = []", ["stretch 'two'", "'steps' is empty"]),
        (
            'cue = "Breathe."',
            'cue = "Breathe."\ncues = "x"',
            ["stretch 'one'", "unknown field 'cues'"],
        ),
        ('id = "two"', 'id = "one"', ["stretch 'one'", "used twice"]),
        ('side = "right"', 'side = "left"', ["routine 'r', step 2", "left side of 'two'"]),
        ('side = "left"', 'side = "right"', ["routine 'r', step 2", "right side of 'two'"]),
        ('side = "right"\n', "", ["routine 'r', step 3", "each side"]),
        ('side = "left"\n', "", ["routine 'r', step 2", "each side"]),
        ('side = "left"', 'side = "up"', ["routine 'r', step 2", "'side'", "'up'"]),
        (
            'stretch = "one"\n',
            'stretch = "one"\nside = "left"\n',
            ["routine 'r', step 1", "both sides at once"],
        ),
        ('purpose = "Test."\n', "", ["routine 'r'", "'purpose' is missing"]),
        ('name = "R"', "name = 1", ["routine 'r'", "'name' must be a string"]),
        ("{side} foot back", "foot back", ["stretch 'two'", "'side_cue'", "{side} once"]),
        ("{side} foot back", "{side} {foot}", ["stretch 'two'", "'side_cue'"]),
        ('then = "shake', 'note = "shake', ["routine 'r', step 2", "unknown field 'note'"]),
    ],
)
def test_a_broken_catalogue_is_rejected_naming_the_culprit(old, new, named):
    assert GOOD.count(old) >= 1
    broken = GOOD.replace(old, new, 1)
    with pytest.raises(ValueError) as caught:
        parse_catalogue(broken, "broken.toml")
    message = str(caught.value)
    assert message.startswith("broken.toml: ")
    for words in named:
        assert words in message


POSE = pose_toml("[1, 2]")
IN_PROP = "stretch 'one', pose 1, prop 1: "
PROP = '[[stretch.pose.prop]]\nkind = "bench"\nleft = 0\nright = 30\nheight = 20\n'


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("near_knee = [", "near_kne = [", ["unknown joint 'near_kne'", "did you mean 'near_knee'"]),
        ("far_toe = [98.5, 1]\n", "", ["joint 'far_toe' is missing"]),
        ("head = [66.5, 82.5]", "head = [170, 82.5]", ["joint 'head'", "x must be from 0 to 150"]),
        ("near_toe = [48, 1]", "near_toe = [48, -1]", ["joint 'near_toe'", "y (height", "not -1"]),
        ("head = [66.5, 82.5]", "head = [66.5]", ["joint 'head' must be [x, y]", "[66.5]"]),
        ("head = [66.5, 82.5]", 'head = "up"', ["joint 'head' must be [x, y]", "a string"]),
        ("head = [66.5, 82.5]", "head = [true, 82.5]", ["joint 'head' must be [x, y]"]),
        ("near_knee = [55.5, 24.5]", "near_knee = [55.5, 10]", ["near_hip to near_knee is 35.6"]),
        ("steps = [1, 2]", "steps = [1, 3]", ["field 'steps'", "from 1 to 2", "not 3"]),
        ("steps = [1, 2]", "steps = []", ["field 'steps'", "from 1 to 2"]),
        ("steps = [1, 2]", "steps = [1, 1]", ["field 'steps' names a step twice"]),
        ("steps = [1, 2]", "steps = [1]", ["stretch 'one': no pose shows step 2"]),
        ('stretched = "near"', 'stretched = "left"', ["field 'stretched'", "'left'"]),
        ("main = true\n", "", ["field 'main' is missing"]),
        ("main = true", 'main = "yes"', ["field 'main' must be true or false"]),
        ('stretched = "near"\n', 'stretched = "near"\ncolour = 1\n', ["unknown field 'colour'"]),
        (POSE, "", ["stretch 'one': field 'pose' is missing"]),
        (
            POSE,
            pose_toml("[1]") + pose_toml("[2]"),
            ["stretch 'one': exactly one pose must have main = true, not 2"],
        ),
        (
            POSE,
            pose_toml("[1]", main=False) + pose_toml("[2]", main=False),
            ["stretch 'one': exactly one pose must have main = true, not 0"],
        ),
        (
            POSE,
            POSE + pose_toml("[2]", main=False),
            ["stretch 'one', pose 2: step 2 is already shown by pose 1"],
        ),
        (POSE, POSE + PROP.replace("bench", "sofa"), [IN_PROP, "'kind'", "'sofa'"]),
        (POSE, POSE + PROP.replace("left = 0", "left = 40"), [IN_PROP, "left < right"]),
        (POSE, POSE + PROP.replace("height = 20", "height = 0"), [IN_PROP, "'height'"]),
        (POSE, POSE + PROP.replace("kind", "kin"), [IN_PROP, "'kind' is missing"]),
    ],
)
def test_bad_pose_data_is_one_line_naming_the_stretch_pose_and_key(old, new, named):
    assert old in GOOD
    broken = GOOD.replace(old, new, 1)
    with pytest.raises(ValueError) as caught:
        parse_catalogue(broken, "broken.toml")
    message = str(caught.value)
    assert "\n" not in message
    where = next((w for w in named if w.startswith("stretch 'one'")), "stretch 'one', pose 1")
    assert message.startswith(f"broken.toml: {where}")
    for words in named:
        assert words in message


def test_the_packaged_poses_load_with_one_main_pose_and_every_step_shown(cat):
    for stretch in cat.stretches.values():
        assert stretch.poses, stretch.id
        assert sum(pose.main for pose in stretch.poses) == 1
        shown = sorted(step for pose in stretch.poses for step in pose.steps)
        assert shown == list(range(1, len(stretch.steps) + 1)), stretch.id
        assert stretch.pose_for_step(1) >= 1
    # Where the position changes between steps there is a pose for each position.
    assert len(cat.stretch("bridge").poses) == 2
    assert len(cat.stretch("low-lunge-twist").poses) == 2
    assert cat.stretch("bridge").pose_for_step(2) == cat.stretch("bridge").main_pose
    assert cat.stretch("bridge").pose_for_step(1) == cat.stretch("bridge").pose_for_step(3)
    # Only the raised-foot stretch needs the bench drawn.
    with_props = [s.id for s in cat.stretches.values() if any(p.props for p in s.poses)]
    assert with_props == ["raised-foot"]


def test_invalid_toml_and_missing_sections_are_rejected():
    with pytest.raises(ValueError, match=r"^bad\.toml: not valid TOML"):
        parse_catalogue("[[stretch]\nid = ", "bad.toml")
    with pytest.raises(ValueError, match="'routine' is missing"):
        parse_catalogue(GOOD.split("[[routine]]")[0], "x.toml")
    with pytest.raises(ValueError, match="unknown field 'extra'"):
        parse_catalogue("extra = 1\n" + GOOD, "x.toml")
