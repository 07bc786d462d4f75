"""Which serve (if any) owns the board a command names: the runtime file of a local serve, or a
remote one given by ``--via URL`` / $TENDRIL_SERVE. Pure apart from reading the runtime file and
resolving the port's path.

    target = find_target("/dev/ttyACM0", via=None)   # None: no serve owns it; talk to the port
    target.board, target.broker, target.prefix, target.name
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass

from ..errors import TendrilError
from ..mqtt.topics import DEFAULT_PREFIX

ENV = "TENDRIL_SERVE"
_BOARD = re.compile(r"[0-9a-f]{8}")


@dataclass(frozen=True)
class Target:
    """A board owned by a serve: its id, the broker URL (may carry user and password), the topic
    prefix, and the serve's name for the one-line notice."""

    board: str | None
    broker: str
    prefix: str = DEFAULT_PREFIX
    name: str = "the broker"
    read_only: bool = False
    serve: str | None = None  # serve's own name (its availability topic), when known


def _same_port(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except OSError:
        return False


def board_in(info: dict, port: str) -> str | None:
    """The board id serve's runtime ``info`` lists for ``port`` (a port path or a board id)."""
    boards = info.get("boards")
    if not isinstance(boards, dict):
        return None
    for key, entry in boards.items():
        if key == port.lower() and _BOARD.fullmatch(key):
            return key
        owned = entry.get("port") if isinstance(entry, dict) else None
        if isinstance(owned, str) and _same_port(owned, port) and _BOARD.fullmatch(key):
            return key
    return None


def find_target(port: str | None, via: str | None = None, prefix: str | None = None) -> Target | None:
    """The serve to send a command for ``port`` through, or None to open the port as always.

    ``via`` (else $TENDRIL_SERVE) names a broker: the board is then ``port`` as a board id, or,
    when no port is given, found later from the fleet. Without it, the local serve's runtime file
    decides: it owns the port (or board id) or not; a board id that is no path goes to serve
    even when the file does not list it (unplugged, or never there: serve's fleet says which)."""
    via = via or os.environ.get(ENV) or None
    if via:
        board = port.lower() if port and _BOARD.fullmatch(port.lower()) else None
        if port and board is None:
            raise TendrilError(f"--via: give the board id (8 hex digits, like de7a15c8) as --port, "
                               f"not {port!r}: ports belong to the machine serve runs on")
        return Target(board, via, prefix or DEFAULT_PREFIX, via.rsplit("@", 1)[-1])
    from ..serve.runtime import find_local_serve
    with warnings.catch_warnings():  # no XDG_RUNTIME_DIR: platformdirs' fallback, serve's too
        warnings.simplefilter("ignore")
        info = find_local_serve()
    if info is None or not isinstance(info.get("broker"), str):
        return None
    board = board_in(info, port) if port else None
    if port and board is None:
        if not (_BOARD.fullmatch(port.lower()) and not os.path.exists(port)):
            return None
        board = port.lower()  # a board id, not a port: serve's fleet says whether it has it
    name = info.get("name")
    return Target(board, info["broker"], prefix or str(info.get("prefix") or DEFAULT_PREFIX),
                  str(name or "this machine"), info.get("read_only") is True,
                  name if isinstance(name, str) else None)
