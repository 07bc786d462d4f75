"""What the stories of the shipped recipes share (tests/support/weather_story.py,
greenhouse_story.py, waterer_flow_story.py): pushing and running on a held board, scenario series,
the events a maker reads, the windows a rule acts in, and
what a chip model reads for a scenario's values (from the datasheets' formulas,
tendril.sim.i2c_float, and the firmware's integer arithmetic, tendril.contract.i2c_chips: never
from a run).

Timing: a sensor read every ``read`` ms delivers a value the scenario set; the channel's next sample
takes it, so a rule's condition sees a change at ``s`` between ``s`` and ``s + 2 read`` (the read
that sees it, then the sample that takes it), and acts ``hold`` later. Every change in the stories
falls half a second off the reads' 5 s grid, so no read is on the edge of one."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from tendril.contract import EventKind, i2c_chips
from tendril.contract.kinds import SENSOR_KINDS
from tendril.boards import load_board
from tendril.image import decode, with_generation
from tendril.protocol import Ack, Event, Hello
from tendril.recipes import compile_recipe, load
from tendril.sim import i2c_float

from .simavr_board import FirmwareBoard, on_periods

SLACK_MS = 1_000  # simavr's clock runs a moment between the push and its hold; a tick's length
NO_READING = None  # a decoded TELEMETRY value for a channel without a reading (INT32_MIN on the wire)
# The datasheets' resolution after the integer routines (thousandths of the unit): 0.01 °C and
# 0.01 %RH steps, plus a thousandth of rounding; a BME280's pressure within the 32-bit routine's
# 5.05 Pa of the float formula, plus a raw step (docs/sensors.md): 5.5 Pa = 55 milli-hPa.
TEMP_SLACK, RH_SLACK, PRESS_SLACK = 11, 11, 55


def steps(first: float, *changes: tuple[int, float]) -> list[tuple[int, float]]:
    """A value that holds ``first`` and steps to each (ms, value) in turn: each step takes 1 ms
    (the models are linear between points)."""
    out, value = [(0, first)], first
    for t, new in changes:
        out += [(t, value), (t + 1, new)]
        value = new
    return out


def series(points: list[tuple[int, float]], sep: str = ",") -> str:
    return sep.join(f"{t}:{v:g}" for t, v in points)


def value_at(points: list[tuple[int, float]], ms: int) -> float:
    """A step series' value at ``ms`` (between a step's two points only for the 1 ms it takes)."""
    return [v for t, v in points if t <= ms][-1]


def lux_milli(lux: float) -> int:
    """Thousandths of a lux the board reads from a BH1750 model set to ``lux``: the count the chip
    sends (the nearest, by the datasheet's count / 1.2), through the firmware's arithmetic."""
    return i2c_chips.bh1750_millilux(i2c_float.invert(i2c_float.bh1750_lux, lux, 0, 0xFFFF))


def calibrated(image: bytes, channel: int, raw: int) -> int:
    """A channel's value for a reading ``raw`` (thousandths), as the engine computes it
    (docs/rules.md, "Sampling"), with the calibration the recipe compiled to."""
    ch = decode(image).channels[channel]
    return ch.offset + ((raw * ch.gain) >> 16)


class Act(NamedTuple):
    """One EVENT about an actuator or a rule, as a maker reads it."""

    kind: EventKind
    a: int  # the actuator (ACT_ON, ACT_OFF), the rule (RULE_SKIP) or the channel (SENSOR)
    b: int  # the source, the reason or the fault
    c: int  # the rule, the actuator
    value: int
    time_ms: int


def story_events(events: list[Event]) -> list[Act]:
    kinds = (EventKind.ACT_ON, EventKind.ACT_OFF, EventKind.RULE_SKIP, EventKind.SENSOR)
    return [Act(e.kind, e.a, e.b, e.c, e.value, e.time_ms) for e in events if e.kind in kinds]


def within(act: Act, after: int, hold: int, read: int) -> bool:
    """``act`` came as a rule acting ``hold`` after a change at ``after`` seen by a sensor read
    every ``read`` ms (the module's "Timing")."""
    return after + hold <= act.time_ms <= after + 2 * read + hold + SLACK_MS


def values(rows, channel: int, since: int, until: int) -> list[int]:
    """A channel's TELEMETRY values between two board times."""
    return [r.values[channel] for r in rows if since <= r.time_ms <= until]


def recipe_image(path: Path, board: str) -> bytes:
    """The shipped recipe at ``path`` compiled for ``board``, as generation 1."""
    return with_generation(compile_recipe(load(path), load_board(board)), 1)


def play(dev, image: bytes, run_ms: int) -> None:
    """Push ``image`` to a held ``dev`` (``push`` returns the replies: the last is the commit's Ack
    or the HELLO read back after it; ``run`` board ms) and run it ``run_ms``."""
    assert isinstance(dev.push(image)[-1], (Ack, Hello))
    run_in_steps(dev, run_ms)


def relay_periods(pins: list[tuple[int, int, int]], relays: tuple[int, ...]) -> dict[int, list[tuple[int, int]]]:
    """(start, end) of each time an active-low relay's pin was on, by pin, from (pin, level, ms)
    changes."""
    return {pin: on_periods(pins, pin, 0) for pin in relays}


def skip_unless_built(hello, image: bytes, firmware: str) -> None:
    """Skip, naming them, while the firmware saying ``hello`` was built without a sensor kind
    ``image`` needs (its HELLO's sensor_kinds: docs/protocol.md): the drivers of the I2C kinds land
    in the C firmware and in tdfw on their own; a test that needs them runs once they are in."""
    codes = sorted({s.kind for s in decode(image).sensors if not hello.sensor_kinds >> s.kind & 1})
    if codes:
        pytest.skip(f"the {firmware} has no driver for {', '.join(SENSOR_KINDS[c].name for c in codes)} yet")


def run_in_steps(dev, ms: int, step: int = 30_000) -> None:
    """Run a held device ``ms`` board ms, a step at a time: each step's timeout (which only guards
    against a hang) covers a loaded machine's slowest board."""
    for done in range(0, ms, step):
        dev.run(min(step, ms - done))


class Held:
    """The real binary in simavr as a story's device: push (the clock held again once the recipe
    runs), run board ms, request."""

    def __init__(self, board: FirmwareBoard) -> None:
        self.board = board

    def push(self, image: bytes) -> list:
        after = self.board.push(image)  # the HELLO after the commit, its recipe hash checked
        self.board.sim.clock.hold()
        return [after]

    def run(self, ms: int) -> int:
        return self.board.run(ms)

    def request(self, msg):
        return self.board.link.request(msg)


