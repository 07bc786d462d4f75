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

from ..support.native_board import NativeBoard

RECIPE = """\
[recipe]
name = "dht-story"
version = "1.0.0"
summary = "one DHT, every fault in turn"
boards = ["uno"]
telemetry = "1 s"

[sensors.air]
kind = "KIND"
pin = "D3"
read_every = "2 s"

[channels.temp]
sensor = "air"
quantity = "temperature"

[channels.rh]
sensor = "air"
quantity = "humidity"
"""
EPISODES = [(SensorFault.NO_ANSWER, 10_000, 16_000), (SensorFault.CRC, 24_000, 30_000),
            (SensorFault.OUT_OF_RANGE, 38_000, 44_000)]
SLACK = 4_000  # a read period, the start signal and a sample


def _play(binary, tmp_path, kind: str, lines: list[str], ms: int) -> NativeBoard:
    args = [a for line in lines for a in ("--set", line)]
    board = NativeBoard(binary, tmp_path / f"{kind}.bin", "--fast", "--hold", *args)
    try:
        image = with_generation(compile_recipe(parse(RECIPE.replace("KIND", kind)), load_board("uno")), 1)
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
    assert hello.sensor_kinds == (1 << SensorKind.DS18B20) | (1 << SensorKind.DHT22) | (1 << SensorKind.DHT11)


# what each part sends for 21.5 °C and 55.37 %RH, read back: a DHT22 in tenths, a DHT11 the same
# (whole units and tenths), both truncated to tenths by the part
@pytest.mark.parametrize("kind", ["dht22", "dht11"])
def test_every_fault_is_marked_and_named_once_with_its_recovery(plain, tmp_path, kind):
    scenario = [f"{kind} D3 21.5 55.37"] + [f"dht_fault D3 {name} {f // 1000}s {u // 1000}s" for name, (_c, f, u) in
                                          zip(("no_answer", "crc", "out_of_range"), EPISODES)]
    board = _play(plain, tmp_path, kind, scenario, 52_000)
    values = {0: 21_500, 1: 55_300}
    events = [(e.time_ms, e.a, e.b, e.value) for e in board.messages(Event) if e.kind == EventKind.SENSOR]
    telemetry = [(m.time_ms, m.values[0], m.values[1]) for m in board.messages(Telemetry)]
    for ch, value in values.items():
        mine = [(t, b, v) for t, a, b, v in events if a == ch]
        expected = [c for code, _f, _u in EPISODES for c in (code, SensorFault.RECOVERED)]
        assert [b for _t, b, _v in mine] == expected, (ch, events)
        for k, (code, begins, ends) in enumerate(EPISODES):
            (t_fault, _b, _v), (t_back, _r, back) = mine[2 * k], mine[2 * k + 1]
            assert begins <= t_fault <= begins + SLACK and ends <= t_back <= ends + SLACK, (code, mine)
            assert back == value
        for t, *vals in telemetry:
            val = vals[ch]
            if any(begins + SLACK <= t <= ends for _c, begins, ends in EPISODES):
                assert val is None, (t, ch, val)
            if t >= 4_000 and not any(begins <= t <= ends + SLACK for _c, begins, ends in EPISODES):
                assert val == value, (t, ch, val)


def test_below_zero_a_dht22_reads_negative_and_a_dht11_is_out_of_range(plain, tmp_path):
    dht22 = _play(plain, tmp_path, "dht22", ["dht22 D3 -12.3 80"], 8_000)
    assert list(dht22.messages(Telemetry)[-1].values[:2]) == [-12_300, 80_000]
    dht11 = _play(plain, tmp_path, "dht11", ["dht11 D3 -5 80"], 8_000)  # its datasheet: 0 .. 50 °C
    assert list(dht11.messages(Telemetry)[-1].values[:2]) == [None, None]
    faults = {e.b for e in dht11.messages(Event) if e.kind == EventKind.SENSOR}
    assert faults == {SensorFault.OUT_OF_RANGE}
