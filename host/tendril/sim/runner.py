"""Start a simulated board, push a config to it over its pty, and hand its port to whoever comes next.

A simulated board is a subprocess: firmware/build/sim/tendril-simavr running an AVR .elf (the real
tendril firmware by default), or firmware/build/native/tendril-native (the core built for this
machine). Both print ``port: /dev/pts/N`` as their first stdout line. The push uses the real protocol
(docs/protocol.md, *CONFIG transfer*) with tendril.protocol's codec.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from ..contract import CONFIG_CHUNK_MAX, AckDetail, Nack
from ..errors import DeviceError, SimError, TendrilError
from ..resources import checkout, need_checkout
from ..image import crc32, recipe_hash, with_generation
from ..protocol import (
    Ack,
    ConfigBegin,
    ConfigChunk,
    ConfigCommit,
    Hello,
    NackMsg,
    RequestHello,
)
from .clock import BoardClock
from .link import PtyLink
from .world import PlantWiring

# The avr and native boards are built from the checkout's C sources; an installed tendril has none
# (ROOT None), and only runs the python board (tendril.resources.need_checkout says so).
ROOT = checkout()
BUILD = ROOT / "firmware" / "build" if ROOT else None
SIMAVR = BUILD / "sim" / "tendril-simavr" if BUILD else None
NATIVE = BUILD / "native" / "tendril-native" if BUILD else None
BOARDS = ("uno", "nano", "mega2560", "pico", "esp32-devkit")
RUNTIMES = ("avr", "native", "python")
AVR_BOARDS = ("uno", "nano", "mega2560")
PYTHON_BOARDS = ("pico", "esp32-devkit")
FAST_SPEED = 20.0  # virtual ms per real ms of the python runtime when --fast

SIMAVR_DEBS = "simavr libsimavr-dev libelf-dev"
AVR_DEBS = "gcc-avr avr-libc arduino-core-avr"
IMAGE_SUFFIXES = (".img", ".bin")


def product_elf(board: str) -> Path:
    return need_checkout(f"the AVR firmware for {board}") / "firmware" / "build" / board / "tendril.elf"


def _make(args: list[str], what: str) -> None:
    if not shutil.which("make"):
        raise SimError(f"cannot build {what}: make is missing (sudo apt-get install make gcc)")
    done = subprocess.run(check=False, args=["make", "-s", *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
        raise SimError(f"building {what} failed (make {' '.join(args)}):\n{tail}")


def simavr_runner() -> Path:
    """The tendril-simavr binary, built if needed; SimError saying what to install if it cannot be."""
    need_checkout("the avr runtime (the firmware in simavr)")
    if SIMAVR.exists():
        return SIMAVR
    if not any(Path(p, "simavr", "sim_avr.h").exists() for p in ("/usr/include", "/usr/local/include")):
        raise SimError(f"simavr is not installed: sudo apt-get install {SIMAVR_DEBS}")
    if not shutil.which("gcc"):
        raise SimError("cannot build tendril-simavr: gcc is missing (sudo apt-get install gcc make)")
    _make(["-C", "firmware/sim"], "tendril-simavr")
    return SIMAVR


def firmware_elf(board: str) -> Path:
    """firmware/build/<board>/tendril.elf, built with `make -C firmware BOARD=<board>` if needed."""
    elf = product_elf(board)
    if elf.exists():
        return elf
    if not shutil.which("avr-gcc"):
        raise SimError(f"the AVR toolchain is not installed: sudo apt-get install {AVR_DEBS}")
    _make(["-C", "firmware", f"BOARD={board}"], f"the firmware for {board}")
    if not elf.exists():
        raise SimError(f"make -C firmware BOARD={board} did not produce {elf.relative_to(ROOT)}")
    return elf


def native_runner() -> Path:
    need_checkout("the native runtime (the firmware core built for this computer)")
    if NATIVE.exists():
        return NATIVE
    if not (ROOT / "firmware" / "native" / "Makefile").exists():
        raise SimError("the native simulated board is not built yet: make -C firmware/native")
    _make(["-C", "firmware/native"], "the native simulated board")
    if not NATIVE.exists():
        raise SimError(f"make -C firmware/native did not produce {NATIVE.relative_to(ROOT)}")
    return NATIVE


def default_eeprom(board: str, runtime: str) -> Path:
    """Where a simulated board keeps its EEPROM between runs, like a real board keeps its own."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    if runtime == "python":  # a MicroPython board keeps its config as files in a folder
        return cache / "tendril" / "sim" / f"{board}-{runtime}"
    return cache / "tendril" / "sim" / f"{board}-{runtime}.eeprom"


@dataclass
class SimSpec:
    """What to run. ``extra`` goes to the runtime's command line as it is (e.g. a power cut)."""

    board: str = "uno"
    runtime: str = "avr"
    elf: Path | None = None
    scenario: Path | None = None
    realtime: bool = True
    speed: float = 1.0  # with realtime: board ms per real ms
    eeprom: Path | None = None
    events: Path | None = None
    hold: bool = False  # start with the clock held; SimBoard.clock moves it (tendril.sim.clock)
    plant: PlantWiring | None = None  # the plant model on these pins (tendril.sim.world)
    extra: list[str] = field(default_factory=list)

    def argv(self) -> list[str]:
        if self.board not in BOARDS:
            raise SimError(f"unknown board {self.board!r} (one of {', '.join(BOARDS)})")
        if self.runtime == "python":
            return self._python_argv()
        if self.board not in AVR_BOARDS:
            raise SimError(f"{self.board} runs MicroPython: simulate it with --runtime python")
        if self.runtime == "native":
            if self.elf:
                raise SimError("--elf runs an AVR program: it needs --runtime avr")
            argv = [str(native_runner())]
        elif self.runtime == "avr":
            argv = [str(simavr_runner())]
        else:
            raise SimError(f"unknown runtime {self.runtime!r} (avr or native)")
        argv += ["--realtime" if self.realtime else "--fast"]
        if self.realtime and self.speed != 1.0:
            argv += ["--speed", f"{self.speed:g}"]
        if self.runtime == "avr":
            # tendril-native is built for one board (make -C firmware/native BOARD=...) and takes
            # no --board: its HELLO says which, and it refuses an image for another board.
            argv += ["--board", self.board]
        if self.eeprom is not None:
            argv += ["--eeprom", str(self.eeprom)]
        if self.scenario is not None:
            # Both runtimes read the format of firmware/sim/README.md (one parser, sim_scenario.c).
            argv += ["--scenario", str(self.scenario)]
        if self.plant is not None:
            argv += ["--set", self.plant.scenario_line()]
        if self.events is not None:
            if self.runtime != "avr":
                raise SimError("an events file is an avr runtime option (tendril-native reports on stderr)")
            argv += ["--events", str(self.events)]
        if self.hold:
            argv.append("--hold")
        argv += self.extra
        if self.runtime == "avr":
            elf = Path(self.elf) if self.elf else firmware_elf(self.board)
            if not elf.exists():
                raise SimError(f"no such program: {elf}")
            argv.append(str(elf))
        return argv


    def _python_argv(self) -> list[str]:
        """The MicroPython firmware under CPython (tendril.sim.mpy_board): the board of last resort."""
        if self.board not in PYTHON_BOARDS:
            raise SimError(f"--runtime python runs the MicroPython firmware: use --board "
                           f"{' or '.join(PYTHON_BOARDS)}")
        if self.elf or self.scenario or self.events:
            raise SimError("--elf, --scenario and events files are avr/native runtime options")
        argv = [sys.executable, "-m", "tendril.sim.mpy_board", "--board", self.board,
                "--speed", f"{self.speed:g}" if self.realtime else str(FAST_SPEED)]
        if self.eeprom is not None:  # the board's flash: a folder of files
            argv += ["--storage", str(self.eeprom)]
        if self.hold:
            argv.append("--hold")
        if self.plant is not None:
            argv += self.plant.mpy_args()
        return argv + self.extra


class SimBoard:
    """A running simulated board. ``port`` is its serial port; ``stop()`` powers it off cleanly.
    Started with ``spec.hold``, ``clock`` moves its clock (tendril.sim.clock.BoardClock)."""

    def __init__(self, spec: SimSpec, start_timeout: float = 10.0, stderr=None) -> None:
        self.spec = spec
        if spec.eeprom is not None:
            Path(spec.eeprom).parent.mkdir(parents=True, exist_ok=True)
        argv = spec.argv()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                     stdin=subprocess.PIPE if spec.hold else subprocess.DEVNULL,
                                     start_new_session=False)
        self.port = self._read_port(start_timeout)
        self.clock = BoardClock(self.proc) if spec.hold else None

    def _read_port(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if ready:
                line = self.proc.stdout.readline()
                if line.startswith("port: "):
                    return line[len("port: "):].strip()
                if line:
                    continue
            if self.proc.poll() is not None:
                raise SimError(f"the simulated board exited at start (status {self.proc.returncode})")
        self.stop()
        raise SimError("the simulated board did not say which port it is on")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 5.0) -> int:
        """SIGINT (the runtime saves its EEPROM and exits), then SIGKILL if it does not go."""
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout and self.clock is None:  # else the clock's reader closes it at EOF
            self.proc.stdout.close()
        return self.proc.returncode

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def hello(link: PtyLink, timeout: float = 5.0) -> Hello:
    """Ask for HELLO until the board answers: bytes it sent before we opened the port are gone."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            reply = link.request(RequestHello(), timeout=0.5, tries=1)
        except TendrilError:
            if time.monotonic() > deadline:
                raise
            continue
        if not isinstance(reply, Hello):
            raise SimError(f"the board answered HELLO with {type(reply).__name__}")
        return reply


def _expect_ack(reply, what: str) -> Ack:
    if isinstance(reply, NackMsg):
        code = Nack(reply.code) if reply.code in Nack._value2member_map_ else reply.code
        raise DeviceError(code, reply.detail, f"the board refused {what}: "
                          f"{getattr(code, 'name', code)} (detail {reply.detail})")
    if not isinstance(reply, Ack):
        raise SimError(f"the board answered {what} with {type(reply).__name__}")
    return reply


def push_image(link: PtyLink, image: bytes, timeout: float = 2.0) -> Hello:
    """Push a compiled image (generation = the board's + 1) and check HELLO's recipe hash after."""
    before = hello(link)
    if len(image) > before.max_image:
        raise SimError(f"the image is {len(image)} bytes; this board takes at most {before.max_image}")
    data = with_generation(image, (before.config_generation + 1) & 0xFFFFFFFF)
    crc = crc32(data)  # what the header holds
    begin = ConfigBegin(len(data), crc, recipe_hash(data), (before.config_generation + 1) & 0xFFFFFFFF)
    ack = _expect_ack(link.request(begin, timeout), "CONFIG_BEGIN")
    if ack.detail != AckDetail.ALREADY_ACTIVE:
        for offset in range(0, len(data), CONFIG_CHUNK_MAX):
            chunk = ConfigChunk(offset, data[offset:offset + CONFIG_CHUNK_MAX])
            _expect_ack(link.request(chunk, timeout), f"CONFIG_CHUNK at {offset}")
        _expect_ack(link.request(ConfigCommit(), timeout), "CONFIG_COMMIT")
    after = hello(link)
    if after.recipe_hash != recipe_hash(data):
        raise SimError(f"after the push the board runs recipe {after.recipe_hash.hex()}, "
                       f"not {recipe_hash(data).hex()}")
    return after


def load_config(path: Path, board: str) -> bytes:
    """A compiled image (.img/.bin) as it is, or a recipe (.toml) compiled by tendril.recipes."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SimError(f"cannot read {path}: {exc.strerror}") from exc
    if path.suffix in IMAGE_SUFFIXES:
        return raw
    if path.suffix == ".toml":
        from ..boards import load_board
        from ..recipes import compile_recipe

        return compile_recipe(raw, load_board(board), file=str(path))
    raise SimError(f"{path}: a config is a recipe (.toml) or a compiled image (.img, .bin)")
