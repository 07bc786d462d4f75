"""Both firmwares against every device-level vector (tests/vectors/device/*.json): the native C build
and the MicroPython firmware under CPython, each on its held clock (tests/support/device_vectors.py)."""

from __future__ import annotations

import shutil

import pytest

from ..conftest import VECTORS
from ..support.device_vectors import MpyDevice, NativeDevice, load, play, vector_paths
from ..support.native_board import build_native
from ..support.vector_files import stale_vectors

PATHS = vector_paths()


def _native_params():
    """On the native board a watchdog reset is a real one: the loop hangs until the watchdog has
    counted a second of CPU time. Vectors with three of them take seconds: the slow tier."""
    out = []
    for path in PATHS:
        resets = sum(step.get("boot") == "watchdog" for step in load(path)["steps"])
        out.append(pytest.param(path, id=path.stem, marks=[pytest.mark.slow] if resets >= 2 else []))
    return out


@pytest.fixture(scope="module")
def native_test_binary():
    if shutil.which("gcc") is None or shutil.which("make") is None:
        pytest.skip("gcc and make are needed to build firmware/native")
    return build_native()[1]  # the build with the debug hang command: watchdog resets on demand


def test_device_vectors_exist_and_are_current():
    assert len(PATHS) >= 5, "device vectors missing: run python tests/vectors/generate.py"
    assert stale_vectors("cases_device", PATHS) == []


@pytest.mark.parametrize("path", _native_params())
def test_native_c_firmware_plays_device_vector(path, native_test_binary, tmp_path):
    vector = load(path)
    problem = play(vector, lambda: NativeDevice(native_test_binary, tmp_path, vector["pass_ms"]), "uno")
    assert problem is None, problem


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_micropython_firmware_plays_device_vector(path, tmp_path):
    vector = load(path)
    problem = play(vector, lambda: MpyDevice(tmp_path, vector["pass_ms"]), "pico")
    assert problem is None, problem


# --- the runner tells a wrong firmware apart (the MicroPython firmware, changed back on purpose) ---


def test_the_vectors_catch_telemetry_that_drifts(tmp_path, monkeypatch):
    from tendril.sim import mpy_board
    from tdfw.engine import _el

    class Drifting(mpy_board.App):
        def telemetry(self, now):  # the next frame due a period after this pass, not after the last due
            if self.tele_ms and _el(now, self.last_tele) >= self.tele_ms:
                self.last_tele = now
                self.send_telemetry(now)

    monkeypatch.setattr(mpy_board, "App", Drifting)
    problem = play(load(VECTORS / "device" / "telemetry_cadence.json"), lambda: MpyDevice(tmp_path, 10), "pico")
    assert problem is not None and "expected TELEMETRY" in problem and "'time_ms': 1250" in problem, problem


def test_the_vectors_catch_a_shorter_stable_window(tmp_path, monkeypatch):
    import tdfw.app

    monkeypatch.setattr(tdfw.app, "STABLE_MS", 10_000)  # 20 s up was "stable": no boot loop seen
    problem = play(load(VECTORS / "device" / "safe_mode.json"), lambda: MpyDevice(tmp_path, 10), "pico")
    assert problem is not None and "boot" in problem and "expected HELLO" in problem, problem
