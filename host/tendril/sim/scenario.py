"""The simulated world of every simulated board: a scenario (firmware/sim/README.md, "Scenario
files") evaluated by the C model of firmware/sim/sim_scenario.c, loaded through ctypes.

tendril-simavr and tendril-native link that C; the MicroPython virtual board (tendril.sim.mpy_board)
and the host's own plant runs (tendril.sim.plant) load it as a shared library, so one parser, one
plant and one noise generator serve all of them:

    world = Scenario("pico")
    world.load("firmware/sim/scenarios/plant-waterer.scn")   # or world.line("adc 26 512")
    world.read(26, now_ms)          # what pin 26 reads at now_ms, in the board's ADC counts
    world.advance(now_ms, ms, pump_on)

Where the library comes from: in a checkout, `make -C firmware/sim world` builds
firmware/build/sim/libtendril-world.so on first use (and again when the C changes); an installed
tendril has it in the package, built from the same files when its wheel was built (setup.py).
"""

from __future__ import annotations

import ctypes
import importlib.machinery
import os
import shutil
from functools import cache
from importlib.resources import files
from pathlib import Path

from ..boards import Board, load_board
from ..contract import PinCap
from ..errors import SimError
from ..resources import checkout
from .build import make

LIB_NAME = "libtendril-world.so"
ADC_BITS = 10  # SCN_ADC_BITS: a scenario's ADC values are 10-bit counts of the board's reference
ERR_MAX = 300


class _Pin(ctypes.Structure):  # sim_pin_t (sim_board.h); sizes cross-checked with the C at load
    _fields_ = [("port", ctypes.c_char), ("bit", ctypes.c_uint8), ("adc", ctypes.c_int8)]


class _Board(ctypes.Structure):  # sim_board_t (sim_board.h)
    _fields_ = [("name", ctypes.c_char_p), ("mcu", ctypes.c_char_p), ("eeprom_size", ctypes.c_uint16),
                ("n_pins", ctypes.c_uint8), ("first_analog", ctypes.c_uint8),
                ("pins", ctypes.POINTER(_Pin)), ("pwm", ctypes.c_void_p), ("n_pwm", ctypes.c_uint8),
                ("names", ctypes.POINTER(ctypes.c_char_p))]


def _library_path() -> Path:
    root = checkout()
    if root is not None:
        lib = root / "firmware" / "build" / "sim" / LIB_NAME
        if shutil.which("make") and (shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")):
            make(["-C", "firmware/sim", "world"], "the simulated world (firmware/sim/sim_world.c)")
        elif not lib.exists():
            raise SimError("cannot build the simulated world (firmware/sim/sim_scenario.c): a C compiler "
                           "and make are missing (sudo apt-get install gcc make)")
        return lib
    here = files(__package__)  # tendril.sim, installed as files (tendril.resources checks that)
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        if here.joinpath(f"_world{suffix}").is_file():
            return Path(str(here.joinpath(f"_world{suffix}")))
    raise SimError("this tendril was installed without its simulated world (tendril/sim/_world): "
                   "install it again where a C compiler is present (docs/install.md)")


@cache
def library() -> ctypes.CDLL:
    """The C model, loaded once a process."""
    lib = ctypes.CDLL(str(_library_path()))
    c_p, c_int, c_dbl, c_u32 = ctypes.c_void_p, ctypes.c_int, ctypes.c_double, ctypes.c_uint32
    out_int = ctypes.POINTER(c_int)
    for name, res, args in (
        ("sim_world_size", ctypes.c_size_t, []),
        ("sim_board_find", c_p, [ctypes.c_char_p]),
        ("sim_world_line", c_int, [c_p, c_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]),
        ("sim_scenario_load", c_int, [c_p, c_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]),
        ("sim_world_inputs", c_int, [c_p]),
        ("sim_world_input", c_int, [c_p, c_int, out_int]),
        ("sim_world_pump", c_int, [c_p, out_int]),
        ("sim_world_has_plant", c_int, [c_p]),
        ("sim_world_moisture", c_dbl, [c_p]),
        ("sim_world_tank_ml", c_dbl, [c_p]),
        ("sim_world_tank_empty", c_int, [c_p]),
        ("sim_world_refill", None, [c_p, c_dbl]),
        ("sim_scenario_counts", ctypes.c_int32, [c_p, ctypes.c_uint8, c_u32, ctypes.c_uint8]),
        ("sim_scenario_advance", c_int, [c_p, ctypes.c_uint64, c_dbl, c_int]),
        # DS18B20 probes at the pin level (sim_onewire.c; tendril.sim.onewire_model)
        ("sim_world_bus_size", ctypes.c_size_t, []),
        ("sim_world_bus_init", c_int, [c_p, c_p, c_int]),
        ("sim_world_bus_update", None, [c_p, c_p, c_u32]),
        ("ow_master_low", None, [c_p, ctypes.c_uint64]),
        ("ow_master_release", None, [c_p, ctypes.c_uint64]),
        ("ow_level", c_int, [c_p, ctypes.c_uint64]),
    ):
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    return lib


class _OwnBoard:
    """A sim_board_t built from a board file, for boards the C has no table for (pico, esp32-devkit):
    pins by number or by the file's names ("GP26"), analog where the file says analog_in."""

    def __init__(self, board: Board) -> None:
        n = max(p.number for p in board.pins) + 1
        self.pins = (_Pin * n)()
        self.names = (ctypes.c_char_p * n)()
        for p in board.pins:
            digital = p.caps & (PinCap.DIGITAL_IN | PinCap.DIGITAL_OUT)
            self.pins[p.number] = _Pin(b"P" if digital else b"\0", 0,
                                       p.number if p.caps & PinCap.ANALOG_IN else -1)
            self.names[p.number] = p.name.encode()
        self.struct = _Board(board.name.encode(), None, 0, n, n, self.pins, None, 0, self.names)


class Scenario:
    """One board's world: inputs over time and the plant, as firmware/sim/sim_scenario.c has them.
    ``board`` names the board file: its pins name the scenario's pins and its adc_bits scale the
    readings (a scenario's ADC values are 10-bit counts of the reference on every board)."""

    def __init__(self, board: str | Board = "uno") -> None:
        self.board = board if isinstance(board, Board) else load_board(board)
        self._lib = library()
        self._buf = ctypes.create_string_buffer(self._lib.sim_world_size())
        self._s = ctypes.cast(self._buf, ctypes.c_void_p)
        found = self._lib.sim_board_find(self.board.name.encode())
        self._own = None if found else _OwnBoard(self.board)
        self._b = found or ctypes.cast(ctypes.pointer(self._own.struct), ctypes.c_void_p)
        self._pins: dict[int, tuple[int, bool]] | None = None

    @property
    def pointer(self) -> ctypes.c_void_p:
        """The C world (sim_scenario_t *), for the models that read it (tendril.sim.onewire_model)."""
        return self._s

    def line(self, text: str) -> None:
        """One scenario line (`plant soil=A0 ...`); SimError saying why it is wrong."""
        err = ctypes.create_string_buffer(ERR_MAX)
        if self._lib.sim_world_line(self._s, self._b, text.encode(), err, ERR_MAX) < 0:
            raise SimError(f"{text}: {err.value.decode()}")
        self._pins = None

    def load(self, path: str | os.PathLike) -> None:
        """A scenario file; SimError "file:line: why" if it is wrong."""
        err = ctypes.create_string_buffer(ERR_MAX)
        if self._lib.sim_scenario_load(self._s, self._b, os.fsencode(path), err, ERR_MAX) < 0:
            raise SimError(err.value.decode())
        self._pins = None

    def inputs(self) -> dict[int, tuple[int, bool]]:
        """pin -> (input index, digital) for every pin the scenario drives."""
        if self._pins is None:
            digital = ctypes.c_int()
            self._pins = {}
            for i in range(self._lib.sim_world_inputs(self._s)):
                pin = self._lib.sim_world_input(self._s, i, ctypes.byref(digital))
                self._pins[pin] = (i, bool(digital.value))
        return self._pins

    def read(self, pin: int, now_ms: int) -> int | None:
        """What ``pin`` reads at ``now_ms``: ADC counts at the board's adc_bits, or a level; None
        when the scenario does not drive it."""
        found = self.inputs().get(pin)
        if found is None:
            return None
        return self._lib.sim_scenario_counts(self._s, found[0], now_ms & 0xFFFFFFFF, self.board.adc_bits)

    def advance(self, now_ms: int, ms: float, pump_on: bool) -> bool:
        """The world lives ``ms`` up to ``now_ms``; True when the scenario's refill came now."""
        return bool(self._lib.sim_scenario_advance(self._s, now_ms, ms, int(pump_on)))

    def pump(self) -> tuple[int, bool] | None:
        """The plant's pump pin and whether it runs while HIGH; None with no plant or no pump."""
        high = ctypes.c_int()
        pin = self._lib.sim_world_pump(self._s, ctypes.byref(high))
        return None if pin < 0 else (pin, bool(high.value))

    @property
    def has_plant(self) -> bool:
        return bool(self._lib.sim_world_has_plant(self._s))

    @property
    def moisture(self) -> float:
        return self._lib.sim_world_moisture(self._s)

    @property
    def tank_ml(self) -> float:
        return self._lib.sim_world_tank_ml(self._s)

    @property
    def tank_empty(self) -> bool:
        return bool(self._lib.sim_world_tank_empty(self._s))

    def refill(self, ml: float) -> None:
        self._lib.sim_world_refill(self._s, ml)
