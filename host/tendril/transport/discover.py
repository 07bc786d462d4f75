"""Every serial port on this machine and the board it probably is (boards/*.toml ``usb_ids``)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

BY_ID = Path("/dev/serial/by-id")


@dataclass
class PortInfo:
    path: str
    by_id: str | None = None
    vid_pid: str | None = None
    serial_number: str | None = None
    description: str = ""
    boards: tuple[str, ...] = ()  # boards whose USB ids match (genuine first)
    usb_what: str = ""  # the chip or board the matching usb id names
    tendril: dict | None = None  # what its HELLO says, when probed

    def as_dict(self) -> dict:
        return asdict(self)


def by_id_names(directory: Path = BY_ID) -> dict[str, str]:
    """Resolved device path -> its /dev/serial/by-id link."""
    out: dict[str, str] = {}
    try:
        entries = list(directory.iterdir())
    except OSError:
        return out
    for link in entries:
        try:
            out[os.path.realpath(link)] = str(link)
        except OSError:
            continue
    return out


def match_boards(vid: int | None, pid: int | None) -> tuple[tuple[str, ...], str]:
    """Boards whose usb_ids hold vid:pid (genuine matches first), and what that id is."""
    if vid is None or pid is None:
        return (), ""
    from ..boards import board_names, load_board

    genuine, clones, what = [], [], ""
    for name in board_names():
        for usb in load_board(name).usb_ids:
            if usb.vid == vid and usb.pid == pid:
                (genuine if usb.genuine else clones).append(name)
                what = what or usb.what
                break
    return tuple(genuine + clones), what


def list_ports() -> list[PortInfo]:
    from serial.tools import list_ports as lp

    ids = by_id_names()
    out = []
    for p in sorted(lp.comports(), key=lambda p: p.device):
        boards, what = match_boards(p.vid, p.pid)
        out.append(PortInfo(
            path=p.device,
            by_id=ids.get(os.path.realpath(p.device)),
            vid_pid=f"{p.vid:04x}:{p.pid:04x}" if p.vid is not None else None,
            serial_number=p.serial_number,
            description=p.description if p.description != "n/a" else "",
            boards=boards,
            usb_what=what,
        ))
    return out
