"""`tendril log --protocol firmata` as a user runs it (a subprocess): a board that says nothing when
its port opens is asked and logged; a bad port, a board that is not Firmata, a silent port or a bad
--analog give one line on stderr and exit status 1, never a traceback."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time

import pytest
from tendril.sim.runner import ROOT

from .test_firmata_replies import any_firmata, past_its_boot  # noqa: F401 - any_firmata: a fixture

COMMITTED = re.compile(r"\| (\d+) rows committed to ")


def tendril_log(db, *args: str) -> list[str]:
    return [sys.executable, "-m", "tendril.cli", "log", "--db", str(db), "--protocol", "firmata",
            *args]


@pytest.mark.slow
def test_log_asks_a_firmata_board_that_is_silent_on_open_and_logs_it(any_firmata, sim, tmp_path):
    _, elf = any_firmata
    board, _ = sim(elf, "adc A0 100\nadc A1 200\n")
    past_its_boot(board.port)  # its boot greeting is long gone, as in the issue
    proc = subprocess.Popen(tendril_log(tmp_path / "f.db", "--port", board.port, "--analog", "0,1",
                                        "--status-every", "0.3"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        lines, committed, deadline = [], 0, time.monotonic() + 120  # guards against a hang only
        while committed < 20 and time.monotonic() < deadline and proc.poll() is None:
            if select.select([proc.stdout], [], [], 0.5)[0]:
                lines.append(proc.stdout.readline())
                if m := COMMITTED.search(lines[-1]):
                    committed = int(m.group(1))
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        out = "".join(lines) + out
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert committed >= 20 and "Traceback" not in err + out and err == ""
    assert re.search(r"Firmata 2\.5 board \(\S+ \d+\.\d+\)", out)


@pytest.fixture
def silent_pty():
    """A pty nobody answers on (a port with nothing behind it)."""
    master, slave = os.openpty()
    yield os.ttyname(slave)
    os.close(master)
    os.close(slave)


@pytest.mark.parametrize("port, says", [
    ("/nonexistent/ttyACM9", "cannot open /nonexistent/ttyACM9 as a Firmata board"),
    ("silent", "no Firmata firmware answered .*nothing came back"),
    pytest.param("plotter", "no Firmata firmware answered", marks=pytest.mark.slow),
])
def test_log_on_a_bad_port_says_one_line_and_exits_1(port, says, request, sim, tmp_path):
    if port == "silent":
        port = request.getfixturevalue("silent_pty")
    elif port == "plotter":  # a sketch that prints text, not Firmata
        port = sim(request.getfixturevalue("plotter_elf"), "adc A0 1\n")[0].port
    done = subprocess.run(tendril_log(tmp_path / "f.db", "--port", port, "--hello-timeout", "1",
                                      "--duration", "5"),
                          capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tendril: ") and re.search(says, lines[0])


@pytest.mark.parametrize("analog", ["x", "16", "A-1", ","])
def test_log_with_a_bad_analog_list_says_one_line_and_exits_1(analog, silent_pty, tmp_path):
    done = subprocess.run(tendril_log(tmp_path / "f.db", "--port", silent_pty, "--analog", analog),
                          capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("tendril: --analog") and len(done.stderr.splitlines()) == 1
