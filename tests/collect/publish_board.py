"""One fleet host for the namespace test, until `tendril serve` takes its place: a held native
board running the fast plant waterer, a LiveBoard with FanOut(LogSink(--db), FramesSink) publishing
its frames to --mqtt, driven --ms board milliseconds. Exits 0 once every frame is acknowledged by
the broker, printing the samples its own log holds.

    python -m tests.collect.publish_board --mqtt mqtt://10.231.0.1:1883 --db a.db --eeprom b.eeprom
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tendril.collect import FramesSink
from tendril.live import FanOut, LiveBoard, LogSink
from tendril.sim.runner import SimBoard, SimSpec

from ..live.conftest import fast_recipe, push_fast
from .conftest import publisher, wait_for


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mqtt", required=True)
    ap.add_argument("--db", required=True, type=Path)
    ap.add_argument("--eeprom", required=True, type=Path)
    ap.add_argument("--ms", type=int, default=3000)
    args = ap.parse_args()
    sim = SimBoard(SimSpec(board="uno", runtime="native", eeprom=args.eeprom, hold=True))
    infos = []
    try:
        push_fast(sim.port)
        with publisher(args.mqtt) as (publish, _client):
            log = LogSink.open(args.db)
            fan = FanOut([log, FramesSink(lambda t, p: infos.append(publish(t, p)))])
            board = LiveBoard(sim.port, sink=fan, recipes=[fast_recipe()]).start()
            try:
                assert board.wait_online(30), board.view().error
                target = sim.clock.run(args.ms)
                wait_for(lambda: board.device_ms is not None and board.device_ms >= target - 100,
                         60, "the board's last telemetry")
            finally:
                board.stop()
                fan.flush()
                log.close()
            assert not fan.errors, fan.errors
            end = time.monotonic() + 60
            for info in infos:  # every frame acknowledged by the broker
                info.wait_for_publish(max(0.1, end - time.monotonic()))
                assert info.is_published(), "a frame the broker never acknowledged"
        print(f"published {len(infos)} records, {board.samples} samples", flush=True)
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
