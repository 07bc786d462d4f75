"""tendril's Firmata sketch answers exactly as StandardFirmata does, and says nothing when opened.

The expected bytes are what StandardFirmata 2.5.7 (the Arduino IDE's File > Examples > Firmata,
firmata/arduino) sent from the simulated Uno, built for it with this project's toolchain. To check
the real thing too, point TENDRIL_STANDARD_FIRMATA_ELF at such a build: every test here that takes
``any_firmata`` then runs against it as well.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import serial
from tendril.sources.firmata_wire import (
    ANALOG_MAPPING_QUERY,
    CAPABILITY_QUERY,
    REPORT_FIRMWARE,
    VERSION_QUERY,
    query,
)

# CAPABILITY_RESPONSE: per pin, (mode, resolution) pairs then 7f. Pins 0 and 1 (the serial port)
# have none; 2..19: INPUT 00 01, PULLUP 0b 01, OUTPUT 01 01, then ANALOG 02 0a on 14..19, PWM 03 08
# on 3, 5, 6, 9, 10, 11, SERVO 04 0e, and I2C 06 01 on 18 and 19 (SDA, SCL).
STANDARD_CAPABILITY = bytes.fromhex(
    "f0 6c 7f 7f"
    " 00010b010101040e7f 00010b0101010308040e7f 00010b010101040e7f"  # pins 2, 3, 4
    " 00010b0101010308040e7f 00010b0101010308040e7f 00010b010101040e7f"  # 5, 6, 7
    " 00010b010101040e7f 00010b0101010308040e7f 00010b0101010308040e7f"  # 8, 9, 10
    " 00010b0101010308040e7f 00010b010101040e7f 00010b010101040e7f"  # 11, 12, 13
    " 00010b010101020a040e7f 00010b010101020a040e7f 00010b010101020a040e7f"  # 14, 15, 16
    " 00010b010101020a040e7f 00010b010101020a040e06017f 00010b010101020a040e06017f"  # 17, 18, 19
    " f7")
# ANALOG_MAPPING_RESPONSE: per pin its analog channel, 7f for none.
STANDARD_MAPPING = bytes.fromhex("f0 6a" + " 7f" * 14 + " 00 01 02 03 04 05 f7")
STANDARD_VERSION = bytes.fromhex("f9 02 05")  # protocol 2.5
FIRMWARE_NAMES = {"tendril": (0, 2, "tendril-firmata"), "standard": (2, 5, "StandardFirmata.ino")}


def firmware_reply(major: int, minor: int, name: str) -> bytes:
    """REPORT_FIRMWARE's reply: each character as two 7-bit bytes, low bits first."""
    chars = b"".join(bytes([c & 0x7F, c >> 7]) for c in name.encode())
    return bytes([0xF0, REPORT_FIRMWARE, major, minor]) + chars + bytes([0xF7])


def standard_firmata_elf() -> Path | None:
    path = os.environ.get("TENDRIL_STANDARD_FIRMATA_ELF")
    return Path(path) if path else None


@pytest.fixture(params=["tendril"] + (["standard"] if standard_firmata_elf() else []))
def any_firmata(request) -> tuple[str, Path]:
    """("tendril", firmware/sketches/firmata); ("standard", StandardFirmata) when one is given."""
    if request.param == "standard":
        return "standard", standard_firmata_elf()
    return "tendril", request.getfixturevalue("firmata_elf")


def read_until(ser, ending: bytes, timeout: float = 60.0) -> bytes:
    """Bytes from ``ser`` up to and including ``ending`` (the timeout only guards a hang)."""
    got = bytearray()
    deadline = time.monotonic() + timeout
    while not got.endswith(ending):
        if time.monotonic() > deadline:
            pytest.fail(f"no {ending.hex(' ')} within {timeout} s; got {bytes(got[-64:]).hex(' ')}")
        got += ser.read(1)
    return bytes(got)


def past_its_boot(port: str) -> None:
    """Open ``port``, ask until the board answers (a question sent before its Serial.begin() is
    lost, as in a real Uno's boot loader; whatever it says at boot comes before the answer), ask
    for the analog mapping once more and read up to it, close. It then has nothing more to say."""
    with serial.Serial(port, 57_600, timeout=0.5) as ser:
        got, deadline = b"", time.monotonic() + 60
        while STANDARD_CAPABILITY[:2] not in got and time.monotonic() < deadline:
            ser.write(query(CAPABILITY_QUERY))
            got += ser.read(1000)
        ser.write(query(ANALOG_MAPPING_QUERY))
        read_until(ser, STANDARD_MAPPING)


def test_standard_firmatas_capability_reply_is_195_bytes_for_20_pins():
    assert len(STANDARD_CAPABILITY) == 195 and STANDARD_CAPABILITY.count(0x7F) == 20
    assert len(STANDARD_MAPPING) == 23


@pytest.mark.slow
def test_the_sketch_says_nothing_on_open_and_answers_with_standard_firmatas_bytes(any_firmata, sim):
    which, elf = any_firmata
    board, _ = sim(elf, "")
    past_its_boot(board.port)
    # Opened again: the board does not reset, so the first bytes are the answers, in order, exact.
    with serial.Serial(board.port, 57_600, timeout=60) as ser:
        for question, answer in [(query(CAPABILITY_QUERY), STANDARD_CAPABILITY),
                                 (query(ANALOG_MAPPING_QUERY), STANDARD_MAPPING),
                                 (VERSION_QUERY, STANDARD_VERSION),
                                 (query(REPORT_FIRMWARE), firmware_reply(*FIRMWARE_NAMES[which]))]:
            ser.write(question)
            got = ser.read(len(answer))
            assert got.hex(" ") == answer.hex(" ")
