"""The DS18B20 driver of the C firmware on the native board, against the world's pin-level model of
the probe (firmware/sim/sim_onewire.c): readings in thousandths of a °C, two probes on one bus by
their ROM codes, the resolution, and every fault the scenario can give, with the board's clock held
and stepped by the test."""

from __future__ import annotations

from tendril.boards import load_board
from tendril.image.codec import with_generation
from tendril.protocol import Ack, Event, Hello, RequestHello, Telemetry
from tendril.recipes import compile_recipe, parse

from ..support import ds18b20_story as story
from ..support.native_board import NativeBoard

TWO = """\
[recipe]
name = "two-probes"
version = "1.0.0"
summary = "two probes on one bus"
boards = ["uno"]
telemetry = "1 s"

[sensors.tank_probe]
kind = "ds18b20"
pin = "D3"
rom = "28ab89674523015a"
resolution = 9

[sensors.room_probe]
kind = "ds18b20"
pin = "D3"
rom = "28efbe00000000fe"

[channels.tank]
sensor = "tank_probe"

[channels.room]
sensor = "room_probe"
"""


def _board(binary, tmp_path, *lines: str) -> NativeBoard:
    args = [a for line in lines for a in ("--set", line)]
    return NativeBoard(binary, tmp_path / "ee.bin", "--fast", "--hold", *args)


def _telemetry(board, channel: int = 0) -> list[tuple[int, int | None]]:
    return [(m.time_ms, m.values[channel]) for m in board.messages(Telemetry)]


def test_the_native_board_says_it_has_the_ds18b20_driver(plain, tmp_path):
    board = _board(plain, tmp_path)
    try:
        hello = board.request(RequestHello())
    finally:
        board.close()
    assert isinstance(hello, Hello) and hello.sensor_kinds == 1 << 0


def test_two_probes_on_one_bus_read_by_rom_code_each_at_its_resolution(plain, tmp_path):
    image = with_generation(compile_recipe(parse(TWO), load_board("uno")), 1)
    board = _board(plain, tmp_path, "ds18b20 D3 rom=28ab89674523015a 21.3",
                   "ds18b20 D3 rom=28efbe00000000fe 0:-10.25 20s:-5.25")
    try:
        assert isinstance(board.push(image)[-1], Ack)
        board.run(12_000)
    finally:
        board.close()
    tank = [v for _t, v in _telemetry(board, 0)][-3:]
    room = [(t, v) for t, v in _telemetry(board, 1)][-3:]
    # 21.3 °C at 9 bits is 336/16 (the 0.5 °C step below 341/16): 21.0 °C exactly
    assert tank == [21_000] * 3, _telemetry(board, 0)
    # at 12 bits: round(-10.25 + 0.25 * t_s at the conversion, 1/16) in thousandths, floor
    for t, v in room:
        assert v is not None and -10_250 + 250 * (t - 3_000) // 1000 - 125 <= v <= -10_250 + 250 * t // 1000, (t, v)
    assert not [e for e in board.messages(Event) if e.kind == 8 and e.b != 1], board.messages(Event)


def test_every_fault_is_marked_in_telemetry_and_named_once_by_an_event_and_its_recovery(plain, tmp_path):
    image = with_generation(compile_recipe(parse(story.RECIPE), load_board("uno")), 1)
    board = _board(plain, tmp_path, *(line.format(pin="D3") for line in story.SCENARIO))
    try:
        assert isinstance(board.push(image)[-1], Ack)
        board.run(story.RUN_MS)
    finally:
        board.close()
    story.check(_telemetry(board), story.sensor_events(board.messages(Event)))
