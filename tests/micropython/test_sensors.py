"""The MicroPython firmware's analog and digital drivers (firmware/micropython/tdfw/drivers.py, run
by CPython) through tdfw's own Hal over a ``machine`` whose pins the test sets. The seam's stories
(tests/support/sensor_stories.py) run in test_vectors.py, on CPython and on real MicroPython."""

from __future__ import annotations

from tendril.contract import BoardClass, ChannelKind, Unit
from tendril.image import Channel, Image, encode

from ..support.sensor_stories import ONE

from tdfw.drivers import Sensors  # noqa: E402  (the firmware is on sys.path: conftest)
from tdfw.engine import Engine  # noqa: E402
from tdfw.hal import Hal  # noqa: E402


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
