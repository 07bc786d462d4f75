"""Host-side parsing: pyfirmata2 reading Firmata analog messages vs tendril decoding TELEMETRY.

    .venv/bin/python bench/firmata_bench.py [--samples 200000] [--channels 4]

The same analog samples (10-bit counts, ``channels`` inputs sampled together) two ways, side by
side in one run, one core, best of 5 (median in the notes):

- Firmata: one ANALOG_MESSAGE (0xE0|pin, lsb, msb) per sample, parsed by pyfirmata2's own
  ``Board.iterate`` (what its reader thread calls for every message) with a callback per pin, on a
  Board built from the Uno layout whose serial object is an in-memory byte stream. A real port
  adds a system call per byte on top: pyfirmata2 reads one byte at a time.
- tendril: one TELEMETRY frame per sampling tick carrying every channel (raw flag set), fed in
  4096-byte reads to ``FrameDecoder.feed`` + ``decode_message``; and, for the worst case, one
  frame per sample.

Prints one JSON object a line (``name``, ``value``, ``unit``, ``notes``), like bench/run.py.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time

from tendril.protocol import FrameDecoder, Telemetry, decode_message, encode

REPEATS = 5
READ_SIZE = 4096
ANALOG_MESSAGE = 0xE0


def emit(name: str, value, unit: str, notes: str) -> None:
    print(json.dumps({"name": name, "value": value, "unit": unit, "notes": notes}), flush=True)


def counts(samples: int, channels: int) -> list[tuple[int, ...]]:
    """Sampling ticks of ``channels`` 10-bit readings, ``samples`` readings in all."""
    ticks = samples // channels
    return [tuple((t * 7919 + c * 104_729) % 1024 for c in range(channels)) for t in range(ticks)]


class MemorySerial:
    """The part of pyserial's Serial that pyfirmata2's parser uses, over bytes in memory."""

    def __init__(self, data: bytes) -> None:
        self._io = io.BytesIO(data)
        self._size = len(data)

    def read(self, size: int = 1) -> bytes:
        return self._io.read(size)

    def inWaiting(self) -> int:  # pyserial's old name, which pyfirmata2 calls
        return self._size - self._io.tell()

    def write(self, data) -> None:
        pass  # the parser's board would send REPORT_ANALOG and the like: nowhere to go here

    def close(self) -> None:
        pass


def firmata_parse(stream: bytes, channels: int) -> tuple[int, int]:
    """Parse ``stream`` with pyfirmata2; (samples delivered, their sum as counts)."""
    import pyfirmata2

    board = pyfirmata2.Board.__new__(pyfirmata2.Board)  # no port, no 5 s wait: the parser only
    board.samplerThread = None
    board.sp = MemorySerial(stream)
    board.setup_layout(pyfirmata2.BOARDS["arduino"])
    got = [0, 0]

    def on_value(value: float) -> None:
        got[0] += 1
        got[1] += round(value * 1023)

    for pin in range(channels):
        board.analog[pin].reporting = True
        board.analog[pin].register_callback(on_value)
    while board.bytes_available():  # pyfirmata2's Iterator.run, minus its 1 ms sleeps
        board.iterate()
    return got[0], got[1]


def tendril_decode(reads: list[bytes]) -> tuple[int, int]:
    decoder = FrameDecoder()
    n = total = 0
    for chunk in reads:
        for frame in decoder.feed(chunk):
            values = decode_message(frame).values
            n += len(values)
            total += sum(values)
    assert decoder.stats.errors == 0
    return n, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=200_000)
    ap.add_argument("--channels", type=int, default=4, choices=range(1, 7))
    args = ap.parse_args()
    ticks = counts(args.samples, args.channels)
    samples = len(ticks) * args.channels
    expect = (samples, sum(map(sum, ticks)))

    firmata = bytes(b for tick in ticks for pin, v in enumerate(tick)
                    for b in (ANALOG_MESSAGE | pin, v & 0x7F, v >> 7))
    per_tick = b"".join(encode(Telemetry(i * 19, 0, 1, tick), i & 0xFFFF)
                        for i, tick in enumerate(ticks))
    per_sample = b"".join(encode(Telemetry(i * 19, c, 1, (v,)), (i * args.channels + c) & 0xFFFF)
                          for i, tick in enumerate(ticks) for c, v in enumerate(tick))

    def chunks(data: bytes) -> list[bytes]:
        return [data[i:i + READ_SIZE] for i in range(0, len(data), READ_SIZE)]

    tick_reads, sample_reads = chunks(per_tick), chunks(per_sample)
    n = args.channels
    runs = {
        "firmata_pyfirmata2": (lambda: firmata_parse(firmata, args.channels), firmata,
                               "pyfirmata2 Board.iterate, one ANALOG_MESSAGE per sample"),
        "tendril_telemetry": (lambda: tendril_decode(tick_reads), per_tick,
                              f"FrameDecoder + decode_message, one TELEMETRY frame per tick ({n} values)"),
        "tendril_telemetry_1ch": (lambda: tendril_decode(sample_reads), per_sample,
                                  "FrameDecoder + decode_message, one TELEMETRY frame per sample"),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for name, (fn, _, _) in runs.items():
        assert fn() == expect, f"{name} did not give back the samples"
    for _ in range(REPEATS):  # interleaved, so a busy moment on the machine hits every contender
        for name, (fn, _, _) in runs.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    rates = {}
    for name, (_, wire, what) in runs.items():
        best, median = min(times[name]), statistics.median(times[name])
        rates[name] = samples / best
        emit(name, round(samples / best), "samples/s",
             f"{what}; {samples:,} samples of {args.channels} channels, {len(wire) / samples:.2f} "
             f"B/sample on the wire; best of {REPEATS}, median {samples / median:,.0f} samples/s")
    for name in ("tendril_telemetry", "tendril_telemetry_1ch"):
        emit(f"ratio_{name}_vs_pyfirmata2", round(rates[name] / rates["firmata_pyfirmata2"], 2),
             "x", f"{name} samples/s over pyfirmata2's, same run")


if __name__ == "__main__":
    main()
