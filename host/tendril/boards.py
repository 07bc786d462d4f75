"""Boards as data: the pin tables, image limits and actuator ceilings in ``boards/*.toml``.

The C firmware's board tables are generated from the same files (``tools/contract_gen.py``), so the
host and the device can never disagree about what a pin can do.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import resources
from .contract import BoardClass, PinCap
from .errors import BoardError

_CAP_NAMES = {
    "analog_in": PinCap.ANALOG_IN,
    "digital_in": PinCap.DIGITAL_IN,
    "digital_out": PinCap.DIGITAL_OUT,
    "pwm": PinCap.PWM,
    "reserved": PinCap.RESERVED,
    "no_actuator": PinCap.NO_ACTUATOR,
    "servo": PinCap.SERVO,
    "counter": PinCap.COUNTER,
}


@dataclass(frozen=True)
class Pin:
    name: str
    number: int
    caps: PinCap
    note: str = ""


@dataclass(frozen=True)
class UsbId:
    """A USB VID:PID a board shows up as: the genuine board's or a common clone's serial chip."""

    vid: int
    pid: int
    what: str
    genuine: bool = False

    def __str__(self) -> str:
        return f"{self.vid:04x}:{self.pid:04x}"


@dataclass(frozen=True)
class Board:
    name: str
    title: str
    mcu: str
    board_class: BoardClass
    firmware: str
    adc_bits: int
    max_image: int
    max_channels: int
    max_actuators: int
    max_rules: int
    max_params: int
    min_sample_ms: int
    min_telemetry_ms: int
    ceiling_max_on_ms: int
    ceiling_daily_cap_ms: int
    pins: tuple[Pin, ...]
    extends: str | None = None  # the board file this one starts from
    usb_ids: tuple[UsbId, ...] = ()
    flash_bytes: int = 0
    ram_bytes: int = 0
    eeprom_bytes: int = 0  # 0: the firmware stores its config in a flash file system instead
    adc_vref_mv: int = 5000  # what a full-scale ADC reading means at the pin
    i2c_sda: int | None = None  # the I2C bus's pins ([i2c]), by number; None: no bus
    i2c_scl: int | None = None

    @property
    def pin_caps(self) -> tuple[int, ...]:
        """Capabilities indexed by pin number; pins the board lacks have none."""
        table = [0] * (max(p.number for p in self.pins) + 1)
        for pin in self.pins:
            table[pin.number] = int(pin.caps)
        return tuple(table)

    def pin_named(self, name: str) -> Pin | None:
        for pin in self.pins:
            if pin.name.lower() == name.lower():
                return pin
        return None


def boards_dir() -> Path:
    """Where the board files live: $TENDRIL_BOARDS, else the ones shipped with tendril (boards/)."""
    env = os.environ.get("TENDRIL_BOARDS")
    if env:
        return Path(env)
    return resources.boards()


def _merge(base: dict, over: dict) -> dict:
    """``over`` on top of ``base``: tables merge key by key (so pins merge by name), the rest replaces."""
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _load_data(path: Path, chain: tuple[str, ...] = ()) -> dict:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    parent = data.get("extends")
    if parent is None:
        return data
    if not isinstance(parent, str) or parent in chain or len(chain) > 4:
        raise BoardError(f"{path.name}: extends {parent!r} makes a loop or is not a board name")
    base_path = path.parent / f"{parent}.toml"
    if not base_path.is_file():
        raise BoardError(f"{path.name}: extends unknown board {parent!r}")
    base = _load_data(base_path, chain + (path.stem,))
    base.pop("extends", None)
    base.get("board", {}).pop("usb", None)  # USB IDs are the board's own, never inherited
    return _merge(base, data)


def _usb(spec: dict) -> UsbId:
    vid, pid = (int(part, 16) for part in spec["id"].split(":"))
    return UsbId(vid, pid, spec["what"], bool(spec.get("genuine", False)))


def _i2c_pins(path: Path, spec: dict, pins: list[Pin]) -> tuple[int | None, int | None]:
    """The [i2c] table's sda and scl, by name, as pin numbers; (None, None) without the table."""
    if not spec:
        return None, None
    by_name = {p.name: p.number for p in pins}
    got = []
    for key in ("sda", "scl"):
        if spec.get(key) not in by_name:
            raise BoardError(f"{path.name}: i2c.{key} = {spec.get(key)!r} is not one of its pins")
        got.append(by_name[spec[key]])
    return got[0], got[1]


def _parse(path: Path) -> Board:
    try:
        data = _load_data(path)
        board, limits, ceilings = data["board"], data["limits"], data["ceilings"]
        pins = []
        for name, spec in data["pins"].items():
            if spec.get("absent"):  # a pin of the base board that this one lacks
                continue
            caps = PinCap(0)
            for cap in spec["caps"]:
                if cap not in _CAP_NAMES:
                    raise BoardError(f"{path.name}: pins.{name}: unknown capability {cap!r}")
                caps |= _CAP_NAMES[cap]
            pins.append(Pin(name, int(spec["pin"]), caps, spec.get("note", "")))
        sda, scl = _i2c_pins(path, data.get("i2c", {}), pins)
        return Board(
            name=board["name"],
            title=board["title"],
            mcu=board["mcu"],
            board_class=BoardClass(board["board_class"]),
            firmware=board["firmware"],
            adc_bits=int(board["adc_bits"]),
            max_image=int(limits["max_image"]),
            max_channels=int(limits["channels"]),
            max_actuators=int(limits["actuators"]),
            max_rules=int(limits["rules"]),
            max_params=int(limits["params"]),
            min_sample_ms=int(limits["min_sample_ms"]),
            min_telemetry_ms=int(limits["min_telemetry_ms"]),
            ceiling_max_on_ms=int(ceilings["max_on_ms"]),
            ceiling_daily_cap_ms=int(ceilings["daily_cap_ms"]),
            pins=tuple(sorted(pins, key=lambda p: p.number)),
            extends=data.get("extends"),
            usb_ids=tuple(_usb(u) for u in board.get("usb", ())),
            flash_bytes=int(board.get("flash_bytes", 0)),
            ram_bytes=int(board.get("ram_bytes", 0)),
            eeprom_bytes=int(board.get("eeprom_bytes", 0)),
            adc_vref_mv=int(board.get("adc_vref_mv", 5000)),
            i2c_sda=sda,
            i2c_scl=scl,
        )
    except (KeyError, ValueError, TypeError, AttributeError, tomllib.TOMLDecodeError) as exc:
        raise BoardError(f"{path.name}: malformed board file: {exc}") from exc


@cache
def load_board(name: str) -> Board:
    path = boards_dir() / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(board_names()) or "none"
        raise BoardError(f"unknown board {name!r} (known: {known})")
    return _parse(path)


def board_names() -> list[str]:
    return sorted(p.stem for p in boards_dir().glob("*.toml"))


def board_of_class(board_class: int) -> Board | None:
    """The base board (one that extends no other) of a HELLO's board class, e.g. uno for AVR328."""
    for name in board_names():
        board = load_board(name)
        if int(board.board_class) == int(board_class) and board.extends is None:
            return board
    return None
