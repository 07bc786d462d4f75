"""Each shipped recipe, compiled for an Uno, doing its job in the reference engine."""

from __future__ import annotations

from itertools import pairwise

from tendril.contract import EventKind, OffReason, SkipReason
from tendril.engine import Engine
from tendril.image import decode
from tendril.recipes import compile_recipe, load
from tendril.sim.plant import PlantModel

from .conftest import RECIPES, board


def _engine(name: str) -> Engine:
    return Engine(decode(compile_recipe(load(RECIPES / f"{name}.toml"), board("uno"))))


def _run(engine: Engine, inputs, start: int, end: int, step: int = 100) -> list:
    events = []
    for now in range(start, end, step):
        for channel, raw in inputs(now).items():
            engine.set_raw(channel, raw)
        events += engine.tick(now)
    return events


def test_plant_waterer_waters_dry_soil_in_pulses_and_stops_when_the_tank_runs_dry():
    engine = _engine("plant-waterer")
    plant = PlantModel(moisture=33.0, tank_ml=150.0, ml_per_point=20.0, noise_raw=0)
    events = []
    for now in range(0, 2 * 3_600_000, 100):
        engine.set_raw(0, plant.soil_raw())
        engine.set_raw(1, plant.float_raw())
        events += engine.tick(now)
        plant.pump_on = bool(engine.output(0))
        plant.advance(100)
    ons = [e for e in events if e.kind == EventKind.ACT_ON]
    offs = [e for e in events if e.kind == EventKind.ACT_OFF]
    assert ons and ons[0].t >= 5000  # the soil must read dry for 5 s first
    assert all(e.value <= 4000 for e in offs)  # 4 s pulses, never longer
    assert any(e.b == OffReason.RULE_DONE for e in offs)
    assert plant.tank_empty  # it watered until the tank was empty ...
    assert any(e.kind == EventKind.RULE_SKIP and e.b == SkipReason.INTERLOCK for e in events)  # ... then stopped


def test_greenhouse_vent_runs_the_fan_while_warm_and_stops_two_degrees_cooler():
    engine = _engine("greenhouse-vent")
    def raw(celsius: float) -> int:  # TMP36 on a 5 V, 10-bit ADC
        return round((0.5 + celsius / 100) / 5 * 1023)
    temps = lambda now: {0: raw(30 if now < 300_000 else 27 if now < 400_000 else 25)}
    events = _run(engine, temps, 0, 500_000)
    on, off = (e for e in events if e.kind in (EventKind.ACT_ON, EventKind.ACT_OFF))
    assert on.kind == EventKind.ACT_ON and 30_000 <= on.t < 45_000  # held 30 s, through the smoothing
    assert off.b == OffReason.CONDITION_CLEARED and off.t >= 400_000  # 27 °C is inside the hysteresis


def test_night_light_glows_at_forty_percent_in_the_dark():
    engine = _engine("night-light")
    events = _run(engine, lambda now: {0: 900 if now < 60_000 or now >= 120_000 else 50}, 0, 180_000)
    on = next(e for e in events if e.kind == EventKind.ACT_ON)
    assert on.value == 102 and 70_000 <= on.t < 71_000
    off = next(e for e in events if e.kind == EventKind.ACT_OFF)
    assert off.b == OffReason.CONDITION_CLEARED and off.t == 120_000


def test_aquarium_top_off_refills_and_a_stuck_float_cannot_flood():
    engine = _engine("aquarium-top-off")
    events = _run(engine, lambda now: {0: 0}, 0, 300_000)  # float stuck "low" (pin LOW)
    offs = [e for e in events if e.kind == EventKind.ACT_OFF]
    assert offs and all(e.b == OffReason.MAX_ON and e.value == 20_000 for e in offs)
    gaps = [b.t - a.t for a, b in pairwise(offs)]
    assert all(g >= 80_000 for g in gaps)  # 20 s on, then at least 1 min of rest


def test_weather_logger_only_measures():
    engine = _engine("weather-logger")
    inputs = lambda now: {0: round(0.75 / 5 * 1023), 1: 512, 2: 1023, 3: 1}
    assert _run(engine, inputs, 0, 120_000, 1000) == []
    assert abs(engine.value(0) - 25_000) < 500  # 0.75 V from a TMP36 is 25 °C
    assert abs(engine.value(1) - 50_000) < 100
    assert engine.value(2) == 0 and engine.value(3) == 0  # dry
