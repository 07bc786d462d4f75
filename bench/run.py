"""Protocol benchmarks. Prints one JSON object a line: {"name", "value", "unit", "notes"}.

    .venv/bin/python bench/run.py

Python numbers come from tendril.protocol on one core; the C numbers, when the firmware's host
benchmark can be built, come from firmware/build/host/bench_frame and are passed through unchanged.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tendril.protocol import FrameDecoder, Telemetry, decode_message, encode

ROOT = Path(__file__).resolve().parents[1]
C_BENCH = ROOT / "firmware" / "build" / "host" / "bench_frame"
FRAMES = 100_000
CHANNELS = 6
READ_SIZE = 4096  # bytes per feed(), like a serial read of a busy line
REPEATS = 5


def emit(name: str, value, unit: str, notes: str) -> None:
    print(json.dumps({"name": name, "value": value, "unit": unit, "notes": notes}), flush=True)


def telemetry(i: int) -> Telemetry:
    return Telemetry(
        i * 2,
        0,
        0,
        tuple((i * 7919 + c * 104_729) % 2_000_001 - 1_000_000 for c in range(CHANNELS)),
    )


def timed(fn) -> tuple[float, float]:
    """(best, median) seconds of REPEATS runs of fn()."""
    runs = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return min(runs), statistics.median(runs)


def python_benchmarks() -> None:
    messages = [telemetry(i) for i in range(FRAMES)]
    stream = b"".join(encode(m, i & 0xFFFF) for i, m in enumerate(messages))
    reads = [stream[i : i + READ_SIZE] for i in range(0, len(stream), READ_SIZE)]
    setup = f"{FRAMES} {CHANNELS}-channel TELEMETRY frames ({len(stream) / FRAMES:.0f} B each on the wire)"

    def decode_all() -> None:
        decoder = FrameDecoder()
        n = 0
        for chunk in reads:
            for frame in decoder.feed(chunk):
                decode_message(frame)
                n += 1
        assert n == FRAMES and decoder.stats.errors == 0

    def frame_all() -> None:
        decoder = FrameDecoder()
        n = 0
        for chunk in reads:
            n += len(decoder.feed(chunk))
        assert n == FRAMES

    def encode_all() -> None:
        for i, m in enumerate(messages):
            encode(m, i & 0xFFFF)

    how = f"best of {REPEATS} runs (median in notes), one core, fed in {READ_SIZE}-byte reads"
    best, median = timed(decode_all)
    emit(
        "python_decode_telemetry",
        round(FRAMES / best),
        "frames/s",
        f"FrameDecoder.feed + decode_message; {setup}; {how}; median {FRAMES / median:,.0f} frames/s",
    )
    emit(
        "python_decode_telemetry_bytes",
        round(len(stream) / best / 1e6, 2),
        "MB/s",
        f"the same run as python_decode_telemetry, in wire bytes; median {len(stream) / median / 1e6:.2f} MB/s",
    )
    best, median = timed(frame_all)
    emit(
        "python_decode_telemetry_framing_only",
        round(FRAMES / best),
        "frames/s",
        f"FrameDecoder.feed only (COBS, CRC, header); {setup}; {how}; median {FRAMES / median:,.0f} frames/s",
    )
    best, median = timed(encode_all)
    emit(
        "python_encode_telemetry",
        round(FRAMES / best),
        "frames/s",
        f"encode(Telemetry, seq): payload + CRC + COBS; {setup}; best of {REPEATS} runs; "
        f"median {FRAMES / median:,.0f} frames/s",
    )


def c_benchmarks() -> None:
    """Pass the C frame benchmark's lines through, building it first if it is not there."""
    if not C_BENCH.exists():
        try:
            build = subprocess.run(
                ["make", "-s", "-C", str(ROOT / "firmware" / "core"), "bench"],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,  # a failed build is reported below, not raised
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            emit(
                "c_bench_frame",
                None,
                "",
                f"skipped: make -C firmware/core bench failed to run: {exc}",
            )
            return
        if not C_BENCH.exists():
            reason = (build.stderr.strip().splitlines() or [f"exit status {build.returncode}"])[-1]
            emit(
                "c_bench_frame",
                None,
                "",
                f"skipped: {C_BENCH.relative_to(ROOT)} not built ({reason})",
            )
            return
    try:
        result = subprocess.run(
            [str(C_BENCH)], capture_output=True, text=True, timeout=600, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        emit("c_bench_frame", None, "", f"skipped: {C_BENCH.relative_to(ROOT)} failed: {exc}")
        return
    for line in result.stdout.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # progress text, not a result
        if isinstance(record, dict):
            print(json.dumps(record), flush=True)


def main() -> int:
    os.chdir(ROOT)
    python_benchmarks()
    c_benchmarks()
    return 0


if __name__ == "__main__":
    sys.exit(main())
