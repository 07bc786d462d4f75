"""What a live board looks like from outside: immutable snapshots a UI or a logger reads from any
thread (LiveBoard.view() / LiveSource.view()).

They carry structure, not words: the contract's enums, the recipe's units, owners as indexes,
events as the EVENT message. tendril.words turns them into text for people (the TUI, the CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..contract import RuleState, SkipReason, Unit
from ..protocol import Event, Hello


class LinkState(StrEnum):
    CONNECTING = "connecting"
    ONLINE = "online"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"  # a board another process owns (serve) says it is away
    STOPPED = "stopped"


@dataclass(frozen=True)
class ChannelView:
    index: int
    name: str
    unit: Unit | None  # the recipe's unit (None: unknown, or raw counts when ``raw``)
    value: float | None
    lo: float | None
    hi: float | None
    count: int
    raw: bool = False
    no_reading: bool = False  # its newest TELEMETRY said it has no valid reading (value is the last good one)


@dataclass(frozen=True)
class ActuatorView:
    index: int
    name: str
    on: bool
    level: int
    owner: Owner  # who drives it: nobody, a lease, or a rule
    ms_left: int
    today_on_ms: int
    daily_cap_ms: int
    max_on_ms: int
    min_off_ms: int
    resting: bool
    capped: bool
    pwm: bool = False  # the recipe drives it at a level (a lease may ask for one)
    servo_safe: int | None = None  # a servo: its safe position in degrees (its level is a position)
    locked: bool = False  # a guard tripped it: rules may not turn it on until someone runs it by hand


@dataclass(frozen=True)
class RuleView:
    index: int
    name: str
    state: RuleState | int  # an int the contract does not name (a newer firmware)
    last_skip: SkipReason | None  # why it last skipped; None when it never did
    since_fired_ms: int | None


@dataclass(frozen=True)
class ParamView:
    index: int
    name: str
    value: int  # thousandths (or ms for durations), as on the wire
    min: int
    max: int
    unit: Unit | None  # None for a duration (its value is in ms)
    duration: bool


@dataclass(frozen=True)
class Owner:
    """Who drives an actuator: ``lease`` (a manual lease), a rule (``rule`` its index, ``rule_name``
    its name in the recipe, "" when unknown), or nobody (the default)."""
    lease: bool = False
    rule: int | None = None
    rule_name: str = ""

    def __bool__(self) -> bool:
        return self.lease or self.rule is not None


NOBODY = Owner()


@dataclass(frozen=True)
class LogEntry:
    """One line of a board's log, kept for display. ``kind``: "event" (``event`` is the EVENT,
    ``recipe`` the recipe the board ran then, for its names), "log" (a device LOG: ``text``),
    "text" (bytes outside frames), "host" (a note from the host: ``text``)."""
    host_time: float
    kind: str
    text: str = ""
    event: Event | None = None
    recipe: object | None = field(default=None, compare=False, repr=False)  # tendril.recipes.Recipe


LogLine = LogEntry  # the older name


@dataclass(frozen=True)
class BoardView:
    port: str
    baud: int
    state: LinkState
    error: str = ""
    hello: Hello | None = None
    board: str = ""
    recipe: str = ""  # the recipe's name, "" without a config
    paused: bool = False
    safe_mode: bool = False
    channels: tuple[ChannelView, ...] = ()
    actuators: tuple[ActuatorView, ...] = ()
    rules: tuple[RuleView, ...] = ()
    params: tuple[ParamView, ...] = ()
    health: dict = field(default_factory=dict)
    reconnects: int = 0
