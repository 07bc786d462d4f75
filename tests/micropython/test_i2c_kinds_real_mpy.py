"""The I2C drivers (tdfw/drivers_i2c.py) in real MicroPython (1.27, the WebAssembly port under
Node.js), which has no I2C peripheral: every transfer the drivers made on the virtual board, with
the C chip models (firmware/sim/sim_i2c*.c) answering, is recorded in CPython, then played back to
the same drivers in MicroPython, which must make the same transfers in the same order and give the
same readings, faults and waits. The record covers every family and a missing chip, a CRC fault
and SDA held low (a bus fault, the bus made again)."""

from __future__ import annotations

import errno

from tendril.sim.i2c_model import machine_i2c
from tendril.sim.scenario import Scenario

# The drivers' loop, the same in both: each sensor polled when it asked to be (its wait, or one
# read period of 1 s), the board's clock from one sensor's wake to the next.
_LOOP = """
import sys
sys.path.insert(0, FW)
from tdfw.drivers_i2c import I2CSensor

RECS = [(5, 0x76), (6, 0x77), (7, 0x45), (8, 0x44), (9, 0x38), (10, 0x39), (11, 0x23)]


def run(hal, clock, until):
    drv, got, out = I2CSensor(), [0, 0, 0, 0, 0], []
    recs = []
    for kind, addr in RECS:
        rec = bytearray(16)
        rec[0], rec[1], rec[2], rec[3], rec[6], rec[7] = kind, 4, 5, addr, 1000 & 255, 1000 >> 8
        recs.append(rec)
        drv.setup(hal, rec)
    wake, phase = [0] * len(recs), [0] * len(recs)
    while True:
        i = wake.index(min(wake))
        if wake[i] > until:
            return out
        clock[0] = wake[i]
        got[1] = 0
        r = drv.poll(hal, recs[i], phase[i], wake[i], got)
        phase[i] = got[2]
        out.append([i, wake[i], r, got[0], got[3], got[4]] if r == 1 else [i, wake[i], r])
        wake[i] += got[1] or 1000
"""

_REPLAY = """
class Bus:
    def __init__(self, trace):
        self.trace, self.k = trace, 0

    def _next(self, call):
        want, out = self.trace[self.k]
        assert want == call, (self.k, want, call)
        self.k += 1
        if isinstance(out, int):
            raise OSError(out)
        return out

    def writeto(self, addr, buf):
        self._next(["w", addr, list(buf)])

    def readfrom_into(self, addr, buf):
        buf[:] = bytes(self._next(["r", addr, len(buf)]))

    def readfrom_mem_into(self, addr, reg, buf):
        buf[:] = bytes(self._next(["m", addr, reg, len(buf)]))


class Machine:
    I2C = Bus


class Hal:
    m = Machine()

    def __init__(self, bus):
        self.bus = bus

    def i2c(self, sda, scl, again=False, hz=None):
        self.bus._next(["begin", sda, scl, again, hz])
        return self.bus


bus = Bus(TRACE)
print(run(Hal(bus), [0], UNTIL))
assert bus.k == len(bus.trace), (bus.k, len(bus.trace))
"""

SCENARIO = ["i2c bme280 temp=21.5 hum=40 press=1013.25", "i2c bmp280 addr=0x77 temp=18 press=990",
            "i2c sht3x addr=0x45 temp=0:10,6s:30 hum=55", "i2c sht4x temp=12 hum=0:20,6s:80", "i2c aht20 temp=25 hum=45",
            "i2c aht10 addr=0x39 temp=5 hum=90", "i2c bh1750 lux=0:10,6s:20000",
            "i2c_fault 0x38 missing 1500ms 2500ms", "i2c_fault 0x45 crc 2500ms 3500ms",
            "i2c_fault bus held_low 3990ms 4300ms"]
UNTIL = 6_000


class _Recording:
    """The virtual board's machine.I2C with every transfer and its answer written down."""

    def __init__(self, world: Scenario, clock: list[int]) -> None:
        self.cls, self.trace, self.bus = machine_i2c(world, lambda: clock[0]), [], None

    def _do(self, call: list, fn):
        try:
            got = fn()
        except OSError as err:
            self.trace.append([call, err.args[0]])
            raise
        self.trace.append([call, got])

    def writeto(self, addr, buf):
        self._do(["w", addr, list(buf)], lambda: self.bus.writeto(addr, buf) and None)

    def readfrom_into(self, addr, buf):
        def read():
            self.bus.readfrom_into(addr, buf)
            return list(buf)
        self._do(["r", addr, len(buf)], read)

    def readfrom_mem_into(self, addr, reg, buf):
        def read():
            self.bus.readfrom_mem_into(addr, reg, buf)
            return list(buf)
        self._do(["m", addr, reg, len(buf)], read)

    def i2c(self, sda, scl, again=False, hz=None):
        if self.bus is None or again:
            self.bus = self.cls(0, sda=sda, scl=scl, freq=hz or 100_000)
        self.trace.append([["begin", sda, scl, again, hz], None])
        return self


def test_the_i2c_drivers_do_the_same_in_real_micropython_as_on_the_virtual_board(tmp_path):
    from .conftest import FIRMWARE, run_micropython

    world = Scenario("pico")
    for line in SCENARIO:
        world.line(line)
    clock = [0]
    rec = _Recording(world, clock)
    scope: dict = {}
    exec(compile(_LOOP.replace("FW", repr(str(FIRMWARE))), "loop", "exec"), scope)
    rec.m = type("M", (), {"I2C": object})
    out = scope["run"](rec, clock, UNTIL)
    faults = {r[2] for r in out}
    assert {1, 2, 3, 8} <= faults, faults  # readings, NO_ANSWER, CRC, BUS
    assert errno.ETIMEDOUT in {o for _c, o in rec.trace if isinstance(o, int)}

    script = (_LOOP.replace("FW", "'/fw'") + f"TRACE = {rec.trace!r}\nUNTIL = {UNTIL}\n" + _REPLAY)
    (tmp_path / "main.py").write_text(script)
    proc = run_micropython(tmp_path / "main.py", [(FIRMWARE, "/fw")])
    assert proc.returncode == 0, (proc.stdout[-1000:], proc.stderr[-2000:])
    assert proc.stdout.strip() == str(out), proc.stdout[-2000:]
    assert len(out) > 80
