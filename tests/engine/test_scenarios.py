"""The reference engine against every rule-scenario vector (tests/vectors/scenarios/*.json)."""

from __future__ import annotations

import pytest

from ..conftest import VECTORS
from ..support.scenario_runner import PythonAdapter, compare, load, run, scenario_paths, tick_times
from ..support.vector_files import stale_vectors

PATHS = scenario_paths()


def test_scenario_vectors_exist():
    assert len(PATHS) >= 13, "scenario vectors missing: run python tests/vectors/generate.py"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_reference_engine_matches_scenario(path):
    scenario = load(path)
    problem = compare(scenario, run(scenario, PythonAdapter()))
    assert problem is None, problem


def test_scenario_files_are_what_the_cases_generate():
    guards = [p for p in PATHS if p.stem.startswith("guard_")]  # cases_guard.py writes those
    assert stale_vectors("cases_scenarios", [p for p in PATHS if p not in guards]) == []
    assert stale_vectors("cases_guard", guards) == []


def test_tick_times_wrap_past_u32():
    scenario = {"start": 0xFFFF_F000, "step": 0x800, "end": 0x1000}
    assert tick_times(scenario) == [0xFFFF_F000, 0xFFFF_F800, 0, 0x800, 0x1000]


def test_runner_reports_the_first_differing_event_with_context():
    scenario = load(VECTORS / "scenarios" / "plant_waterer.json")
    transcript = run(scenario, PythonAdapter())
    transcript.events[2][5] += 1  # the second ACT_ON's level
    problem = compare(scenario, transcript)
    assert problem.startswith("plant_waterer: event #2 differs")
    assert "> #2" in problem and "#1" in problem and "#3" in problem
