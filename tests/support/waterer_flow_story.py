"""The shipped plant waterer with a flow meter (boards/recipes/plant-waterer-flow.toml) doing its job,
the same story on every simulated board: dry soil starts a watering, the YF-S201 model gives
2 L/min while the pump runs and the total rises by 0.2 L; later a person runs the pump by hand, the
tank runs dry half-way and the guard stops the pump `no_flow` (4 s) after the flow's last good
reading, with a GUARD event, and keeps it locked out (STATUS): when the rule's cooldown is over the
soil is still dry and the rule is blocked (RULE_SKIP GUARD), no water. The person refills the tank
and runs the pump by hand, which clears the lockout (docs/rules.md, "Guards"); after the pump's rest
the rule waters again. The flow follows the board's clock,
not the pump (the models have no plumbing), so its times are set around the pump's known times:
the rule starts it 5 to 6 s after the push (soil dry for 5 s, sampled every 500 ms, smoothing 2)."""

from __future__ import annotations

import math

from tendril.boards import load_board
from tendril.contract import (ActuatorStateBit, EventKind, OffReason, RuleState, SkipReason, Source,
                              StatusSection)
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
LOCKED_MS = 60_000  # STATUS read here: the pump locked out
REFILL_AT, REFILL_MS = 150_000, 5_000  # the tank refilled, the pump run by hand: the lockout ends
FLOW_3 = (150_500, 155_000)
FLOW_4 = (185_700, 193_000)  # the rule waters again once the pump rested min_off (~185-193 s)
RUN_MS = 200_000
COOLDOWN_MS, MIN_OFF_MS = 120_000, 30_000  # the rule's cooldown, the pump's min_off
NO_FLOW_MS = 4_000  # the recipe's no_flow
READ_MS = 1_000  # the meter's read period


def image(board: str) -> bytes:
    return with_generation(compile_recipe(load(RECIPE), load_board(board)), 1)


def _points() -> list[tuple[int, float]]:
    """The meter's rate (ms, Hz), linear between points: a step takes 1 ms. The first point's rate
    (none) holds before it; 16 points, the most a pulse line takes (firmware/sim/sim_pulse.h)."""
    out: list[tuple[int, float]] = []
    for begins, ends in (FLOW_1, FLOW_2, FLOW_3, FLOW_4):
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
PULSES_3 = _pulses(FLOW_3[1] + 1)
PULSES_4 = _pulses(FLOW_4[1] + 1)


def litres_milli(pulses: int) -> float:
    return pulses * 1000 / 450


def play(dev, board: str) -> list[Status]:
    """Push the recipe to ``dev`` (``push`` returns the replies: the last is the commit's Ack, or the
    HELLO read back after it; ``run`` ms; ``request``), run the story; STATUS of the actuators and
    the rules, read while the pump is locked out."""
    assert isinstance(dev.push(image(board))[-1], (Ack, Hello))
    dev.run(LEASE_AT)
    assert isinstance(dev.request(Lease(PUMP, LEASE_MS, 255)), Ack)  # a person runs the pump by hand
    dev.run(LOCKED_MS - LEASE_AT)
    locked = [dev.request(RequestStatus(StatusSection.ACTUATORS, 0)),
              dev.request(RequestStatus(StatusSection.RULES, 0))]
    dev.run(REFILL_AT - LOCKED_MS)
    assert isinstance(dev.request(Lease(PUMP, REFILL_MS, 255)), Ack)  # refilled: run by hand again
    dev.run(RUN_MS - REFILL_AT)
    return locked


def check(events: list[Event], rows: list[Telemetry], locked: list[Status]) -> None:
    """What the maker sees: a watering that ends as the rule says, litres counted, the dry run
    stopped by the guard and locked out."""
    seen = [(e.kind, e.a, e.b, e.c, e.value, e.time_ms) for e in events if e.kind in
            (EventKind.ACT_ON, EventKind.ACT_OFF, EventKind.GUARD, EventKind.RULE_SKIP)]
    assert [s[:3] for s in seen] == [
        (EventKind.ACT_ON, PUMP, Source.RULE),  # the rule waters: no GUARD while the water flows
        (EventKind.ACT_OFF, PUMP, OffReason.RULE_DONE),  # after `pulse` (8 s)
        (EventKind.ACT_ON, PUMP, Source.LEASE),  # the lease
        (EventKind.GUARD, DRY_RUN, FLOW),
        (EventKind.ACT_OFF, PUMP, OffReason.GUARD),
        (EventKind.RULE_SKIP, WATER, SkipReason.GUARD),  # cooled down, soil dry: locked out, no water
        # refilled and run by hand: the lockout ends (a tick's rules speak before its actuators)
        (EventKind.RULE_SKIP, WATER, SkipReason.LEASED),
        (EventKind.ACT_ON, PUMP, Source.LEASE),
        (EventKind.RULE_SKIP, WATER, SkipReason.MIN_OFF),
        (EventKind.ACT_OFF, PUMP, OffReason.LEASE_END),
        (EventKind.ACT_ON, PUMP, Source.RULE),  # the rule waters again
        (EventKind.ACT_OFF, PUMP, OffReason.RULE_DONE),
    ], seen
    on, done, lease_on, trip, off, blocked, _leased, refill_on, _rest, refill_off, on_2, done_2 = seen
    assert done[5] + COOLDOWN_MS <= blocked[5] <= done[5] + COOLDOWN_MS + 200, seen
    # (times from the first lease on: simavr's clock runs a moment between the push and its hold)
    assert 0 <= refill_on[5] - lease_on[5] - (REFILL_AT - LEASE_AT) <= 500, seen
    assert refill_off[5] - refill_on[5] == REFILL_MS, seen
    assert refill_off[5] + MIN_OFF_MS <= on_2[5] <= refill_off[5] + MIN_OFF_MS + 200, seen
    assert 7_900 <= done_2[5] - on_2[5] <= 8_100, seen
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
    for ends, until, pulses in ((FLOW_2[1], FLOW_3[0], PULSES_2), (FLOW_3[1], FLOW_4[0], PULSES_3),
                                (FLOW_4[1], RUN_MS, PULSES_4)):
        after = [r.values[TOTAL] for r in rows if ends + 1_500 <= r.time_ms <= until]
        assert after and all(near(v, litres_milli(pulses), 2) for v in after), (ends, after)
    idle = [r.values[FLOW] for r in rows if FLOW_1[1] + 1_500 <= r.time_ms <= LEASE_AT]
    assert idle and set(idle) == {0}, idle
