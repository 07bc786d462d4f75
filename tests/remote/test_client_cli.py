"""With `tendril serve` running, the device commands (the real CLI, in subprocesses) go through it:
the port stays serve's (it is never opened again), the words are today's, serve's log database
records the run and the parameter change, and refusals are one line. Without serve, nothing
changes (tests/cli keeps that)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest

from tendril.contract import EventKind, Source

from ..live.conftest import FAST_TEXT
from ..serve.conftest import TIMEOUT, Watcher, board_of, state_where
from ..support.mosquitto import Broker

pytestmark = pytest.mark.slow  # a serve subprocess and a live simulated board


def cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tendril.cli", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env})


def wait_runtime_lists(runtime_dir, board: str) -> None:
    """serve writes its runtime file on its tick: wait until it lists the board online."""
    path = runtime_dir / "serve.json"
    end = time.monotonic() + TIMEOUT
    while True:
        try:
            info = json.loads(path.read_text())
            if info["boards"].get(board, {}).get("state") == "online":
                return
        except (OSError, ValueError, KeyError):
            pass
        assert time.monotonic() < end, f"serve's runtime file never listed {board} online"
        time.sleep(0.05)  # polling a file with a deadline; the deadline only matters on failure


@pytest.fixture
def served(broker, watcher, fast_board, start_serve):
    board = board_of(fast_board.port)
    serve = start_serve(broker.url, fast_board.port)
    watcher.wait(state_where(lambda s: s["board"] == board and s["actuators"]["pump"]))
    wait_runtime_lists(serve.runtime, board)
    return serve, board, {"TENDRIL_RUNTIME_DIR": str(serve.runtime)}


def events_of(db) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT kind, a, b, value FROM events ORDER BY rowid").fetchall()
    finally:
        conn.close()


def boot_count(port: str) -> int:
    from tendril.session import Session
    with Session(port) as s:
        return s.hello.boot_count


@pytest.fixture
def boots_before(fast_board):
    return boot_count(fast_board.port)


def test_log_run_and_set_go_through_serve_and_land_in_its_log(boots_before, served, fast_board,
                                                              watcher, tmp_path):
    serve, board, env = served
    port = fast_board.port
    notice = "through tendril serve on testhost"

    ran = cli("run", "pump", "--port", port, "--for", "2 s", env=env)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "pump on for 2 s\n"
    assert notice in ran.stderr

    since = watcher.count()
    tuned = cli("set", "dry_threshold=42 %", "--port", port, env=env)
    assert tuned.returncode == 0, tuned.stderr
    assert tuned.stdout == "dry_threshold = 42 % (stored as 42000)\n" and notice in tuned.stderr
    watcher.wait(state_where(lambda s: s["parameters"]["dry_threshold"] == 42), since=since)

    assert cli("pause", "--port", port, env=env).stdout.startswith("automation paused")
    shown = cli("status", "--port", port, env=env)
    assert shown.returncode == 0, shown.stderr
    assert "paused: True" in shown.stdout and "dry_threshold 42 %" in shown.stdout
    assert "plant-waterer" in shown.stdout
    assert "device_id: " + board in shown.stdout
    off = cli("off", "pump", "--port", port, env=env)
    assert off.returncode == 0 and off.stdout == "pump off\n" and notice in off.stderr
    assert cli("resume", "--port", port, env=env).stdout == "automation resumed\n"
    as_json = json.loads(cli("status", "--json", "--port", board, env=env).stdout)
    assert as_json["paused"] is False and as_json["params"]["dry_threshold"] == 42

    pulled = cli("pull", "--port", port, env=env)
    assert pulled.returncode == 0 and "dry_threshold" in pulled.stdout and "42" in pulled.stdout
    recipe = tmp_path / "again.toml"
    recipe.write_text(pulled.stdout)
    pushed = cli("push", str(recipe), "--port", port, env=env)
    assert pushed.returncode == 0, pushed.stderr
    assert notice in pushed.stderr

    # export reads serve's log database while serve writes it (SQLite WAL)
    exported = cli("export", "--db", str(serve.db), "--events", env=env)
    assert exported.returncode == 0, exported.stderr

    # every command was serve's to carry out (it logs each), over the link it held all along
    for command in ("run", "set", "pause", "status", "off", "resume", "pull", "push"):
        assert f"{command} for {board}" in serve.stderr, command
    code, _, err = serve.stop()
    assert code == 0
    assert boot_count(port) == boots_before  # the board was never reset
    events = events_of(serve.db)
    assert (EventKind.ACT_ON, 0, Source.LEASE) in [e[:3] for e in events]
    assert (EventKind.PARAM, 0, 42000) in [(k, a, v) for k, a, _, v in events]


def test_without_serve_the_commands_open_the_port_as_before(fast_board, tmp_path):
    env = {"TENDRIL_RUNTIME_DIR": str(tmp_path / "no-serve"), "TENDRIL_DB": str(tmp_path / "cli.db")}
    recipe = tmp_path / "fast.toml"
    recipe.write_text(FAST_TEXT)
    named = ("--port", fast_board.port, "--recipe", str(recipe))
    ran = cli("run", "pump", *named, "--for", "2 s", env=env)
    assert ran.returncode == 0 and ran.stdout == "pump on for 2 s\n", ran.stderr
    off = cli("off", "pump", *named, env=env)
    assert off.returncode == 0 and off.stdout == "pump off\n", off.stderr
    shown = cli("status", "--json", *named, env=env)
    assert json.loads(shown.stdout)["actuators"]["pump"] in ("off", "resting")
    assert "through tendril serve" not in ran.stderr + off.stderr + shown.stderr


def test_refusals_through_serve_are_one_line(served, fast_board):
    serve, board, env = served
    for args, words in ((("run", "sprinkler", "--for", "2 s"), "no actuator \"sprinkler\""),
                        (("set", "dry_threshold=95 %"), "outside"),
                        (("run", "pump", "--for", "60 s"), "max_on")):
        out = cli(*args, "--port", fast_board.port, env=env)
        assert out.returncode == 1, out
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 2 and lines[0].startswith("through tendril serve"), out.stderr
        assert words in lines[1] and "Traceback" not in out.stderr


def test_via_a_broker_url_with_a_password(tmp_path, fast_board, start_serve):
    broker = Broker(tmp_path / "auth", users={"serve": "s3cret", "phone": "p4ss"}).start()
    try:
        board = board_of(fast_board.port)
        start_serve(broker.url_for("serve"), fast_board.port)
        env = {"TENDRIL_RUNTIME_DIR": str(tmp_path / "elsewhere")}  # no local serve to find
        url = f"mqtt://phone@{broker.host}:{broker.port}"
        seen = Watcher(broker.host, broker.port, "phone", "p4ss")
        try:
            seen.wait_topic(f"tendril/{board}/availability", "online")
        finally:
            seen.close()
        out = cli("run", "pump", "--for", "1 s", "--port", board, "--via", url,
                  env={**env, "TENDRIL_MQTT_PASSWORD": "p4ss"})
        assert out.returncode == 0, out.stderr
        assert out.stdout == "pump on for 1 s\n"
        wrong = cli("pause", "--port", board, "--via", url, env={**env, "TENDRIL_MQTT_PASSWORD": "no"})
        assert wrong.returncode == 1 and len(wrong.stderr.strip().splitlines()) == 1
        assert "Traceback" not in wrong.stderr
    finally:
        broker.stop()
