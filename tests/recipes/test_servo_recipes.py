"""A servo in a recipe and the shipped greenhouse (DHT22, servo vent, fan): compiled for an Uno and
run in the reference engine, the vent opens above the tunable temperature, closes 2 °C below it,
goes nowhere a lease asks beyond its limits, and rests at its safe position; recipes with a servo
wired wrong are refused in words; decompile gives the same bytes back."""

from __future__ import annotations

import pytest
from tendril.contract import ActuatorFlag, EventKind, OffReason
from tendril.engine import Engine
from tendril.image import decode
from tendril.recipes import compile_recipe, decompile, describe, load, parse
from tendril.recipes.issues import RecipeError

from .conftest import RECIPES, board, line_of

GREENHOUSE = RECIPES / "greenhouse.toml"
VENT, FAN = 0, 1
TEMP, RH = 0, 1


def _greenhouse(name: str = "uno"):
    return decode(compile_recipe(load(GREENHOUSE), board(name)))


def _run(engine: Engine, air, start: int, end: int, step: int = 500) -> list:
    """``air(now)``: (°C, % RH); the DHT22's channels get thousandths, as its driver delivers them."""
    events = []
    for now in range(start, end, step):
        celsius, rh = air(now)
        engine.set_raw(TEMP, round(celsius * 1000))
        engine.set_raw(RH, round(rh * 1000))
        events += engine.tick(now)
    return events


@pytest.mark.parametrize("name, pin", [("uno", 9), ("nano", 9), ("mega2560", 11)])
def test_the_greenhouse_vent_is_a_servo_on_the_boards_timer_pin(name, pin):
    vent = _greenhouse(name).actuators[VENT]
    assert (vent.pin, vent.flags, vent.servo_min, vent.servo_max, vent.servo_safe) == \
        (pin, ActuatorFlag.SERVO, 15, 110, 15)


def test_the_vent_opens_above_the_tunable_temperature_and_closes_two_degrees_below():
    image = _greenhouse()
    engine = Engine(image)
    vent = image.actuators[VENT]
    temps = [(0, 24.0), (60_000, 29.0), (180_000, 27.0), (240_000, 25.5), (300_000, 24.0)]
    air = lambda now: (next(c for t, c in reversed(temps) if now >= t), 60.0)  # noqa: E731
    positions = []
    for now in range(0, 360_000, 500):
        _run(engine, air, now, now + 1)
        positions.append((now, vent.position(engine.output(VENT))))
    assert positions[0][1] == 15  # closed (safe) while cool
    opened = next(t for t, p in positions if p == 90)
    assert 60_000 <= opened <= 62_000
    assert all(p == 90 for t, p in positions if 62_000 <= t < 240_000)  # 27 °C is inside the hysteresis
    closed = next(t for t, p in positions if t > opened and p == 15)
    assert 240_000 <= closed <= 242_000  # 25.5 °C: more than 2 °C below 28 °C
    assert all(15 <= p <= 110 for _t, p in positions)

    # a tuned threshold moves it: at 30 °C the vent stays shut at 29 °C
    engine = Engine(image)
    engine.set_param(0, 30_000, 0)
    _run(engine, lambda now: (29.0, 60.0), 0, 20_000)
    assert engine.output(VENT) == 0 and vent.position(engine.output(VENT)) == 15


def test_a_lease_beyond_the_limits_gets_the_limit_and_the_vent_closes_when_it_ends():
    image = _greenhouse()
    engine = Engine(image)
    vent = image.actuators[VENT]
    _run(engine, lambda now: (20.0, 50.0), 0, 1_000)
    engine.lease(VENT, 5_000, 200, 1_000)
    events = _run(engine, lambda now: (20.0, 50.0), 1_000, 3_000)
    assert vent.position(engine.output(VENT)) == 110
    on = next(e for e in events if e.kind == EventKind.ACT_ON)
    assert on.value == 110  # the position it took, not the one asked for
    events = _run(engine, lambda now: (20.0, 50.0), 3_000, 8_000)
    off = next(e for e in events if e.kind == EventKind.ACT_OFF)
    assert off.b == OffReason.LEASE_END and vent.position(engine.output(VENT)) == 15


def test_the_fan_runs_while_the_air_is_humid_and_rests_a_minute_after():
    engine = Engine(_greenhouse())
    events = _run(engine, lambda now: (20.0, 90.0 if now < 30_000 or now >= 60_000 else 70.0), 0, 120_000)
    fan = [(e.kind, e.t) for e in events if e.kind in (EventKind.ACT_ON, EventKind.ACT_OFF) and e.a == FAN]
    assert [k for k, _t in fan] == [EventKind.ACT_ON, EventKind.ACT_OFF, EventKind.ACT_ON], fan
    assert fan[1][1] >= 30_000 and fan[2][1] >= fan[1][1] + 60_000  # min_off: a minute's rest


SERVO = """\
[recipe]
name = "vent"
version = "1.0.0"
summary = "a servo vent"
boards = ["uno"]

[actuators.vent]
pin = "D9"
kind = "servo"
min = "10 °"
max = "120°"
safe = 10
max_on = "10 min"
daily_cap = "6 h"

[rules.air]
every = "1 h"
do = { actuator = "vent", for = "1 min", level = "90 °" }
"""


@pytest.mark.parametrize("change, expected", [
    (('pin = "D9"', 'pin = "D3"'), "actuators.vent.pin: D3 has no servo timer on uno; servo pins: D9, D10"),
    (('safe = 10', 'safe = 5'), "actuators.vent.safe: the safe position (5 °) must lie within min .. max (10 .. 120 °)"),
    (('max = "120°"', 'max = "200°"'), "actuators.vent.max: '200°' is not a position: give whole degrees 0 .. 180"),
    (('min = "10 °"', 'min = "130 °"'), "actuators.vent.max: max (120 °) must be above min (130 °)"),
    (('safe = 10\n', ''), "actuators.vent: a servo needs safe (degrees, 0 .. 180)"),
    (('level = "90 °"', 'level = "150 °"'), "rules.air.do.level: 150 ° is outside vent's limits (10 .. 120 °"),
    (('safe = 10', 'safe = 10\nactive_low = true'), "actuators.vent.active_low: a servo takes pulses"),
])
def test_a_servo_wired_or_limited_wrong_is_refused_in_words(change, expected):
    text = SERVO.replace(*change)
    with pytest.raises(RecipeError) as got:
        compile_recipe(parse(text, "vent.toml"), board("uno"))
    assert any(expected in str(issue) for issue in got.value.issues), got.value.issues


@pytest.mark.parametrize("with_recipe", [True, False])
def test_decompiling_a_servo_gives_the_same_bytes(with_recipe):
    uno = board("uno")
    for recipe in (parse(SERVO), load(GREENHOUSE)):
        data = compile_recipe(recipe, uno)
        text = decompile(data, uno, recipe if with_recipe else None)
        assert compile_recipe(parse(text), uno) == data
        assert 'kind = "servo"' in text


def test_describe_says_where_the_servo_goes():
    words = describe(parse(SERVO))
    assert "drives vent (servo, 10 .. 120° on D9)" in words
    assert "at 10° at boot, on off and when a run ends" in words
    assert "run vent at 90° for 1 min" in words


def test_a_vent_without_time_limits_stays_open_all_of_a_hot_afternoon():
    """The greenhouse's vent has no max_on or daily_cap: held open 8 h by its rule (past the Uno's
    10 min and 6 h ceilings that bind a relay), closed only when the air cools."""
    image = _greenhouse()
    vent = image.actuators[VENT]
    assert (vent.max_on_ms, vent.daily_cap_ms) == (0, 0)
    engine = Engine(image)
    hot_until = 8 * 3_600_000
    events = _run(engine, lambda now: (31.0 if now < hot_until else 20.0, 60.0), 0, hot_until + 10_000, step=5_000)
    vent_events = [e for e in events if e.a == VENT and e.kind in (EventKind.ACT_ON, EventKind.ACT_OFF)]
    assert [(e.kind, e.t) for e in vent_events][:1] == [(EventKind.ACT_ON, 0)], vent_events
    (off,) = vent_events[1:]
    assert off.b == OffReason.CONDITION_CLEARED and off.value >= hot_until - 5_000, off


@pytest.mark.parametrize("change, expected", [
    (('max_on = "10 min"\n', 'max_on = "0 s"\n'), "actuators.vent.max_on: must be above 0: every run needs a deadline "
                                                  "(leave it out for no limit)"),
    (('daily_cap = "6 h"\n', 'daily_cap = 0\n'), "actuators.vent.daily_cap"),
])
def test_a_servo_limit_given_as_zero_says_to_leave_it_out(change, expected):
    with pytest.raises(RecipeError) as got:
        parse(SERVO.replace(*change), "vent.toml")
    assert any(expected in str(issue) for issue in got.value.issues), got.value.issues


def test_a_relay_without_max_on_is_refused_and_a_servo_without_one_is_described():
    relay = SERVO.replace('kind = "servo"\nmin = "10 °"\nmax = "120°"\nsafe = 10\n', 'kind = "relay"\n')
    relay = relay.replace('max_on = "10 min"\n', '').replace(', level = "90 °"', '')
    with pytest.raises(RecipeError) as got:
        parse(relay, "pump.toml")
    assert [str(i) for i in got.value.issues] == [
        f"pump.toml:{line_of(relay, '[actuators.vent]')} actuators.vent: missing key 'max_on' (a relay needs it: every run needs a deadline)"]
    free = SERVO.replace('max_on = "10 min"\ndaily_cap = "6 h"\n', '')
    words = describe(parse(free))
    assert "no limit on how long it holds, 0 ms rest between runs, no daily cap" in words
    data = compile_recipe(parse(free), board("uno"))
    assert 'max_on' not in decompile(data, board("uno")) and compile_recipe(parse(decompile(data, board("uno"))),
                                                                           board("uno")) == data
