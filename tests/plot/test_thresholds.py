from tendril.contract import ConfigOutcome, EventKind
from tendril.plotting.thresholds import Boot, Mark, Step, thresholds
from tendril.recipes import load, parse
from tendril.store.query import LoggedEvent

from ..conftest import ROOT

WATERER = load(ROOT / "boards" / "recipes" / "plant-waterer.toml")
DRY, PULSE = 0, 1  # the waterer's parameters: dry_threshold (35 %), pulse (4 s)


def ev(t, kind, a=0, b=0, value=0, session=1):
    return LoggedEvent(device_id=5, boot_count=session, session_id=session, device_ms=int(t * 1000),
                       host_time=t, kind=int(kind), a=a, b=b, c=0, value=value)


def steps(lines, channel="soil", label="dry_threshold", device=5):
    [line] = [x for x in lines if (x.device_id, x.channel, x.label) == (device, channel, label)]
    return line.steps


def test_a_param_change_moves_the_threshold_and_is_marked_where_it_changed():
    lines, marks = thresholds([Boot(1, 5, 100.0, 500.0, WATERER)],
                              [ev(200, EventKind.PARAM, a=DRY, value=30_000)])
    assert steps(lines) == [Step(100.0, 200, 35.0), Step(200, 500.0, 30.0)]
    assert marks == [Mark(5, 200, "param", "dry_threshold set to 30 %", ("soil",), 30.0)]


def test_a_duration_parameter_is_marked_but_never_drawn():
    lines, marks = thresholds([Boot(1, 5, 100.0, 500.0, WATERER)],
                              [ev(300, EventKind.PARAM, a=PULSE, value=6000)])
    assert [(x.channel, x.label) for x in lines] == [("soil", "dry_threshold")]
    assert steps(lines) == [Step(100.0, 500.0, 35.0)]
    assert marks == [Mark(5, 300, "param", "pulse set to 6 s")]


def test_a_reboot_into_the_same_recipe_keeps_the_set_value_and_a_new_config_resets_it():
    boots = [Boot(1, 5, 0.0, 100.0, WATERER), Boot(2, 5, 200.0, 300.0, WATERER),
             Boot(3, 5, 400.0, 600.0, WATERER)]
    events = [ev(50, EventKind.PARAM, a=DRY, value=25_000),
              ev(250, EventKind.CONFIG, b=ConfigOutcome.APPLIED, value=4, session=2)]
    lines, marks = thresholds(boots, events)
    # boot 2 starts at 25 % (kept); its new config is one the log holds no recipe for at that moment,
    # so the line stops there; boot 3 runs the waterer again, from its defaults
    assert steps(lines) == [Step(0.0, 50, 35.0), Step(50, 100.0, 25.0), Step(200.0, 250, 25.0),
                            Step(400.0, 600.0, 35.0)]
    assert [(m.time, m.kind, m.text) for m in marks] == [
        (50, "param", "dry_threshold set to 25 %"), (250, "config", "new config applied")]


def test_a_board_that_booted_empty_runs_its_recipe_from_the_first_config():
    boots = [Boot(1, 5, 0.0, 100.0, WATERER, configured=False)]
    events = [ev(10, EventKind.CONFIG, b=ConfigOutcome.APPLIED, value=1),
              ev(60, EventKind.PARAM, a=DRY, value=40_000)]
    lines, _ = thresholds(boots, events)
    assert steps(lines) == [Step(10, 60, 35.0), Step(60, 100.0, 40.0)]


def test_an_unknown_recipe_draws_nothing_and_marks_changes_by_index():
    lines, marks = thresholds([Boot(1, 5, 0.0, 100.0, None)], [ev(10, EventKind.PARAM, a=2, value=1500)])
    assert lines == []
    assert marks == [Mark(5, 10, "param", "parameter 2 set to 1.5")]


def test_constant_thresholds_and_full_interlocks_are_drawn_on_their_channels():
    text = (ROOT / "boards" / "recipes" / "plant-waterer.toml").read_text().replace(
        'below = "$dry_threshold"', 'below = "33 %"').replace(
        'unless = "tank_empty"', 'unless = { channel = "soil", above = "90 %" }')
    recipe = parse(text, "test recipe")
    lines, _ = thresholds([Boot(1, 5, 0.0, 10.0, recipe)], [])
    got = {(x.channel, x.label): x.steps for x in lines}
    assert got == {("soil", "water threshold"): [Step(0.0, 10.0, 33.0)],
                   ("soil", "water interlock"): [Step(0.0, 10.0, 90.0)]}


def test_boots_of_two_devices_keep_their_own_parameters():
    boots = [Boot(1, 5, 0.0, 100.0, WATERER), Boot(2, 6, 0.0, 100.0, WATERER)]
    events = [ev(50, EventKind.PARAM, a=DRY, value=20_000, session=2)]
    lines, _ = thresholds(boots, events)
    assert steps(lines, device=5) == [Step(0.0, 100.0, 35.0)]
    assert steps(lines, device=6) == [Step(0.0, 50, 35.0), Step(50, 100.0, 20.0)]
