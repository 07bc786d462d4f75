"""What the engine says: events (docs/protocol.md, EVENT) and command replies (ACK / NACK)."""

from __future__ import annotations

from typing import NamedTuple

from ..contract import NO_INDEX, EventKind, ModeChange, Nack


class Event(NamedTuple):
    """One EVENT: ``t`` is the u32 device time; ``a``, ``b``, ``c`` and ``value`` as in protocol.md.

    ``kind`` is an EventKind and ``b`` the matching Source / OffReason / SkipReason / ModeChange
    member (IntEnums, so they compare equal to the bytes on the wire).
    """

    t: int
    kind: EventKind
    a: int
    b: int
    c: int
    value: int

    def __str__(self) -> str:
        b = self.b.name if hasattr(self.b, "name") else self.b
        return f"{self.t} {self.kind.name}({self.a}, {b}, {self.c}, {self.value})"


class Reply(NamedTuple):
    """The answer to a command: ACK (``ok``, with ``value``) or NACK (``nack`` and its ``detail``).

    ``events`` are the events the command emitted at its own time (MODE, PARAM); they come before
    the events of the next tick.
    """

    ok: bool
    nack: Nack | None = None
    detail: int = 0
    value: int = 0
    events: tuple[Event, ...] = ()


def ack(value: int = 0, events: tuple[Event, ...] = ()) -> Reply:
    return Reply(True, None, 0, value, events)


def nack(code: Nack, detail: int = 0) -> Reply:
    return Reply(False, code, detail & 0xFFFF, 0, ())


def mode_event(now: int, change: ModeChange) -> Event:
    return Event(now, EventKind.MODE, NO_INDEX, change, NO_INDEX, 0)


def param_event(now: int, index: int, value: int) -> Event:
    return Event(now, EventKind.PARAM, index, 0, NO_INDEX, value)
