"""A simulated Uno as the host-side tests use it: started and restarted on one EEPROM file (a power
cycle), on a real pty; and the shipped recipes they push."""

from __future__ import annotations

from pathlib import Path

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
