"""What a live board looks like from outside: immutable snapshots a UI or a logger reads from any
thread (LiveBoard.view() / LiveSource.view())."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..protocol import Hello


class LinkState(StrEnum):
    CONNECTING = "connecting"
    ONLINE = "online"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"


@dataclass(frozen=True)
class ChannelView:
    index: int
    name: str
    unit: str
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
    owner: str  # "rule <name>", "lease" or ""
    ms_left: int
    today_on_ms: int
    daily_cap_ms: int
    max_on_ms: int
    min_off_ms: int
    resting: bool
    capped: bool
    pwm: bool = False  # the recipe drives it at a level (a lease may ask for one)


@dataclass(frozen=True)
class RuleView:
    index: int
    name: str
    state: str  # armed, holding, ready, running, cooling down, paused
    last_skip: str
    since_fired_ms: int | None


@dataclass(frozen=True)
class ParamView:
    index: int
    name: str
    value: int  # thousandths (or ms for durations), as on the wire
    min: int
    max: int
    unit: str
    duration: bool


@dataclass(frozen=True)
class LogLine:
    host_time: float
    kind: str  # "event", "log" (a device LOG), "text" (bytes outside frames), "host"
    text: str


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
