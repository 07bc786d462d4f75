"""The sketches of firmware/sketches built with the AVR toolchain and run in tendril-simavr."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tendril.sim.runner import ROOT, SimBoard, SimSpec

SKETCHES = ROOT / "firmware" / "build" / "sketches"
_SIMAVR_HEADER = ("/usr/include/simavr/sim_avr.h", "/usr/local/include/simavr/sim_avr.h")


def _build(target: str) -> None:
    if not shutil.which("avr-gcc") or not Path("/usr/share/arduino/hardware/arduino/avr").is_dir():
        pytest.skip("the AVR toolchain or the Arduino core is missing: "
                    "sudo apt-get install gcc-avr avr-libc arduino-core-avr")
    if not any(Path(p).exists() for p in _SIMAVR_HEADER):
        pytest.skip("simavr is missing: sudo apt-get install simavr libsimavr-dev libelf-dev")
    for args in (["-C", str(ROOT / "firmware" / "sim")], ["-C", str(ROOT / "firmware" / "sketches"),
                                                          target]):
        done = subprocess.run(["make", "-s", *args], capture_output=True, text=True, check=False)
        if done.returncode:
            pytest.fail(f"make {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


@pytest.fixture(scope="session")
def plotter_elf() -> Path:
    _build("plotter")
    return SKETCHES / "plotter.elf"


@pytest.fixture(scope="session")
def firmata_elf() -> Path:
    _build("firmata")
    return SKETCHES / "firmata.elf"


@pytest.fixture
def sim(tmp_path):
    """sim(elf, scenario_text) -> (SimBoard, events file): a simulated Uno in real time running
    ``elf``, its ADC inputs from ``scenario_text``. Stopped at teardown."""
    started: list[SimBoard] = []

    def start(elf: Path, scenario: str) -> tuple[SimBoard, Path]:
        scn = tmp_path / f"scenario-{len(started)}.scn"
        scn.write_text(scenario)
        events = tmp_path / f"events-{len(started)}.log"
        board = SimBoard(SimSpec(board="uno", elf=elf, scenario=scn, events=events,
                                 realtime=True))
        started.append(board)
        return board, events

    yield start
    for board in started:
        board.stop()
