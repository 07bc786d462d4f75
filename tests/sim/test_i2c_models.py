"""The simulated I2C bus and chip models (firmware/sim/sim_i2c.c, sim_i2c_chips.c), driven byte by
byte through tests/sim/i2c_console.c (built here with ASan and UBSan) and judged by the datasheets'
conversions written again in Python (tests/sim/i2c_decode.py)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from tendril.sim.runner import ROOT

from .i2c_decode import aht, bme_calibration, bme_compensate, bme_raw, crc8, sht

SIM = ROOT / "firmware" / "sim"
SOURCES = ["sim_i2c.c", "sim_i2c_chips.c", "sim_scenario.c", "sim_board.c", "sim_sonar.c", "sim_pulse.c", "sim_dht.c"]


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    if shutil.which("gcc") is None:
        pytest.skip("needs gcc")
    exe = tmp_path_factory.mktemp("i2c") / "i2c_console"
    done = subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", "-g",
                           "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", f"-I{SIM}", "-o",
                           str(exe), str(ROOT / "tests" / "sim" / "i2c_console.c"), *[str(SIM / f) for f in SOURCES],
                           "-lm"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr

    def run(*commands: str) -> list[str]:
        out = subprocess.run([str(exe)], input="\n".join(commands) + "\n", capture_output=True, text=True,
                             check=False, timeout=60)
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        assert len(lines) == len(commands), lines
        return lines

    return run


def hexbytes(line: str) -> bytes:
    return bytes(int(x, 16) for x in line.split())


def bme_read(console, setup: list[str], at_ms: int, chip: str = "bme280"):
    """Calibration, a forced measurement at 0 ms, its data read at at_ms: (°C, hPa, %RH), status."""
    out = console(*setup, "w 0x76 88 nostop", "r 0x76 26", "w 0x76 e1 nostop", "r 0x76 7",
                  "w 0x76 f2 01 f4 25", "w 0x76 f3 nostop", "r 0x76 1", f"at {at_ms}", "w 0x76 f3 nostop",
                  "r 0x76 1", "w 0x76 f7 nostop", "r 0x76 8")
    k = len(setup)
    cal = bme_calibration(hexbytes(out[k + 1]), hexbytes(out[k + 3]) if chip == "bme280" else None)
    t, p, h = bme_raw(hexbytes(out[k + 11]))
    return bme_compensate(cal, t, p, h if chip == "bme280" else None), hexbytes(out[k + 6])[0], hexbytes(out[k + 9])[0]


def test_the_models_compensation_gives_the_datasheets_example(console):
    out = console("scn i2c bme280", "bme 519888 415148 30000")
    t, p, _ = (float(x) for x in out[1].split())
    assert round(t, 2) == 25.08 and round(p, 2) == 100653.27  # BMP280 datasheet 3.12


@pytest.mark.parametrize("temp,press,hum", [(-40, 300, 0.5), (-5.25, 850.5, 20), (21.5, 1013.25, 40),
                                            (45.7, 1100, 99.5), (85, 700, 65)])
def test_bme280_raw_values_compensate_to_the_scenarios_values(console, temp, press, hum):
    (t, p, h), busy, done = bme_read(console, [f"scn i2c bme280 temp={temp} press={press} hum={hum}"], 10)
    assert busy & 0x08 and not done & 0x08  # "measuring" right after ctrl_meas, not 10 ms later
    assert abs(t - temp) < 0.01 and abs(p - press) < 0.01 and abs(h - hum) < 0.01, (t, p, h)


def test_bmp280_and_a_value_that_changes_over_time(console):
    (t, p, _), _, _ = bme_read(console, ["scn i2c bmp280 temp=0:10,10s:20 press=1000", "at 5000"], 5010, "bmp280")
    assert abs(t - 15.0) < 0.02 and abs(p - 1000) < 0.01, (t, p)  # halfway, at the measurement's end
    assert console("scn i2c bmp280", "w 0x76 d0 nostop", "r 0x76 1")[2] == "58"


def test_sht3x_and_sht4x(console):
    assert crc8(b"\xbe\xef") == 0x92  # Sensirion's example: the decoder's CRC is the datasheets'
    out = console("scn i2c sht3x temp=-10 hum=55.5", "w 0x44 24 00", "r 0x44 6", "at 15", "r 0x44 6", "r 0x44 6")
    assert out[2] == "nack" and out[4] != "nack" and out[5] == "nack"  # measuring; read once
    t, h = sht(hexbytes(out[4]))
    assert abs(t + 10) < 0.01 and abs(h - 55.5) < 0.01
    out = console("scn i2c sht4x temp=30 hum=101", "w 0x44 fd", "at 9", "r 0x44 6")
    assert out[0].startswith("error")  # humidity is 0..100
    out = console("scn i2c sht4x temp=30 hum=3", "w 0x44 fd", "at 9", "r 0x44 6")
    t, h = sht(hexbytes(out[3]), -6, 125)
    assert abs(t - 30) < 0.01 and abs(h - 3) < 0.01


def test_aht20_and_aht10(console):
    out = console("scn i2c aht20 temp=22 hum=45", "r 0x38 1", "w 0x38 be 08 00", "r 0x38 1", "w 0x38 ac 33 00",
                  "r 0x38 7", "at 80", "r 0x38 7")
    assert not hexbytes(out[1])[0] & 0x08 and hexbytes(out[3])[0] & 0x08  # calibrated after 0xBE
    assert hexbytes(out[5])[0] & 0x80 and not hexbytes(out[7])[0] & 0x80  # busy, then not
    t, h = aht(hexbytes(out[7]))
    assert abs(t - 22) < 0.01 and abs(h - 45) < 0.01
    out = console("scn i2c aht10 temp=-20 hum=10", "w 0x38 e1 08 00", "w 0x38 ac 33 00", "at 80", "r 0x38 7")
    frame = hexbytes(out[4])
    assert frame[0] & 0x08 and frame[6] == 0xFF  # no CRC byte: the bus reads high
    t, h = aht(frame[:6] + bytes([crc8(frame[:6])]))
    assert abs(t + 20) < 0.01 and abs(h - 10) < 0.01


def test_bh1750_needs_power_and_powers_down_after_a_one_time_measurement(console):
    out = console("scn i2c bh1750 addr=0x5c lux=0:100,1000:200", "w 0x5c 20", "at 200", "r 0x5c 2",
                  "w 0x5c 01", "at 500", "w 0x5c 20", "at 700", "r 0x5c 2", "w 0x5c 20", "at 900", "r 0x5c 2")
    assert out[3] == "00 00"  # not powered: the command did nothing
    assert int(out[8].replace(" ", ""), 16) == 180  # 150 lx at 500 ms, * 1.2
    assert out[11] == out[8]  # powered down after the one-time measurement


def test_faults(console):
    out = console("scn i2c bme280", "scn i2c_fault 0x76 missing 10 20", "scn i2c_fault 0x76 wrong_id 30 40",
                  "scn i2c_fault 0x76 stretch 50 60", "scn i2c_fault bus held_low 70 80", "scn i2c_fault bus stuck 90 100",
                  "at 10", "w 0x76 d0", "at 20", "w 0x76 d0 nostop", "r 0x76 1", "at 30", "w 0x76 d0 nostop", "r 0x76 1",
                  "at 50", "w 0x76 d0", "at 75", "sda", "scl", "sda", "w 0x76 d0", "at 90", "sda", "scl", "scl", "scl",
                  "sda", "scl", "sda", "at 100", "sda")
    assert out[7] == "nack" and out[10] == "60"  # missing until 20 ms
    assert out[13] == "55"  # a wrong chip ID
    assert out[15] == "hang"
    assert out[17:21] == ["0", "ok", "0", "nack"]  # held low whatever SCL does; nothing answers
    assert out[22:29] == ["0", "ok", "ok", "ok", "0", "ok", "1"]  # stuck until the 4th clock
    assert out[30] == "1"
    out = console("scn i2c sht3x", "scn i2c_fault 0x44 crc 0 1s", "w 0x44 24 00", "at 15", "r 0x44 6")
    frame = hexbytes(out[4])
    assert crc8(frame[0:2]) != frame[2] and crc8(frame[3:5]) != frame[5]


@pytest.mark.parametrize("line,why", [
    ("i2c bme281", "i2c CHIP"), ("i2c bh1750 addr=0x76", "cannot answer at addr=0x76"),
    ("i2c sht3x temp=200", "bad temp 200"), ("i2c aht20 colour=3", "unknown key colour"),
    ("i2c_fault 0x76 held_low 0 1", "fault of the bus"), ("i2c_fault bus missing 0 1", "fault of a device"),
    ("i2c_fault 0x76 melted 0 1", "unknown I2C fault melted"), ("i2c_fault 0x76 missing 5 1", "UNTIL later"),
])
def test_bad_lines_say_why_in_one_line(console, line, why):
    out = console(f"scn {line}")
    assert out[0].startswith("error: ") and why in out[0], out


def test_two_chips_on_one_address_are_refused(console):
    out = console("scn i2c sht3x", "scn i2c sht4x")
    assert out[0] == "ok" and out[1] == "error: two I2C devices at 0x44"
