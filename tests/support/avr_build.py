"""Helpers for the AVR build tests: run firmware/Makefile into a private directory, measure ELFs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ..conftest import ROOT

FIRMWARE = ROOT / "firmware"
BOARDS = ("uno", "nano", "mega2560")
BUDGET = {"uno": (26624, 1024), "nano": (26624, 1024), "mega2560": (65536, 4096)}
MCU = {"uno": "atmega328p", "nano": "atmega328p", "mega2560": "atmega2560"}

needs_avr_gcc = pytest.mark.skipif(shutil.which("avr-gcc") is None,
                                   reason="gcc-avr is not installed (tools/setup.sh installs it)")


def make(build_dir: Path, board: str, *targets: str, **variables: str | int):
    cmd = ["make", "-C", str(FIRMWARE), f"BOARD={board}", f"BUILD_DIR={build_dir}", *targets]
    cmd += [f"{k}={v}" for k, v in variables.items()]
    return subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300)


def elf_sizes(elf: Path) -> tuple[int, int]:
    """(flash, static RAM) of an ELF from avr-size -A: .text + .data, .data + .bss + .noinit."""
    out = subprocess.run(["avr-size", "-A", str(elf)], capture_output=True, text=True, check=True)
    sec = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith(".") and parts[1].isdigit():
            sec[parts[0]] = int(parts[1])
    return sec[".text"] + sec.get(".data", 0), sum(sec.get(s, 0) for s in (".data", ".bss", ".noinit"))


def header_text(board: str) -> str:
    """pins_<board>.h with the pin headers it includes put in front (the Nano takes the Uno's rows)."""
    text = (FIRMWARE / "arduino" / f"pins_{board}.h").read_text()
    for other in re.findall(r'#include "pins_(\w+)\.h"', text):
        text = header_text(other) + text
    return text


def hal_table(board: str) -> tuple[dict[int, tuple[str, int, str]], int]:
    """pin -> (port, bit, pwm unit) and the first analog pin, as hal_avr.c compiles them."""
    text = header_text(board)
    rows = re.findall(r"X\(\s*(\d+),\s*(\w+),\s*(\d),\s*(\w+)\)", text)
    table = {int(p): (port, int(bit), pwm) for p, port, bit, pwm in rows}
    assert len(table) == len(rows), f"pins_{board}.h lists a pin twice"
    a0 = int(re.search(r"#define TD_PIN_A0 (\d+)", text).group(1))
    return table, a0
