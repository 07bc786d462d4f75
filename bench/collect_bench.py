"""Collector throughput (docs/benchmarks.md, "collecting a fleet"): frames records through a real
mosquitto into a collector's log database, and the record codec alone.

    PYTHONPATH=host .venv/bin/python bench/collect_bench.py [--records 20000] [--repeat 3]

Prints one JSON object a line like bench/run.py: name, value, unit, notes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tendril.collect import FramesSink  # noqa: E402
from tendril.mqtt import frames  # noqa: E402
from tendril.protocol import Telemetry  # noqa: E402
from tests.collect.conftest import collector, publisher, wait_for  # noqa: E402
from tests.store.conftest import hello  # noqa: E402
from tests.support.mosquitto import Broker  # noqa: E402

VALUES = (21_500, 40_250, 1, 0, 998_000, -5_000)  # 6 channels


def codec(n: int) -> tuple[float, float, int]:
    recs = [frames.Record(frames.TELEMETRY, 1e9 + i, i & 0xFFFF, (1, 1), 7, i,
                          msg=Telemetry(i * 100, 0, 0, VALUES)) for i in range(n)]
    t0 = time.perf_counter()
    data = [frames.encode(r) for r in recs]
    t1 = time.perf_counter()
    for d in data:
        frames.decode(d)
    t2 = time.perf_counter()
    return n / (t1 - t0), n / (t2 - t1), len(data[0])


def through_broker(n: int, where: Path) -> float:
    with Broker(where / "broker", extra=["max_queued_messages 0"]) as broker, \
            collector(broker.url, where / "fleet.db", name="bench") as c, \
            publisher(broker.url) as (publish, _):
        sink = FramesSink(publish)
        s = sink.begin_session(hello())
        t0 = time.perf_counter()
        for i in range(n):
            sink.telemetry(s, Telemetry(i * 100, 0, 0, VALUES), 1e9 + i / 10, i & 0xFFFF)

        def done() -> bool:
            c.tick()
            return c.logger.sink.committed >= n * len(VALUES)
        wait_for(done, 300, "every sample committed")
        return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    enc, dec, size = max(codec(args.records) for _ in range(args.repeat))
    rates = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            rates.append(through_broker(args.records, Path(tmp)))
    out = [("frames record encode, TELEMETRY of 6 channels", enc, "records/s", f"{size} bytes a record"),
           ("frames record decode", dec, "records/s", ""),
           ("publish -> mosquitto -> collector -> committed", max(rates), "records/s",
            f"{args.records} records of 6 channels, QoS 1, one publisher; all runs: "
            + ", ".join(f"{r:,.0f}" for r in rates))]
    for name, value, unit, notes in out:
        print(json.dumps({"name": name, "value": round(value), "unit": unit, "notes": notes}))


if __name__ == "__main__":
    main()
