"""The pulse counter of the C firmware on the native board, against the world's pulse sources at the
HAL (firmware/sim/sim_pulse.c), with the board's clock held and stepped by the test: the shared
story (10 and 500 Hz with none missed, a stop, debounce), per_minute, and HELLO's sensor kinds."""

from __future__ import annotations

from tendril.boards import load_board
from tendril.contract import SensorKind
from tendril.image.codec import with_generation
from tendril.protocol import Ack, Event, Hello, RequestHello, Telemetry
from tendril.recipes import compile_recipe, parse

from ..support import pulse_story as story
from ..support.ds18b20_story import sensor_events
from ..support.native_board import NativeBoard

PER_MINUTE = """\
[recipe]
name = "anemometer"
version = "1.0.0"
summary = "a cup anemometer read in pulses a minute"
boards = ["uno"]
telemetry = "1 s"

[sensors.wind]
kind = "pulse"
pin = "D5"
per_minute = 1
read_every = "2 s"

[channels.wind_speed]
sensor = "wind"
"""


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


def test_the_native_board_says_it_has_the_pulse_driver(plain, tmp_path):
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold")
    try:
        hello = board.request(RequestHello())
    finally:
        board.close()
    assert isinstance(hello, Hello) and hello.sensor_kinds >> SensorKind.PULSE & 1


def test_rates_and_totals_follow_the_flow_with_no_pulse_missed_at_500_hz_and_no_bounce_counted(plain, tmp_path):
    v = story.STORY
    board = _play(plain, tmp_path, v["recipe"], story.scenario(v, "uno"), v["run_ms"])
    rows = [(m.time_ms, list(m.values)) for m in board.messages(Telemetry)]
    story.check_story(rows, sensor_events(board.messages(Event)))


def test_a_rate_per_minute_is_sixty_times_the_rate_per_second(plain, tmp_path):
    board = _play(plain, tmp_path, PER_MINUTE, ["pulse D5 3.5"], 10_000)
    values = [m.values[0] for m in board.messages(Telemetry) if m.time_ms >= 5_000]
    assert values and all(v is not None and abs(v - 210_000) <= 30_000 for v in values), values
    assert sum(values) / len(values) > 200_000, values


WATER = """\
[recipe]
name = "water-meter"
version = "1.0.0"
summary = "a YF-S201 in litres and litres a minute (450 pulses a litre)"
boards = ["uno"]
telemetry = "1 s"

[sensors.flow]
kind = "pulse"
pin = "D2"
per_minute = 1
read_every = "1 s"

[channels.flow_rate]
sensor = "flow"
quantity = "rate"
calibration = [{ reading = "0 pulses", value = "0 L/min" }, { reading = "450 pulses", value = "1 L/min" }]

[channels.water]
sensor = "flow"
quantity = "total"
calibration = [{ reading = "0 pulses", value = "0 L" }, { reading = "450 pulses", value = "1 L" }]
"""


def test_a_calibrated_yf_s201_reads_litres_a_minute_and_litres(plain, tmp_path):
    # 15 Hz (2 L/min) for 60 s from 1 s on: 900 pulses, 2 L; then no flow
    board = _play(plain, tmp_path, WATER, ["pulse D2 0:0 1000:0 1001:15 61001:15 61002:0"], 70_000)
    rows = [(m.time_ms, m.values) for m in board.messages(Telemetry)]
    during = [flow for t, (flow, _w) in rows if 4_000 <= t <= 60_000]
    assert during and all(abs(flow - 2_000) <= 2_000 * 0.01 + 10 for flow in during), during  # L/min
    after = [(flow, water) for t, (flow, water) in rows if t >= 64_000]
    assert after and all(flow == 0 and abs(water - 2_000) <= 2_000 * 0.005 for flow, water in after), after
