"""The MQTT topic design (docs/fleet.md): names built from a prefix and a board id, and received
topics parsed back. Pure: no client, no I/O.

    <prefix>/<board>/state            retained JSON: channels in units, actuators, rules, parameters
    <prefix>/<board>/event            one JSON per EVENT, not retained
    <prefix>/<board>/availability     "online" / "offline", retained
    <prefix>/<board>/cmd/<command>    a command's JSON (COMMANDS below)
    <prefix>/<board>/frames           binary records of all the board said (mqtt/frames.py), QoS 1
    <prefix>/<board>/response         the reply to each command, not retained
    <prefix>/serve/<name>/availability  the serve process's own "online" / "offline" (its last will)

``<board>`` is the board's HELLO device id as every tendril command shows it ("de7a15c8"): it stays
the same across restarts and recipe pushes, so a board keeps its topics (and Home Assistant its
entities) whatever it runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_PREFIX = "tendril"
ONLINE = "online"
OFFLINE = "offline"

# What a command topic may end in; commands.py says what each payload holds.
COMMANDS = (
    "run",  # an actuator on for a duration: a lease (there is no "on forever")
    "off",  # an actuator off now
    "switch",  # Home Assistant's switch: ON = run for the actuator's run time, OFF = off
    "run_time",  # how long "switch ON" runs an actuator (kept by serve, shown in the state)
    "pause",  # automation paused (the rules stop; limits still bind)
    "resume",
    "clear_safe_mode",  # leave safe mode (what stopped the board stays in its log)
    "set",  # a parameter to a new value
    "push",  # a new recipe (TOML text)
    "pull",  # the recipe the board runs, as TOML, in the reply
    "status",  # the board's state payload, in the reply
    "scan",  # a 1-Wire search and an I2C scan: the codes, chips and a recipe snippet in the reply
)

_BOARD = re.compile(r"[0-9a-f]{8}")
_SEGMENT = re.compile(r"[A-Za-z0-9_.-]+")
SERVE = "serve"  # never a board id (not 8 hex digits), so it cannot clash with one


class TopicError(ValueError):
    """A topic this design does not have, or a name that cannot go into one."""


def board_id(device_id: int) -> str:
    """The board's segment: its HELLO device id as 8 hex digits, the way `tendril status` and the
    log database write it (store.db.device_id_text)."""
    if not 0 <= device_id <= 0xFFFFFFFF:
        raise TopicError(f"device id {device_id} does not fit 32 bits")
    return f"{device_id:08x}"


def _check_prefix(prefix: str) -> str:
    parts = prefix.split("/")
    if not prefix or any(not _SEGMENT.fullmatch(p) for p in parts):
        raise TopicError(f"topic prefix {prefix!r}: use letters, digits, '_', '-', '.', "
                         "and '/' between parts")
    return prefix


@dataclass(frozen=True)
class Topics:
    """Every topic of one tendril installation, under ``prefix``."""

    prefix: str = DEFAULT_PREFIX

    def __post_init__(self) -> None:
        _check_prefix(self.prefix)

    def _board(self, board: str) -> str:
        if not _BOARD.fullmatch(board):
            raise TopicError(f"board {board!r} is not a device id (8 hex digits, like de7a15c8)")
        return f"{self.prefix}/{board}"

    def state(self, board: str) -> str:
        return f"{self._board(board)}/state"

    def event(self, board: str) -> str:
        return f"{self._board(board)}/event"

    def availability(self, board: str) -> str:
        return f"{self._board(board)}/availability"

    def response(self, board: str) -> str:
        return f"{self._board(board)}/response"

    def command(self, board: str, command: str) -> str:
        if command not in COMMANDS:
            raise TopicError(f"no command {command!r}; commands: {', '.join(COMMANDS)}")
        return f"{self._board(board)}/cmd/{command}"

    def frames(self, board: str) -> str:
        """Every record a board's thread hands its sinks (mqtt/frames.py), QoS 1, not retained:
        what a collector (`tendril log --mqtt`) logs into its own database."""
        return f"{self._board(board)}/frames"

    def serve_availability(self, name: str) -> str:
        """The serve process's own availability (its MQTT last will says "offline")."""
        if not _SEGMENT.fullmatch(name):
            raise TopicError(f"serve name {name!r}: use letters, digits, '_', '-', '.'")
        return f"{self.prefix}/{SERVE}/{name}/availability"

    def birth(self, discovery_prefix: str) -> str:
        """Home Assistant's birth/last-will topic under its discovery prefix."""
        _check_prefix(discovery_prefix)
        return f"{discovery_prefix}/status"

    def command_filter(self) -> str:
        """What serve subscribes to for commands: every command of every board."""
        return f"{self.prefix}/+/cmd/+"

    def parse_command(self, topic: str) -> tuple[str, str]:
        """``(board, command)`` of a received command topic; TopicError for anything else."""
        head = self.prefix + "/"
        if not topic.startswith(head):
            raise TopicError(f"topic {topic!r} is not under {self.prefix!r}")
        parts = topic[len(head):].split("/")
        if len(parts) != 3 or parts[1] != "cmd":
            raise TopicError(f"topic {topic!r} is not a command topic "
                             f"({self.prefix}/<board>/cmd/<command>)")
        board, _, command = parts
        if not _BOARD.fullmatch(board):
            raise TopicError(f"topic {topic!r}: {board!r} is not a device id (8 hex digits)")
        if command not in COMMANDS:
            raise TopicError(f"topic {topic!r}: no command {command!r}; commands: {', '.join(COMMANDS)}")
        return board, command
