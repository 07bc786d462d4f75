"""The DS18B20 driver of the C firmware on the native board, against the world's pin-level model of
the probe (firmware/sim/sim_onewire.c), with the board's clock held and stepped by the test: the
sensor vectors (tests/vectors/sensors/: every fault once with its recovery; two probes on one bus
by ROM code), a temperature that moves, and HELLO's sensor kinds."""

from __future__ import annotations

from tendril.boards import load_board
from tendril.image.codec import with_generation
from tendril.protocol import Ack, Event, Hello, RequestHello, Telemetry
from tendril.recipes import compile_recipe, parse

from ..support import ds18b20_story as story
from ..support.native_board import NativeBoard


def _board(binary, tmp_path, lines: list[str]) -> NativeBoard:
    args = [a for line in lines for a in ("--set", line)]
    return NativeBoard(binary, tmp_path / "ee.bin", "--fast", "--hold", *args)


def _play(binary, tmp_path, recipe: str, lines: list[str], ms: int) -> NativeBoard:
    board = _board(binary, tmp_path, lines)
    try:
        image = with_generation(compile_recipe(parse(recipe), load_board("uno")), 1)
        assert isinstance(board.push(image)[-1], Ack)
        board.run(ms)
    finally:
        board.close()
    return board


def _telemetry(board, channel: int = 0) -> list[tuple[int, int | None]]:
    return [(m.time_ms, m.values[channel]) for m in board.messages(Telemetry)]


def test_the_native_board_says_it_has_the_ds18b20_driver(plain, tmp_path):
    board = _board(plain, tmp_path, [])
    try:
        hello = board.request(RequestHello())
    finally:
        board.close()
    assert isinstance(hello, Hello) and hello.sensor_kinds & 1 << 0  # and the DHT's: test_native_dht.py


def test_every_fault_is_marked_in_telemetry_and_named_once_by_an_event_and_its_recovery(plain, tmp_path):
    v = story.FAULTS
    board = _play(plain, tmp_path, v["recipe"], story.scenario(v, "uno"), v["run_ms"])
    story.check_faults(_telemetry(board), story.sensor_events(board.messages(Event)))


def test_two_probes_on_one_bus_read_by_rom_code_each_at_its_resolution(plain, tmp_path):
    v = story.TWO_PROBES
    board = _play(plain, tmp_path, v["recipe"], story.scenario(v, "uno"), v["run_ms"])
    assert list(board.messages(Telemetry)[-1].values) == v["last_values"]
    assert not story.sensor_events(board.messages(Event))


def test_a_temperature_that_moves_is_followed_reading_by_reading(plain, tmp_path):
    # -10.25 °C rising 0.25 °C a second: each reading is the temperature at its conversion, at most
    # one read period and a conversion before the sample, in 1/16 °C rounded down to thousandths
    v = story.FAULTS
    board = _play(plain, tmp_path, v["recipe"], ["ds18b20 D3 0:-10.25 20s:-5.25"], 12_000)
    values = [(t, val) for t, val in _telemetry(board) if t >= 2_000]
    assert len({val for _t, val in values}) >= 4, values
    for t, val in values:
        assert val is not None and -10_250 + 250 * (t - 3_000) // 1000 - 63 <= val <= -10_250 + 250 * t // 1000
