"""The HC-SR04 driver of the C firmware on the native board, against the world's model of the sonar
at the HAL (firmware/sim/sim_sonar.c), with the board's clock held and stepped by the test: the
sensor vector (every fault once with its recovery), a distance that moves, and HELLO's sensor kinds."""

from __future__ import annotations

from tendril.boards import load_board
from tendril.contract import SensorKind
from tendril.image.codec import with_generation
from tendril.protocol import Ack, Event, Hello, RequestHello, Telemetry
from tendril.recipes import compile_recipe, parse

from ..support import hcsr04_story as story
from ..support.native_board import NativeBoard


def _play(binary, tmp_path, recipe: str, lines: list[str], ms: int) -> NativeBoard:
    args = [a for line in lines for a in ("--set", line)]
    board = NativeBoard(binary, tmp_path / "ee.bin", "--fast", "--hold", *args)
    try:
        image = with_generation(compile_recipe(parse(recipe), load_board("uno")), 1)
        assert isinstance(board.push(image)[-1], Ack)
        board.run(ms)
    finally:
        board.close()
    return board


def _telemetry(board, channel: int = 0) -> list[tuple[int, int | None]]:
    return [(m.time_ms, m.values[channel]) for m in board.messages(Telemetry)]


def test_the_native_board_says_it_has_the_hcsr04_driver(plain, tmp_path):
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold")
    try:
        hello = board.request(RequestHello())
    finally:
        board.close()
    assert isinstance(hello, Hello) and hello.sensor_kinds >> SensorKind.HCSR04 & 1


def test_every_fault_is_marked_in_telemetry_and_named_once_by_an_event_and_its_recovery(plain, tmp_path):
    v = story.FAULTS
    board = _play(plain, tmp_path, v["recipe"], story.scenario(v, "uno"), v["run_ms"])
    story.check_faults(_telemetry(board), story.sensor_events(board.messages(Event)))


def test_a_distance_that_moves_is_followed_ping_by_ping(plain, tmp_path):
    # 20 cm to 220 cm over 20 s (10 cm a second): each reading is the distance at its ping, at most
    # one read period (200 ms: 2 cm) before the telemetry that carries it
    v = story.FAULTS
    board = _play(plain, tmp_path, v["recipe"], ["hcsr04 D7 D8 0:20 20s:220"], 12_000)
    values = [(t, val) for t, val in _telemetry(board) if t >= 1_000]
    assert len({val for _t, val in values}) >= 8, values
    for t, val in values:
        assert val is not None and 20_000 + 10 * (t - 200) - 100 <= val <= 20_000 + 10 * t + 100, (t, val)
