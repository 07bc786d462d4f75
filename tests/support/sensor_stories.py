"""Stories for the sensor seam that both firmwares must tell alike (tests/core/test_sensor_c.py;
tests/micropython/test_vectors.py, on CPython and real MicroPython): one analog channel whose
driver is scripted, because the seam's cases (an invalid reading, a reading wider than 16 bits or
signed, a driver that asks to come back later) are what analog and digital pins never give."""

from __future__ import annotations

from typing import NamedTuple

from tendril.contract import BoardClass, ChannelKind, Reading, Unit
from tendril.image import Channel, Image, encode

ONE = 1 << 16
NONE, OK, INVALID = Reading.NONE, Reading.OK, Reading.INVALID


class Story(NamedTuple):
    image: bytes
    script: list[tuple[int, int, int]]  # each poll's (Reading, raw, wait ms), in order
    step: int  # ms between main-loop passes, from 0
    until: int  # the last pass
    polls: list[int]  # the board times the driver must be polled at
    values: dict[int, int | None]  # channel 0's engine value after the pass at each time


def _image(period_ms: int, gain: int, offset: int) -> bytes:
    chan = Channel(14, ChannelKind.ANALOG, 0, Unit.RAW, period_ms, gain, offset)
    return encode(Image(name="seam", board_class=BoardClass.AVR328, telemetry_ms=0, channels=(chan,)))


_GAIN, _OFFSET = 3 * ONE // 2, -7  # value = -7 + raw * 1.5, in thousandths
_WIDE, _SIGNED = _OFFSET + 150_000, _OFFSET - 7_500  # raw 100,000 (wider than 16 bits), raw -5,000

STORIES = {
    # Invalid readings never reach the engine: the channel keeps its last good reading.
    "invalid_keeps_last_good": Story(
        _image(100, _GAIN, _OFFSET),
        [(OK, 100_000, 0), (INVALID, 0, 0), (INVALID, -1, 0), (OK, -5_000, 0), (NONE, 9, 0)],
        100, 400, [0, 100, 200, 300, 400],
        {0: _WIDE, 100: _WIDE, 200: _WIDE, 300: _SIGNED, 400: _SIGNED},
    ),
    # A conversion started at the sample and collected 750 ms later (a DS18B20's shape): the
    # reading lands at the collection, and the engine takes it at its next sample.
    "come_back_later": Story(
        _image(1000, ONE, 0),
        [(NONE, 0, 750), (OK, 2_500, 0), (NONE, 0, 750), (OK, 2_600, 0)],
        10, 2000, [0, 750, 1000, 1750, 2000],
        {0: 0, 990: 0, 1000: 2_500, 1990: 2_500, 2000: 2_600},
    ),
}
