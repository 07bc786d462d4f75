"""The shipped plant waterer with a flow meter (boards/recipes/plant-waterer-flow.toml) doing its job,
the same story on every simulated board: dry soil starts a watering, the YF-S201 model gives
2 L/min while the pump runs and the total rises by 0.2 L; later a person runs the pump by hand, the
tank runs dry half-way and the guard stops the pump `no_flow` (4 s) after the flow's last good
reading, with a GUARD event, and keeps it locked out (STATUS). The flow follows the board's clock,
not the pump (the models have no plumbing), so its times are set around the pump's known times:
the rule starts it 5 to 6 s after the push (soil dry for 5 s, sampled every 500 ms, smoothing 2)."""

from __future__ import annotations

import math

from tendril.boards import load_board
from tendril.contract import ActuatorStateBit, EventKind, OffReason, RuleState, StatusSection
from tendril.image import with_generation
from tendril.protocol import Ack, Event, Hello, Lease, RequestStatus, Status, Telemetry
from tendril.recipes import compile_recipe, load

from ..conftest import ROOT
from ..vectors.cases_pulse import pulses_due

RECIPE = ROOT / "boards" / "recipes" / "plant-waterer-flow.toml"
PINS = {"uno": ("A0", "D2"), "pico": ("GP26", "GP2")}  # soil, meter (the recipe's pins)
SOIL, FLOW, TOTAL = 0, 1, 2  # channels, in recipe order
PUMP, WATER, DRY_RUN = 0, 0, 1  # the actuator; the rules
HZ = 15  # 2 L/min at 450 pulses a litre (7.5 Hz per L/min)
FLOW_1 = (7_000, 13_020)  # the first watering's water reaches the meter (the pump runs ~5.5-13.5 s)
LEASE_AT, LEASE_MS = 45_000, 20_000  # a person runs the pump (it rested min_off, 30 s, since)
FLOW_2 = (45_500, 50_000)  # ... and the tank runs dry half-way
RUN_MS = 60_000
NO_FLOW_MS = 4_000  # the recipe's no_flow
READ_MS = 1_000  # the meter's read period


def image(board: str) -> bytes:
    return with_generation(compile_recipe(load(RECIPE), load_board(board)), 1)


def _points() -> list[tuple[int, float]]:
    """The meter's rate (ms, Hz), linear between points: a step takes 1 ms."""
    out: list[tuple[int, float]] = [(0, 0)]
    for begins, ends in (FLOW_1, FLOW_2):
        out += [(begins, 0), (begins + 1, HZ), (ends, HZ), (ends + 1, 0)]
    return out


def scenario(board: str) -> list[str]:
    """Soil at 700 counts (22 % on the Uno's calibration, 23 % on the Pico's volts): dry throughout."""
    soil, meter = PINS[board]
    return [f"adc {soil} 700", f"pulse {meter} " + " ".join(f"{t}:{hz:g}" for t, hz in _points())]


def _pulses(until_ms: int) -> int:
    """Pulses the model has let fall by ``until_ms`` (none on the edge of rounding)."""
    due = pulses_due(_points(), until_ms)
    assert abs(due - round(due)) > 0.1, due
    return math.floor(due)


PULSES_1 = _pulses(FLOW_1[1] + 1)  # 90: 0.2 L
PULSES_2 = _pulses(FLOW_2[1] + 1)  # 157 in all


def litres_milli(pulses: int) -> float:
    return pulses * 1000 / 450


def play(dev, board: str) -> list[Status]:
    """Push the recipe to ``dev`` (``push`` returns the replies: the last is the commit's Ack, or the
    HELLO read back after it; ``run`` ms; ``request``), run the story; STATUS of the actuators and
    the rules, read while the pump is locked out."""
    assert isinstance(dev.push(image(board))[-1], (Ack, Hello))
    dev.run(LEASE_AT)
    assert isinstance(dev.request(Lease(PUMP, LEASE_MS, 255)), Ack)  # a person runs the pump by hand
    dev.run(RUN_MS - LEASE_AT)
    return [dev.request(RequestStatus(StatusSection.ACTUATORS, 0)),
            dev.request(RequestStatus(StatusSection.RULES, 0))]


def check(events: list[Event], rows: list[Telemetry], locked: list[Status]) -> None:
    """What the maker sees: a watering that ends as the rule says, litres counted, the dry run
    stopped by the guard and locked out."""
    seen = [(e.kind, e.a, e.b, e.c, e.value, e.time_ms) for e in events
            if e.kind in (EventKind.ACT_ON, EventKind.ACT_OFF, EventKind.GUARD)]
    assert [s[:3] for s in seen] == [
        (EventKind.ACT_ON, PUMP, 1),  # the rule waters: no GUARD while the water flows
        (EventKind.ACT_OFF, PUMP, OffReason.RULE_DONE),  # after `pulse` (8 s)
        (EventKind.ACT_ON, PUMP, 2),  # the lease
        (EventKind.GUARD, DRY_RUN, FLOW),
        (EventKind.ACT_OFF, PUMP, OffReason.GUARD),
    ], seen
    on, done, lease_on, trip, off = seen
    assert 5_000 <= on[5] <= 6_500 and 7_900 <= done[5] - on[5] <= 8_100, seen
    # the last good reading covers the second before FLOW_2 ends; the first bad one ends the next
    # read period after that: the trip comes no_flow later (a read period of slack each way)
    first_bad = FLOW_2[1] + READ_MS
    assert first_bad + NO_FLOW_MS - READ_MS <= trip[5] <= first_bad + NO_FLOW_MS + READ_MS + 100, seen
    assert trip[4] == 0 and off[5] == trip[5] and off[3] == DRY_RUN, seen  # no flow at all
    assert off[5] < lease_on[5] + LEASE_MS, seen  # stopped long before the lease's end
    acts, rules = locked
    assert acts.entries[PUMP].state & ActuatorStateBit.LOCKED, acts
    assert rules.entries[DRY_RUN].state == RuleState.LOCKED, rules

    def near(value: int | None, want: float, slack: float) -> bool:
        return value is not None and abs(value - want) <= slack

    # the rate in L/min (thousandths) while the water runs: 2 L/min, one pulse either way a reading
    during = [r.values[FLOW] for r in rows if FLOW_1[0] + 1_500 <= r.time_ms <= FLOW_1[1] - 500]
    assert len(during) >= 4 and all(near(v, 2_000, 140) for v in during), during
    # the total in litres (thousandths), every pulse counted (the gain is off by 0.3 % at most)
    after_1 = [r.values[TOTAL] for r in rows if FLOW_1[1] + 1_500 <= r.time_ms <= LEASE_AT]
    assert after_1 and all(near(v, litres_milli(PULSES_1), 2) for v in after_1), after_1
    after_2 = [r.values[TOTAL] for r in rows if FLOW_2[1] + 1_500 <= r.time_ms]
    assert after_2 and all(near(v, litres_milli(PULSES_2), 2) for v in after_2), after_2
    idle = [r.values[FLOW] for r in rows if FLOW_1[1] + 1_500 <= r.time_ms <= LEASE_AT]
    assert idle and set(idle) == {0}, idle
