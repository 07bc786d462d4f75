"""The sensor seam (firmware/core/sensor.c) through ctypes: the firmware's real analog and digital
drivers (drivers.c) over a HAL whose pin readings the test sets (tools/hal_pins.c), and drivers of
the test's own where the seam must be shown something analog and digital pins never do (an
invalid reading, a wait). The engine is the real one; what it holds is read back from it."""

from __future__ import annotations

import ctypes as C

import pytest

from tendril.contract import (
    UNKNOWN_KIND_PIN_CAP,
    BoardClass,
    ChannelKind,
    DriverId,
    EventKind,
    PinMode,
    Unit,
    channel_kind,
)
from tendril.image import Channel, Image, encode

from ..support.sensor_stories import NONE, STORIES
from .ccore import i32, u8, u16, u32
from .engine_adapter import CEngineAdapter

SETUP = C.CFUNCTYPE(None, u8, u8, u8)
POLL = C.CFUNCTYPE(u8, u8, u8, u32, C.POINTER(i32), C.POINTER(u16))
ONE = 1 << 16


class Driver(C.Structure):
    _fields_ = [("setup", SETUP), ("poll", POLL)]


DRIVERS = Driver * len(DriverId)


def _image(*channels: Channel) -> bytes:
    return encode(Image(name="seam", board_class=BoardClass.AVR328, telemetry_ms=0, channels=channels))


class Seam:
    """An engine over ``image`` and the seam's state, as app.c holds them."""

    def __init__(self, core, image: bytes, drivers) -> None:
        self.core, self.lib = core, core.lib
        self.eng = CEngineAdapter(core)
        self.eng.start(image, "uno")
        self.lib.sensors_sizeof.restype = C.c_size_t
        self.state = C.create_string_buffer(self.lib.sensors_sizeof())
        self.drivers = drivers
        self.lib.sensors_setup.argtypes = [C.c_void_p, C.c_void_p, C.c_void_p, C.c_void_p]
        self.lib.sensors_poll.argtypes = [C.c_void_p, C.c_void_p, C.c_void_p, C.c_void_p, u32]
        self.lib.sensors_setup(self.state, self.eng.state, C.byref(drivers), None)  # no sensors

    def step(self, now: int) -> list[tuple]:
        """One pass of the main loop at ``now``: the drivers that are due, then the engine's tick."""
        self.lib.sensors_poll(self.state, self.eng.state, C.byref(self.drivers), None, now)
        return self.eng.tick(now)

    def value(self, channel: int) -> int | None:
        return self.eng.value(channel)


def _firmware_drivers(core):
    return DRIVERS.in_dll(core.lib, "td_drivers")


def _pins(core, name: str, ctype):
    return (ctype * 256).in_dll(core.lib, name)


def test_each_pin_is_set_up_as_its_kind_says(sensor_core):
    image = _image(Channel(14, ChannelKind.ANALOG, 0, Unit.RAW, 100, ONE, 0),
                   Channel(2, ChannelKind.DIGITAL_PULLUP, 0, Unit.BOOL, 100, ONE, 0),
                   Channel(4, ChannelKind.DIGITAL, 0, Unit.BOOL, 100, ONE, 0))
    modes = _pins(sensor_core, "hal_pins_mode", u8)
    for pin in (14, 2, 4):
        modes[pin] = 0xEE
    Seam(sensor_core, image, _firmware_drivers(sensor_core))
    assert (modes[14], modes[2], modes[4]) == (PinMode.INPUT, PinMode.INPUT_PULLUP, PinMode.INPUT)


def test_analog_and_digital_pins_are_read_only_when_the_engine_samples_them(sensor_core):
    """The first two drivers do what the firmware always did: read the pin in the pass that samples
    the channel, so the engine's value is the reading at the channel's last sample time."""
    image = _image(Channel(14, ChannelKind.ANALOG, 0, Unit.RAW, 100, ONE, 0),
                   Channel(4, ChannelKind.DIGITAL, 0, Unit.BOOL, 250, 1000 * ONE, 0))
    seam = Seam(sensor_core, image, _firmware_drivers(sensor_core))
    analog, level = _pins(sensor_core, "hal_pins_analog", u16), _pins(sensor_core, "hal_pins_level", u8)
    reads = u32.in_dll(sensor_core.lib, "hal_pins_reads")
    reads.value = 0
    samples = []
    for now in range(0, 1001, 10):
        analog[14], level[4] = now, (now // 10) % 2
        before = reads.value
        seam.step(now)
        samples += [now] * (reads.value - before)
    # analog every 100 ms (11 samples), digital every 250 ms (5): one read per sample, no other.
    assert reads.value == 11 + 5
    assert seam.value(0) == 1000  # read at t=1000
    assert seam.value(1) == 1000 * ((1000 // 10) % 2)
    assert samples.count(500) == 2 and samples.count(510) == 0


class Scripted:
    """A driver of the test's own: at each poll, the next (status, raw, wait) of its script."""

    def __init__(self, script) -> None:
        self.script = list(script)
        self.polls: list[int] = []
        self.setup = SETUP(lambda ch, pin, mode: None)
        self.poll = POLL(self._poll)

    def _poll(self, ch, pin, now, raw, wait):
        self.polls.append(now)
        status, value, ms = self.script.pop(0) if self.script else (NONE, 0, 0)
        raw[0], wait[0] = value, ms
        return status


def _with_analog(core, driver: Scripted):
    table = DRIVERS()
    table[DriverId.DIGITAL] = _firmware_drivers(core)[DriverId.DIGITAL]
    table[DriverId.ANALOG] = Driver(driver.setup, driver.poll)
    return table


@pytest.mark.parametrize("name", list(STORIES))
def test_the_seam_tells_each_sensor_story(sensor_core, name):
    """Faults and stale readings make a channel one with no reading (an EVENT once, and again on
    recovery), wide and signed readings are calibrated exactly, drivers run again when their wait
    is over (tests/support/sensor_stories.py; MicroPython tells the same)."""
    story = STORIES[name]
    driver = Scripted(story.script)
    seam = Seam(sensor_core, story.image, _with_analog(sensor_core, driver))
    values, events = {}, []
    for now in range(0, story.until + 1, story.step):
        events += [(ev[0], ev[3], ev[5]) for ev in seam.step(now) if ev[1] == EventKind.SENSOR and ev[2] == 0]
        if now in story.values:
            values[now] = seam.value(0)
    assert driver.polls == story.polls
    assert values == story.values
    assert events == story.events


@pytest.mark.parametrize("kind", [*ChannelKind, len(ChannelKind)])
def test_the_generated_kind_table_asks_what_the_contract_asks_of_a_pin(sensor_core, kind):
    spec = channel_kind(kind)
    sensor_core.lib.sensor_pin_cap.restype = u8
    want = UNKNOWN_KIND_PIN_CAP if spec is None else spec.pin_cap
    assert sensor_core.lib.sensor_pin_cap(u8(kind)) == want
