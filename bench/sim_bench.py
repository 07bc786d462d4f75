"""Simulated-board benchmarks: one JSON object a line (name, value, unit, notes).

    .venv/bin/python bench/sim_bench.py [--seconds 10]

- simavr speed against real time, in --fast: the runner's test sketch in a busy loop, and the real
  firmware running the plant-waterer recipe (simulated ms per wall ms);
- the highest TELEMETRY rate the simulated Uno sustains with no frame lost: 6 channels, the
  firmware built at 500,000 baud (make BAUD=500000), telemetry periods from 10 ms down to 2 ms;
- the native build's speed (firmware/native, --fast --step 1) running the plant-waterer recipe with
  the host reading every frame (simulated ms per wall ms).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "host"))

import itertools

from tendril.contract import BoardClass, ChannelKind, MsgType, Unit
from tendril.image import Channel, Image, encode
from tendril.protocol import Telemetry, decode_message
from tendril.sim.link import PtyLink
from tendril.sim.runner import SimBoard, SimSpec, firmware_elf, push_image, simavr_runner
from tendril.sim.story import plant_waterer_image

TESTDATA = ROOT / "firmware" / "build" / "sim" / "testdata"


def emit(name: str, value, unit: str, notes: str) -> None:
    print(json.dumps({"name": name, "value": value, "unit": unit, "notes": notes}), flush=True)


def stop_speed(events: Path) -> float:
    line = next(x for x in events.read_text().splitlines() if x.startswith("stop "))
    return float(re.search(r"speed=([\d.]+)", line)[1])


def speed_probe(seconds: float, tmp: Path) -> None:
    subprocess.run(["make", "-s", "-C", str(ROOT / "firmware" / "sim"), "all", "testdata"], check=True)
    events = tmp / "probe.log"
    sim_ms = int(seconds * 3000)
    spec = SimSpec(elf=TESTDATA / "probe-uno.elf", realtime=False, events=events,
                   extra=["--cut-at-ms", str(sim_ms)])
    with SimBoard(spec) as board:
        board.proc.wait()
    emit("simavr_speed_busy_loop", stop_speed(events), "sim ms / wall ms",
         f"probe sketch (avr-libc busy loop on a 1 kHz timer), {sim_ms} simulated ms, --fast")


def speed_firmware(seconds: float, tmp: Path) -> None:
    events = tmp / "fw.log"
    spec = SimSpec(realtime=False, events=events, eeprom=tmp / "fw.eeprom",
                   extra=["--set", "plant soil=A0 float=2 pump=7 pump_active=low dry_per_hour=60"])
    with SimBoard(spec) as board, PtyLink(board.port) as link:
        push_image(link, plant_waterer_image())
        link.close()
        time.sleep(seconds)
    emit("simavr_speed_firmware", stop_speed(events), "sim ms / wall ms",
         "real tendril.elf running the plant-waterer recipe (1 Hz telemetry, nobody reading), --fast")


def speed_native(seconds: float, tmp: Path) -> None:
    subprocess.run(["make", "-s", "-C", str(ROOT / "firmware" / "native")], check=True)
    binary = ROOT / "firmware" / "build" / "native" / "tendril-native"
    proc = subprocess.Popen([str(binary), "--eeprom", str(tmp / "native.eeprom"), "--fast", "--step", "1",
                             "--plant", "--run-for", str(10**12)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        port = proc.stdout.readline().split("port: ", 1)[1].strip()
        with PtyLink(port) as link:
            push_image(link, plant_waterer_image())
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                link.poll(deadline - time.monotonic())
    finally:
        proc.terminate()
        err = proc.communicate(timeout=10)[1]
    m = re.search(r"simulated (\d+) ms in (\d+) ms real", err)
    speed = round(int(m[1]) / max(1, int(m[2])), 1) if m else 0.0
    emit("native_speed_firmware", speed, "sim ms / wall ms",
         "tendril-native --fast --step 1, plant-waterer recipe and plant model, host decoding every frame; "
         + (m[0] if m else "no exit summary: " + err.strip()[-200:]))


def telemetry_image(period_ms: int, n: int = 6) -> bytes:
    chans = tuple(Channel(pin=14 + i, kind=ChannelKind.ANALOG, unit=Unit.NONE, period_ms=2)
                  for i in range(n))
    return encode(Image(name="tm-bench", board_class=BoardClass.AVR328, telemetry_ms=period_ms,
                        channels=chans))


def telemetry_run(elf: Path, period_ms: int, n: int, seconds: float, tmp: Path) -> tuple[int, int, int]:
    """(frames received, frames lost by seq gaps, simulated ms covered)."""
    sets = [x for i in range(6) for x in ("--set", f"adc A{i} {100 * (i + 1)}")]
    spec = SimSpec(elf=elf, realtime=False, eeprom=tmp / f"tm{period_ms}-{n}.eeprom", extra=sets)
    with SimBoard(spec, stderr=subprocess.DEVNULL) as board, PtyLink(board.port) as link:
        push_image(link, telemetry_image(period_ms, n))
        link.messages(0.5)  # settle
        link.unsolicited.clear()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            link.poll(deadline - time.monotonic())
        frames = [f for _, f in link.unsolicited if f.type == MsgType.TELEMETRY]
    seqs = [f.seq for f in frames]
    lost = sum((b - a - 1) & 0xFFFF for a, b in itertools.pairwise(seqs))
    times = [decode_message(f).time_ms for f in frames if isinstance(decode_message(f), Telemetry)]
    return len(frames), lost, (times[-1] - times[0]) if times else 0


def telemetry_rate(seconds: float, tmp: Path, n: int) -> None:
    build = tmp / "fw500k"
    done = subprocess.run(check=False, args=["make", "-s", "-C", str(ROOT / "firmware"), "BOARD=uno", "BAUD=500000",
                           f"BUILD_DIR={build}"], capture_output=True, text=True)
    elf = build / "uno" / "tendril.elf"
    baud = "500000"
    if not elf.exists():
        elf, baud = firmware_elf("uno"), "115200 (the 500k build failed: " + \
            (done.stderr.strip().splitlines() or ["?"])[-1] + ")"
    best = None
    for period in (10, 5, 4, 3, 2):
        got, lost, span = telemetry_run(elf, period, n, seconds, tmp)
        rate = round(got * 1000 / span, 1) if span else 0.0
        # Seq gaps are frames lost on the link; a frame the device drops for want of UART room
        # takes no seq, so it shows as a frame missing against the period instead.
        missing = max(0, round(span / period) + 1 - got - lost) if got else 0
        what = f"{got} frames over {span} simulated ms, {lost} lost (seq gaps), {missing} missing " \
            "against the period" if got else "no TELEMETRY frame arrived at all"
        emit(f"sim_telemetry_{n}ch_period_{period}ms", rate, "frames / simulated s",
             f"{n} channels, baud {baud}: {what}")
        if got and lost == 0 and missing <= 1 and rate >= 0.95 * 1000 / period:
            best = (period, rate)
    emit(f"sim_telemetry_{n}ch_max_lossless", best[1] if best else 0, "frames / simulated s",
         f"shortest telemetry period kept with no frame lost: {best[0] if best else 'none'} ms "
         f"({n} channels, baud {baud}, simulated Uno, host reading the pty)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0, help="wall seconds per measurement")
    args = ap.parse_args()
    simavr_runner()
    with tempfile.TemporaryDirectory() as tmp:
        speed_probe(args.seconds, Path(tmp))
        speed_firmware(args.seconds, Path(tmp))
        speed_native(args.seconds, Path(tmp))
        telemetry_rate(args.seconds, Path(tmp), 6)
        telemetry_rate(args.seconds, Path(tmp), 2)  # for scale, while 6 channels send nothing


if __name__ == "__main__":
    main()
