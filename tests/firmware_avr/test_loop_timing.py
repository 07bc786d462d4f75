"""Issue 14's timing on a loaded Uno, measured in the real .elf under simavr: with a DHT22, four DS18B20
and a 500 Hz flow meter configured, no pulse is missed, telemetry keeps its period and the watchdog
never fires. The runner's --loop-mark (firmware/sim/sim_timing_avr.c) times every main-loop pass and
every window with interrupts off in simulated cycles, so these are assertions, not host timings."""

from __future__ import annotations

import os
import subprocess

import pytest
from tendril.contract import EventKind
from tendril.sim.runner import SIMAVR, SimBoard, SimSpec

from ..sim.conftest import LineLink, probe_elf, simavr_built  # noqa: F401  (a fixture)
from ..support.simavr_board import Events, build_product
from .loop_timing import LOADED_RECIPE, LOADED_WORLD, measure

FLOW_FALLS = 5000  # loaded-uno.scn: 500 Hz from 5.001 s to 15.001 s of board time
EDGE_GAP_US = 1000  # 500 Hz: a rise and a fall each ms; a pin-change flag holds one of them
WATCHDOG_MARGIN = 4  # the longest pass at most a quarter of the watchdog's first timeout


@pytest.fixture(scope="module")
def loaded(simavr_built, tmp_path_factory):  # noqa: F811
    elf = build_product("uno")
    return measure(elf, LOADED_RECIPE.read_text(), LOADED_WORLD.read_text(), 17_000,
                   tmp_path_factory.mktemp("loaded"), from_ms=3_000)


@pytest.mark.slow  # 17 s of the real firmware in simavr
def test_a_loaded_uno_counts_every_pulse_at_500_hz_while_its_dht22_and_probes_read(loaded):
    assert loaded.falls == {2: FLOW_FALLS}, loaded.falls
    last = loaded.telemetry[-1]
    assert last.time_ms >= 15_500, "the last reading comes after the flow stopped"
    # DHT22 21.5 °C 55 %, the four probes, then the flow's rate and total (thousandths)
    assert list(last.values[:6]) == [21500, 55000, 22500, 18250, -4500, 60000], last
    assert last.values[7] == FLOW_FALLS * 1000, f"{FLOW_FALLS - last.values[7] // 1000} pulses missed"
    faults = [e for e in loaded.events if e.kind not in (EventKind.ACT_ON, EventKind.ACT_OFF, EventKind.CONFIG)]
    assert not faults, faults
    # why none is missed: no window with interrupts off holds two edges of the train
    assert loaded.num("irq_off_max_us") < EDGE_GAP_US and loaded.num("irq_off_over_1ms") == 0, loaded.timing


@pytest.mark.slow
def test_a_loaded_uno_keeps_its_telemetry_period(loaded):
    """A frame falls due by millis and goes in the first pass after, so it is late by at most the
    longest pass (plus the 1 ms tick); the next is due one period after this one was due (app.c), so
    lateness never adds up: every frame stays that close to its place on the 1 s grid."""
    times = [m.time_ms for m in loaded.telemetry if m.time_ms >= 3_000]
    late = loaded.num("pass_max_us") // 1000 + 1
    assert len(times) >= 13, times
    assert all(abs(t - times[0] - 1000 * k) <= late for k, t in enumerate(times)), (times, late)
    assert all(abs(p - 1000) <= late for p in loaded.periods_ms(after_ms=3_000)), late


@pytest.mark.slow
def test_a_loaded_uno_never_comes_near_its_watchdog(loaded):
    t = loaded
    assert t.num("resets") == 0, t.timing
    assert t.num("wdt_ms") == 512, t.timing  # hal_avr.c: its interrupt at 0.5 s, the reset 0.5 s later
    assert t.num("pass_max_us") * WATCHDOG_MARGIN < t.num("wdt_ms") * 1000, t.timing
    assert t.num("passes") > 5_000 and t.num("pass_p99_us") < 5_000, t.timing


def test_the_runner_counts_a_watchdog_reset(simavr_built, tmp_path):  # noqa: F811
    events = tmp_path / "events.log"
    spec = SimSpec(elf=probe_elf("uno"), realtime=False, events=events, extra=["--loop-mark", "main"])
    with SimBoard(spec) as sim:
        link = LineLink(sim.port)
        try:
            os.write(link.fd, b"d\n")  # the probe sketch lets the watchdog bite
            link.sync()
            assert link.ask("b").startswith("b mcusr=08")  # it came back from a watchdog reset
        finally:
            link.close()
    line = next(x for x in Events(events).lines() if x.startswith("timing "))
    assert " resets=1 " in line, line


def test_a_loop_mark_that_names_nothing_is_one_line(simavr_built):  # noqa: F811
    done = subprocess.run([str(SIMAVR), "--fast", "--loop-mark", "no_such_symbol", str(probe_elf("uno"))],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    errors = [x for x in done.stderr.splitlines() if x.startswith("tendril-simavr:")]
    assert len(errors) == 1 and "no_such_symbol" in errors[0], done.stderr
