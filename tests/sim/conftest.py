"""Fixtures for the simulated-board tests: the real tendril-simavr running real .elf files on a pty."""

from __future__ import annotations

import os
import select
import subprocess
import time
from pathlib import Path

import pytest
from tendril.sim.runner import ROOT, SIMAVR, SimBoard, SimSpec

from ..support.simavr_board import Events, FirmwareBoard, build_product

TESTDATA = ROOT / "firmware" / "build" / "sim" / "testdata"


@pytest.fixture(scope="session")
def simavr_built() -> Path:
    """tendril-simavr and its test sketches, built by firmware/sim/Makefile (a failure, not a skip:
    tools/setup.sh installs simavr and the AVR toolchain)."""
    done = subprocess.run(check=False, args=["make", "-s", "-C", str(ROOT / "firmware" / "sim"), "all", "testdata"],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.fail(f"make -C firmware/sim failed:\n{done.stdout}{done.stderr}")
    return SIMAVR


@pytest.fixture(scope="session")
def uno_firmware() -> Path:
    """The real tendril firmware built for an Uno (firmware/Makefile)."""
    return build_product("uno")


@pytest.fixture
def uno_board(uno_firmware, simavr_built, tmp_path):
    """A FirmwareBoard of the Uno firmware, stopped after the test."""
    fw = FirmwareBoard(uno_firmware, tmp_path)
    yield fw
    fw.stop()


def probe_elf(board: str) -> Path:
    return TESTDATA / f"probe-{'mega2560' if board == 'mega2560' else 'uno'}.elf"


class LineLink:
    """The probe sketch's line protocol over the board's pty (raw mode, no pyserial needed)."""

    def __init__(self, port: str) -> None:
        import termios
        import tty

        self.fd = os.open(port, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd, termios.TCSANOW)
        self.buf = b""
        self.sync()

    def sync(self, tries: int = 10) -> None:
        """Skip whatever the board said before (its boot line may or may not have reached us).
        Asks again while the board is not listening yet (booting, or resetting)."""
        for _ in range(tries):
            os.write(self.fd, b"esync\n")
            try:
                while self.readline(timeout=1.0) != "esync":
                    pass
                return
            except TimeoutError:
                continue
        raise TimeoutError("the board does not answer")

    def ask(self, cmd: str, timeout: float = 10.0) -> str:
        os.write(self.fd, cmd.encode() + b"\n")
        return self.readline(timeout)

    def readline(self, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.fd], [], [], max(0.0, left))
            if not ready:
                raise TimeoutError(f"no line from the board; got {self.buf!r}")
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                data = b""
            if not data:
                raise EOFError(f"the board's port closed; got {self.buf!r}")
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


@pytest.fixture
def run_probe(simavr_built, tmp_path):
    """Start the probe sketch on a simulated board: run_probe(board, *extra) -> (SimBoard, LineLink,
    Events). Boards are stopped at teardown."""
    started: list[tuple[SimBoard, LineLink]] = []

    def start(board: str = "uno", *extra: str, realtime: bool = False, eeprom: Path | None = None,
              events: Path | None = None, connect: bool = True):
        events = events or tmp_path / f"events-{len(started)}.log"
        spec = SimSpec(board=board, elf=probe_elf(board), realtime=realtime,
                       eeprom=eeprom, events=events, extra=list(extra))
        sim = SimBoard(spec)
        link = LineLink(sim.port) if connect else None
        started.append((sim, link))
        return sim, link, Events(events)

    yield start
    for sim, link in started:
        if link:
            link.close()
        sim.stop()
