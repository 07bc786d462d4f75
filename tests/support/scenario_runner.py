"""Drive any rule engine through a scenario vector (tests/vectors/scenarios/*.json) and compare.

The scenario format is in tests/vectors/README.md and the semantics in docs/rules.md. This module
owns the *driving*: the tick times (u32, wrapping), when inputs and commands apply, and the
comparison. An engine plugs in through an adapter, one small class per implementation:

    class Adapter(Protocol):
        def start(self, image: bytes, board: str) -> None
            # a fresh engine running `image` (already valid for `board`); nothing ticked yet
        def set_raw(self, channel: int, raw: int) -> None
            # the channel reads `raw` from the next tick on
        def set_fault(self, channel: int, fault: int) -> None
            # the channel has no good reading from the next tick on, for this SensorFault
        def command(self, op: str, args: dict, now: int) -> Outcome
            # apply a command at u32 time `now`, between ticks. `op` is a CommandOp name
            # ("LEASE", "OFF", "PAUSE", "RESUME", "SET_PARAM"); `args` holds its arguments by
            # rules.md's names: actuator, ms, level / actuator / index, value.
            # Outcome(ack, nack, events): nack is a Nack name or None; events those the
            # command emitted (MODE, PARAM), as event rows.
        def tick(self, now: int) -> list[EventRow]
            # one tick at u32 time `now`; its events in order
        def value(self, channel: int) -> int | None
            # the channel's calibrated, smoothed value after the last tick (None: no valid reading)

An event row is a sequence ``(t, kind, a, b, c, value)`` of ints; ``kind`` may also be an
EventKind name. A C engine adapter (ctypes over the native build of firmware/core) maps these
calls one to one onto the core's API; a MicroPython adapter can do the same over a REPL, or run
the whole scenario on the far side and hand back a Transcript for ``compare`` (use
``tick_times``, ``inputs_at`` and ``commands_at`` to drive it the same way).

    transcript = run(scenario, PythonAdapter())
    problem = compare(scenario, transcript)   # None, or a message showing the first difference
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from tendril.contract import EventKind, SensorFault
from tendril.image import decode

U32 = 0xFFFFFFFF
SCENARIOS = Path(__file__).resolve().parents[1] / "vectors" / "scenarios"

EventRow = Sequence[Any]


class Outcome(NamedTuple):
    ack: bool
    nack: str | None = None
    events: Sequence[EventRow] = ()


class Adapter(Protocol):
    def start(self, image: bytes, board: str) -> None: ...
    def set_raw(self, channel: int, raw: int) -> None: ...
    def set_fault(self, channel: int, fault: int) -> None: ...
    def command(self, op: str, args: dict, now: int) -> Outcome: ...
    def tick(self, now: int) -> list[EventRow]: ...
    def value(self, channel: int) -> int | None: ...


@dataclass
class Transcript:
    """What an engine did: every event, every command reply, and the value at each checkpoint."""

    events: list[list] = field(default_factory=list)
    replies: list[dict] = field(default_factory=list)  # {"t", "op", "expect"} in command order
    values: list[dict] = field(default_factory=list)  # {"t", "channel", "value"}, as in the file


def load(path: Path | str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def scenario_paths() -> list[Path]:
    return sorted(SCENARIOS.glob("*.json"))


# --- when things happen ---------------------------------------------------------------------------


def _offset(scenario: dict, t: int) -> int:
    """How far after the start u32 time ``t`` lies (the clock may wrap in between)."""
    return (t - scenario["start"]) & U32


def tick_times(scenario: dict) -> list[int]:
    """The u32 tick times: start, start + step, ... up to end (inclusive), wrapping."""
    start, step = scenario["start"], scenario["step"]
    count = _offset(scenario, scenario["end"]) // step + 1
    return [(start + k * step) & U32 for k in range(count)]


def _by_tick(scenario: dict, items: list[dict], exact: bool) -> dict[int, list[dict]]:
    """Items grouped under the index of the tick they apply before, in file order."""
    step = scenario["step"]
    last = _offset(scenario, scenario["end"]) // step
    grouped: dict[int, list[dict]] = {}
    for item in items:
        off = _offset(scenario, item["t"])
        index = -(-off // step)  # the first tick at or after t
        if exact and off % step:
            raise ValueError(f"{scenario['name']}: command at {item['t']} is not a tick time")
        if index <= last:
            grouped.setdefault(index, []).append(item)
    return grouped


def inputs_at(scenario: dict) -> dict[int, list[dict]]:
    return _by_tick(scenario, scenario.get("inputs", []), exact=False)


def commands_at(scenario: dict) -> dict[int, list[dict]]:
    return _by_tick(scenario, scenario.get("commands", []), exact=True)


# --- running --------------------------------------------------------------------------------------

_COMMAND_ARGS = {
    "LEASE": ("actuator", "ms", "level"),
    "OFF": ("actuator",),
    "PAUSE": (),
    "RESUME": (),
    "SET_PARAM": ("index", "value"),
}


def _row(event: EventRow) -> list:
    t, kind, a, b, c, value = event
    name = kind if isinstance(kind, str) else EventKind(int(kind)).name
    return [int(t) & U32, name, int(a), int(b), int(c), int(value)]


def run(scenario: dict, adapter: Adapter) -> Transcript:
    """Drive ``adapter`` through ``scenario``; return what it did."""
    out = Transcript()
    adapter.start(bytes.fromhex(scenario["image"]), scenario["board"])
    inputs, commands = inputs_at(scenario), commands_at(scenario)
    checks = scenario.get("values", [])
    out.values = [{**c, "value": "no tick at this time"} for c in checks]
    checkpoints: dict[int, list[int]] = {}
    for i, check in enumerate(checks):
        checkpoints.setdefault(check["t"] & U32, []).append(i)
    for index, now in enumerate(tick_times(scenario)):
        for item in inputs.get(index, ()):
            if "fault" in item:
                adapter.set_fault(item["channel"], SensorFault[item["fault"]])
            else:
                adapter.set_raw(item["channel"], item["raw"])
        for cmd in commands.get(index, ()):
            args = {name: cmd[name] for name in _COMMAND_ARGS[cmd["op"]]}
            outcome = adapter.command(cmd["op"], args, now)
            expect = {"ack": True} if outcome.ack else {"ack": False, "nack": outcome.nack}
            out.replies.append({"t": cmd["t"], "op": cmd["op"], "expect": expect})
            out.events.extend(_row(e) for e in outcome.events)
        out.events.extend(_row(e) for e in adapter.tick(now))
        for i in checkpoints.pop(now, ()):
            out.values[i]["value"] = adapter.value(checks[i]["channel"])
    return out


# --- comparing ------------------------------------------------------------------------------------


def _show(rows: list[list], lo: int, hi: int, mark: int) -> str:
    lines = []
    for i in range(max(lo, 0), min(hi, len(rows))):
        lines.append(f"  {'>' if i == mark else ' '} #{i}: {rows[i]}")
    return "\n".join(lines) or "  (none)"


def compare(scenario: dict, got: Transcript, context: int = 3) -> str | None:
    """None when ``got`` matches the scenario; else a message about the first difference."""
    name = scenario["name"]
    want_replies = [
        {"t": c["t"], "op": c["op"], "expect": c["expect"]} for c in scenario.get("commands", [])
    ]
    for i, (want, have) in enumerate(zip(want_replies, got.replies)):
        if want != have:
            return (
                f"{name}: command #{i} at t={want['t']} ({want['op']}): "
                f"expected {want['expect']}, got {have['expect']}"
            )
    if len(got.replies) != len(want_replies):
        return f"{name}: {len(want_replies)} commands in the scenario, {len(got.replies)} applied"
    want_events = [list(e) for e in scenario.get("events", [])]
    for i in range(max(len(want_events), len(got.events))):
        want = want_events[i] if i < len(want_events) else None
        have = got.events[i] if i < len(got.events) else None
        if want != have:
            lo, hi = i - context, i + context + 1
            return (
                f"{name}: event #{i} differs: expected {want}, got {have}\n"
                f" expected events around it:\n{_show(want_events, lo, hi, i)}\n"
                f" engine's events around it:\n{_show(got.events, lo, hi, i)}"
            )
    want_values = scenario.get("values", [])
    if len(got.values) != len(want_values):
        return f"{name}: {len(want_values)} value checkpoints, {len(got.values)} checked"
    for want, have in zip(want_values, got.values):
        if want != have:
            return (
                f"{name}: value of channel {want['channel']} after t={want['t']}: "
                f"expected {want['value']}, got {have['value']}"
            )
    return None


# --- the reference engine's adapter ---------------------------------------------------------------


class PythonAdapter:
    """tendril.engine (the reference) behind the adapter interface."""

    def start(self, image: bytes, board: str) -> None:
        from tendril.boards import load_board
        from tendril.engine import Engine
        from tendril.image import validate

        validate(image, load_board(board))
        self.engine = Engine(decode(image))

    def set_raw(self, channel: int, raw: int) -> None:
        self.engine.set_raw(channel, raw)

    def set_fault(self, channel: int, fault: int) -> None:
        self.engine.set_fault(channel, fault)

    def command(self, op: str, args: dict, now: int) -> Outcome:
        e = self.engine
        if op == "LEASE":
            reply = e.lease(args["actuator"], args["ms"], args["level"], now)
        elif op == "OFF":
            reply = e.off(args["actuator"], now)
        elif op == "PAUSE":
            reply = e.pause(now)
        elif op == "RESUME":
            reply = e.resume(now)
        elif op == "SET_PARAM":
            reply = e.set_param(args["index"], args["value"], now)
        else:
            raise ValueError(f"unknown command op {op!r}")
        return Outcome(reply.ok, None if reply.ok else reply.nack.name, reply.events)

    def tick(self, now: int) -> list[EventRow]:
        return self.engine.tick(now)

    def value(self, channel: int) -> int | None:
        return self.engine.value(channel)
