"""The dry-run story every simulated board tells alike (rules.md "Guards"): a pump waters dry soil,
its flow starts, then stops mid-watering (the tank ran empty); the guard stops the pump 3 s later
and keeps it locked out, STATUS says so, and a manual run with the tank still empty trips again 3 s
after the pump went on. The flow is an analog channel here (a flow switch or a sensor's output
voltage); a pulse counter's rate channel plugs into the same guard."""

from __future__ import annotations

from tendril.contract import ActuatorStateBit, EventKind, OffReason, RuleState, SkipReason, StatusSection
from tendril.protocol import Ack, Event, Lease, RequestStatus, Status

# Pins and ADC scale per board: the world's ADC values are 10-bit counts on every board, read as
# v << (adc_bits - 10) (firmware/sim/README.md).
PINS = {"uno": ("A0", "A1", "D7", 1), "pico": ("GP26", "GP27", "GP16", 64)}
TRIP_MS = 3_000  # the guard's `for`
FLOW_STOPS = 6_000
LEASE_AT = 15_000  # the pump rested (min_off 5 s) since the trip
SLACK = 300  # a sample period (100 ms) and a few loop passes


def recipe(board: str) -> str:
    soil, flow, pump, scale = PINS[board]
    return f"""\
[recipe]
name = "dry-run-story"
version = "1.0.0"
summary = "a pump that runs dry is stopped by its guard"
boards = ["{board}"]

[channels.soil]
pin = "{soil}"
kind = "analog"
sample_every = "100 ms"

[channels.flow]
pin = "{flow}"
kind = "analog"
sample_every = "100 ms"

[actuators.pump]
pin = "{pump}"
kind = "relay"
max_on = "1 min"
min_off = "5 s"
daily_cap = "10 min"

[rules.water]
when = {{ channel = "soil", below = "{500 * scale} raw" }}
do = {{ actuator = "pump", for = "20 s" }}

[rules.dry_run]
guard = {{ actuator = "pump", channel = "flow", below = "{100 * scale} raw", for = "3 s" }}
"""


def scenario(board: str) -> list[str]:
    soil, flow, _pump, _scale = PINS[board]
    return [f"adc {soil} 300", f"adc {flow} steps 0:0 2s:600 {FLOW_STOPS // 1000}s:0"]


def play(dev, image: bytes) -> tuple[list[Status], list[Status]]:
    """Push ``image`` (generation set) to ``dev`` (request, push, run), run the story; the STATUS pages
    (actuators, rules) read while the pump is locked out."""
    assert isinstance(dev.push(image)[-1], Ack)
    dev.run(12_000)
    locked = [dev.request(RequestStatus(StatusSection.ACTUATORS, 0)),
              dev.request(RequestStatus(StatusSection.RULES, 0))]
    dev.run(LEASE_AT - 12_000)
    assert isinstance(dev.request(Lease(0, 10_000, 255)), Ack)  # a person runs the pump
    dev.run(5_000)
    return locked


def check(events: list[Event], locked: list[Status]) -> None:
    """The guard's events and STATUS as rules.md says (times within SLACK of the story's)."""
    seen = [(e.kind, e.a, e.b, e.c, e.value, e.time_ms) for e in events
            if e.kind in (EventKind.ACT_ON, EventKind.ACT_OFF, EventKind.RULE_SKIP, EventKind.GUARD)]
    kinds = [s[:4] for s in seen]
    assert kinds == [
        (EventKind.ACT_ON, 0, 1, 0),  # the rule waters
        (EventKind.GUARD, 1, 1, 0),  # the flow stopped at 6 s: 3 s later
        (EventKind.ACT_OFF, 0, OffReason.GUARD, 1),
        (EventKind.RULE_SKIP, 0, SkipReason.GUARD, 0),  # the soil is still dry: locked out
        (EventKind.RULE_SKIP, 0, SkipReason.LEASED, 0),  # the manual run clears the lockout
        (EventKind.ACT_ON, 0, 2, 0xFF),
        (EventKind.GUARD, 1, 1, 0),  # the tank is still empty: 3 s after on
        (EventKind.ACT_OFF, 0, OffReason.GUARD, 1),
        (EventKind.RULE_SKIP, 0, SkipReason.GUARD, 0),
    ], seen
    on, trip, off, _skip, _leased, lease_on, trip2, off2, _skip2 = seen
    assert abs(trip[5] - (FLOW_STOPS + TRIP_MS)) <= SLACK, seen
    assert trip[4] == 0 and off[5] == trip[5] and abs(off[4] - (off[5] - on[5])) <= 1, seen
    assert abs(lease_on[5] - LEASE_AT) <= SLACK and abs(trip2[5] - lease_on[5] - TRIP_MS) <= SLACK, seen
    assert off2[4] == trip2[5] - lease_on[5], seen
    acts, rules = locked
    assert acts.entries[0].state == ActuatorStateBit.LOCKED | ActuatorStateBit.RESTING, acts  # off, locked out
    assert rules.entries[1].state == RuleState.LOCKED and rules.entries[0].last_skip == SkipReason.GUARD, rules
