"""DHT22 and DHT11 sensor vectors: sensors/dht22_faults.json and sensors/dht11_faults.json, one recipe
every simulated board tells alike (the native board, the real AVR binary in simavr, the MicroPython
virtual board).

A DHT (on D3 or GP2) reads one temperature and humidity, steps to another at 32 s, and meanwhile goes
through every fault in turn with its recovery: no answer (NO_ANSWER), a checksum that does not add
up (CRC), a part that sends 150 °C (OUT_OF_RANGE). The expected readings are worked out here from the
datasheets' encoding: a DHT22 sends tenths (the model truncates to them), a DHT11 whole units and
tenths, of which MicroPython's dht module gives the whole units only: its values here are whole, so
every firmware reads them alike. Scenario lines: firmware/sim/README.md, `dht22`, `dht11`, `dht_fault`.
"""

from __future__ import annotations

from tendril.contract import SensorFault

PINS = {"uno": "D3", "pico": "GP2"}
STEP_MS = 32_000  # the values change here (between two episodes)
VALUES = {"dht22": ((21.5, 55.37), (-3.2, 71.04)), "dht11": ((23, 41), (27, 48))}


def _tenths(x: float) -> int:
    """What the part sends for x, in thousandths: truncated to tenths (sim_dht.c, the datasheets)."""
    return int(round(x * 1000) / 100) * 100


def _series(k: int, kind: str) -> str:
    before, after = VALUES[kind][0][k], VALUES[kind][1][k]
    return f"0:{before:g} {STEP_MS - 1}:{before:g} {STEP_MS}:{after:g}"


def _episode(fault: SensorFault, name: str, begins: int, ends: int) -> dict:
    return {"fault": fault.name, "code": int(fault), "line": name, "from": begins, "until": ends}


EPISODES = [_episode(SensorFault.NO_ANSWER, "no_answer", 10_000, 16_000),
            _episode(SensorFault.CRC, "crc", 22_000, 28_000),
            _episode(SensorFault.OUT_OF_RANGE, "out_of_range", 38_000, 44_000)]


def _vector(kind: str) -> dict:
    return {
        "recipe": f"""\
[recipe]
name = "{kind}-story"
version = "1.0.0"
summary = "one {kind.upper()}, its readings over time and every fault in turn"
boards = ["uno", "pico"]
telemetry = "1 s"

[sensors.air]
kind = "{kind}"
pin = {{ uno = "D3", pico = "GP2" }}
read_every = "2 s"

[channels.temp]
sensor = "air"
quantity = "temperature"

[channels.rh]
sensor = "air"
quantity = "humidity"
""",
        "pins": {board: {"pin": pin} for board, pin in PINS.items()},
        "scenario": [f"{kind} {{pin}} {_series(0, kind)} / {_series(1, kind)}"]
        + [f"dht_fault {{pin}} {e['line']} {e['from'] // 1000}s {e['until'] // 1000}s" for e in EPISODES],
        "run_ms": 52_000,
        # channel values (temperature, humidity) in thousandths, from each time on
        "readings": [{"from": 0, "values": [_tenths(x) for x in VALUES[kind][0]]},
                     {"from": STEP_MS, "values": [_tenths(x) for x in VALUES[kind][1]]}],
        "episodes": EPISODES,
        "first_reading_by": 4_000,
        "slack_ms": 4_000,  # a read period, the start signal and a sample
    }


def build() -> dict[str, object]:
    return {f"sensors/{kind}_faults.json": _vector(kind) for kind in VALUES}
