"""`tendril monitor` driven like a person would: in a real terminal (tmux), with keys, read back
from the screen, against a simulated board running the real firmware core (tendril-native).

The board's plant keeps the soil wet (60 %, no drying), so its rule never waters: the only way the
pump can go on is the lease asked for with keys. That it went on is read from the board itself (the
pump pin it drives, reported on its stderr) and from the log database, not from the screen.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from tendril.contract import EventKind, Source
from tendril.sim.link import PtyLink
from tendril.sim.runner import ROOT, SimBoard, SimSpec, load_config, push_image

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("tmux") is None,
                                reason="tmux is not installed (sudo apt-get install tmux)")]

TENDRIL = Path(sys.executable).with_name("tendril")
RECIPE = ROOT / "boards" / "recipes" / "plant-waterer.toml"
PUMP_PIN = 7  # D7, an active-low relay: level 0 is the pump on


class Tmux:
    """One tmux server of our own (its own socket), one session of a fixed size."""

    def __init__(self, command: str, width: int = 120, height: int = 40) -> None:
        self.socket = f"tendril-test-{uuid.uuid4().hex[:8]}"
        self._tmux("new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height), command)

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True,
                              text=True, timeout=10).stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "t")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "t", *keys)

    def wait_for(self, pattern: str, timeout: float = 20.0) -> re.Match:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            found = re.search(pattern, screen)
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"{pattern!r} did not show within {timeout} s; the screen:\n{screen}")

    def alive(self) -> bool:
        return subprocess.run(["tmux", "-L", self.socket, "has-session", "-t", "t"],
                              capture_output=True, timeout=10, check=False).returncode == 0

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10,
                       check=False)


@pytest.fixture
def wet_board(tmp_path):
    """A native board with the plant-waterer recipe pushed, its soil wet and staying wet."""
    pins = (tmp_path / "board.stderr").open("w")
    spec = SimSpec(board="uno", runtime="native", eeprom=tmp_path / "board.eeprom",
                   extra=["--plant", "--moisture", "60", "--dry-per-hour", "0"])
    board = SimBoard(spec, stderr=pins)
    with PtyLink(board.port) as link:
        push_image(link, load_config(RECIPE, "uno"))
    yield board, tmp_path / "board.stderr"
    board.stop()
    pins.close()


def pump_levels(stderr: Path) -> list[int]:
    """Every level the board drove the pump pin to, in order (lines `t=<ms> pin 7 <level>`)."""
    return [int(m.group(1)) for m in re.finditer(rf"^t=\d+ pin {PUMP_PIN} (\d)$", stderr.read_text(),
                                                  re.MULTILINE)]


def test_monitor_shows_the_board_and_a_lease_typed_on_the_keyboard_runs_its_pump(wet_board, tmp_path):
    board, pins = wet_board
    db = tmp_path / "log.db"
    term = Tmux(f"{TENDRIL} monitor --port {board.port} --db {db}")
    try:
        term.wait_for(r"recipe plant-waterer")
        soil = term.wait_for(r"soil[^\n]*\n[^\d\n]*(\d+\.\d+) %")  # the soil card: name, then value
        assert 58.0 <= float(soil.group(1)) <= 62.0, term.screen()
        term.wait_for(r"pump\s+off")
        assert pump_levels(pins) == [1], "the pump was not off before the keys"

        term.keys("r")
        term.wait_for(r"Run an actuator")
        term.keys("3", "Enter")
        term.wait_for(r"Run pump for 3")
        term.keys("y")
        term.wait_for(r"pump\s+ON", timeout=10)
        deadline = time.monotonic() + 10
        while pump_levels(pins)[-1:] != [1] or len(pump_levels(pins)) < 3:
            assert time.monotonic() < deadline, f"the board's pump pin went {pump_levels(pins)}"
            time.sleep(0.2)
        assert pump_levels(pins) == [1, 0, 1], "on (LOW) for the lease, then off again by the board"
        term.wait_for(r"pump\s+off")

        term.keys("q")  # the monitor flushes its log and exits; its tmux session ends with it
        deadline = time.monotonic() + 10
        while term.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not term.alive(), term.screen()
    finally:
        term.close()
    conn = sqlite3.connect(db)
    ons = conn.execute("SELECT b, value FROM events WHERE kind = ?", (int(EventKind.ACT_ON),)).fetchall()
    offs = conn.execute("SELECT value FROM events WHERE kind = ?", (int(EventKind.ACT_OFF),)).fetchall()
    assert [source for source, _ in ons] == [Source.LEASE], ons
    assert len(offs) == 1 and 2900 <= offs[0][0] <= 3200, offs
