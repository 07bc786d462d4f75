"""The AVR HAL's pin tables (firmware/arduino/pins_<board>.h) against the board files in boards/
and against the Arduino core's own variant tables: pin numbers, PWM units, analog pins."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tendril.boards import load_board
from tendril.contract import PinCap

from ..support.avr_build import hal_table, header_text

VARIANTS = Path("/usr/share/arduino/hardware/arduino/avr/variants")
BOARDS = {"uno": "standard", "nano": "eightanaloginputs", "mega2560": "mega"}
UART0 = {"atmega328p": ("D", (0, 1)), "atmega2560": ("E", (0, 1))}


def pins_with(board: str, cap: PinCap | None = None) -> set[int]:
    """Pin numbers of the board file (boards/<board>.toml, with what it extends), with `cap`."""
    return {p.number for p in load_board(board).pins if cap is None or p.caps & cap}


@pytest.mark.parametrize("board", BOARDS)
def test_hal_pin_table_has_exactly_the_board_files_pins(board):
    table, _ = hal_table(board)
    pins = pins_with(board)
    assert sorted(table) == sorted(pins) == list(range(len(pins)))


@pytest.mark.parametrize("board", BOARDS)
def test_pwm_pins_are_exactly_the_pins_with_a_timer_unit(board):
    table, _ = hal_table(board)
    pwm = pins_with(board, PinCap.PWM)
    assert {pin for pin, (_, _, unit) in table.items() if unit != "NONE"} == pwm


@pytest.mark.parametrize("board", BOARDS)
def test_analog_pins_are_exactly_those_from_a0_on(board):
    table, a0 = hal_table(board)
    analog = pins_with(board, PinCap.ANALOG_IN)
    assert analog == {pin for pin in table if pin >= a0}


@pytest.mark.parametrize("board", BOARDS)
def test_digital_pins_have_a_port_and_adc_only_pins_have_none(board):
    table, _ = hal_table(board)
    digital = PinCap.DIGITAL_IN | PinCap.DIGITAL_OUT | PinCap.RESERVED
    for pin in load_board(board).pins:
        assert (table[pin.number][0] != "NONE") == bool(pin.caps & digital), pin


@pytest.mark.parametrize("board", BOARDS)
def test_reserved_pins_are_the_uart_the_hal_drives(board):
    table, _ = hal_table(board)
    port, bits = UART0[load_board(board).mcu]
    reserved = sorted(pins_with(board, PinCap.RESERVED))
    assert [table[p][:2] for p in reserved] == [(port, b) for b in bits]


@pytest.mark.parametrize("board", BOARDS)
def test_every_pwm_unit_used_is_declared_and_each_drives_one_pin(board):
    text = header_text(board)
    declared = re.findall(r"U\((OC\d[ABC]), (\d), ([ABC])\)", text)
    assert all(unit == f"OC{t}{c}" for unit, t, c in declared)
    table, _ = hal_table(board)
    used = [unit for _, _, unit in table.values() if unit != "NONE"]
    assert sorted(used) == sorted(u for u, _, _ in declared)


def _variant(variant: str) -> dict[int, tuple[str, int, str]]:
    """pin -> (port, bit, PWM unit) from the Arduino core's pins_arduino.h (ATmega328P/2560)."""
    text = (VARIANTS / variant / "pins_arduino.h").read_text()
    base = re.search(r'#include "\.\./(\w+)/pins_arduino\.h"', text)  # eightanaloginputs
    if base:
        text = (VARIANTS / base.group(1) / "pins_arduino.h").read_text()
    text = re.sub(r"#if defined\(__AVR_ATmega8__\).*?#else(.*?)#endif", r"\1", text, flags=re.DOTALL)

    def entries(name: str) -> list[str]:
        body = re.search(name + r"\[\] = \{(.*?)\n\};", text, re.DOTALL).group(1)
        body = re.sub(r"//[^\n]*|/\*.*?\*/", "", body, flags=re.DOTALL)
        return [e.strip() for e in body.split(",") if e.strip()]

    ports = entries("digital_pin_to_port_PGM")
    bits = entries("digital_pin_to_bit_mask_PGM")
    timers = entries("digital_pin_to_timer_PGM")
    out = {}
    for pin, (port, bit, timer) in enumerate(zip(ports, bits, timers)):
        unit = "NONE" if timer == "NOT_ON_TIMER" else "OC" + timer[len("TIMER"):]
        out[pin] = (port[1], int(re.search(r"\d", bit).group(0)), unit)
    return out


@pytest.mark.skipif(not VARIANTS.is_dir(), reason="Debian's arduino-core-avr is not installed")
@pytest.mark.parametrize("board,variant", BOARDS.items())
def test_port_bit_and_timer_match_the_arduino_core(board, variant):
    table, _ = hal_table(board)
    ours = {pin: row for pin, row in table.items() if row[0] != "NONE"}
    assert ours == _variant(variant)
