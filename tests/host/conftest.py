"""Simulated boards for the host tests: the native build of the core and the real .elf in simavr,
each on a real pty, with an EEPROM file that survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from tendril.cli import cli
from tendril.sim.runner import ROOT, SimBoard, SimSpec

RECIPES = ROOT / "boards" / "recipes"
WATERER = RECIPES / "plant-waterer.toml"


class Boards:
    """Starts and restarts one simulated board on one EEPROM file (a power cycle)."""

    def __init__(self, tmp: Path, runtime: str, elf: Path | None = None) -> None:
        self.spec = SimSpec(board="uno", runtime=runtime, elf=elf, eeprom=tmp / "board.eeprom")
        self.board: SimBoard | None = None

    def start(self) -> str:
        self.stop()
        self.board = SimBoard(self.spec)
        return self.board.port

    def stop(self) -> None:
        if self.board is not None:
            self.board.stop()
            self.board = None

    @property
    def port(self) -> str:
        return self.board.port


@pytest.fixture
def native(tmp_path):
    boards = Boards(tmp_path, "native")
    boards.start()
    yield boards
    boards.stop()


def tendril(*args: str):
    """Run the real CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)
