"""The MicroPython firmware's pulse counter (tdfw/drivers_pulse.py over the Hal's Pin.irq counting),
on the virtual board whose Pin.irq is fed each edge of the world's pulse sources the native board
and simavr share (firmware/sim/sim_pulse.c): the shared story (tests/vectors/sensors/pulse_story.json)."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.contract import SensorKind
from tendril.image import with_generation
from tendril.protocol import Ack, Event, Hello, RequestHello, Telemetry
from tendril.recipes import compile_recipe, parse
from tendril.sim.mpy_board import VirtualBoard
from tendril.sim.scenario import Scenario

from ..support import pulse_story as story
from ..support.ds18b20_story import sensor_events
from .link import Link

pytestmark = pytest.mark.slow  # 24 s of board time, every edge of 500 Hz through Pin.irq in CPython


def test_the_virtual_board_tells_the_pulse_story(tmp_path):
    v = story.STORY
    world = Scenario("pico")
    for line in story.scenario(v, "pico"):
        world.line(line)
    vb = VirtualBoard("pico", storage=tmp_path, hold=True, world=world)
    vb.start()
    lk = Link(vb)
    try:
        hello = lk.request(RequestHello())
        assert isinstance(lk.push(with_generation(compile_recipe(parse(v["recipe"]), load_board("pico")), 1))[-1], Ack)
        lk.run(v["run_ms"], timeout=600)
    finally:
        lk.close()
        vb.close()
    assert isinstance(hello, Hello) and hello.sensor_kinds >> SensorKind.PULSE & 1
    got = lk.unsolicited
    rows = [(m.time_ms, list(m.values)) for m in got if isinstance(m, Telemetry)]
    story.check_story(rows, sensor_events([m for m in got if isinstance(m, Event)]))


# The driver's arithmetic in real MicroPython (under Node.js) and in CPython, on the same counts:
# a Hal that hands out the counts a pin-change interrupt would have made.
_DRIVER = """
import sys
sys.path.insert(0, '/fw')
from tdfw.drivers_pulse import Pulse

class Hal:
    def __init__(self):
        self.count = 0
    def pulse_begin(self, pin, debounce_ms):
        self.count = 0
    def pulse_count(self, pin):
        return self.count

def run(steps):
    hal, drv, got = Hal(), Pulse(), [0, 0, 0, 0]
    rec = bytearray(16)
    rec[1], rec[4] = 2, PER_MINUTE
    drv.setup(hal, rec)
    phase, out = 0, []
    for now, count in steps:
        hal.count = count
        r = drv.poll(hal, rec, phase, now, got)
        phase = got[2]
        out.append([r, got[0], got[3]] if r == 1 else [r])
    return out

print(run(STEPS))
"""
# (board ms, pulses counted since setup): the first poll, 500 Hz, a late pass, a stop, 66,000 in a
# period, a total past 2,147,483 pulses
STEPS = [(1000, 3), (2000, 503), (3003, 1006), (4003, 1006), (5003, 67006), (6003, 2147490), (7003, 2147491)]


@pytest.mark.parametrize("per_minute", [0, 1])
def test_the_driver_gives_the_same_readings_in_real_micropython_and_cpython(tmp_path, per_minute):
    from .conftest import FIRMWARE, run_micropython

    script = _DRIVER.replace("PER_MINUTE", str(per_minute)).replace("STEPS", repr(STEPS))
    (tmp_path / "main.py").write_text(script)
    proc = run_micropython(tmp_path / "main.py", [(FIRMWARE, "/fw")])
    assert proc.returncode == 0, proc.stderr[-2000:]
    scope: dict = {}
    exec(compile(script.replace("sys.path.insert(0, '/fw')", f"sys.path.insert(0, {str(FIRMWARE)!r})")
                 .replace("print(run(STEPS))", ""), "driver", "exec"), scope)
    k = 60 if per_minute else 1
    none, ok, out_of_range = 0, 1, 4  # READING_NONE, READING_OK, OUT_OF_RANGE
    expected = [[none], [ok, 500_000 * k, 503_000], [ok, 503 * 1000 * 1000 * k // 1003, 1_006_000],
                [ok, 0, 1_006_000], [out_of_range], [out_of_range], [out_of_range]]
    assert scope["run"](STEPS) == expected
    assert proc.stdout.strip() == str(expected), proc.stdout
