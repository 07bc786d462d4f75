"""The shape every source reads: rows of named values, and what open() found."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceRow:
    """Values read at one moment: ``host_time`` (Unix seconds, when the host had the whole line or
    message) and the values by channel name, in the order the board sent them."""

    host_time: float
    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceInfo:
    """What ``open()`` found. ``device_key`` names the board across runs: its USB serial number when
    the port has one, else the port path."""

    kind: str  # "plotter" or "firmata"
    device_key: str
    description: str


def device_key(port: str) -> str:
    """The USB serial number of the device behind ``port`` when pyserial knows one, else the path."""
    import os

    from ..errors import TendrilError
    from ..transport.discover import list_ports

    try:
        real = os.path.realpath(port)
        for info in list_ports():
            if info.serial_number and os.path.realpath(info.path) == real:
                return info.serial_number
    except (OSError, TendrilError):  # discovery is a nicety; the path is always a valid key
        pass
    return port

