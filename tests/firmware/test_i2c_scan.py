"""The I2C scan on the native board (the C firmware's cmd_i2c on hal_i2c_*, the world's chip models of
firmware/sim/sim_i2c_chips.c), through the host's tendril.session.scan_i2c and as a maker runs
`tendril sensors scan` on the board's pty: each chip of the story found and named the way it was
told, a bus held low in one line, a recipe that gives SDA to a channel refused, and a snippet per
chip (tests/support/i2c_scan_story.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tendril.boards import load_board
from tendril.contract import I2cStatus, Nack
from tendril.protocol import I2cData, I2cRead, NackMsg, ScanI2c
from tendril.recipes import compile_recipe, parse
from tendril.session import Session, push

from ..support import i2c_scan_story as story
from ..support.native_board import NativeBoard


def native(tmp_path, lines: list[str]):
    return story.starter("uno", "native", tmp_path)(lines)


def test_the_native_board_tells_the_i2c_scan_story(tmp_path):
    story.tell(story.starter("uno", "native", tmp_path), "uno", 18, (I2cStatus.BUS_STUCK,))  # A4 is SDA


def test_the_firmware_checks_a_read_and_waits_for_a_busy_chip(plain, tmp_path):
    # the board's clock held: an SHT4x takes 1 ms for its serial, which the board waits for itself
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold", "--set", "i2c sht4x")
    try:
        bad = [board.request(I2cRead(0x44, 3, 0, 0, 1)), board.request(I2cRead(0x44, 1, 0, 0, 0)),
               board.request(I2cRead(0x44, 1, 0, 0, 9)), board.request(I2cRead(0x80, 0, 0, 0, 1))]
        serial = board.request(I2cRead.of(0x44, b"\x89", 6))
        missing = board.request(I2cRead.of(0x45, b"\x89", 6))
        page = board.request(ScanI2c(0x45))
    finally:
        board.close()
    assert bad == [NackMsg(0x20, Nack.BAD_VALUE, 0)] * 4
    assert serial.status == I2cStatus.OK and len(serial.data) == 6
    assert missing == I2cData(I2cStatus.NACK_ADDR, 0x45, b"")
    assert page.status == I2cStatus.OK and page.addresses == ()  # from 0x45 on: nothing


@pytest.fixture
def port(tmp_path):
    sim = native(tmp_path, story.CHIPS)
    try:
        yield sim.port
    finally:
        sim.stop()


def tendril(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tendril.cli", "sensors", "scan", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_cli_lists_each_chip_in_one_line_and_a_snippet_per_chip(port):
    done = tendril("--port", port, "--bus", "i2c")
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == "I2C: 6 chips"
    for line, (address, chip, _kind, how) in zip(out[1:7], story.FOUND):
        assert line == f"  0x{address:02x}  {chip}  ({how})", out
    snippet = "\n".join(out[out.index("[sensors.aht20_38]"):])
    assert '[sensors.bme280_76]\nkind = "bme280"\naddress = 0x76\n' in snippet
    assert '[channels.bme280_76_pressure]\nsensor = "bme280_76"\nquantity = "pressure"' in snippet
    assert snippet.count("[sensors.") == 6 and snippet.count("[channels.") == 12  # aht20 2, sht 2 + 2, bh1750 1, bme280 3, bmp280 2
    head = '[recipe]\nname = "scanned"\nversion = "1.0.0"\nsummary = "s"\nboards = ["uno"]\n\n'
    blocks = ["[sensors." + b for b in snippet.split("[sensors.")[1:]]  # 12 channels: more than an Uno takes
    for block, (address, _chip, kind, _how) in zip(blocks, story.FOUND, strict=True):
        recipe = parse(head + block)
        compile_recipe(recipe, load_board("uno"))  # the recipe compiler takes each snippet as it is
        assert [(s.kind.name.lower(), s.options[0]) for s in recipe.sensors] == [(kind, address)], block


@pytest.mark.slow
def test_cli_says_a_bus_held_low_in_one_line(tmp_path):
    sim = native(tmp_path, story.HELD_LOW)
    try:
        done = tendril("--port", sim.port, "--bus", "i2c")
    finally:
        sim.stop()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["I2C: SDA is held low: SDA shorted to GND, no pull-ups on SDA and SCL, "
                                        "or a chip stuck mid-byte (power it off and on)"]


@pytest.mark.slow
def test_cli_says_in_one_line_why_the_bus_was_not_scanned(tmp_path):
    sim = native(tmp_path, story.CHIPS)
    try:
        with Session(sim.port) as s:
            push(s, compile_recipe(parse(story.sda_recipe("uno")), load_board("uno")))
        refused = tendril("--port", sim.port, "--bus", "i2c")
        mixed = tendril("--port", sim.port, "--bus", "i2c", "--pin", "D3")
    finally:
        sim.stop()
    assert refused.returncode == 0, refused.stderr
    assert refused.stdout.splitlines() == ["I2C: not scanned: the recipe gives the bus's pin A4 to a channel, an "
                                           "actuator or a sensor that is not an I2C one"]
    assert mixed.returncode == 1 and mixed.stdout == "" and mixed.stderr.count("\n") == 1, mixed.stderr
    assert "--pin names 1-Wire pins" in mixed.stderr


def test_a_scan_runs_the_bus_at_the_speed_of_the_recipes_i2c_sensors(plain, tmp_path):
    text = """\
[recipe]
name = "fast-bus"
version = "1.0.0"
summary = "an SHT4x at 400 kHz"
boards = ["uno"]

[i2c]
speed = "400 kHz"

[sensors.air]
kind = "sht4x"

[channels.temp]
sensor = "air"
"""
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold", "--set", "i2c sht4x", "--set", "i2c bh1750")
    try:
        board.push(compile_recipe(parse(text), load_board("uno")), 1)
        page = board.request(ScanI2c(0))
    finally:
        board.close()
    assert page.status == I2cStatus.OK and page.addresses == (0x23, 0x44)
    assert [line.split()[2] for line in board.stderr if line.split()[1:2] == ["i2c"]] == ["400"], board.stderr
