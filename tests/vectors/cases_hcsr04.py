"""HC-SR04 sensor vectors: sensors/hcsr04_faults.json, one recipe every simulated board tells alike.

A sonar (trigger and echo pins per board) reads 123.4 cm, then every fault in turn with its recovery:
no echo at all, an echo held high, an echo longer than the timeout (all three NO_ANSWER), a target
nearer than 2 cm and one beyond 400 cm (OUT_OF_RANGE). The expected reading is worked out here from
the datasheet's 58 us per cm: the echo's width in whole us, then thousandths of a cm, rounded;
`tolerance` is what a board that times the echo with interrupts on may be off by: the AVR counts
timer 0's 4 us ticks (0.07 cm) and an interrupt (the ADC scan's, every 104 us; a byte to or from the host)
that lands between reading the counter and seeing the edge moves that edge by its length, at either
end; a CI run saw 123.517 cm for 123.397 (7 us late). 0.3 cm, the module's own resolution, is 17 us.
Scenario lines: firmware/sim/README.md, `hcsr04` and `hcsr04_fault`.
"""

from __future__ import annotations

from tendril.contract import HCSR04_US_PER_CM, SensorFault

PINS = {"uno": ("D7", "D8"), "pico": ("GP2", "GP3")}
CM = 123.4


def _reading(cm: float) -> int:
    width_us = (round(cm * 100) * HCSR04_US_PER_CM + 50) // 100  # the echo, in whole us
    return (width_us * 1000 + HCSR04_US_PER_CM // 2) // HCSR04_US_PER_CM


def _distance_series() -> str:
    """123.4 cm, stepping to 1.5 cm for 16..18 s and to 450 cm for 20..22 s."""
    points = [(0, CM), (15_999, CM), (16_000, 1.5), (17_999, 1.5), (18_000, CM), (19_999, CM), (20_000, 450),
              (21_999, 450), (22_000, CM)]
    return " ".join(f"{t}:{cm:g}" for t, cm in points)


def _episode(fault: SensorFault, begins: int, ends: int) -> dict:
    return {"fault": fault.name, "code": int(fault), "from": begins, "until": ends}


FAULTS = {
    "recipe": """\
[recipe]
name = "sonar-story"
version = "1.0.0"
summary = "one HC-SR04, every fault in turn"
boards = ["uno", "pico"]
telemetry = "1 s"

[sensors.sonar]
kind = "hcsr04"
pin = { uno = "D7", pico = "GP2" }
echo = { uno = "D8", pico = "GP3" }
read_every = "200 ms"

[channels.gap]
sensor = "sonar"
""",
    "pins": {board: {"trig": trig, "echo": echo} for board, (trig, echo) in PINS.items()},
    "scenario": [
        "hcsr04 {trig} {echo} " + _distance_series(),
        "hcsr04_fault {trig} no_echo 4s 6s",
        "hcsr04_fault {trig} stuck_high 8s 10s",
        "hcsr04_fault {trig} long_echo 12s 14s",
    ],
    "run_ms": 26_000,
    "value": _reading(CM),
    "tolerance": 300,
    "episodes": [
        _episode(SensorFault.NO_ANSWER, 4_000, 6_000),
        _episode(SensorFault.NO_ANSWER, 8_000, 10_000),
        _episode(SensorFault.NO_ANSWER, 12_000, 14_000),
        _episode(SensorFault.OUT_OF_RANGE, 16_000, 18_000),
        _episode(SensorFault.OUT_OF_RANGE, 20_000, 22_000),
    ],
    "first_reading_by": 1_500,
    "slack_ms": 1_500,
}


def build() -> dict[str, object]:
    return {"sensors/hcsr04_faults.json": FAULTS}
