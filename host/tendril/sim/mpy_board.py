"""The virtual MicroPython board: the real firmware files (firmware/micropython/tdfw) running under
CPython, with a shim for ``machine`` whose UART is a pty and whose pins and ADC read a scenario.

    python -m tendril.sim.mpy_board [IMAGE] [--board pico|esp32-devkit] [--storage DIR] [--speed X]
                                    [--scenario FILE] [--set LINE]... [--hold]

prints the pty path; any serial tool (pyserial, the tendril host) talks to it like a real board.
Its world is a scenario (firmware/sim/README.md, "Scenario files"; pins by number or by the board
file's names, GP26) evaluated by the C model every simulated board shares (tendril.sim.scenario):
the scenario's inputs are what its pins and ADC read, its plant's pump is the pin it names.
Without one, the plant waterer's world on the pins of boards/recipes/plant-waterer.toml (WIRING).
From Python:

    board = VirtualBoard(board="pico", image=None, storage=None, speed=1.0)
    path = board.start()          # the pty path; the firmware has booted and said HELLO
    ...
    board.stop()                  # or board.power_cut() / board.alive / board.files.arm(step)

Bytes the firmware sends while no one has the pty open are dropped, like a UART with nothing on the
line. One board's time is virtual: ``speed`` virtual ms per real ms, shared by firmware and plant,
moved between two passes of the firmware's loop. ``hold=True`` (``--hold``) starts the clock held:
``board.clock_command("run 60000")`` and the rest of tendril.sim.clock's commands move it (on the
command line: one a line on stdin, answers on stdout), so a test decides how much board time
passes whatever the machine's speed.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import queue
import select
import sys
import tempfile
import threading
import time
import tty
from pathlib import Path

from .. import resources
from ..boards import load_board
from ..contract import ActuatorFlag, BoardClass
from ..errors import TendrilError
from ..image import decode, encode, two_point, validate
from .clock import FOREVER, ClockState
from .dht_model import module as dht_module
from .i2c_model import machine_i2c
from .onewire_model import modules as onewire_modules
from .pulse_model import PulseInput, deliver
from .sonar_model import time_pulse_us as sonar_time_pulse_us
from .scenario import ADC_BITS, Scenario
from .story import plant_waterer_image as uno_plant_waterer_image

FIRMWARE = resources.micropython()
if str(FIRMWARE) not in sys.path:
    sys.path.insert(0, str(FIRMWARE))

from tdfw.app import App
from tdfw.hal import Hal
from tdfw.store import SLOTS, Files

RUN_STEP_MS = 10  # a `run` moves the clock flat out, this many ms a pass of the firmware's loop
HOST_GONE_S = 2.0  # flat out, the board waits this long for a host to read before it drops bytes

# Where the plant waterer is wired on each MicroPython board: soil ADC, float switch, pump relay.
# (soil, float switch, pump): the wiring of boards/recipes/plant-waterer.toml on these boards.
WIRING = {"pico": (26, 15, 16), "esp32-devkit": (34, 27, 26)}


class PowerCut(BaseException):
    """Raised inside the firmware at the file-write step chosen with ``FaultyFiles.arm``."""


class FaultyFiles(Files):
    """Files that can lose power at one numbered write step (create, write, rename, remove).

    At the chosen step a write stores only its first half and a create/rename/remove does not
    happen; then PowerCut stops the firmware where it stands. ``steps`` counts steps once armed.
    """

    def __init__(self, root: str) -> None:
        super().__init__(root)
        self.cut_at: int | None = None
        self.steps = 0
        self.armed = False

    def arm(self, cut_at: int | None) -> None:
        self.armed, self.cut_at, self.steps = True, cut_at, 0

    def _step(self) -> bool:
        if not self.armed:
            return False
        hit = self.steps == self.cut_at
        self.steps += 1
        return hit

    def create(self, name):
        if self._step():
            raise PowerCut(f"create {name}")
        return super().create(name)

    def write(self, f, data):
        if self._step():
            f.write(bytes(data)[: len(data) // 2])
            f.flush()
            raise PowerCut("write")
        super().write(f, data)

    def rename(self, old, new):
        if self._step():
            raise PowerCut(f"rename {old}")
        super().rename(old, new)

    def remove(self, name):
        if self._step():
            raise PowerCut(f"remove {name}")
        super().remove(name)


class Machine:
    """What the firmware sees as ``machine``: Pin, ADC, PWM, UART, WDT, I2C, reset, and the clock."""

    PWRON_RESET, HARD_RESET, WDT_RESET, SOFT_RESET = 1, 2, 3, 5

    def __init__(self, vboard: VirtualBoard) -> None:
        self.vb = vboard
        self.cause = self.PWRON_RESET
        m = self

        class Pin:
            IN, OUT, PULL_UP = 0, 1, 2
            IRQ_FALLING, IRQ_RISING = 4, 8

            def irq(self, handler=None, trigger=4, hard=False):
                m.vb.pulse_irq(self, handler, trigger)

            def __init__(self, n, mode=-1, pull=None, value=None):
                self.n = n
                if value is not None:
                    m.vb.pin_written(n, value)

            def value(self, v=None):
                if v is None:
                    return m.vb.world_digital(self.n)
                m.vb.pin_written(self.n, 1 if v else 0)
                return None

        class ADC:
            def __init__(self, pin):
                self.n = pin.n

            def read_u16(self):
                return m.vb.world_analog(self.n)

        class PWM:
            def __init__(self, pin):
                self.n = pin.n

            def freq(self, hz):
                self.hz = hz

            def duty_u16(self, duty):
                m.vb.pin_written(self.n, duty / 65535)

            def duty_ns(self, ns):  # a servo's pulse (50 Hz): the model records its width
                m.vb.pulse_written(self.n, ns // 1000, self.hz)

        class UART:
            def __init__(self, uart_id, baud=115200):
                pass

            def any(self):
                return 1 if select.select([m.vb.master], [], [], 0)[0] else 0

            def readinto(self, buf):
                try:
                    data = os.read(m.vb.master, len(buf))
                except (BlockingIOError, OSError):
                    return 0
                buf[: len(data)] = data
                return len(data)

            def write(self, data):
                if m.vb.flat_out:  # a run flat out waits for a host that reads (up to 2 s)
                    select.select([], [m.vb.master], [], HOST_GONE_S)
                try:
                    os.write(m.vb.master, bytes(data))
                except (BlockingIOError, OSError):
                    pass  # nobody reading: the bytes are lost, as on a real line

        class WDT:
            def __init__(self, timeout=4000):
                self.timeout = timeout
                m.vb.wdt = self
                self.fed = m.ticks_ms()

            def feed(self):
                self.fed = m.ticks_ms()

        self.Pin, self.ADC, self.PWM, self.UART, self.WDT = Pin, ADC, PWM, UART, WDT
        self.I2C = machine_i2c(vboard.world, vboard.now_ms, vboard.i2c_made)  # the scenario's I2C chips (i2c_model.py)
        # an HC-SR04's echo, from the world's sonar model (sonar_model.py)
        self.time_pulse_us = lambda pin, level, timeout_us=1_000_000: sonar_time_pulse_us(
            m.vb.world, pin.n, m.vb.now_ms(), level, timeout_us)

    def ticks_ms(self) -> int:
        return self.vb.now_ms()

    @staticmethod
    def ticks_diff(a: int, b: int) -> int:
        return a - b

    def reset_cause(self) -> int:
        return self.cause

    def reset(self) -> None:
        raise PowerCut("machine.reset")

    def unique_id(self) -> bytes:
        return os.urandom(8)


def default_world(board: str) -> Scenario:
    """The plant waterer's world on ``board``: its soil at 37 %, a full tank, on WIRING's pins."""
    soil, float_pin, pump = WIRING[board]
    world = Scenario(board)
    world.line(f"plant soil={soil} float={float_pin} pump={pump} pump_active=low moisture=37 tank_ml=400")
    return world


class VirtualBoard:
    def __init__(self, board: str = "pico", image: bytes | None = None,
                 storage: str | os.PathLike | None = None, speed: float = 1.0,
                 world: Scenario | None = None, reset_cause: str = "power_on",
                 hold: bool = False, without: tuple[str, ...] = ()) -> None:
        """``world`` is what the pins read (default_world without one); ``reset_cause`` is how this
        boot began: "power_on", "watchdog" or "hard"; ``hold`` starts the clock held
        (tendril.sim.clock); ``without`` names modules this port lacks (("dht",): no DHT driver)."""
        self.board_name = board
        self.reset_cause = {"power_on": Machine.PWRON_RESET, "watchdog": Machine.WDT_RESET,
                            "hard": Machine.HARD_RESET}[reset_cause]
        self.board = load_board(board)
        if self.board.firmware != "micropython":
            raise TendrilError(f"{board} is not a MicroPython board")
        self._tmp = None
        if storage is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="tendril-mpy-")
            storage = self._tmp.name
        self.storage = Path(storage)
        self.storage.mkdir(parents=True, exist_ok=True)
        if image is not None:
            validate(image, self.board)  # raises ImageRefused with a clear message
            (self.storage / SLOTS[0]).write_bytes(image)
        self.speed = speed
        self._clock = ClockState(held=hold)
        self._clock_lock = threading.Lock()
        self.clock_answers: queue.Queue[str] = queue.Queue()  # `run` answers, when their time is up
        self._ms = 0.0
        self.flat_out = False  # a `run` is moving the clock flat out
        self.world = world or default_world(board)
        self.without = without
        self.levels: dict[int, float] = {}
        self.pulse_inputs: dict = {}  # pin: (PulseInput, handler) for each Pin.irq (pulse_model.py)
        self.pulses: dict[int, list[tuple[int, int, int]]] = {}  # pin -> (ms, width us, Hz) changes
        self.i2c_made: list[tuple[int, int]] = []  # (ms, Hz) of every machine.I2C the firmware made
        self.files = FaultyFiles(str(self.storage))
        self.alive = False
        self.crash: BaseException | None = None
        self.wdt = None
        self.app: App | None = None
        self.master = self.slave = -1
        self.path = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the world the pins see ---------------------------------------------------------------

    def now_ms(self) -> int:
        return int(self._ms)

    # --- the clock ----------------------------------------------------------------------------------

    def clock_command(self, line: str) -> str | None:
        """One clock command (go, hold, run MS, time): its answer now, or None (a `run`, whose
        answer goes to ``clock_answers`` once its time has passed; or a line that is no command)."""
        with self._clock_lock:
            return self._clock.command(line, self.now_ms())

    def run(self, ms: int, timeout: float = 120.0) -> int:
        """Run ``ms`` board ms flat out, then hold; the board's ms after."""
        self.clock_command(f"run {int(ms)}")
        try:
            return int(self.clock_answers.get(timeout=timeout).split("t=")[1])
        except queue.Empty:
            raise TimeoutError(f"{ms} board ms did not pass") from None

    def _tick(self, real_ms: float) -> bool:
        """Moves the clock after a pass of the loop (``real_ms`` of wall time since the last);
        True when it ran flat out (no pause before the next pass)."""
        with self._clock_lock:
            allowed, answer = self._clock.allowance(self.now_ms())
            flat_out = self._clock.until != FOREVER
        self.flat_out = flat_out and allowed > 0
        if answer is not None:
            self.clock_answers.put(answer)
        step = min(RUN_STEP_MS if flat_out else real_ms * self.speed, allowed)
        if step > 0:
            before = self.now_ms()
            self._ms += step
            self.world.advance(self.now_ms(), self.now_ms() - before, self.pump_on())
            if self.pulse_inputs:
                after = self._ms
                deliver(self.pulse_inputs, int(after * 1000), self._set_ms)
                self._ms = after
        return flat_out and allowed > 0

    def _set_ms(self, ms: float) -> None:
        self._ms = ms

    def pulse_irq(self, pin, handler, trigger) -> None:
        """Pin.irq: ``handler(pin)`` at each fall of the world's pulse source on the pin (falls only:
        what the pulse driver asks for); None removes it."""
        if handler is None or not trigger & pin.IRQ_FALLING:
            self.pulse_inputs.pop(pin.n, None)
            return
        self.pulse_inputs[pin.n] = (PulseInput(self.world, pin.n, int(self._ms * 1000)), lambda: handler(pin))

    def world_analog(self, pin: int) -> int:
        """ADC.read_u16: the scenario's reading in the board's counts, left-aligned in 16 bits."""
        found = self.world.inputs().get(pin)
        if found is None or found[1]:
            return 0
        return self.world.read(pin, self.now_ms()) << (16 - self.board.adc_bits)

    def world_digital(self, pin: int) -> int:
        found = self.world.inputs().get(pin)
        if found is not None and found[1]:
            return self.world.read(pin, self.now_ms())
        return 1 if self.levels.get(pin, 0) else 0

    def pin_written(self, pin: int, level: float) -> None:
        self.levels[pin] = level

    def pulse_written(self, pin: int, width_us: int, hz: int) -> None:
        """A pulse train on ``pin`` (a servo's): (board ms, width us, frequency) when it changes."""
        trains = self.pulses.setdefault(pin, [])
        if not trains or trains[-1][1:] != (width_us, hz):
            trains.append((self.now_ms(), width_us, hz))
        self.levels[pin] = width_us * hz / 1_000_000

    def pump_on(self) -> bool:
        """The scenario's pump pin is driven to its active level (a PWM duty above 0 is HIGH)."""
        pump = self.world.pump()
        if pump is None or pump[0] not in self.levels:
            return False
        level = self.levels[pump[0]]
        return level > 0 if pump[1] else level == 0

    # --- running --------------------------------------------------------------------------------

    def start(self) -> str:
        """Open the pty, boot the firmware in a thread; return the pty path once HELLO is out."""
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        self.path = os.ttyname(self.slave)
        self._ms = 0.0
        self._stop.clear()
        booted = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(booted,), daemon=True,
                                        name=f"mpy-board-{self.board_name}")
        self._thread.start()
        booted.wait(5)
        if self.crash is not None and not isinstance(self.crash, PowerCut):
            raise TendrilError(f"virtual board crashed at boot: {self.crash!r}")
        return self.path

    def _run(self, booted: threading.Event) -> None:
        machine = Machine(self)
        machine.cause = self.reset_cause
        models = {**onewire_modules(self.world, self.now_ms), "dht": dht_module(self.world, self.now_ms)}
        hal = Hal(self.board.adc_bits, machine=machine, uart=0,
                  modules={name: None if name in self.without else m for name, m in models.items()})
        self.alive = True
        try:
            self.app = App(self.board_name, hal=hal, files=self.files, simulated=True)
            self.app.boot()
            booted.set()
            last = time.monotonic()
            while not self._stop.is_set():
                self.app.poll()
                real = time.monotonic()
                flat_out = self._tick((real - last) * 1000)
                last = real
                if self.wdt is not None and self.now_ms() - self.wdt.fed > self.wdt.timeout:
                    raise PowerCut("watchdog")
                if not flat_out:
                    time.sleep(0.0005)
        except BaseException as exc:  # noqa: BLE001 - a power cut or a firmware crash ends the board
            self.crash = exc
        finally:
            self.alive = False
            booted.set()

    def power_cut(self) -> None:
        """Stop the firmware where it stands (no shutdown code runs)."""
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        for fd in (self.master, self.slave):
            if fd >= 0:
                os.close(fd)
        self.master = self.slave = -1

    def close(self) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()


def plant_waterer_image(board: str = "pico") -> bytes:
    """The plant-waterer recipe of tendril.sim.story, wired for a MicroPython board (see WIRING)."""
    b = load_board(board)
    soil, float_pin, pump = WIRING[board]
    shift = b.adc_bits - ADC_BITS  # the plant's sensor speaks 10-bit counts of the reference
    gain, offset = two_point(800 << shift, 0, 350 << shift, 100_000)
    img = decode(uno_plant_waterer_image())
    channels = (dataclasses.replace(img.channels[0], pin=soil, gain=gain, offset=offset),
                dataclasses.replace(img.channels[1], pin=float_pin))
    actuators = (dataclasses.replace(img.actuators[0], pin=pump, flags=ActuatorFlag.ACTIVE_LOW),)
    return encode(dataclasses.replace(img, board_class=BoardClass(b.board_class),
                                      channels=channels, actuators=actuators))


def _serve_clock(board: VirtualBoard, fd: int | None) -> None:
    """Until the board stops: clock commands from ``fd`` (one a line), answers on stdout."""
    pending = b""
    while board.alive:
        if fd is None:
            time.sleep(0.2)
            continue
        if select.select([fd], [], [], 0.02)[0]:
            data = os.read(fd, 256)
            if not data:
                fd = None  # whoever held the clock is gone: it stays as it was left
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                answer = board.clock_command(line.decode("ascii", "replace"))
                if answer is not None:
                    print(answer, flush=True)
        while not board.clock_answers.empty():
            print(board.clock_answers.get_nowait(), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tendril.sim.mpy_board",
                                     description="Run the MicroPython firmware as a virtual board on a pty; "
                                                 "prints `port: <path>` first.")
    parser.add_argument("image", nargs="?", help="config image file to boot with (default: none)")
    parser.add_argument("--board", default="pico", choices=sorted(WIRING))
    parser.add_argument("--storage", help="directory that keeps the board's files between runs")
    parser.add_argument("--speed", type=float, default=1.0, help="virtual ms per real ms")
    parser.add_argument("--hold", action="store_true",
                        help="start the clock held; take clock commands on stdin (go, hold, run MS, "
                             "time), answers on stdout")
    parser.add_argument("--plant-waterer", action="store_true",
                        help="boot with the plant-waterer recipe for this board")
    parser.add_argument("--scenario", action="append", dest="world", default=[], metavar="FILE",
                        type=lambda path: ("file", path),
                        help="what the inputs read over time (firmware/sim/README.md); default: the "
                             "plant waterer's world on this board's plant-waterer pins")
    parser.add_argument("--set", action="append", dest="world", metavar="LINE",
                        type=lambda line: ("line", line), help="one more scenario line; repeatable")
    args = parser.parse_args(argv)
    try:
        world = None
        for kind, what in args.world:  # in the order given, as tendril-native reads them
            world = world or Scenario(args.board)
            if kind == "file":
                world.load(what)
            else:
                world.line(what)
        image = Path(args.image).read_bytes() if args.image else None
        if args.plant_waterer:
            image = plant_waterer_image(args.board)
        board = VirtualBoard(args.board, image, args.storage, args.speed, world=world, hold=args.hold)
        path = board.start()
    except (OSError, TendrilError) as exc:
        print(f"tendril: {exc}", file=sys.stderr)
        return 1
    print(f"port: {path}", flush=True)
    try:
        _serve_clock(board, sys.stdin.fileno() if args.hold else None)
    except KeyboardInterrupt:
        pass
    finally:
        board.close()
    if board.crash is not None and not isinstance(board.crash, PowerCut):
        print(f"tendril: the firmware stopped: {board.crash!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
