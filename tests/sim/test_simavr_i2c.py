"""The real AVR binary's I2C drivers in simavr: its TWI master against the chip models on the runner's
bus (firmware/sim/sim_i2c_avr.c over sim_i2c.c), the same stories the native board tells
(tests/support/i2c_story.py): every kind's values over time, and every fault with its recovery, on
the Uno and the Mega."""

from __future__ import annotations


import pytest
from tendril.boards import load_board
from tendril.image import with_generation
from tendril.protocol import Telemetry
from tendril.recipes import compile_recipe, parse

from ..support import i2c_story as story
from ..support.simavr_board import FirmwareBoard, build_product

pytestmark = pytest.mark.slow  # the real firmware in simavr for 42 and 48 s of board time



@pytest.fixture(params=story.BOARDS)
def board(request, simavr_built, tmp_path):
    fw = FirmwareBoard(build_product(request.param), tmp_path, board=request.param)
    yield fw
    fw.stop()


def _run(board, recipe: str, lines: list[str], ms: int) -> list[tuple[int, list]]:
    board.start(scenario="\n".join(lines) + "\n", hold=True)
    board.push(with_generation(compile_recipe(parse(recipe), load_board(board.board)), 1))
    board.listen_until(lambda m: isinstance(m, Telemetry) and m.time_ms >= ms, timeout=600)
    return [(m.time_ms, list(m.values)) for m in board.received if isinstance(m, Telemetry)]


def _scl_khz(board) -> str:
    """The lowest and highest SCL clock the firmware set at a START (the runner's exit report)."""
    board.stop()
    i2c = next(line for line in board.events.lines() if line.startswith("i2c "))
    return dict(kv.split("=") for kv in i2c.split()[1:])["scl_khz"]


@pytest.mark.parametrize("speed, khz", [("", "100..100"), ("400 kHz", "400..400")], ids=["100kHz", "400kHz"])
def test_the_real_binary_reads_every_i2c_kind_within_its_resolution(board, speed, khz):
    rows = _run(board, story.values_recipe(speed), story.values_scenario(), story.VALUES_RUN_MS)
    assert story.check_values(rows) >= 8 * 35
    assert _scl_khz(board) == khz  # TWBR as the recipe's `[i2c] speed` had it set, at every transfer


def test_the_real_binary_reports_each_i2c_fault_and_recovers(board):
    rows = _run(board, story.FAULTS_RECIPE, story.faults_scenario(), story.FAULTS_RUN_MS)
    # With SDA held low simavr's TWI still sends a START and the address ends as "no ACK": the HAL
    # looks at SDA after its STOP and says BUS_STUCK (hal_avr.c i2c_start), so BUS as natively.
    story.check_faults(rows, board.device_events())
