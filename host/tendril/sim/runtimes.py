"""The kinds of simulated board ("runtimes"): one small interface that each implements, and the
registry the CLI and the demo pick from.

    avr     the real AVR firmware (.elf) on simavr (firmware/sim, tendril-simavr)
    native  the firmware core built for this computer (firmware/native, tendril-native)
    python  the MicroPython firmware under CPython (tendril.sim.mpy_board)

A runtime says how to build what it runs, the command that starts a board, where a board keeps its
config between runs, and what it can do (``Capabilities``). All three print ``port: /dev/pts/N``
first, take ``--hold`` and the clock commands of tendril.sim.clock, and live in the world of a
scenario file (firmware/sim/README.md) evaluated by the one C model (sim_scenario.c).
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SimError
from ..resources import checkout, need_checkout
from .build import make

if TYPE_CHECKING:
    from .runner import SimSpec

ROOT = checkout()
BUILD = ROOT / "firmware" / "build" if ROOT else None
SIMAVR = BUILD / "sim" / "tendril-simavr" if BUILD else None
NATIVE = BUILD / "native" / "tendril-native" if BUILD else None  # the Uno's; others tendril-native-<board>
BOARDS = ("uno", "nano", "mega2560", "pico", "esp32-devkit")
AVR_BOARDS = ("uno", "nano", "mega2560")
PYTHON_BOARDS = ("pico", "esp32-devkit")
FAST_SPEED = 20.0  # virtual ms per real ms of the python runtime when --fast

SIMAVR_DEBS = "simavr libsimavr-dev libelf-dev"
AVR_DEBS = "gcc-avr avr-libc arduino-core-avr"


@dataclass(frozen=True)
class Capabilities:
    """What a runtime can do, for people (``tendril sim --help``, ``tendril doctor``) and for code."""

    real_binary: bool  # runs the very program a real board runs
    any_program: bool  # runs any AVR program (--elf), not only tendril's firmware
    scenarios: bool  # its inputs follow a scenario file
    hold: bool  # its clock can be held and stepped (tendril.sim.clock)
    events_file: bool  # writes its events to a file (--events)
    keeps_config: str  # how a board keeps its config between runs
    needs_checkout: bool  # built from the C sources of a tendril checkout

    def words(self) -> str:
        out = ["the real firmware binary" if self.real_binary else "the firmware's own code"]
        out += ["any AVR program"] * self.any_program + ["scenario files"] * self.scenarios
        out += ["held clock"] * self.hold + ["events file"] * self.events_file
        out += [f"config kept in {self.keeps_config}"]
        out += ["needs a checkout and a compiler"] * self.needs_checkout
        return ", ".join(out)


class Runtime:
    """One kind of simulated board."""

    name: str
    title: str  # for people: what runs, on what
    boards: tuple[str, ...]
    caps: Capabilities
    engine: str = "it"  # what runs the board, in a sentence ("simavr")
    default_for: tuple[str, ...] = ()  # the boards `tendril sim` runs on this runtime unless told
    max_speed: float = 100.0  # board ms per real ms it can keep up with when paced

    def built(self, board: str) -> bool:
        """True when ``build`` has nothing to do (a caller can say "building, once" otherwise)."""
        return True

    def build(self, board: str) -> None:
        """Build what runs ``board``; SimError saying what to install when it cannot be built."""

    def argv(self, spec: SimSpec) -> list[str]:
        raise NotImplementedError

    def stored_config(self, board: str) -> Path:
        """Where a board of this runtime keeps its config between runs, like a real board its own."""
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        return cache / "tendril" / "sim" / f"{board}-{self.name}.eeprom"

    def check(self, spec: SimSpec) -> None:
        if spec.board not in BOARDS:
            raise SimError(f"unknown board {spec.board!r} (one of {', '.join(BOARDS)})")
        if spec.board not in self.boards:
            others = [r.name for r in REGISTRY.values() if spec.board in r.boards]
            raise SimError(f"the {self.name} runtime simulates {', '.join(self.boards)}: simulate "
                           f"{spec.board} with --runtime {' or '.join(others)}")
        if spec.elf and not self.caps.any_program:
            raise SimError("--elf runs an AVR program: it needs --runtime avr")
        if spec.events and not self.caps.events_file:
            raise SimError(f"an events file is an avr runtime option (the {self.name} board reports on stderr)")


class _CRuntime(Runtime):
    """A C program that takes the options of firmware/sim/README.md (tendril-simavr, tendril-native)."""

    def binary(self, board: str) -> Path:
        raise NotImplementedError

    def argv(self, spec: SimSpec) -> list[str]:
        self.check(spec)
        self.build(spec.board)
        argv = [str(self.binary(spec.board)), "--realtime" if spec.realtime else "--fast"]
        if spec.realtime and spec.speed != 1.0:
            argv += ["--speed", f"{spec.speed:g}"]
        argv += self.board_args(spec.board)
        if spec.eeprom is not None:
            argv += ["--eeprom", str(spec.eeprom)]
        if spec.scenario is not None:
            argv += ["--scenario", str(spec.scenario)]
        if spec.plant is not None:
            argv += ["--set", spec.plant.scenario_line()]
        if spec.events is not None:
            argv += ["--events", str(spec.events)]
        if spec.hold:
            argv.append("--hold")
        return argv + spec.extra + self.program_args(spec)

    def board_args(self, board: str) -> list[str]:
        return []

    def program_args(self, spec: SimSpec) -> list[str]:
        return []


class AvrRuntime(_CRuntime):
    name = "avr"
    title = "the real tendril firmware (firmware/build/{board}/tendril.elf) in simavr"
    boards = default_for = AVR_BOARDS
    caps = Capabilities(real_binary=True, any_program=True, scenarios=True, hold=True, events_file=True,
                        keeps_config="an EEPROM file", needs_checkout=True)
    engine = "simavr"
    # simavr runs the firmware at 3.3-5x real time on a 2-core machine (docs/benchmarks.md)
    max_speed = 3.0

    def binary(self, board: str) -> Path:
        return SIMAVR

    def built(self, board: str) -> bool:
        return ROOT is not None and SIMAVR.exists() and product_elf(board).exists()

    def build(self, board: str) -> None:
        simavr_runner()
        firmware_elf(board)

    def board_args(self, board: str) -> list[str]:
        return ["--board", board]

    def program_args(self, spec: SimSpec) -> list[str]:
        elf = Path(spec.elf) if spec.elf else product_elf(spec.board)  # build() made it
        if not elf.exists():
            raise SimError(f"no such program: {elf}")
        return [str(elf)]


class NativeRuntime(_CRuntime):
    name = "native"
    title = "the tendril firmware core built for this computer (tendril-native)"
    boards = BOARDS
    caps = Capabilities(real_binary=False, any_program=False, scenarios=True, hold=True, events_file=False,
                        keeps_config="an EEPROM file", needs_checkout=True)

    def binary(self, board: str) -> Path:
        # one binary a board (make -C firmware/native BOARD=...): its HELLO says which board it is
        return NATIVE if board == "uno" else NATIVE.with_name(f"tendril-native-{board}")

    def built(self, board: str) -> bool:
        return ROOT is not None and self.binary(board).exists()

    def build(self, board: str) -> None:
        need_checkout("the native runtime (the firmware core built for this computer)")
        # always through make, which rebuilds only what changed: a binary older than the C sources
        # it was built from would simulate a firmware that no longer exists
        make(["-C", "firmware/native", f"BOARD={board}"], f"the native simulated {board}")
        if not self.binary(board).exists():
            raise SimError(f"make -C firmware/native BOARD={board} did not produce "
                           f"{self.binary(board).relative_to(ROOT)}")


class PythonRuntime(Runtime):
    name = "python"
    title = "the MicroPython tendril firmware under CPython"
    boards = default_for = PYTHON_BOARDS
    caps = Capabilities(real_binary=False, any_program=False, scenarios=True, hold=True, events_file=False,
                        keeps_config="a folder of files", needs_checkout=False)

    def build(self, board: str) -> None:
        from .scenario import library

        library()  # the C model its world runs on (built in a checkout, shipped in a wheel)

    def stored_config(self, board: str) -> Path:  # a MicroPython board keeps its config as files
        return super().stored_config(board).with_suffix("")

    def argv(self, spec: SimSpec) -> list[str]:
        self.check(spec)
        argv = [sys.executable, "-m", "tendril.sim.mpy_board", "--board", spec.board,
                "--speed", f"{spec.speed:g}" if spec.realtime else str(FAST_SPEED)]
        if spec.eeprom is not None:  # the board's flash: a folder of files
            argv += ["--storage", str(spec.eeprom)]
        if spec.scenario is not None:
            argv += ["--scenario", str(spec.scenario)]
        if spec.plant is not None:
            argv += ["--set", spec.plant.scenario_line()]
        if spec.hold:
            argv.append("--hold")
        return argv + spec.extra


REGISTRY: dict[str, Runtime] = {r.name: r for r in (AvrRuntime(), NativeRuntime(), PythonRuntime())}
RUNTIMES = tuple(REGISTRY)  # the order `tendril demo` tries them in


def runtime(name: str) -> Runtime:
    try:
        return REGISTRY[name]
    except KeyError:
        raise SimError(f"unknown runtime {name!r} (one of {', '.join(REGISTRY)})") from None


def default_runtime(board: str) -> str:
    """The runtime `tendril sim` uses for ``board`` when none is asked for: the first that runs it."""
    return next(r.name for r in REGISTRY.values() if board in r.default_for)


def described() -> list[str]:
    """One line a runtime: its name, the boards it runs, what it can do."""
    return [f"{r.name}: {', '.join(r.boards)}; {r.caps.words()}" for r in REGISTRY.values()]


# --- building the C runtimes from a checkout ---------------------------------------------------------

def product_elf(board: str) -> Path:
    return need_checkout(f"the AVR firmware for {board}") / "firmware" / "build" / board / "tendril.elf"


def simavr_runner() -> Path:
    """The tendril-simavr binary, brought up to date with make; SimError saying what to install if
    it cannot be built."""
    need_checkout("the avr runtime (the firmware in simavr)")
    if not any(Path(p, "simavr", "sim_avr.h").exists() for p in ("/usr/include", "/usr/local/include")):
        raise SimError(f"simavr is not installed: sudo apt-get install {SIMAVR_DEBS}")
    if not shutil.which("gcc"):
        raise SimError("cannot build tendril-simavr: gcc is missing (sudo apt-get install gcc make)")
    make(["-C", "firmware/sim"], "tendril-simavr")
    return SIMAVR


def firmware_elf(board: str) -> Path:
    """firmware/build/<board>/tendril.elf, brought up to date with `make -C firmware BOARD=<board>`
    (make rebuilds only what changed, so a run never uses a firmware older than its sources)."""
    elf = product_elf(board)
    if not shutil.which("avr-gcc"):
        raise SimError(f"the AVR toolchain is not installed: sudo apt-get install {AVR_DEBS}")
    make(["-C", "firmware", f"BOARD={board}"], f"the firmware for {board}")
    if not elf.exists():
        raise SimError(f"make -C firmware BOARD={board} did not produce {elf.relative_to(ROOT)}")
    return elf


def native_runner(board: str = "uno") -> Path:
    REGISTRY["native"].build(board)
    return REGISTRY["native"].binary(board)
