"""A channel without a reading, seen from outside the MicroPython firmware: its whole App (boot,
stored config, the sensor seam, the engine, TELEMETRY) over a ``machine`` whose UART the test
reads, with channel 0's analog driver replaced by a scripted one through the real seam (analog and
digital pins never fail, so no shipped driver can show this yet). Frames are decoded by the host's
protocol package: TELEMETRY's marker arrives as None, the SENSOR EVENT once, then the recovery."""

from __future__ import annotations

from tendril.contract import BoardClass, ChannelKind, DriverId, EventKind, Reading, SensorFault, Unit
from tendril.image import Channel, Image, encode
from tendril.protocol import Event, FrameDecoder, Telemetry, decode_message

from ..support.sensor_stories import ONE

from tdfw.app import App  # noqa: E402  (the firmware is on sys.path: conftest)
from tdfw.drivers import DRIVERS  # noqa: E402
from tdfw.hal import Hal  # noqa: E402
from tdfw.store import SLOTS, Files  # noqa: E402


class Machine:
    """Just enough of MicroPython's ``machine`` for the App: a clock the test sets, a UART it reads."""

    PWRON_RESET = 1

    def __init__(self) -> None:
        self.t = 0
        self.out = bytearray()
        outer = self

        class Pin:
            IN, OUT, PULL_UP = 0, 1, 2

            def __init__(self, n, mode=-1, pull=None, value=None):
                pass

            def value(self, v=None):
                return 0

        class UART:
            def __init__(self, *args):
                pass

            def any(self):
                return 0

            def write(self, data):
                outer.out += data

        self.Pin, self.UART = Pin, UART

    def ticks_ms(self):
        return self.t

    @staticmethod
    def ticks_diff(a, b):
        return a - b

    def reset_cause(self):
        return self.PWRON_RESET


class Failing:
    """Channel 0's driver: 500 until 300 ms, no answer from 300 ms until 600 ms, then 500 again."""

    def setup(self, hal, ch, pin, mode):
        pass

    def poll(self, hal, ch, pin, now, got):
        if 300 <= now < 600:
            return SensorFault.NO_ANSWER
        got[0] = 500
        return Reading.OK


def test_a_failing_sensor_is_marked_in_telemetry_and_named_in_one_event_and_its_recovery(tmp_path):
    chan = Channel(26, ChannelKind.ANALOG, 0, Unit.RAW, 100, ONE, 0)
    image = encode(Image(name="dead", board_class=BoardClass.RP2040, telemetry_ms=100, channels=(chan,)))
    (tmp_path / SLOTS[0]).write_bytes(image)
    m = Machine()
    drivers = list(DRIVERS)
    drivers[DriverId.ANALOG] = Failing()
    app = App("pico", hal=Hal(12, machine=m, uart=0, watchdog=False), files=Files(str(tmp_path)),
              simulated=True, drivers=drivers)
    app.boot()
    for t in range(0, 801, 10):
        m.t = t
        app.poll()
    messages = [decode_message(f) for f in FrameDecoder().feed(bytes(m.out))]
    telemetry = {msg.time_ms: msg.values for msg in messages if isinstance(msg, Telemetry)}
    sensor = [(e.time_ms, e.b, e.value) for e in messages if isinstance(e, Event) and e.kind == EventKind.SENSOR]
    assert telemetry == {100: (500,), 200: (500,), 300: (None,), 400: (None,), 500: (None,),
                         600: (500,), 700: (500,), 800: (500,)}
    assert sensor == [(300, SensorFault.NO_ANSWER, 0), (600, SensorFault.RECOVERED, 500)]
