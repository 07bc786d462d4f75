"""The real AVR binary's DHT driver in simavr: hal_dht_read times the levels the runner's pin-level
model of the part plays from cycle timers (firmware/sim/sim_dht_avr.c, started by the firmware's
own DDR writes), so the start signal's length, the answer and every bit are the binary's own. The
shared DHT story (tests/support/dht_story.py) told as the native board tells it."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.image import with_generation
from tendril.protocol import Telemetry
from tendril.recipes import compile_recipe, parse

from ..support import dht_story as story
from ..support.simavr_board import FirmwareBoard, build_product

pytestmark = pytest.mark.slow  # the real firmware in simavr for most of a minute of board time


@pytest.fixture(scope="module")
def elf():
    return build_product("uno")


@pytest.fixture
def board(elf, simavr_built, tmp_path):
    fw = FirmwareBoard(elf, tmp_path)
    yield fw
    fw.stop()


@pytest.mark.parametrize("kind", ["dht22", "dht11"])
def test_the_real_binary_tells_the_dht_story(board, kind):
    board.start(scenario="\n".join(story.scenario(kind)) + "\n", hold=True)
    board.push(with_generation(compile_recipe(parse(story.recipe(kind)), load_board("uno")), 1))
    board.listen_until(lambda m: isinstance(m, Telemetry) and m.time_ms >= story.RUN_MS, timeout=600)
    story.check([(m.time_ms, list(m.values)) for m in board.telemetry()], board.device_events())
    board.stop()
    line = next(ln for ln in board.events.lines() if ln.startswith("dht pin=3"))
    fields = dict(kv.split("=") for kv in line.split()[1:])
    # a start every read period, each long enough; the part answered all but the no-answer fault's
    assert int(fields["starts"]) >= 20 and fields["short_starts"] == "0", line
    assert int(fields["answers"]) >= int(fields["starts"]) - 4, line
