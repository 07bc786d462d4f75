"""Safety on the native board: leases end without a host, the watchdog resets a hung loop into a
safe state without a reset loop, three quick resets give safe mode, and the plant waterer runs for
days of simulated time."""

from __future__ import annotations

import pytest

import time

from tendril.contract import EventKind, HelloFlag, ModeChange, Nack, OffReason, ResetCause, SkipReason
from tendril.image.codec import with_generation
from tendril.protocol import (
    Ack,
    ClearSafeMode,
    ConfigData,
    ConfigRead,
    Event,
    Hello,
    Lease,
    NackMsg,
    Ping,
    RequestHello,
    Resume,
    SetParam,
    Telemetry,
    UnknownCommand,
)
from tendril.sim.story import plant_waterer_image

from ..support.native_board import NativeBoard

A = with_generation(plant_waterer_image(), 1)
PUMP_PIN = 7  # active-low: 1 is off (safe), 0 is on
HANG = UnknownCommand(0xF0)  # TD_DEBUG_HANG builds only


def _events(board, kind):
    return [m for m in board.messages(Event) if m.kind == kind]


def test_pump_stops_when_lease_expires_without_host(plain, tmp_path):
    board = NativeBoard(plain, tmp_path / "ee.bin", "--realtime", "--plant", "--moisture", "60")
    try:
        assert isinstance(board.push(A)[-1], Ack)
        sent = time.monotonic()
        reply = board.request(Lease(0, 1500, 255))
        assert isinstance(reply, Ack) and reply.value == 1500
        board.ser.close()  # the host goes silent: nobody renews, nobody says OFF

        def pump_went_off() -> list:
            changes = [c for c in board.pins(PUMP_PIN) if c[0] > 0]
            on = [t for t, level in changes if level == 0]
            return [t for t, level in changes if level == 1 and on and t > on[0]]

        while not pump_went_off() and time.monotonic() - sent < 30:
            time.sleep(0.05)
        waited = time.monotonic() - sent
        changes = [c for c in board.pins(PUMP_PIN) if c[0] > 0]
        on = [t for t, level in changes if level == 0]
        off = pump_went_off()
        assert on and off, board.stderr
        assert 1500 <= off[0] - on[0] <= 1501, changes  # device ms: the lease, to the tick
        # ... and on the wall clock too, within what a loaded machine adds (the board is paced)
        assert waited < 5.0, waited
    finally:
        board.close()


def test_hang_leads_to_watchdog_reset_with_actuators_safe_and_no_reset_loop(debug, tmp_path):
    board = NativeBoard(debug, tmp_path / "ee.bin", "--realtime", "--plant", "--moisture", "60")
    try:
        assert isinstance(board.push(A)[-1], Ack)
        before = board.request(RequestHello())
        assert isinstance(board.request(Lease(0, 8000, 255)), Ack)
        board.wait_until(lambda: board.pins(PUMP_PIN)[-1][1] == 0)  # the pump is on
        since = len(board.own)
        assert isinstance(board.request(HANG), Ack)
        hello = board.wait_for(lambda m: isinstance(m, Hello), timeout=120, since=since)
        assert hello.reset_cause & ResetCause.WATCHDOG
        assert hello.boot_count == before.boot_count + 1
        assert not hello.flags & HelloFlag.SAFE_MODE and hello.config_generation == 1
        assert "reset: watchdog" in board.stderr
        # The new boot drove the pump pin to its safe level first thing (device time 0: the clock
        # moves only between passes of the firmware's loop).
        reset_at = board.stderr.index("reset: watchdog")
        assert board.stderr[reset_at + 1] == f"t=0 pin {PUMP_PIN} 1", board.stderr[reset_at:]
        board.pump(2.5)  # no reset loop: it keeps answering, and only one reset happened
        assert board.request(Ping(b"ok")).data == b"ok"
        assert board.stderr.count("reset: watchdog") == 1
        assert board.pins(PUMP_PIN)[-1][1] == 1
    finally:
        assert board.close() == 0, board.stderr[-5:]  # ASan/UBSan found nothing either


def test_three_quick_watchdog_resets_give_safe_mode_until_cleared(debug, tmp_path):
    board = NativeBoard(debug, tmp_path / "ee.bin", "--realtime", "--plant", "--moisture", "60")
    try:
        assert isinstance(board.push(A)[-1], Ack)
        hellos = []
        for _ in range(3):
            since = len(board.own)
            assert isinstance(board.request(HANG), Ack)
            hellos.append(board.wait_for(lambda m: isinstance(m, Hello), timeout=120, since=since))
            board.pump(0.1)
        assert [bool(h.flags & HelloFlag.SAFE_MODE) for h in hellos] == [False, False, True]
        entered = _events(board, EventKind.MODE)
        assert [e.b for e in entered] == [ModeChange.SAFE_MODE_ENTERED]
        for request in (Lease(0, 1000, 255), Resume(), SetParam(0, 40_000)):
            refused = board.request(request)  # nothing may act on the stopped engine
            assert isinstance(refused, NackMsg) and refused.code == Nack.SAFE_MODE, request
        assert isinstance(board.request(ConfigRead(0, 8)), ConfigData)  # reads still work
        assert board.pins(PUMP_PIN)[-1][1] == 1
        assert isinstance(board.request(ClearSafeMode()), Ack)
        assert [e.b for e in _events(board, EventKind.MODE)][-1] == ModeChange.SAFE_MODE_CLEARED
        assert not board.request(RequestHello()).flags & HelloFlag.SAFE_MODE
        assert isinstance(board.request(Lease(0, 1000, 255)), Ack)
    finally:
        board.close()


@pytest.mark.slow
def test_plant_waterer_runs_for_days_on_the_native_board(plain, tmp_path):
    """Soil dries, the pump pulses (4 s, soaks 2 min between), moisture rises, the pump stops; the
    tank runs dry and the interlock keeps the pump off from then on."""
    days = 3
    # Held until the recipe runs, then exactly `days` of board time, whatever the host's speed.
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--step", "100", "--plant",
                        "--moisture", "37", "--tank", "400", "--dry-per-hour", "4",
                        "--ml-per-point", "20", "--hold")  # fmt: skip
    try:
        assert isinstance(board.push(A)[-1], Ack)
        start = time.monotonic()
        simulated_ms = board.run(days * 86_400_000, timeout=600)
        real = time.monotonic() - start
    finally:
        board.close()
    ons, offs = _events(board, EventKind.ACT_ON), _events(board, EventKind.ACT_OFF)
    skips = _events(board, EventKind.RULE_SKIP)
    assert len(ons) >= 5 and len(ons) == len(offs)
    done = [e for e in offs if e.b == OffReason.RULE_DONE]
    assert done and all(e.value == 4000 for e in done)  # each pulse is the 4 s parameter
    gaps = [b.time_ms - a.time_ms for a, b in zip(offs, ons[1:])]
    assert all(g >= 120_000 for g in gaps)  # the 2 min soak (cooldown) between pulses
    interlocked = [e for e in skips if e.b == SkipReason.INTERLOCK]
    assert interlocked, "the tank never ran dry"
    assert all(e.time_ms < interlocked[0].time_ms + 1 for e in ons if e.time_ms <= interlocked[0].time_ms)
    assert not [e for e in ons if e.time_ms > interlocked[0].time_ms]  # never again once dry
    soil = [t.values[0] for t in board.messages(Telemetry)]
    assert max(soil) > 37_000 and min(soil) < 30_000  # watered up, then dried out without water
    assert simulated_ms == days * 86_400_000
    assert soil[0] in range(36_000, 38_000)  # the world started with the recipe: 37 %
    print(f"native plant waterer: {simulated_ms / 86_400_000:.2f} simulated days in {real:.2f} s "
          f"= {simulated_ms / 86_400_000 / real:.2f} days/s")  # fmt: skip


def test_the_native_board_reads_the_simulated_avr_boards_scenario_format(plain, tmp_path):
    """One scenario file for both simulated boards (firmware/sim/README.md): a step series on the
    soil pin from the file, the float switch from a --set line."""
    scn = tmp_path / "soak.scn"
    scn.write_text("# dry soil, soaked from 30 s on\nadc A0 steps 0:800 30s:350\n")
    # Paced (20 device s a second): flat out, the clock would pass 30 s before the push is done.
    board = NativeBoard(plain, tmp_path / "ee.bin", "--realtime", "--speed", "20", "--scenario", str(scn),
                        "--set", "digital 2 1")  # fmt: skip
    try:
        assert isinstance(board.push(A)[-1], Ack)
        board.wait_for(lambda m: isinstance(m, Telemetry) and m.time_ms > 42_000, timeout=20)
    finally:
        board.close()
    frames = board.messages(Telemetry)
    soil = [(t.time_ms, t.values[0]) for t in frames]
    assert [v for t, v in soil if t < 30_000][:3] == [0, 0, 0], soil  # raw 800: 0.00 %
    assert soil[-1][1] > 99_000, soil  # raw 350: 100 % (smoothing: a quarter of the step a sample)
    assert {t.values[1] for t in frames} == {0}  # the float switch reads 1: water in the tank
    on = _events(board, EventKind.ACT_ON)  # dry for the rule's 5 s hold, water: one pulse
    assert len(on) == 1 and 5_000 <= on[0].time_ms < 30_000, on


def test_a_bad_scenario_line_stops_the_native_board_with_file_and_line(plain, tmp_path):
    import subprocess

    scn = tmp_path / "bad.scn"
    scn.write_text("adc A0 512\nadc Q9 5\n")
    done = subprocess.run([str(plain), "--fast", "--scenario", str(scn)], capture_output=True, text=True,
                          timeout=10, check=False)
    assert done.returncode == 2 and f"{scn}:2: uno has no pin Q9" in done.stderr, done.stderr
