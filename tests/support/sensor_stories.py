"""Stories for the sensor seam that both firmwares must tell alike (tests/core/test_sensor_c.py;
tests/micropython/test_vectors.py, on CPython and real MicroPython): one analog channel whose
driver is scripted, because the seam's cases (a fault, a driver that gives nothing new for several
samples, a reading wider than 16 bits or signed, a driver that asks to come back later) are what
analog and digital pins never give. Each story says when the driver is polled, channel 0's engine
value after given passes (None: no valid reading) and the SENSOR EVENTs the engine sends."""

from __future__ import annotations

from typing import NamedTuple

from tendril.contract import BoardClass, ChannelKind, Reading, SensorFault, Unit
from tendril.image import Channel, Image, encode

ONE = 1 << 16
NONE, OK = Reading.NONE, Reading.OK
NO_ANSWER, CRC, STALE, RECOVERED = SensorFault.NO_ANSWER, SensorFault.CRC, SensorFault.STALE, SensorFault.RECOVERED


class Story(NamedTuple):
    image: bytes
    script: list[tuple[int, int, int]]  # each poll's (Reading or SensorFault, raw, wait ms), in order
    step: int  # ms between main-loop passes, from 0
    until: int  # the last pass
    polls: list[int]  # the board times the driver must be polled at
    values: dict[int, int | None]  # channel 0's engine value after the pass at each time
    events: list[tuple[int, int, int]]  # every SENSOR EVENT on channel 0: (time, SensorFault, value)


def _image(period_ms: int, gain: int, offset: int) -> bytes:
    chan = Channel(14, ChannelKind.ANALOG, 0, Unit.RAW, period_ms, gain, offset)
    return encode(Image(name="seam", board_class=BoardClass.AVR328, telemetry_ms=0, channels=(chan,)))


_GAIN, _OFFSET = 3 * ONE // 2, -7  # value = -7 + raw * 1.5, in thousandths
_WIDE, _SIGNED = _OFFSET + 150_000, _OFFSET - 7_500  # raw 100,000 (wider than 16 bits), raw -5,000

STORIES = {
    # A fault makes the channel one with no reading at once: one EVENT for the whole episode (a
    # second fault in it sends none), and one when a good reading comes back.
    "fault_then_recovery": Story(
        _image(100, _GAIN, _OFFSET),
        [(OK, 100_000, 0), (NO_ANSWER, 0, 0), (CRC, -1, 0), (OK, -5_000, 0), (NONE, 9, 0)],
        100, 400, [0, 100, 200, 300, 400],
        {0: _WIDE, 100: None, 200: None, 300: _SIGNED, 400: _SIGNED},
        [(100, NO_ANSWER, 0), (300, RECOVERED, _SIGNED)],
    ),
    # A driver that gives nothing new: the held reading serves two more samples, and the third
    # sample without a good reading makes the channel STALE (a dead DHT22 must not repeat its last
    # value for a day).
    "stale_then_recovery": Story(
        _image(100, ONE, 0),
        [(OK, 1_000, 0), (NONE, 0, 0), (NONE, 0, 0), (NONE, 0, 0), (OK, 1_100, 0)],
        100, 400, [0, 100, 200, 300, 400],
        {0: 1_000, 200: 1_000, 300: None, 400: 1_100},
        [(300, STALE, 0), (400, RECOVERED, 1_100)],
    ),
    # A sensor that never answers from boot: no reading from the start (not a made-up 0), and STALE
    # once it has missed three samples.
    "never_a_reading": Story(
        _image(100, ONE, 0),
        [],
        100, 300, [0, 100, 200, 300],
        {0: None, 100: None, 200: None, 300: None},
        [(200, STALE, 0)],
    ),
    # A conversion started at the sample and collected 750 ms later (a DS18B20's shape): the
    # reading lands at the collection, and the engine takes it at its next sample; until then the
    # channel has no reading, and that is no fault (no EVENT).
    "come_back_later": Story(
        _image(1000, ONE, 0),
        [(NONE, 0, 750), (OK, 2_500, 0), (NONE, 0, 750), (OK, 2_600, 0)],
        10, 2000, [0, 750, 1000, 1750, 2000],
        {0: None, 990: None, 1000: 2_500, 1990: 2_500, 2000: 2_600},
        [],
    ),
}
