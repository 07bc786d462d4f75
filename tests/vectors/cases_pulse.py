"""Pulse counter sensor vector: sensors/pulse_story.json, one recipe every simulated board tells alike.

Three pulse sources: a flow meter (no flow, 10 Hz, 500 Hz, a stop, 7.5 Hz with a stuck spell), a
rain gauge's reed switch that bounces three times on every tip, counted with a 20 ms debounce, and
the same bouncing switch counted with none (which must see every bounce: the proof that the
bounces are there to ignore). The flow's total over the stop is worked out here from the model's
rule (firmware/sim/sim_pulse.h: pulse k falls when the rate's integral reaches k), so a board
that misses one pulse at 500 Hz fails. Scenario lines: firmware/sim/README.md, `pulse` and
`pulse_fault`.
"""

from __future__ import annotations

import math

PINS = {"uno": ("D2", "D3", "D4"), "pico": ("GP2", "GP3", "GP4")}

# the flow's rate (ms, Hz), linear between points: steps take 1 ms
FLOW = [(0, 0), (2_000, 0), (2_001, 10), (6_000, 10), (6_001, 500), (12_001, 500), (12_002, 0), (16_000, 0),
        (16_001, 7.5)]
STUCK = (19_000, 20_000)  # the flow meter's line held high
RAIN_HZ, BOUNCES, DEBOUNCE_MS = 2, 3, 20
PERIOD_MS = 1_000


def pulses_due(points: list[tuple[int, float]], until_ms: int) -> float:
    """Pulses due by until_ms (a fraction: the model lets pulse k fall when this reaches k): the
    trapezoids of the rate, linear between the (ms, Hz) points."""
    total = 0.0
    for (t0, r0), (t1, r1) in zip(points, points[1:]):
        if t0 >= until_ms:
            break
        end = min(t1, until_ms)
        r_end = r0 + (r1 - r0) * (end - t0) / (t1 - t0)
        total += (r0 + r_end) / 2 * (end - t0) / 1000
    return total


def _stop_total() -> int:
    due = pulses_due(FLOW, 12_002)
    assert abs(due - round(due)) > 0.1, due  # no pulse on the edge of rounding
    return math.floor(due)


STORY = {
    "recipe": f"""\
[recipe]
name = "pulse-story"
version = "1.0.0"
summary = "a flow meter at 10 and 500 Hz, a stop; a bouncing rain gauge with and without debounce"
boards = ["uno", "pico"]
telemetry = "1 s"

[sensors.flow]
kind = "pulse"
pin = {{ uno = "D2", pico = "GP2" }}
read_every = "1 s"

[sensors.rain]
kind = "pulse"
pin = {{ uno = "D3", pico = "GP3" }}
debounce_ms = {DEBOUNCE_MS}
read_every = "1 s"

[sensors.bouncy]
kind = "pulse"
pin = {{ uno = "D4", pico = "GP4" }}
read_every = "1 s"

[channels.flow_rate]
sensor = "flow"
quantity = "rate"

[channels.flow_total]
sensor = "flow"
quantity = "total"

[channels.rain_rate]
sensor = "rain"
quantity = "rate"

[channels.rain_total]
sensor = "rain"
quantity = "total"

[channels.bouncy_rate]
sensor = "bouncy"
quantity = "rate"
""",
    "pins": {board: {"flow": f, "rain": r, "bouncy": b} for board, (f, r, b) in PINS.items()},
    "scenario": [
        "pulse {flow} " + " ".join(f"{t}:{hz:g}" for t, hz in FLOW),
        f"pulse_fault {{flow}} stuck {STUCK[0]} {STUCK[1]}",
        f"pulse {{rain}} bounce={BOUNCES} {RAIN_HZ}",
        f"pulse {{bouncy}} bounce={BOUNCES} {RAIN_HZ}",
    ],
    "run_ms": 24_000,
    "period_ms": PERIOD_MS,
    # (from, until, pulses a second): a reading whose whole period lies inside sees this rate
    "plateaus": [(0, 2_000, 0), (2_001, 6_000, 10), (6_001, 12_001, 500), (12_002, 16_000, 0),
                 (16_001, STUCK[0], 7.5), (STUCK[0], STUCK[1], 0), (STUCK[1], 24_000, 7.5)],
    "stop_total": _stop_total() * 1000,  # thousandths of a pulse, held from the stop to 16 s
    "rain_hz": RAIN_HZ,
    "bounces": BOUNCES,
}


def build() -> dict[str, object]:
    return {"sensors/pulse_story.json": STORY}
