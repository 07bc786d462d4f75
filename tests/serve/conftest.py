"""`tendril serve` as a user runs it: a real mosquitto (tests/support/mosquitto.py), simulated
boards on real ptys, a real `tendril serve` subprocess, and a paho client that watches the topics.
Everything waits on messages with deadlines; nothing sleeps for time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from ..live.conftest import FAST_TEXT, push_fast
from ..support.mosquitto import Broker

TIMEOUT = 30.0


class Watcher:
    """A paho client subscribed to ``#`` that keeps every message (topic, payload text, retain)."""

    def __init__(self, url_host: str, port: int, user: str | None = None,
                 password: str | None = None) -> None:
        self.messages: list[tuple[str, str, bool]] = []
        self.cond = threading.Condition()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        if user:
            self.client.username_pw_set(user, password)
        self.client.on_message = self._message
        self.client.on_connect = lambda c, *_: c.subscribe("#", qos=1)
        self.client.connect(url_host, port)
        self.client.loop_start()

    def _message(self, client, userdata, msg) -> None:
        with self.cond:
            self.messages.append((msg.topic, msg.payload.decode("utf-8", "replace"), msg.retain))
            self.cond.notify_all()

    def count(self) -> int:
        with self.cond:
            return len(self.messages)

    def wait(self, predicate, timeout: float = TIMEOUT, since: int = 0):
        """The first message from index ``since`` on for which predicate(topic, payload) holds."""
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                # Only the messages not looked at yet: a busy board sends thousands (frames, state),
                # and parsing them all again on every new one would cost more than the board does.
                while since < len(self.messages):
                    m = self.messages[since]
                    since += 1
                    if predicate(m[0], m[1]):
                        return m
                left = end - time.monotonic()
                if left <= 0:
                    seen = "\n".join(f"{t} {p[:160]}" for t, p, _ in self.messages[-30:])
                    raise AssertionError(f"no such message in {timeout} s; the last ones:\n{seen}")
                self.cond.wait(left)

    def wait_topic(self, topic: str, payload: str | None = None, **kw):
        return self.wait(lambda t, p: t == topic and (payload is None or p == payload), **kw)

    def publish(self, topic: str, payload, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class ServeProc:
    """`tendril serve` in a subprocess with its own runtime dir and database."""

    def __init__(self, tmp: Path, broker_url: str, *ports: str, extra=(), env=None) -> None:
        recipe = tmp / "fast.toml"
        recipe.write_text(FAST_TEXT)
        self.db = tmp / "serve.db"
        self.runtime = tmp / "runtime"
        args = [sys.executable, "-m", "tendril.cli", "serve", *ports, "--db", str(self.db),
                "--name", "testhost", "--recipe", str(recipe), "--birth-delay", "0.05-0.2", *extra]
        if broker_url:
            args += ["--broker", broker_url]
        self.out_path, self.err_path = tmp / "serve.out", tmp / "serve.err"
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.proc = subprocess.Popen(args, stdout=out, stderr=err, text=True,
                                         env={**os.environ, "TENDRIL_RUNTIME_DIR": str(self.runtime),
                                              **(env or {})})

    @property
    def stderr(self) -> str:
        return self.err_path.read_text()

    def stop(self, sig=signal.SIGTERM, timeout: float = TIMEOUT) -> tuple[int, str, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        return self.proc.returncode, self.out_path.read_text(), self.stderr


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path / "broker").start()
    yield b
    b.stop()


@pytest.fixture
def watcher(broker):
    w = Watcher(broker.host, broker.port)
    yield w
    w.close()


@pytest.fixture
def fast_board(native):
    push_fast(native.port)
    return native


@pytest.fixture
def start_serve(tmp_path):
    procs: list[ServeProc] = []

    def start(broker_url: str, *ports: str, extra=(), env=None) -> ServeProc:
        p = ServeProc(tmp_path, broker_url, *ports, extra=extra, env=env)
        procs.append(p)
        return p
    yield start
    for p in procs:
        if p.proc.poll() is None:
            p.proc.kill()
            p.proc.wait(10)
        print("serve stderr:\n" + p.stderr[-4000:])


def board_of(native_port: str) -> str:
    """The board id of the native board on ``native_port`` (its HELLO device id)."""
    from tendril.mqtt.topics import board_id
    from tendril.session import Session
    with Session(native_port) as s:
        return board_id(s.hello.device_id)


def state_where(check):
    """A predicate for Watcher.wait: a state message whose JSON passes ``check``."""
    def predicate(topic: str, payload: str) -> bool:
        if not topic.endswith("/state"):
            return False
        try:
            return bool(check(json.loads(payload)))
        except (ValueError, KeyError, TypeError):
            return False
    return predicate
