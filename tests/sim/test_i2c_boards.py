"""The REAL AVR I2C master (firmware/arduino/hal_avr.c, the TWI polled with bounded waits) in simavr,
against the simulated bus and chip models (firmware/sim/sim_i2c*.c through sim_i2c_avr.c): a test
firmware (firmware/arduino/tools/i2c_probe.c) reads each chip and prints what it got; the bytes are
judged here by the datasheets' own conversions (tests/sim/i2c_decode.py). Faults: a missing chip
(NACK), a chip that holds SCL (TIMEOUT, and the bus carries on), SDA held low (BUS_STUCK after the
recovery clocks), a chip stuck mid-byte (freed by the recovery clocks). The watchdog stays quiet."""

from __future__ import annotations

import os
import select
import subprocess
import termios
import time
import tty

import pytest
from tendril.sim.runner import ROOT, SIMAVR

from .i2c_decode import aht, bme_calibration, bme_compensate, bme_raw, sht

pytestmark = pytest.mark.slow  # three boards each run a probe for 2.8 s of board time (plus the builds)

SCENARIO = [
    "i2c bme280 addr=0x76 temp=21.5 hum=40 press=1013.25", "i2c bmp280 addr=0x77 temp=-5 press=990",
    "i2c sht3x addr=0x45 temp=-10 hum=55.5", "i2c sht4x temp=30 hum=70", "i2c aht20 temp=22 hum=45",
    "i2c bh1750 lux=500", "i2c bh1750 addr=0x5C", "i2c_fault 0x5C stretch 0 1h",
    "i2c_fault bus held_low 1400 2500", "i2c_fault bus stuck 2700 3500",
]
OK, NACK_ADDR, NACK_DATA, TIMEOUT, BUS_STUCK = range(5)  # hal.h's HAL_I2C_* order


def build_probe(board: str) -> str:
    """The probe for an AVR board (firmware/Makefile), or on the native board (firmware/native)."""
    where, target = ("native", []) if board == "native" else ("", [f"BOARD={board}"])
    done = subprocess.run(["make", "-s", "-C", str(ROOT / "firmware" / where), *target, "i2c-probe"],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        pytest.fail(f"make i2c-probe failed:\n{done.stdout}{done.stderr}")
    if board == "native":
        return str(ROOT / "firmware" / "build" / "native" / "i2c-probe-native")
    return str(ROOT / "firmware" / "build" / board / "i2c_probe.elf")


def run_probe(board: str, tmp_path, timeout: float = 120.0) -> tuple[list[str], list[str]]:
    """The probe's lines and the runner's event lines. The clock is held until the probe has its
    start byte, so its steps fall on the board times the scenario's faults are set for."""
    events = tmp_path / "events.log"
    sets = [arg for line in SCENARIO for arg in ("--set", line)]
    if board == "native":  # the native board's own main and HAL, the probe instead of the app
        args = [build_probe(board), "--fast", "--hold", "--eeprom", str(tmp_path / "native.eeprom"), *sets]
    else:
        args = [str(SIMAVR), "--board", board, "--fast", "--hold", "--events", str(events), *sets, build_probe(board)]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = proc.stdout.readline().split()[-1]
        fd = os.open(port, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(fd, termios.TCSANOW)
        buf, deadline, sent_go, next_g = b"", time.monotonic() + timeout, False, 0.0
        while b"\nend\n" not in buf:
            now = time.monotonic()
            assert now < deadline, f"no end from the probe: {buf.decode()!r}"
            exited = proc.poll() is not None
            if not sent_go and b"ready\n" in buf:
                proc.stdin.write("go\n")
                proc.stdin.flush()
                sent_go = True
            elif not sent_go and now >= next_g:
                os.write(fd, b"g")  # a byte that came too early is asked for again
                next_g = now + 1.0
            if select.select([fd], [], [], 0.2)[0]:
                buf += os.read(fd, 4096)
            elif exited:  # it halted after its last line, and that line is read
                assert b"\nend\n" in buf, f"the probe stopped early: {buf.decode()!r}"
        os.close(fd)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return buf.decode().splitlines(), events.read_text().splitlines() if events.exists() else []


@pytest.fixture(scope="module", params=["uno", "mega2560", "native"])
def probe_run(request, simavr_built, tmp_path_factory):
    """The probe's run on the real AVR binary in simavr (Uno: TWI on PC4/PC5; Mega: PD1/PD0), and
    on the native board through hal_native.c."""
    return request.param, run_probe(request.param, tmp_path_factory.mktemp(f"i2c-{request.param}"))


def steps(lines: list[str]) -> dict[str, list[tuple[int, bytes]]]:
    out: dict[str, list[tuple[int, bytes]]] = {}
    section = ""
    for line in lines:
        parts = line.split()
        if len(parts) == 1:
            section = parts[0] if parts[0] in ("bme280", "bmp280") else section
            continue
        name = f"{section}.{parts[0]}" if section and parts[0] in ("id", "cal", "calh", "force", "polls", "data") \
            else parts[0]
        out.setdefault(name, []).append((int(parts[1]), bytes(int(x, 16) for x in parts[2:])))
    return out


def one(s, name) -> tuple[int, bytes]:
    assert name in s, sorted(s)
    return s[name][-1]


def test_every_chip_reads_through_the_real_twi_driver(probe_run):
    _, (lines, _) = probe_run
    assert lines.count("boot") == 1, lines  # no watchdog reset: nothing hung
    s = steps(lines)
    assert one(s, "begin") == (OK, b"") and one(s, "begin400") == (OK, b"")
    # BME280: chip ID, the calibration read back, a forced measurement seen busy, then its data
    assert one(s, "bme280.id") == (OK, b"\x60")
    cal = bme_calibration(one(s, "bme280.cal")[1], one(s, "bme280.calh")[1])
    assert (cal["T1"], cal["T2"], cal["T3"], cal["P1"], cal["P9"]) == (27504, 26435, -1000, 36477, 6000)
    rc, polls = one(s, "bme280.polls")
    assert rc == OK and polls[0] >= 2  # the status register said "measuring" at least once
    t, p, h = bme_compensate(cal, *bme_raw(one(s, "bme280.data")[1]))
    assert abs(t - 21.5) < 0.01 and abs(p - 1013.25) < 0.01 and abs(h - 40) < 0.01, (t, p, h)
    # BMP280: its ID, no humidity
    assert one(s, "bmp280.id") == (OK, b"\x58")
    cal = bme_calibration(one(s, "bmp280.cal")[1], None)
    t, p, _ = bme_compensate(cal, *bme_raw(one(s, "bmp280.data")[1])[:2])
    assert abs(t + 5) < 0.01 and abs(p - 990) < 0.01, (t, p)
    # SHT3x: NACKs its address while measuring, then 6 bytes with good CRCs
    assert one(s, "sht3x_cmd")[0] == OK and one(s, "sht3x_early")[0] == NACK_ADDR
    rc, frame = one(s, "sht3x")
    t, h = sht(frame)
    assert rc == OK and abs(t + 10) < 0.01 and abs(h - 55.5) < 0.01
    rc, frame = one(s, "sht4x")
    t, h = sht(frame, -6, 125)
    assert rc == OK and abs(t - 30) < 0.01 and abs(h - 70) < 0.01
    # AHT20: uncalibrated until 0xBE, busy (bit 7) right after the trigger, then 7 bytes with CRC
    before, after = s["aht_status"][0][1][0], s["aht_status"][1][1][0]
    assert not before & 0x08 and after & 0x08
    assert one(s, "aht_busy")[1][0] & 0x80
    rc, frame = one(s, "aht")
    t, h = aht(frame)
    assert rc == OK and not frame[0] & 0x80 and abs(t - 22) < 0.01 and abs(h - 45) < 0.01
    rc, raw = one(s, "bh1750")
    assert rc == OK and int.from_bytes(raw, "big") == 600  # 500 lx * 1.2


def test_faults_give_their_status_and_the_bus_carries_on(probe_run):
    board, (lines, events) = probe_run
    s = steps(lines)
    assert one(s, "missing") == (NACK_ADDR, b"")
    assert one(s, "stretch") == (TIMEOUT, b"")  # the chip held SCL: the bounded wait gave up
    assert one(s, "after_stretch") == (OK, b"")
    assert one(s, "held_low") == (BUS_STUCK, b"")  # SDA low whatever the 9 clocks did
    assert one(s, "while_held")[0] != OK
    assert one(s, "released") == (OK, b"") and one(s, "after_held") == (OK, b"")
    assert one(s, "stuck") == (OK, b"") and one(s, "after_stuck") == (OK, b"")  # clocked free
    assert lines[-1] == "end"
    if board == "native":
        return  # the runner's counts below are simavr's
    i2c = next(line for line in events if line.startswith("i2c "))
    counts = dict(kv.split("=") for kv in i2c.split()[1:])
    assert int(counts["hangs"]) == 1 and int(counts["scl_clocks"]) >= 9 + 4, i2c
    assert counts["scl_khz"] == "100..400", i2c  # TWBR 72 from the start, 12 from "begin400" on
