"""How long one 6-channel main-loop pass takes: engine tick + one TELEMETRY frame (CRC, COBS).

Run on a board with `mpremote run firmware/micropython/tools/bench_tick.py` (after the firmware is
deployed), or under CPython with firmware/micropython on sys.path. Prints microseconds per pass.
"""

import struct

from tdfw import msg
from tdfw.engine import Engine
from tdfw.frame import Encoder

try:
    from time import ticks_diff, ticks_us
except ImportError:  # CPython
    import time

    def ticks_us():
        return time.perf_counter_ns() // 1000

    def ticks_diff(a, b):
        return a - b


def image():
    """6 analog channels (2 ms), 2 relays, 4 threshold rules, telemetry every 2 ms; CRC not set
    (the engine trusts a validated image; this one is only timed)."""
    nc, na, nr = 6, 2, 4
    b = bytearray(40 + 13 * nc + 8 * na + 26 * nr)
    b[0:2] = b"TD"
    struct.pack_into("<HBB", b, 6, len(b), 1, 3)
    b[34], b[35], b[36], b[37] = nc, na, nr, 0
    struct.pack_into("<H", b, 38, 2)
    o = 40
    for c in range(nc):
        struct.pack_into("<BBBHii", b, o, 26 + c % 3, 0x20, 1, 2, 100000, 0)
        o += 13
    for a in range(na):
        struct.pack_into("<BBHHH", b, o, 15 + a, 0, 0x4000 | 10, 0, 0x8000 | 60)
        o += 8
    for r in range(nr):
        struct.pack_into("<BBBBBBBBiiHHHi", b, o, 1, r % na, 1, 255, r, 0, 0xFF, 0, 30000, 1000,
                         500, 0x4000 | 2, 0x4000 | 60, 0)
        o += 26
    return b


def main(passes=2000):
    sent = [0]

    def emit(t, kind, a, b, c, v):
        sent[0] += 1

    eng = Engine(image(), emit)
    enc = Encoder()
    t0 = ticks_us()
    for i in range(passes):
        now = i * 2
        for c in range(6):
            eng.raw[c] = 20000 + (i * 37 + c * 1000) % 30000
        eng.tick(now)
        n = msg.telemetry(enc.raw, now, 0, 0, eng.value, 0, 6)
        enc.finish(0x84, i, n)
    us = ticks_diff(ticks_us(), t0) / passes
    print("us_per_pass", us, "max_hz", int(1e6 / us), "events", sent[0])


main()
