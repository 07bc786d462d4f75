"""`tendril sensors scan` as a maker runs it: a real `tendril` subprocess on the pty of the native
board (the C firmware's bus search against the pin-level probe model), the scan story's buses
(tests/vectors/sensors/ds18b20_scan.json): the codes with their families, a snippet that compiles,
and one line for a bus held low, an empty bus, a CRC error and a pin that cannot carry a bus."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tendril.boards import load_board
from tendril.recipes import compile_recipe, parse

from ..support import ds18b20_story as story



@pytest.fixture
def port(plain, tmp_path):
    args = [a for line in story.scan_scenario("uno") for a in ("--set", line)]
    proc = subprocess.Popen([str(plain), "--realtime", "--eeprom", str(tmp_path / "ee.bin"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("port: "), line
        yield line.split(" ", 1)[1].strip()
    finally:
        proc.terminate()
        proc.wait(10)


def tendril(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tendril.cli", "sensors", "scan", *args],
                          capture_output=True, text=True, timeout=120)


def test_scan_lists_each_bus_in_one_line_per_code_and_a_snippet_that_compiles(port):
    done = tendril("--port", port)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    codes = story.SCAN["codes"]
    families = {"10": "DS18S20", "28": "DS18B20", "22": "DS1822"}
    assert out[0] == "D3: 3 devices"
    for line, code in zip(out[1:4], codes):
        assert line.split()[:2] == [code, families[code[:2]]], out
    assert "held low" in out[4] and out[4].startswith("D5: ")
    assert "CRC-8" in out[5] and out[5].startswith("D6: ")
    assert not any(line.startswith("D4") for line in out)  # a free pin with nothing on it: quiet
    snippet = "\n".join(out[out.index("[sensors.probe_1]"):])
    recipe = parse('[recipe]\nname = "scanned"\nversion = "1.0.0"\nsummary = "s"\nboards = ["uno"]\n\n' + snippet)
    compile_recipe(recipe, load_board("uno"))
    assert [s.rom.hex() for s in recipe.sensors] == ["28ab89674523015a"]  # DS18B20s only


def test_scan_of_named_pins_says_what_each_bus_is(port):
    done = tendril("--port", port, "--pin", "D4", "--pin", "D5")
    assert done.returncode == 0, done.stderr
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == ["D4", "D5"]
    assert "no device answered" in done.stdout and "held low" in done.stdout


def test_a_pin_that_cannot_carry_a_bus_is_one_line_and_no_traceback(port):
    for pin, words in (("D0", "cannot carry a 1-Wire bus"), ("Z9", "no such pin")):
        done = tendril("--port", port, "--pin", pin)
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and words in done.stderr, done.stderr
