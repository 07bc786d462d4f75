"""The real AVR binary's DS18B20 driver in simavr, bit-banging the pin against the runner's
pin-level model of the probes (firmware/sim/sim_onewire.c, driven from the pin's DDR writes at the
cycle they happen): the readings, two probes on one bus, and every fault of the shared story
(tests/support/ds18b20_story.py) told as the native board tells it."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.image import with_generation
from tendril.protocol import Event, Telemetry
from tendril.recipes import compile_recipe, parse

from ..support import ds18b20_story as story
from ..support.simavr_board import FirmwareBoard, build_product

pytestmark = pytest.mark.slow  # the real firmware in simavr for a minute of board time


@pytest.fixture(scope="module")
def elf():
    return build_product("uno")


@pytest.fixture
def board(elf, simavr_built, tmp_path):
    fw = FirmwareBoard(elf, tmp_path)
    yield fw
    fw.stop()


def _image(text: str) -> bytes:
    return with_generation(compile_recipe(parse(text), load_board("uno")), 1)


def _run_until(board: FirmwareBoard, ms: int) -> None:
    board.listen_until(lambda m: isinstance(m, Telemetry) and m.time_ms >= ms, timeout=600)


def test_the_real_binary_tells_the_probe_story(board):
    board.start(scenario="\n".join(line.format(pin="D3") for line in story.SCENARIO) + "\n", hold=True)
    board.push(_image(story.RECIPE))
    _run_until(board, story.RUN_MS)
    telemetry = [(m.time_ms, m.values[0]) for m in board.telemetry()]
    story.check(telemetry, story.sensor_events(board.device_events()))
    board.stop()
    bus = next(line for line in board.events.lines() if line.startswith("ds18b20 pin=3"))
    fields = dict(kv.split("=") for kv in bus.split()[1:])
    # every slot the firmware made was one the probe could read: no write slot of 15..60 us
    assert int(fields["resets"]) > 50 and int(fields["slots"]) > 2000 and fields["bad_slots"] == "0", bus


def test_two_probes_on_one_bus_by_rom_code_in_the_real_binary(board):
    text = """\
[recipe]
name = "two-probes"
version = "1.0.0"
summary = "two probes on one bus"
boards = ["uno"]
telemetry = "1 s"

[sensors.tank_probe]
kind = "ds18b20"
pin = "D4"
rom = "28ab89674523015a"
resolution = 10

[sensors.room_probe]
kind = "ds18b20"
pin = "D4"
rom = "28efbe00000000fe"

[channels.tank]
sensor = "tank_probe"

[channels.room]
sensor = "room_probe"
"""
    board.start(scenario="ds18b20 D4 rom=28ab89674523015a 21.3\nds18b20 D4 rom=28efbe00000000fe -10.0625\n",
                hold=True)
    board.push(_image(text))
    _run_until(board, 8_000)
    last = board.telemetry()[-1].values
    # 21.3 °C at 10 bits: 340/16 (0.25 °C steps) = 21.25 °C; -10.0625 °C at 12 bits exactly
    assert last == (21_250, -10_063), last
    assert not [e for e in board.device_events() if e.kind == 8], board.summary()
