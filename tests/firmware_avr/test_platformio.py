"""platformio.ini: parses with PlatformIO (offline), has the three AVR envs over the same sources
as the Makefile, with each board's define, and keeps PlatformIO out of boards/."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT

ENVS = {"uno": "TD_BOARD_UNO", "nanoatmega328": "TD_BOARD_NANO",
        "megaatmega2560": "TD_BOARD_MEGA2560"}


def _pio() -> str | None:
    return shutil.which("pio", path=str(Path(sys.executable).parent)) or shutil.which("pio")


@pytest.fixture(scope="module")
def config() -> dict[str, dict]:
    pio = _pio()
    if pio is None:
        pytest.skip("platformio is not installed (pip install -e '.[dev]' installs it)")
    out = subprocess.run([pio, "project", "config", "--json-output"], cwd=ROOT,
                         check=False, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return {name: dict(options) for name, options in json.loads(out.stdout)}


def test_the_three_avr_envs_use_atmelavr_and_the_arduino_framework(config):
    envs = {name[len("env:"):]: opts for name, opts in config.items() if name.startswith("env:")}
    assert set(envs) == set(ENVS)
    for name, opts in envs.items():
        assert opts["platform"] == "atmelavr" and opts["framework"] == ["arduino"], name
        assert f"-D{ENVS[name]}" in opts["build_flags"], name
        assert "-DDECIMAL_DIG=9" in opts["build_flags"], name


def test_sources_are_the_makefiles(config):
    opts = config["env:uno"]
    assert Path(config["platformio"]["src_dir"]) == ROOT / "firmware"
    assert opts["build_src_filter"] == ["-<*> +<core/*.c> +<arduino/*.c>"]
    make = (ROOT / "firmware" / "Makefile").read_text()
    assert "CORE_SRCS := $(sort $(wildcard $(FW)/core/*.c))" in make
    assert "PORT_SRCS := $(sort $(wildcard $(FW)/arduino/*.c))" in make
    for flag in ("-Ifirmware/core", "-Ifirmware/arduino"):
        assert flag in opts["build_flags"]


def test_board_defines_match_the_makefile(config):
    make = (ROOT / "firmware" / "Makefile").read_text()
    defines = set(re.findall(r"^DEF_\w+ := (\w+)$", make, re.MULTILINE))
    assert defines == set(ENVS.values())


def test_boards_dir_is_not_the_board_toml_directory(config):
    boards_dir = Path(config["platformio"]["boards_dir"])
    assert boards_dir.resolve() != (ROOT / "boards").resolve()
    assert not any(boards_dir.glob("*.json"))
