"""The DHT22 and DHT11 driver of the C firmware on the native board, against the world's model of
the part at the HAL (firmware/sim/sim_dht.c), with the board's clock held and stepped by the test:
both quantities read, every fault (no answer, checksum, out of range) marked in TELEMETRY, named
by an EVENT and followed by its recovery, and HELLO's sensor kinds."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.contract import EventKind, SensorFault, SensorKind
from tendril.image.codec import with_generation
from tendril.protocol import Ack, Event, Hello, RequestHello, Telemetry
from tendril.recipes import compile_recipe, parse

from ..support import dht_story as story
from ..support.native_board import NativeBoard

def _play(binary, tmp_path, kind: str, lines: list[str], ms: int) -> NativeBoard:
    args = [a for line in lines for a in ("--set", line)]
    board = NativeBoard(binary, tmp_path / f"{kind}.bin", "--fast", "--hold", *args)
    try:
        image = with_generation(compile_recipe(parse(story.recipe(kind)), load_board("uno")), 1)
        assert isinstance(board.push(image)[-1], Ack)
        board.run(ms)
    finally:
        board.close()
    return board


def test_the_native_board_says_it_has_the_dht_drivers(plain, tmp_path):
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold")
    try:
        hello = board.request(RequestHello())
    finally:
        board.close()
    assert isinstance(hello, Hello)
    dht = (1 << SensorKind.DHT22) | (1 << SensorKind.DHT11)
    assert hello.sensor_kinds & dht == dht and hello.sensor_kinds & 1 << SensorKind.DS18B20


@pytest.mark.parametrize("kind", ["dht22", "dht11"])
def test_every_fault_is_marked_and_named_once_with_its_recovery(plain, tmp_path, kind):
    board = _play(plain, tmp_path, kind, story.scenario(kind), story.RUN_MS)
    story.check([(m.time_ms, list(m.values)) for m in board.messages(Telemetry)], board.messages(Event))


def test_below_zero_a_dht22_reads_negative_and_a_dht11_is_out_of_range(plain, tmp_path):
    dht22 = _play(plain, tmp_path, "dht22", ["dht22 D3 -12.3 80"], 8_000)
    assert list(dht22.messages(Telemetry)[-1].values[:2]) == [-12_300, 80_000]
    dht11 = _play(plain, tmp_path, "dht11", ["dht11 D3 -5 80"], 8_000)  # its datasheet: 0 .. 50 °C
    assert list(dht11.messages(Telemetry)[-1].values[:2]) == [None, None]
    faults = {e.b for e in dht11.messages(Event) if e.kind == EventKind.SENSOR}
    assert faults == {SensorFault.OUT_OF_RANGE}
