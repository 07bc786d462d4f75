"""The real AVR binary's DS18B20 driver in simavr, bit-banging the pin against the runner's
pin-level model of the probes (firmware/sim/sim_onewire.c, driven from the pin's DDR writes at the
cycle they happen): the readings, two probes on one bus, and every fault of the shared story
(tests/support/ds18b20_story.py) told as the native board tells it."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.image import with_generation
from tendril.protocol import Telemetry
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


def _play(board: FirmwareBoard, vector: dict) -> None:
    board.start(scenario="\n".join(story.scenario(vector, "uno")) + "\n", hold=True)
    board.push(with_generation(compile_recipe(parse(vector["recipe"]), load_board("uno")), 1))
    board.listen_until(lambda m: isinstance(m, Telemetry) and m.time_ms >= vector["run_ms"], timeout=600)


def test_the_real_binary_tells_the_probe_story(board):
    _play(board, story.FAULTS)
    telemetry = [(m.time_ms, m.values[0]) for m in board.telemetry()]
    story.check_faults(telemetry, story.sensor_events(board.device_events()))
    board.stop()
    bus = next(line for line in board.events.lines() if line.startswith("ds18b20 pin=3"))
    fields = dict(kv.split("=") for kv in bus.split()[1:])
    # every slot the firmware made was one the probe could read: no write slot of 15..60 us
    assert int(fields["resets"]) > 50 and int(fields["slots"]) > 2000 and fields["bad_slots"] == "0", bus


def test_two_probes_on_one_bus_by_rom_code_in_the_real_binary(board):
    _play(board, story.TWO_PROBES)
    assert list(board.telemetry()[-1].values) == story.TWO_PROBES["last_values"]
    assert not story.sensor_events(board.device_events()), board.summary()
