"""Main-loop timing of the real Uno firmware in simavr: one JSON object a line (name, value, unit, notes).

    .venv/bin/python bench/loop_timing.py [--seconds 14] [--elf firmware/build/uno/tendril.elf]

Each configuration is pushed to a held simulated Uno (tests/firmware_avr/loop_timing.py), run for
--seconds of board time from 3 s (after the push) flat out, and measured by the runner's
`--loop-mark wdr` (firmware/sim/sim_timing_avr.c): the longest main-loop pass (from one watchdog feed
to the next) and its p50/p99/p99.9, the longest time with interrupts off, the watchdog's timeout and
resets, the pulses the model sent against the total the board reports, and TELEMETRY's period in
board ms. Simulated time only: the numbers are the same on any machine. The configurations: the
loaded Uno of issue 14 (tests/firmware_avr/recipes/loaded-uno.toml: a DHT22, four DS18B20 on one
pin, a 500 Hz flow meter, rules, two relays), then each sensor alone (with the 500 Hz flow meter
beside the DHT22 and the HC-SR04), and the push of the loaded config (its EEPROM writes).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "host"))
sys.path.insert(0, str(ROOT))

from tests.firmware_avr.loop_timing import LOADED_RECIPE, LOADED_WORLD, Timing, measure  # noqa: E402
from tests.support.simavr_board import build_product  # noqa: E402

HEAD = '[recipe]\nname = "timing"\nversion = "1.0.0"\nsummary = "one sensor, timed"\nboards = ["uno"]\ntelemetry = "1 s"\n\n'
FLOW = ('[sensors.flow]\nkind = "pulse"\npin = "D2"\nread_every = "1 s"\n\n'
        '[channels.flow_total]\nsensor = "flow"\nquantity = "total"\n\n')
FLOW_WORLD = "pulse D2 0:0 5000:0 5001:500 15001:500 15002:0\n"
PROBES = "".join(f'[sensors.p{i}]\nkind = "ds18b20"\npin = "D3"\nrom = "{rom}"\nread_every = "1 s"\n\n'
                 f'[channels.t{i}]\nsensor = "p{i}"\n\n'
                 for i, rom in enumerate(("28ab89674523015a", "28efbe00000000fe", "2811223344550a90", "28a1b2c3d4e5f6ac")))
PROBES_WORLD = "".join(line + "\n" for line in LOADED_WORLD.read_text().splitlines() if line.startswith("ds18b20"))

# name -> (recipe, world, from_ms, what it shows); the flow meter's total is always the last channel
CONFIGS = {
    "loaded": (LOADED_RECIPE.read_text(), LOADED_WORLD.read_text(), 3000,
               "DHT22 + four DS18B20 on D3 + 500 Hz flow meter + 2 rules, 2 relays (issue 14)"),
    "dht22_flow": (HEAD + '[sensors.air]\nkind = "dht22"\npin = "D4"\nread_every = "2 s"\n\n'
                   '[channels.air_temp]\nsensor = "air"\nquantity = "temperature"\n\n' + FLOW,
                   FLOW_WORLD + "dht22 D4 21.5 55\n", 3000, "a DHT22 read every 2 s beside the 500 Hz flow meter"),
    "ds18b20x4": (HEAD + PROBES, PROBES_WORLD, 3000, "four DS18B20 on one pin, each read every 1 s"),
    "hcsr04_flow": (HEAD + '[sensors.tank]\nkind = "hcsr04"\npin = "D7"\necho = "D8"\nread_every = "500 ms"\n\n'
                    '[channels.gap]\nsensor = "tank"\n\n' + FLOW, FLOW_WORLD + "hcsr04 D7 D8 400\n", 3000,
                    "an HC-SR04 pinged every 500 ms at 400 cm (a 23 ms echo) beside the 500 Hz flow meter"),
    "push": (LOADED_RECIPE.read_text(), LOADED_WORLD.read_text(), 0,
             "the loaded config's push from boot: its EEPROM writes are passes of the loop"),
}


def emit(name: str, value, unit: str, notes: str) -> None:
    print(json.dumps({"name": name, "value": value, "unit": unit, "notes": notes}), flush=True)


def report(name: str, t: Timing, notes: str) -> None:
    emit(f"loop_{name}_pass_max", t.num("pass_max_us"), "us",
         f"{notes}; at board {t.num('pass_max_at_ms')} ms; p50 {t.num('pass_p50_us')} us, p99 {t.num('pass_p99_us')} us, "
         f"p99.9 {t.num('pass_p999_us')} us over {t.num('passes')} passes; watchdog {t.num('wdt_ms')} ms, "
         f"resets {t.num('resets')}")
    emit(f"loop_{name}_irq_off_max", t.num("irq_off_max_us"), "us",
         f"{notes}; at pc {t.timing['irq_off_pc']}; windows >= 1 ms: {t.num('irq_off_over_1ms')}")
    if 2 in t.falls:
        totals = [m.values[-1] for m in t.telemetry if m.values and m.values[-1] is not None]
        counted = totals[-1] // 1000 if totals else 0
        emit(f"loop_{name}_pulses_missed", t.falls[2] - counted, "pulses",
             f"{notes}; the model sent {t.falls[2]}, the board counted {counted}")
    periods = t.periods_ms(after_ms=t.num("from_ms"))
    if periods:
        emit(f"loop_{name}_telemetry_period", f"{min(periods)}..{max(periods)}", "board ms",
             f"{notes}; {len(periods)} periods of TELEMETRY at 1 s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=14.0, help="board seconds to measure each configuration")
    ap.add_argument("--elf", type=Path, help="the firmware (default: make -C firmware BOARD=uno)")
    ap.add_argument("--only", choices=sorted(CONFIGS), action="append", help="run only these configurations")
    args = ap.parse_args()
    elf = args.elf or build_product("uno")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only or CONFIGS:
            recipe, world, from_ms, notes = CONFIGS[name]
            t = measure(elf, recipe, world, 3000 + int(args.seconds * 1000), Path(tmp) / name, from_ms=from_ms)
            report(name, t, notes)


if __name__ == "__main__":
    main()
