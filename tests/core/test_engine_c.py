"""The C rule engine (firmware/core/engine.c) against the scenario vectors and the Python engine.

The vectors are the judge (every scenario must give exactly its events, replies and values); the
Hypothesis test then drives both engines with the same random inputs, commands and tick times on
plant-waterer-like images and requires identical events, replies, outputs and STATUS entries.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..support.images import waterer_image
from ..support.scenario_runner import compare, load, run, scenario_paths
from ..support.engine_stories import U32, drive, step_st
from .engine_adapter import CEngineAdapter

PATHS = scenario_paths()


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_c_engine_matches_scenario(core, path):
    scenario = load(path)
    problem = compare(scenario, run(scenario, CEngineAdapter(core)))
    assert problem is None, problem


def test_c_engine_runs_every_scenario():
    assert len(PATHS) >= 13


def test_c_engine_differs_when_an_event_is_wrong(core):
    """The comparison can fail: a tampered expectation is caught on the C engine too."""
    scenario = load(PATHS[0].parent / "plant_waterer.json")
    scenario["events"][1][5] += 1
    assert "event #1 differs" in compare(scenario, run(scenario, CEngineAdapter(core)))


def test_calibration_in_32_bits_matches_the_exact_formula_for_any_int32_reading(core):
    """The engine's calibration (32-bit partial products, for AVR) equals the exact formula for any
    int32 raw and gain and any offset validation lets through (+-1e9): a driver's reading may be
    signed and wider than 16 bits."""
    CEngineAdapter(core)  # binds calib_apply_i32
    rng = random.Random(5)
    edges = [0, 1, 0x7FFFFFFF, -(2**31), -1, 65535, 1 << 16, -(1 << 16), 0xFFFF, -0xFFFF, 0x10000 + 1,
             10**9, -(10**9), 10**9 + 1, -(10**9) - 1, 0x7FFF8000, -0x7FFF8000]
    def rnd():
        return rng.choice(edges + [rng.randrange(-(2**31), 2**31), rng.randrange(-70000, 70000),
                                   rng.randrange(-(2**20), 2**20)])
    for _ in range(60000):
        raw, gain, offset = rng.choice((0, 1, 1023, 65535, rng.randrange(65536), rnd())), rnd(), rnd()
        offset = max(-10**9, min(10**9, offset))
        want = max(-10**9, min(10**9, offset + ((raw * gain) >> 16)))
        assert core.lib.calib_apply_i32(raw, gain, offset) == want, (raw, gain, offset)
    for raw in edges:  # every edge against every edge
        for gain in edges:
            for offset in (o for o in edges if abs(o) <= 10**9):
                want = max(-10**9, min(10**9, offset + ((raw * gain) >> 16)))
                assert core.lib.calib_apply_i32(raw, gain, offset) == want, (raw, gain, offset)


# --- differential: C engine vs the reference, on random stories ---------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(variant=st.integers(0, 6), start=st.sampled_from([0, 1234, U32 - 5_000]),
       steps=st.lists(step_st, min_size=1, max_size=250))  # fmt: skip
def test_c_engine_equals_python_engine_on_random_stories(core, variant, start, steps):
    image = waterer_image(variant)
    c = CEngineAdapter(core)
    c.start(image, "uno")
    drive(c, image, start, steps)


def test_stop_turns_every_on_actuator_off_with_the_reason(core):
    c = CEngineAdapter(core)
    c.start(waterer_image(1), "uno")
    c.tick(0)
    assert c.raw_command("LEASE", dict(actuator=1, ms=5_000, level=77), 0) == (0, 0)
    c.tick(100)
    assert c.output(1) == 77
    core.lib.engine_stop(c.state, 9, 600)  # RECONFIG
    assert c.take_events() == [(600, 2, 1, 9, 0xFF, 500)]
    assert c.output(1) == 0
