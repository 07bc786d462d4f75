"""Builds the C core's host library once per session for the ctypes tests."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .ccore import LIB_PATH, ROOT, CCore


def _make(target: str, what: str) -> None:
    """Build a firmware/core target; skip without gcc and make, fail on a build error."""
    if shutil.which("gcc") is None or shutil.which("make") is None:
        pytest.skip("gcc and make are needed to build firmware/core (apt-get install gcc make)")
    result = subprocess.run(["make", "-s", "-C", str(ROOT / "firmware" / "core"), target],
                            check=False, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"building {what} failed:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def core() -> CCore:
    _make("lib", "the C core")
    assert LIB_PATH.exists()
    return CCore(LIB_PATH)


@pytest.fixture(scope="session")
def device_lib():
    """The firmware's request handling, the device state and the store for an Uno, with no HAL."""
    from .device_lib import DEVICE_LIB_PATH, load_library

    _make("device-lib", "the device library")
    return load_library(DEVICE_LIB_PATH)


@pytest.fixture(scope="session")
def sensor_core() -> CCore:
    """The core with the firmware's real drivers (drivers.c) over a HAL of pins the test sets."""
    _make("sensor-lib", "the core with its drivers")
    return CCore(LIB_PATH.parent / "libtendril_sensor.so")
