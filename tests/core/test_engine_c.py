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
from tendril.engine import Engine
from tendril.image import decode

from ..support.images import waterer_image
from ..support.scenario_runner import compare, load, run, scenario_paths
from .engine_adapter import CEngineAdapter, event_tuple

PATHS = scenario_paths()
U32 = 0xFFFFFFFF


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


def test_calibration_in_32_bits_matches_the_exact_formula(core):
    CEngineAdapter(core)  # binds calib_apply_u16
    rng = random.Random(5)
    edges = [0, 1, 0x7FFFFFFF, -(2**31), -1, 65535, 1 << 16, -(1 << 16)]
    for _ in range(20000):
        raw = rng.choice((0, 1, 1023, 65535, rng.randrange(65536)))
        gain = rng.choice(edges + [rng.randrange(-(2**31), 2**31)])
        offset = rng.choice(edges + [rng.randrange(-(2**31), 2**31)])
        want = max(-10**9, min(10**9, offset + ((raw * gain) >> 16)))
        assert core.lib.calib_apply_u16(raw, gain, offset) == want, (raw, gain, offset)


# --- differential: C engine vs the reference, on random stories ---------------------------------


step_st = st.one_of(
    st.tuples(st.just("raw"), st.integers(0, 2), st.integers(0, 1023)),
    st.tuples(st.just("tick"), st.integers(1, 3000)),
    st.tuples(st.just("tick"), st.sampled_from([1, 50, 100, 999, 1000, 10_000, 86_400_000])),
    st.tuples(st.just("LEASE"), st.integers(0, 2), st.sampled_from([0, 1, 500, 8_000, 8_001]),
              st.integers(0, 255)),  # fmt: skip
    st.tuples(st.just("OFF"), st.integers(0, 2)),
    st.tuples(st.just("PAUSE")),
    st.tuples(st.just("RESUME")),
    st.tuples(st.just("SET_PARAM"), st.integers(0, 4),
              st.sampled_from([0, 1, 700, 1_000, 2_500, 20_000, 36_000, 90_000])),  # fmt: skip
    st.tuples(st.just("STATUS")),
)


def _py_reply(reply) -> tuple[int, int]:
    return (0, 0) if reply.ok else (int(reply.nack), reply.detail)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(variant=st.integers(0, 4), start=st.sampled_from([0, 1234, U32 - 5_000]),
       steps=st.lists(step_st, min_size=1, max_size=250))  # fmt: skip
def test_c_engine_equals_python_engine_on_random_stories(core, variant, start, steps):
    image = waterer_image(variant)
    py = Engine(decode(image))
    c = CEngineAdapter(core)
    c.start(image, "uno")
    na, nr, nc = len(py.actuators), len(py.rules), len(py.channels)
    now = start
    assert c.tick(now) == [event_tuple(e) for e in py.tick(now)]
    for step in steps:
        kind = step[0]
        if kind == "raw":
            channel, raw = step[1] % nc, step[2]
            py.set_raw(channel, raw)
            c.set_raw(channel, raw)
            continue
        if kind == "tick":
            now = (now + step[1]) & U32
            want = [event_tuple(e) for e in py.tick(now)]
            assert c.tick(now) == want, f"tick at {now}"
            for a in range(na):
                assert c.output(a) == py.output(a)
            for ch in range(nc):
                assert c.value(ch) == py.value(ch)
            continue
        if kind == "STATUS":
            for a in range(na):
                s = py.actuator_status(a, now)
                want = (s.state_bits, s.level, s.owner, s.ms_left, s.today_on_ms)
                assert c.actuator_status(a, now) == want, f"actuator {a} status"
            for r in range(nr):
                assert c.rule_status(r, now) == tuple(py.rule_status(r, now)), f"rule {r} status"
            continue
        if kind == "LEASE":
            args = dict(actuator=step[1], ms=step[2], level=step[3])
            reply = py.lease(args["actuator"], args["ms"], args["level"], now)
        elif kind == "OFF":
            args = dict(actuator=step[1])
            reply = py.off(args["actuator"], now)
        elif kind == "PAUSE":
            args, reply = {}, py.pause(now)
        elif kind == "RESUME":
            args, reply = {}, py.resume(now)
        else:
            args = dict(index=step[1], value=step[2])
            reply = py.set_param(args["index"], args["value"], now)
        assert c.raw_command(kind, args, now) == _py_reply(reply), f"{kind} {args} at {now}"
        assert c.take_events() == [event_tuple(e) for e in reply.events]


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
