"""The MicroPython firmware's I2C chip arithmetic (tdfw/i2c_chips.py, crc.crc8_sensirion) against the
shared vectors, under CPython and under real MicroPython 1.27 (WebAssembly port in Node.js), with
the same integers as the host's twin (and so as the C core, tests/core/test_i2c_chips_c.py)."""

from __future__ import annotations

import json
import time

import pytest

from ..support.i2c_chips_host import VECTOR_FILE, HostChips, vectors
from . import mp_i2c_chips
from .conftest import FIRMWARE, run_micropython


def test_tdfw_meets_the_shared_vectors_on_cpython():
    vec = vectors()
    fails, out = mp_i2c_chips.check(vec, mp_i2c_chips.Tdfw())
    assert fails == []
    assert out == mp_i2c_chips.check(vec, HostChips())[1]


_MAIN = """
import sys
sys.path.insert(0, '/fw')
sys.path.insert(0, '/tests')
import mp_i2c_chips
mp_i2c_chips.main('/vectors/i2c_chips.json')
"""


@pytest.mark.slow  # real MicroPython (WebAssembly) under Node.js
def test_tdfw_meets_the_shared_vectors_in_real_micropython(tmp_path):
    (tmp_path / "main.py").write_text(_MAIN)
    started = time.monotonic()
    proc = run_micropython(tmp_path / "main.py", [
        (FIRMWARE, "/fw"),
        (mp_i2c_chips.__file__, "/tests/mp_i2c_chips.py"),
        (VECTOR_FILE, "/vectors/i2c_chips.json"),
    ])
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["fails"] == [] and got["count"] == 0
    assert got["out"] == json.loads(json.dumps(mp_i2c_chips.check(vectors(), HostChips())[1]))
    print(f"MicroPython: {len(got['out'])} integers in {time.monotonic() - started:.1f} s")
