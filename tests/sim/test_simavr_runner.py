"""tendril-simavr with its test sketch (firmware/sim/testdata/probe.c): a real .elf in real simavr,
spoken to through the real pty."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from tendril.sim.runner import SIMAVR

from .conftest import probe_elf

pytestmark = pytest.mark.slow  # a simavr board per test


BOARDS = ["uno", "mega2560"]


@pytest.mark.parametrize("board", BOARDS)
def test_uart_bytes_echo_through_the_pty(run_probe, board):
    _sim, link, _ = run_probe(board)
    assert link.ask("ehello tendril") == "ehello tendril"
    long = "e" + "x" * 38
    for _ in range(20):
        assert link.ask(long) == long


def test_port_is_the_first_stdout_line(simavr_built, tmp_path):
    proc = subprocess.Popen([str(SIMAVR), "--fast", str(probe_elf("uno"))], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert first.startswith("port: /dev/pts/"), first
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(5)


@pytest.mark.parametrize("board", BOARDS)
def test_adc_constants_from_the_scenario_read_back_exactly(run_probe, board):
    values = {0: 0, 1: 1, 2: 512, 3: 1023, 4: 700, 5: 333}
    sets = []
    for ch, v in values.items():
        sets += ["--set", f"adc A{ch} {v}"]
    _, link, _ = run_probe(board, *sets)
    for ch, v in values.items():
        assert link.ask(f"a{ch}") == f"a{ch}={v}"


def test_adc_time_series_interpolates_between_points(run_probe, tmp_path):
    scenario = tmp_path / "ramp.scn"
    scenario.write_text("# a slow ramp on A1\nadc A1 0:100 2s:900   # then held\n")
    _, link, _ = run_probe("uno", "--scenario", str(scenario))
    samples = []
    for _ in range(9):
        t_before = int(link.ask("m").split("=")[1])
        value = int(link.ask("a1").split("=")[1])
        t_after = int(link.ask("m").split("=")[1])
        samples.append((t_before, value, t_after))
        link.ask("s300")
    for t0, value, t1 in samples:
        low, high = (100 + 400 * min(t, 2000) // 1000 for t in (t0, t1 + 1))
        assert low - 1 <= value <= high + 1, (t0, value, t1)
    assert samples[-1][1] == 900


def test_digital_input_follows_the_scenario_steps(run_probe):
    _, link, _ = run_probe("uno", "--set", "digital 2 0:1 400:0")
    assert link.ask("iD2") == "i=1"
    link.ask("s500")
    assert link.ask("iD2") == "i=0"


@pytest.mark.parametrize(("board", "port_bit", "pin"), [("uno", "D7", 7), ("uno", "B5", 13),
                                                        ("mega2560", "H4", 7), ("mega2560", "B7", 13)])
def test_output_pin_changes_are_reported_with_arduino_numbers(run_probe, board, port_bit, pin):
    _, link, events = run_probe(board)
    for level in (1, 0, 1):
        assert link.ask(f"o{port_bit}{level}") == "ok"
        link.ask("s20")
    changes = [(p, lv) for p, lv, _ in events.pins() if p == pin]
    # The probe makes the pin an output (still low) before it drives it: that is a change too.
    assert changes == [(pin, 0), (pin, 1), (pin, 0), (pin, 1)]
    times = [t for p, _, t in events.pins() if p == pin]
    assert times == sorted(times) and times[-1] - times[0] >= 40


def test_a_switch_to_ground_wins_over_the_pull_up_and_port_writes(run_probe):
    _, link, _ = run_probe("uno", "--set", "digital 2 0")
    assert link.ask("uD2") == "u=0"
    assert link.ask("iD2") == "i=0"


def test_inputs_driven_by_the_scenario_are_not_reported_as_outputs(run_probe):
    _, link, events = run_probe("uno", "--set", "digital 2 0:1 100:0 200:1")
    link.ask("s300")
    assert link.ask("iD2") == "i=1"
    assert [p for p, _, _ in events.pins()] == []


def test_eeprom_persists_across_two_runs(run_probe, tmp_path):
    eeprom = tmp_path / "board.eeprom"
    sim, link, _ = run_probe("uno", eeprom=eeprom)
    assert link.ask("b").endswith("boots=1")
    assert link.ask("w5,42") == "ok"
    link.close()
    assert sim.stop() == 0
    assert eeprom.stat().st_size == 1024
    _, link2, _ = run_probe("uno", eeprom=eeprom)
    assert link2.ask("r5") == "r5=42"
    assert link2.ask("b").endswith("boots=2")


def test_every_eeprom_write_reaches_the_file_before_exit(run_probe, tmp_path):
    eeprom = tmp_path / "board.eeprom"
    sim, link, _ = run_probe("uno", eeprom=eeprom)
    assert link.ask("w7,99") == "ok"
    sim.proc.kill()  # no chance to save at exit
    sim.proc.wait()
    assert eeprom.read_bytes()[7] == 99


@pytest.mark.parametrize("n", [1, 2, 5, 11])
def test_power_cut_at_the_nth_eeprom_write_leaves_exactly_n_writes(run_probe, tmp_path, n):
    eeprom = tmp_path / "cut.eeprom"
    # Write 1 is the sketch's boot counter (address 1000); then 1, 2, 3... go to addresses 0, 1, 2...
    sim, link, events = run_probe("uno", "--cut-at-write", str(n), eeprom=eeprom, connect=n > 1)
    if link:
        os.write(link.fd, b"W20\n")
    assert sim.proc.wait(10) == 0
    data = eeprom.read_bytes()
    assert data[1000] == 1
    written = n - 1
    assert data[:written] == bytes(range(1, written + 1))
    assert data[written:20] == b"\xff" * (20 - written)
    cut = [line for line in events.lines() if line.startswith("power-cut")]
    assert cut and cut[0].endswith(f"eeprom_writes={n}")


def test_power_cut_at_a_simulated_time(run_probe):
    sim, _, events = run_probe("uno", "--cut-at-ms", "700", connect=False)
    assert sim.proc.wait(10) == 0
    stop = events.stop()
    assert stop["reason"] == "cut-at-ms" and stop["t"] == "700ms"


def test_power_cut_at_a_cycle_count(run_probe):
    sim, _, events = run_probe("uno", "--cut-at-cycle", "8000000", connect=False)
    assert sim.proc.wait(10) == 0
    stop = events.stop()
    assert stop["reason"] == "cut-at-cycle" and int(stop["cycle"]) - 8_000_000 < 8


def _pace(link, ms: int) -> tuple[int, float]:
    """(simulated ms, wall s) while the probe waits ``ms`` of its own time."""
    sim_before = int(link.ask("m").split("=")[1])
    start = time.monotonic()
    assert link.ask(f"s{ms}") == "ok"
    wall = time.monotonic() - start
    return int(link.ask("m").split("=")[1]) - sim_before, wall


# Pacing is measured as ratios within one run: a paced board never runs ahead of the wall clock
# (that holds on any machine), and keeps up with a pace this machine can hold right now, as
# measured by the same board flat out (a loaded machine runs simavr slower, not differently).


def test_fast_runs_flat_out_and_realtime_never_runs_ahead_of_the_wall_clock(run_probe):
    _, fast, _ = run_probe("uno")
    sim_ms, wall = _pace(fast, 3000)
    flat_out = sim_ms / 1000 / wall  # simulated s per wall s, whatever this machine gives now
    _, paced, _ = run_probe("uno", "--speed", "0.1", realtime=True)
    sim_ms, wall = _pace(paced, 150)
    assert sim_ms / 1000 / wall <= 0.1 * 1.05 + 0.01, (sim_ms, wall)  # never ahead
    assert flat_out >= 2 * sim_ms / 1000 / wall, (flat_out, sim_ms, wall)  # --fast is not paced


@pytest.mark.parametrize("speed", [1, 2])
def test_realtime_paces_simulated_time_at_speed_times_the_wall_clock(run_probe, speed):
    _, fast, _ = run_probe("uno")
    sim_ms, wall = _pace(fast, 2000)
    can = sim_ms / 1000 / wall
    extra = ("--speed", str(speed)) if speed != 1 else ()
    _, link, events = run_probe("uno", *extra, realtime=True)
    sim_ms, wall = _pace(link, 1000 * speed)
    rate = sim_ms / 1000 / wall
    assert rate <= speed * 1.05 + 0.02, f"{sim_ms} ms simulated in {wall:.3f} s: ahead of the pace"
    assert rate >= 0.6 * min(speed, can), f"{sim_ms} ms in {wall:.3f} s; flat out it does {can:.2f}x"
    if speed != 1:
        assert f"pace speed={speed} (simulated ms per wall ms)" in events.lines()


def test_watchdog_reset_restarts_the_sketch_with_the_cause(run_probe):
    _, link, _ = run_probe("uno")
    assert link.ask("b") == "b mcusr=01 boots=1"
    os.write(link.fd, b"d\n")
    link.sync()
    assert link.ask("b") == "b mcusr=08 boots=2"


def test_sigterm_stops_cleanly_and_reports(run_probe):
    sim, link, events = run_probe("uno")
    link.ask("s100")
    sim.proc.send_signal(signal.SIGTERM)
    assert sim.proc.wait(5) == 0
    stop = events.stop()
    assert stop["reason"] == "signal" and float(stop["speed"]) > 0


def test_a_bad_scenario_names_the_file_and_line(simavr_built, tmp_path):
    bad = tmp_path / "bad.scn"
    bad.write_text("adc A0 100\nadc A9 5\n")
    done = subprocess.run(check=False, args=[str(SIMAVR), "--scenario", str(bad), str(probe_elf("uno"))],
                          capture_output=True, text=True, timeout=10)
    assert done.returncode == 2
    assert f"{bad}:2: uno has no pin A9" in done.stderr
    assert done.stdout == ""


def test_a_missing_program_is_one_clear_line(simavr_built, tmp_path):
    done = subprocess.run(check=False, args=[str(SIMAVR), str(tmp_path / "nope.elf")], capture_output=True, text=True,
                          timeout=10)
    assert done.returncode == 2
    assert "cannot read" in done.stderr and "nope.elf" in done.stderr
