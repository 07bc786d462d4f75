"""Sensor vectors: sensors/*.json, one recipe told by every simulated board alike.

Each case is a recipe (with its sensor's pin for every board it runs on), the scenario lines that
wire the probes and break them (firmware/sim/README.md, "Scenario files"; `{pin}` is the board's pin
name), how long to run, and what the board must say: TELEMETRY's value for channel 0 while the probe
reads and the NO_READING marker inside each fault, and one SENSOR EVENT per fault episode and one on
recovery, in windows of board ms. The expected values are worked out here from the datasheet (a
reading is sixteenths of a °C, 62.5 thousandths each, rounded down), not taken from a firmware.
Played by tests/firmware/test_native_ds18b20.py (native board), tests/sim/test_simavr_ds18b20.py
(the real AVR binary) and tests/micropython/test_ds18b20_mpy.py (the MicroPython virtual board).
"""

from __future__ import annotations

from tendril.contract import SensorFault

PINS = {"uno": "D3", "pico": "GP2"}


def _thousandths(sixteenths: int) -> int:
    return (sixteenths * 125) >> 1


FAULTS = {
    "recipe": """\
[recipe]
name = "probe-story"
version = "1.0.0"
summary = "one DS18B20, every fault in turn"
boards = ["uno", "pico"]
telemetry = "1 s"

[sensors.probe]
kind = "ds18b20"
pin = { uno = "D3", pico = "GP2" }
read_every = "2 s"

[channels.water]
sensor = "probe"
""",
    "pins": PINS,
    "scenario": [
        "ds18b20 {pin} 21.5",
        "ds18b20_fault {pin} unplugged 10s 16s",
        "ds18b20_fault {pin} crc 24s 30s",
        "ds18b20_fault {pin} power_on 38s 44s",
        "ds18b20_fault {pin} held_low 52s 58s",
    ],
    "run_ms": 66_000,
    "value": _thousandths(344),  # 21.5 °C is 344/16 exactly
    # each fault: the SENSOR EVENT that opens the episode falls in [from, from + slack], the one
    # that closes it (RECOVERED, with the value) in [until, until + slack]; TELEMETRY is the marker
    # from from + slack to until, and the value outside [from, until + slack] after the first reading
    "episodes": [
        {"fault": "NO_ANSWER", "code": int(SensorFault.NO_ANSWER), "from": 10_000, "until": 16_000},
        {"fault": "CRC", "code": int(SensorFault.CRC), "from": 24_000, "until": 30_000},
        {"fault": "POWER_ON_VALUE", "code": int(SensorFault.POWER_ON_VALUE), "from": 38_000, "until": 44_000},
        {"fault": "NO_ANSWER", "code": int(SensorFault.NO_ANSWER), "from": 52_000, "until": 58_000},
    ],
    "first_reading_by": 4_000,
    "slack_ms": 4_000,  # a read period, a conversion and a sample
}

TWO_PROBES = {
    "recipe": """\
[recipe]
name = "two-probes"
version = "1.0.0"
summary = "two probes on one bus, by ROM code"
boards = ["uno", "pico"]
telemetry = "1 s"

[sensors.tank_probe]
kind = "ds18b20"
pin = { uno = "D4", pico = "GP2" }
rom = "28ab89674523015a"
resolution = 10

[sensors.room_probe]
kind = "ds18b20"
pin = { uno = "D4", pico = "GP2" }
rom = "28efbe00000000fe"

[channels.tank]
sensor = "tank_probe"

[channels.room]
sensor = "room_probe"
""",
    "pins": {"uno": "D4", "pico": "GP2"},
    "scenario": ["ds18b20 {pin} rom=28ab89674523015a 21.3", "ds18b20 {pin} rom=28efbe00000000fe -10.0625"],
    "run_ms": 8_000,
    # 21.3 °C is 340.8/16: 341/16 at 12 bits, 340/16 (0.25 °C steps) at 10; -10.0625 °C is -161/16
    "last_values": [_thousandths(340), _thousandths(-161)],
}


def _search_order(codes: list[str]) -> list[str]:
    """The order a bus search finds codes in (docs/protocol.md, "SCAN_ONEWIRE"): where codes differ
    it takes 0 first, reading each code's bits least significant first from its first byte on."""
    return sorted(codes, key=lambda c: "".join(f"{b:08b}"[::-1] for b in bytes.fromhex(c)))


# Three probes on one bus (a DS18S20, a DS18B20 and a DS1822: families 0x10, 0x28, 0x22; every code
# with its CRC-8), the one the recipe reads among them; a bus held low, an empty one (its pull-up and
# a probe unplugged: a pin with nothing on it at all floats, and reads low in simavr), and one whose
# codes come back with a bit flipped (the model's `crc` fault flips ROM bit 2 during a search).
_BUS = ["28ab89674523015a", "1014c60b00000056", "2201ff000000006b"]
SCAN = {
    "recipe": """\
[recipe]
name = "scan-story"
version = "1.0.0"
summary = "a probe read on a bus that is searched meanwhile"
boards = ["uno", "pico"]
telemetry = "1 s"

[sensors.probe]
kind = "ds18b20"
pin = { uno = "D3", pico = "GP2" }
rom = "28ab89674523015a"
read_every = "1 s"

[channels.water]
sensor = "probe"
""",
    "pins": {"uno": "D3", "pico": "GP2"},
    "numbers": {  # the board pin numbers a SCAN_ONEWIRE names: the bus, held low, empty, flipped bit
        "uno": {"bus": 3, "held_low": 5, "empty": 4, "crc": 6},
        "pico": {"bus": 2, "held_low": 5, "empty": 4, "crc": 6},
    },
    "scenario": [
        "ds18b20 {pin} rom=28ab89674523015a 21.5",
        "ds18b20 {pin} rom=1014c60b00000056 19",
        "ds18b20 {pin} rom=2201ff000000006b 30",
        "ds18b20 {held_low} rom=28a20100000000e1 20",
        "ds18b20_fault {held_low} held_low 0s 1h",
        "ds18b20 {empty} rom=28a20100000000e1 20",
        "ds18b20_fault {empty} unplugged 0s 1h",
        "ds18b20 {crc} rom=28a20100000000e1 20",
        "ds18b20_fault {crc} crc 0s 1h",
    ],
    "names": {"uno": {"held_low": "D5", "empty": "D4", "crc": "D6"},
              "pico": {"held_low": "GP5", "empty": "GP4", "crc": "GP6"}},
    "codes": _search_order(_BUS),  # what a search of the bus finds, in its order
    "value": _thousandths(344),  # 21.5 °C: the probe the recipe reads, searched or not
    "run_ms": 6_000,
}


def build() -> dict[str, object]:
    return {"sensors/ds18b20_faults.json": FAULTS, "sensors/ds18b20_two_probes.json": TWO_PROBES,
            "sensors/ds18b20_scan.json": SCAN}
