"""One fleet host for the namespace test: a held native board running the fast plant waterer under
a real `tendril serve` subprocess (--db, publishing to --mqtt), driven --ms board milliseconds.
Exits 0 once the broker has delivered the board's last TELEMETRY frames record to a subscriber of
its own and serve has stopped cleanly on SIGTERM (its database then holds every sample).

    python -m tests.collect.publish_board --mqtt mqtt://10.231.0.1:1883 --db a.db --eeprom b.eeprom
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import paho.mqtt.client as mqtt
from tendril.mqtt import frames
from tendril.mqtt.topics import board_id
from tendril.session import Session
from tendril.sim.runner import SimBoard, SimSpec

from ..live.conftest import FAST_TEXT, push_fast
from .conftest import wait_for


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mqtt", required=True)
    ap.add_argument("--db", required=True, type=Path)
    ap.add_argument("--eeprom", required=True, type=Path)
    ap.add_argument("--ms", type=int, default=3000)
    args = ap.parse_args()
    sim = SimBoard(SimSpec(board="uno", runtime="native", eeprom=args.eeprom, hold=True))
    serve = None
    try:
        push_fast(sim.port)
        with Session(sim.port) as s:
            board = board_id(s.hello.device_id)
        seen = {"online": False, "last_ms": -1}
        cond = threading.Condition()

        def message(client, userdata, msg) -> None:
            with cond:
                if msg.topic.endswith("/availability") and msg.payload == b"online":
                    seen["online"] = True
                elif msg.topic.endswith("/frames"):
                    rec = frames.decode(msg.payload)
                    if rec.kind == frames.TELEMETRY:
                        seen["last_ms"] = max(seen["last_ms"], rec.msg.time_ms)

        host, port = args.mqtt.removeprefix("mqtt://").rsplit(":", 1)
        watch = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        watch.on_message = message
        watch.on_connect = lambda c, *_: (c.subscribe(f"tendril/{board}/availability", qos=1),
                                          c.subscribe(f"tendril/{board}/frames", qos=1))
        watch.connect(host, int(port))
        watch.loop_start()
        recipe = args.db.with_suffix(".toml")
        recipe.write_text(FAST_TEXT)
        name = args.db.stem
        serve = subprocess.Popen(
            [sys.executable, "-m", "tendril.cli", "serve", sim.port, "--db", str(args.db),
             "--name", name, "--recipe", str(recipe), "--broker", args.mqtt],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "TENDRIL_RUNTIME_DIR": str(args.db.parent / f"{name}-runtime")})
        wait_for(lambda: seen["online"], 60, "serve bringing the board online")
        target = sim.clock.run(args.ms)
        wait_for(lambda: seen["last_ms"] >= target - 100, 60, "the board's last telemetry on MQTT")
        serve.send_signal(signal.SIGTERM)
        out, _ = serve.communicate(timeout=60)
        assert serve.returncode == 0, out[-3000:]
        watch.disconnect()
        watch.loop_stop()
        print(f"serve {name}: {out.strip().splitlines()[-1]}", flush=True)
    finally:
        if serve is not None and serve.poll() is None:
            serve.kill()
            serve.wait(10)
        sim.stop()


if __name__ == "__main__":
    main()
