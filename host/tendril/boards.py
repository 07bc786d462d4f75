"""Boards as data: the pin tables, image limits and actuator ceilings in ``boards/*.toml``.

The C firmware's board tables are generated from the same files (``tendril.contract_gen``), so the
host and the device can never disagree about what a pin can do.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .contract import BoardClass, PinCap
from .errors import BoardError

_CAP_NAMES = {
    "analog_in": PinCap.ANALOG_IN,
    "digital_in": PinCap.DIGITAL_IN,
    "digital_out": PinCap.DIGITAL_OUT,
    "pwm": PinCap.PWM,
    "reserved": PinCap.RESERVED,
    "no_actuator": PinCap.NO_ACTUATOR,
}


@dataclass(frozen=True)
class Pin:
    name: str
    number: int
    caps: PinCap
    note: str = ""


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
    """Where the board files live: $TENDRIL_BOARDS, else the source tree's boards/."""
    env = os.environ.get("TENDRIL_BOARDS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "boards"


def _parse(path: Path) -> Board:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        board, limits, ceilings = data["board"], data["limits"], data["ceilings"]
        pins = []
        for name, spec in data["pins"].items():
            caps = PinCap(0)
            for cap in spec["caps"]:
                if cap not in _CAP_NAMES:
                    raise BoardError(f"{path.name}: pins.{name}: unknown capability {cap!r}")
                caps |= _CAP_NAMES[cap]
            pins.append(Pin(name, int(spec["pin"]), caps, spec.get("note", "")))
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
        )
    except (KeyError, ValueError, TypeError, tomllib.TOMLDecodeError) as exc:
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
