"""The monitor against a real simulated board: the native firmware build on a pty, a LiveBoard
logging to a real SQLite file, the plant-waterer recipe pushed first."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tendril.live import LiveBoard, LogSink
from tendril.recipes import load
from tendril.sim.runner import ROOT, SimBoard, SimSpec

WATERER = ROOT / "boards" / "recipes" / "plant-waterer.toml"
DATA = Path(__file__).parent / "data"
SIZE = (110, 36)


class Rig:
    """One simulated board, its LiveBoard and the shared log database."""

    def __init__(self, tmp: Path, recipe: Path = WATERER) -> None:
        self.tmp = tmp
        self.db = tmp / "log.db"
        self.sim = SimBoard(SimSpec(board="uno", runtime="native", eeprom=tmp / "board.eeprom"))
        self.sink = LogSink.open(self.db)
        self.board = LiveBoard(self.sim.port, sink=self.sink).start()
        assert self.board.wait_online(10), self.board.view().error
        self.board.push(load(recipe)).result(20)
        wait(lambda: self.board.view().actuators and self.board.view().params, 10)

    def restart_in_safe_mode(self) -> None:
        """Stop the board and start it again in safe mode, as after three quick watchdog resets:
        the firmware keeps that as a flag in its EEPROM system record (firmware/core/store.c,
        byte 3, STORE_FLAG_SAFE_MODE 0x01; no checksum over the record), and a board that boots
        with it set stays in safe mode until a host clears it."""
        self.board.stop()
        self.sim.stop()
        eeprom = self.tmp / "board.eeprom"
        data = bytearray(eeprom.read_bytes())
        assert data[:2] == b"TS", "not a tendril system record"
        data[3] |= 0x01
        eeprom.write_bytes(bytes(data))
        self.sim = SimBoard(SimSpec(board="uno", runtime="native", eeprom=eeprom))
        self.board = LiveBoard(self.sim.port, sink=self.sink).start()
        assert self.board.wait_online(10), self.board.view().error
        wait(lambda: self.board.view().actuators and self.board.view().safe_mode, 10, "safe mode")

    def app(self):
        from tendril.tui import MonitorApp
        return MonitorApp([self.board], self.sink, db_path=self.db)

    def close(self) -> None:
        self.board.stop()
        self.sim.stop()
        self.sink.close()


def wait(check: Callable[[], object], timeout: float, what: str = "") -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.05)


async def until(pilot, check: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    """Let the app run (its timer, its workers, the board's thread) until ``check`` holds."""
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what or check}")
        await pilot.pause(0.1)


def run(scenario) -> None:
    asyncio.run(scenario())


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path)
    yield r
    r.close()
