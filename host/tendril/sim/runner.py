"""Start a simulated board, push a config to it over its pty, and hand its port to whoever comes next.

A simulated board is a subprocess started by one of the runtimes of tendril.sim.runtimes (the AVR
firmware in simavr, the core built natively, the MicroPython firmware under CPython); each prints
``port: /dev/pts/N`` as its first stdout line. The push uses the real protocol
(docs/protocol.md, *CONFIG transfer*) with tendril.protocol's codec.
"""

from __future__ import annotations

import select
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from ..contract import CONFIG_CHUNK_MAX, AckDetail, Nack
from ..errors import DeviceError, SimError, TendrilError
from ..image import crc32, recipe_hash, with_generation
from ..image.needs import check_sensor_kinds
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
from .runtimes import (  # noqa: F401 - the names callers have always taken from here
    AVR_BOARDS,
    BOARDS,
    NATIVE,
    PYTHON_BOARDS,
    REGISTRY,
    ROOT,
    RUNTIMES,
    SIMAVR,
    firmware_elf,
    native_runner,
    product_elf,
    runtime,
    simavr_runner,
)
from .world import PlantWiring

IMAGE_SUFFIXES = (".img", ".bin")


def default_eeprom(board: str, runtime_name: str) -> Path:
    """Where a simulated board keeps its EEPROM (or files) between runs, like a real board its own."""
    return runtime(runtime_name).stored_config(board)


@dataclass
class SimSpec:
    """What to run. ``extra`` goes to the runtime's command line as it is (e.g. a power cut)."""

    board: str = "uno"
    runtime: str = "avr"  # a name in tendril.sim.runtimes.REGISTRY
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
        """The command that starts this board: its runtime's (tendril.sim.runtimes)."""
        return runtime(self.runtime).argv(self)


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
    check_sensor_kinds(image, before.sensor_kinds)  # before a byte is sent
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
