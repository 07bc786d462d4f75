"""`tendril log` as a user runs it: a subprocess on the native board's pty (through the relay where
the stream is damaged), stopped by SIGTERM, killed with SIGKILL, or refused at the start."""

from __future__ import annotations

import pytest

import os
import re
import select
import signal
import subprocess
import sys
import time

from tendril.sim.feeder import Feeder

from .conftest import FAST_TEXT, count
from .relay import Relay
from .test_unplug import check_values_match_the_board

pytestmark = pytest.mark.slow  # tendril log in a subprocess against live boards


COMMITTED = re.compile(r"\| (\d+) rows committed to ")


def start_log(tmp_path, *ports: str, extra=()) -> subprocess.Popen:
    recipe = tmp_path / "fast.toml"
    recipe.write_text(FAST_TEXT)
    args = [sys.executable, "-m", "tendril.cli", "log", "--db", str(tmp_path / "log.db"),
            "--recipe", str(recipe), "--status-every", "0.3", *extra]
    for p in ports:
        args += ["--port", p]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def status_lines(proc: subprocess.Popen, n: int, timeout: float = 30) -> list[str]:
    """Read stdout until ``n`` status lines came (returns every line read)."""
    lines: list[str] = []
    end = time.monotonic() + timeout
    while sum("status:" in line for line in lines) < n and time.monotonic() < end:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
    return lines


def last_committed(lines: list[str]) -> int:
    return [int(m.group(1)) for line in lines if (m := COMMITTED.search(line))][-1]


def test_sigterm_flushes_and_exits_0_with_a_summary_that_matches_the_database(fast_board, tmp_path):
    proc = start_log(tmp_path, fast_board.port)
    lines = status_lines(proc, 6)
    assert any("online" in line for line in lines), lines
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    db = tmp_path / "log.db"
    rows = count(db) + count(db, "SELECT count(*) FROM events")
    assert rows > 0
    assert f"{fast_board.port}: {rows} rows committed" in out
    assert count(db, "PRAGMA integrity_check") == "ok"


def test_kill_9_leaves_a_sound_database_with_every_row_reported_committed(fast_board, tmp_path):
    proc = start_log(tmp_path, fast_board.port)
    lines = status_lines(proc, 8)
    reported = last_committed(lines)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    db = tmp_path / "log.db"
    assert reported > 0
    assert count(db, "PRAGMA integrity_check") == "ok"
    assert count(db) + count(db, "SELECT count(*) FROM events") >= reported


def test_corrupt_bytes_are_counted_and_never_logged_as_values(fast_board, tmp_path):
    relay = Relay(fast_board.port, tmp_path / "usb-tendril")
    relay.plug()
    proc = start_log(tmp_path, str(relay.link))
    try:
        status_lines(proc, 2)
        for _ in range(40):  # damage a read now and then while frames keep coming
            relay.corrupt(1)
            time.sleep(0.1)
        time.sleep(1.0)  # a few status lines after the damage
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
        lines = out.splitlines()
    finally:
        if proc.poll() is None:
            proc.kill()
        relay.close()
    assert proc.returncode == 0, err
    assert relay.corrupted >= 30
    crc = [int(m.group(1)) for line in lines if (m := re.search(r"(\d+) CRC errors", line))]
    assert crc and crc[-1] > 0, lines
    assert "Traceback" not in err
    db = tmp_path / "log.db"
    assert check_values_match_the_board(db, relay) > 0


def test_a_port_that_never_answers_hello_is_one_line_and_exit_1(tmp_path):
    with Feeder(channels=2, rate_hz=10) as good:
        master, slave = os.openpty()  # a pty nobody answers on
        silent = os.ttyname(slave)
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "tendril.cli", "log", "--db", str(tmp_path / "log.db"),
                 "--port", good.port, "--port", silent, "--hello-timeout", "1"],
                check=False, capture_output=True, text=True, timeout=30)
        finally:
            os.close(master)
            os.close(slave)
    assert proc.returncode == 1
    (line,) = proc.stderr.strip().splitlines()
    assert silent in line and "HELLO" in line and "Traceback" not in proc.stderr


def test_plotter_and_firmata_together_are_refused(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tendril.cli", "log", "--port", "/dev/null",
                           "--db", str(tmp_path / "x.db"), "--format", "plotter",
                           "--protocol", "firmata"],
                          check=False, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1 and "exclude each other" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


class PlotterWriter:
    """A sketch printing Serial Plotter lines on a real pty: a header, then labelled rows, with a
    damaged line now and then; ``sent`` keeps every good row."""

    def __init__(self, period: float = 0.01) -> None:
        import pty
        import threading
        import tty
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        self.port = os.ttyname(self.slave)
        self.period = period
        self.sent: list[tuple[float, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        os.write(self.master, b"soil\tlight\r\n")
        i = 0
        while not self.stop.is_set():
            i += 1
            soil, light = (i % 90) + 0.25, i
            if i % 17 == 0:
                os.write(self.master, b"soil:4#2 light:x\r\n")  # a damaged line: not a value
            os.write(self.master, f"soil:{soil} light:{light}\r\n".encode())
            self.sent.append((soil, light))
            self.stop.wait(self.period)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        os.close(self.master)
        os.close(self.slave)


def test_plotter_text_is_logged_and_exported_by_name(tmp_path):
    db = tmp_path / "log.db"
    with PlotterWriter() as sketch:
        proc = subprocess.run(
            [sys.executable, "-m", "tendril.cli", "log", "--db", str(db), "--port", sketch.port,
             "--format", "plotter", "--duration", "2", "--status-every", "0.5"],
            check=False, capture_output=True, text=True, timeout=30)
        sent = set(sketch.sent)
    assert proc.returncode == 0, proc.stderr
    assert "could not be read" in proc.stdout  # the damaged lines are counted, not logged
    out = subprocess.run([sys.executable, "-m", "tendril.cli", "export", "--db", str(db),
                          "--format", "jsonl"], check=True, capture_output=True, text=True).stdout
    import json
    rows = [json.loads(line) for line in out.splitlines()]
    by_time: dict[float, dict[str, float]] = {}
    for r in rows:
        by_time.setdefault((r["time"], r["device_ms"]), {})[r["name"]] = r["value"]
    assert len(by_time) >= 50
    # every logged row is a row the sketch printed, with both values of that line
    for values in by_time.values():
        assert (values["soil"], values["light"]) in sent, values
def test_duration_stops_on_its_own_and_json_lines_are_json(tmp_path):
    import json
    with Feeder(channels=3, rate_hz=50) as feeder:
        proc = subprocess.run(
            [sys.executable, "-m", "tendril.cli", "log", "--db", str(tmp_path / "log.db"),
             "--port", feeder.port, "--duration", "2", "--json-lines", "--status-every", "0.5"],
            check=False, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    statuses = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(statuses) >= 2 and statuses[-1]["ports"][0]["state"] == "online"
    assert count(tmp_path / "log.db") >= 3 * 50
