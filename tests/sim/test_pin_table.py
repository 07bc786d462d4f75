"""The simulated boards' pin table (tendril-simavr --list-pins) against boards/*.toml and against the
AVR HAL's own table (firmware/arduino/pins_<board>.h): a pin the firmware drives must be the pin
the simulator watches and feeds."""

from __future__ import annotations

import re
import subprocess

import pytest
from tendril.boards import load_board
from tendril.contract import PinCap
from tendril.sim.runner import SIMAVR

from ..support.avr_build import hal_table

BOARDS = ["uno", "nano", "mega2560"]


def sim_table(board: str) -> dict[int, tuple[str, int, int]]:
    """pin -> (port or '-', bit, adc channel or -1), as the runner has it."""
    out = subprocess.run([str(SIMAVR), "--board", board, "--list-pins"], capture_output=True,
                         text=True, check=True).stdout
    rows = re.findall(r"^pin (\d+) port (\S) bit (\d) adc (-?\d+)$", out, re.MULTILINE)
    assert len(rows) == len(out.splitlines())
    return {int(p): (port, int(bit), int(adc)) for p, port, bit, adc in rows}


def hal_rows(board: str) -> tuple[dict[int, tuple[str, int]], int]:
    table, a0 = hal_table(board)
    return {p: ("-" if port == "NONE" else port, bit) for p, (port, bit, _pwm) in table.items()}, a0


@pytest.mark.parametrize("board", BOARDS)
def test_simulator_has_exactly_the_board_files_pins(simavr_built, board):
    pins = load_board(board).pins
    assert sorted(sim_table(board)) == sorted(p.number for p in pins)


@pytest.mark.parametrize("board", BOARDS)
def test_analog_pins_of_the_board_file_are_adc_channels_from_a0_on(simavr_built, board):
    table = sim_table(board)
    analog = {p.number for p in load_board(board).pins if p.caps & PinCap.ANALOG_IN}
    a0 = min(analog)
    assert {pin for pin, (_, _, adc) in table.items() if adc >= 0} == analog
    assert all(table[pin][2] == pin - a0 for pin in analog)


@pytest.mark.parametrize("board", BOARDS)
def test_simulator_ports_and_bits_match_the_avr_hal(simavr_built, board):
    hal, a0 = hal_rows(board)
    table = sim_table(board)
    assert {pin: (port, bit) for pin, (port, bit, _) in table.items() if port != "-"} == \
        {pin: pb for pin, pb in hal.items() if pb[0] != "-"}
    assert {pin for pin, (port, _, _) in table.items() if port == "-"} == \
        {pin for pin, (port, _) in hal.items() if port == "-"}
    assert min(pin for pin, (_, _, adc) in table.items() if adc >= 0) == a0
