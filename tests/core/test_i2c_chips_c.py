"""The C core's I2C chip arithmetic (firmware/core/i2c_chips.c, crc8_sensirion) through ctypes: the
shared vectors (the datasheets' float formulas within the routines' resolution), and bit for bit
the host's twin over every calibration's whole range."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import pytest

from ..micropython import mp_i2c_chips
from ..support.i2c_chips_host import HostChips, dense_bme280_raws, vectors
from .ccore import LIB_PATH, ROOT
from .i2c_chips_c import CChips


@pytest.fixture(scope="module")
def chips(core) -> CChips:  # core: the library built once (conftest)
    return CChips(ctypes.CDLL(str(LIB_PATH)))


def test_c_core_meets_the_shared_vectors(chips):
    fails, out = mp_i2c_chips.check(vectors(), chips)
    assert len(out) > 1000
    assert fails == []


def test_c_core_gives_the_host_twins_integers_on_the_vectors(chips):
    vec = vectors()
    assert mp_i2c_chips.check(vec, chips)[1] == mp_i2c_chips.check(vec, HostChips())[1]


FIELDS = ("t1", "t2", "t3", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "h1", "h2", "h3", "h4", "h5", "h6")


def _sequence(calib) -> tuple[int, ...]:
    """A calibration in the datasheet's order (tendril.sim.i2c_float's)."""
    return tuple(getattr(calib, f) for f in FIELDS)


@pytest.mark.parametrize("name", ["bmp280_datasheet", "bme280_datasheet", "bme280_b", "bme280_c"])
def test_c_core_gives_the_host_twins_integers_over_the_whole_range(chips, name):
    regs = vectors()["calibrations"][name]
    tp, h = bytes.fromhex(regs["tp"]), bytes.fromhex(regs["h"]) if regs["h"] else None
    cc, hc = chips.bme280_calib(tp, h), HostChips.bme280_calib(tp, h)
    seq = _sequence(hc)
    assert _sequence(cc) == seq
    differ = []
    for adc_t, adc_p, adc_h in dense_bme280_raws(seq):
        t, t_fine = chips.bme280_temp(cc, adc_t)
        want = hc.temperature(adc_t)
        got = (t, t_fine, chips.bme280_millihpa(cc, adc_p, t_fine), chips.bme280_humidity(cc, adc_h, t_fine))
        if got != (*want, hc.millihpa(adc_p, want[1]), hc.humidity(adc_h, want[1])):
            differ.append((adc_t, adc_p, adc_h, got))
    assert differ == []


def test_c_conversions_at_their_range_ends(chips):
    ends = [(chips.sht_temp, 0, -4500), (chips.sht_temp, 0xFFFF, 13000), (chips.sht3x_rh, 0xFFFF, 10000),
            (chips.sht4x_rh, 0, 0), (chips.sht4x_rh, 0xFFFF, 10000), (chips.aht20_temp, 0, -5000),
            (chips.aht20_temp, (1 << 20) - 1, 15000), (chips.aht20_rh, (1 << 20) - 1, 10000),
            (chips.bh1750_millilux, 0xFFFF, 54_612_500)]
    assert [(f.__name__, raw, f(raw)) for f, raw, _ in ends] == [(f.__name__, raw, v) for f, raw, v in ends]
    assert chips.crc8_sensirion(b"\xbe\xef") == 0x92


def test_bme280_routines_have_no_undefined_behaviour_over_the_range(tmp_path):
    """Built with UBSan (clang): every reading of the dense sweep through all three routines, and
    every 97th 20-bit adc_T through the temperature one, without a signed overflow or bad shift."""
    clang = shutil.which("clang")
    if clang is None:
        pytest.skip("clang is needed for UBSan (apt-get install clang)")
    core = ROOT / "firmware" / "core"
    exe = tmp_path / "ubsan"
    build = subprocess.run([clang, "-std=c99", "-O1", "-fsanitize=undefined", "-fno-sanitize-recover=all",
                            f"-I{core}", "-o", str(exe), str(Path(__file__).with_name("i2c_chips_ubsan.c")),
                            str(core / "i2c_chips.c")], capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stderr
    lines, expected = [], 0
    for name, regs in vectors()["calibrations"].items():
        seq = _sequence(HostChips.bme280_calib(bytes.fromhex(regs["tp"]),
                                               bytes.fromhex(regs["h"]) if regs["h"] else None))
        lines.append(f"{regs['tp']} {regs['h'] or '-'}")
        raws = dense_bme280_raws(seq) + [(adc_t, -1, 0) for adc_t in range(0, 1 << 20, 97)]
        lines += [f"{t} {p} {h}" for t, p, h in raws]
        lines.append("end")
        expected += len(raws)
    run = subprocess.run([str(exe)], input="\n".join(lines) + "\n", capture_output=True, text=True, check=False)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert int(run.stdout) == expected
