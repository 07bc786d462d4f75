"""`tendril log` on boards that do not run tendril: the real sketches in the simulated Uno."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from tendril.sim.runner import ROOT

pytestmark = pytest.mark.slow  # the real sketches in the simulated Uno

SCENARIO = "adc A0 512\nadc A1 100\nadc A2 300\n"  # raw ADC counts


def log_then_export(port: str, db, *options: str) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "tendril.cli", "log", "--port", port, "--db",
                           str(db), "--duration", "3", "--status-every", "1", *options],
                          capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert "rows committed" in done.stdout
    out = subprocess.run([sys.executable, "-m", "tendril.cli", "export", "--db", str(db),
                          "--format", "jsonl"], capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_log_protocol_firmata_logs_the_analog_inputs_by_name(firmata_elf, sim, tmp_path):
    board, _ = sim(firmata_elf, SCENARIO)
    rows = log_then_export(board.port, tmp_path / "f.db", "--protocol", "firmata",
                           "--analog", "A0,A1")
    names = {r["name"] for r in rows}
    assert names == {"A0", "A1"}
    # the ADC counts the scenario drives
    assert {r["value"] for r in rows if r["name"] == "A0"} == {512}
    assert {r["value"] for r in rows if r["name"] == "A1"} == {100}
    # How many depends on how fast this machine runs the simulated Uno in 3 wall seconds (the
    # sampling rate in board time is checked in test_firmata_sim.py): some rows, of both inputs.
    assert sum(r["name"] == "A0" for r in rows) >= 2 and sum(r["name"] == "A1" for r in rows) >= 2


def test_log_format_plotter_logs_the_sketch_lines(plotter_elf, sim, tmp_path):
    board, _ = sim(plotter_elf, SCENARIO)
    rows = log_then_export(board.port, tmp_path / "p.db", "--format", "plotter")
    assert len(rows) >= 6  # a few lines of three values (how many: the machine's pace)
    values = {}
    for r in rows:
        values.setdefault(r["name"], set()).add(r["value"])
    # the sketch's arithmetic on the scenario's counts: soil (800 - 512) * 100 / 450 = 64.00 %,
    # light 100, temp (300 * 5 / 1024 - 0.5) * 100 = 96.48 -> printed with one decimal
    assert values == {"soil": {64.0}, "light": {100}, "temp": {96.5}}
