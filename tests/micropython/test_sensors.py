"""The MicroPython firmware's sensor seam (firmware/micropython/tdfw/drivers.py, run by CPython):
the same stories as the C seam (tests/support/sensor_stories.py), and its analog and digital
drivers through tdfw's own Hal over a ``machine`` whose pins the test sets."""

from __future__ import annotations

import pytest

from tendril.contract import BoardClass, ChannelKind, DriverId, Unit
from tendril.image import Channel, Image, encode

from ..support.sensor_stories import NONE, ONE, STORIES

from tdfw.drivers import DRIVERS, Sensors  # noqa: E402  (the firmware is on sys.path: conftest)
from tdfw.engine import Engine  # noqa: E402
from tdfw.hal import Hal  # noqa: E402


class Scripted:
    """A driver of the test's own: at each poll, the next (status, raw, wait) of its script."""

    def __init__(self, script) -> None:
        self.script = list(script)
        self.polls: list[int] = []

    def setup(self, hal, ch, pin, mode):
        pass

    def poll(self, hal, ch, pin, now, out):
        self.polls.append(now)
        status, out[0], out[1] = self.script.pop(0) if self.script else (NONE, 0, 0)
        return status


@pytest.mark.parametrize("name", list(STORIES))
def test_the_seam_tells_each_sensor_story(name):
    story = STORIES[name]
    driver = Scripted(story.script)
    drivers = list(DRIVERS)
    drivers[DriverId.ANALOG] = driver
    eng = Engine(story.image, lambda *event: None)
    sensors = Sensors(eng, None, drivers)
    values = {}
    for now in range(0, story.until + 1, story.step):
        sensors.poll(eng, now)
        eng.tick(now)
        if now in story.values:
            values[now] = eng.value[0] if eng.sampled[0] else None
    assert driver.polls == story.polls
    assert values == story.values


class PinsMachine:
    """Just enough of MicroPython's ``machine`` for tdfw's Hal: pins, an ADC, a UART, a clock."""

    IN, OUT, PULL_UP = 0, 1, 2

    def __init__(self) -> None:
        self.level: dict[int, int] = {}
        self.analog: dict[int, int] = {}  # 16-bit, as read_u16 gives
        self.pull: dict[int, object] = {}
        self.reads = 0
        outer = self

        class Pin:
            IN, OUT, PULL_UP = outer.IN, outer.OUT, outer.PULL_UP

            def __init__(self, n, mode=-1, pull=None, value=None):
                self.n = n
                outer.pull[n] = pull

            def value(self, v=None):
                outer.reads += 1
                return outer.level.get(self.n, 0)

        class ADC:
            def __init__(self, pin):
                self.n = pin.n

            def read_u16(self):
                outer.reads += 1
                return outer.analog.get(self.n, 0)

        class UART:
            def __init__(self, *args):
                pass

        self.Pin, self.ADC, self.UART = Pin, ADC, UART

    def ticks_ms(self):
        return 0

    @staticmethod
    def ticks_diff(a, b):
        return a - b


def test_analog_and_digital_pins_are_set_up_by_kind_and_read_only_when_sampled():
    m = PinsMachine()
    hal = Hal(10, machine=m, uart=0, watchdog=False)
    chans = (Channel(26, ChannelKind.ANALOG, 0, Unit.RAW, 100, ONE, 0),
             Channel(2, ChannelKind.DIGITAL_PULLUP, 0, Unit.BOOL, 250, 1000 * ONE, 0),
             Channel(4, ChannelKind.DIGITAL, 0, Unit.BOOL, 250, 1000 * ONE, 0))
    image = encode(Image(name="pins", board_class=BoardClass.AVR328, telemetry_ms=0, channels=chans))
    eng = Engine(image, lambda *event: None)
    sensors = Sensors(eng, hal)
    assert m.pull == {2: m.PULL_UP, 4: None}  # the digital pins at setup; the ADC at its first read
    m.reads = 0
    for now in range(0, 1001, 10):
        m.analog[26], m.level[2], m.level[4] = now << 6, 1, (now // 10) % 2
        sensors.poll(eng, now)
        eng.tick(now)
    assert m.reads == 11 + 5 + 5  # one read per sample, no other
    assert (eng.value[0], eng.value[1], eng.value[2]) == (1000, 1000, 0)
