"""`tendril sensors scan`: what is on a board's 1-Wire buses and its I2C bus, and a recipe snippet for
each probe and chip."""

from __future__ import annotations

import click

from ..contract import I2cStatus, ScanResult
from ..errors import TendrilError
from ..session.scan import READ_FAMILY, BusScan, Scanned, chip_snippets, probe_snippets, scan_buses
from ..session.scan_i2c import I2cBus
from .device import _board, _session, board_opt, port_opt
from .via_serve import through_serve, via_opt

# 1-Wire family codes (a ROM code's first byte) of the temperature probes makers wire
FAMILIES = {0x28: "DS18B20", 0x10: "DS18S20", 0x22: "DS1822"}

RESULT_WORDS = {
    ScanResult.NO_DEVICE: "no device answered (nothing on the bus, no 4.7 kOhm pull-up, no VDD, or a "
                          "broken wire)",
    ScanResult.HELD_LOW: "the line is held low (DQ shorted to GND, DQ and VDD swapped, or a device stuck): "
                         "nothing can answer",
    ScanResult.CRC: "a ROM code failed its CRC-8 (noise, a long cable, a weak pull-up): the search stopped "
                    "there",
    ScanResult.TRUNCATED: "more than 16 devices: the first 16 are listed",
}


def _report(name: str, scan: BusScan) -> list[str]:
    """Lines about one bus: its codes with their families, and what went wrong if anything."""
    lines = []
    if scan.codes:
        lines.append(f"{name}: {len(scan.codes)} device{'s' if len(scan.codes) != 1 else ''}")
    for rom in scan.codes:
        family = FAMILIES.get(rom[0], f"family {rom[0]:02x}")
        note = "" if rom[0] == READ_FAMILY else "  (tendril reads DS18B20s only: no snippet)"
        lines.append(f"  {rom.hex()}  {family}{note}")
    if scan.result != ScanResult.OK:
        words = RESULT_WORDS.get(scan.result, f"the search ended with result {scan.result}")
        lines.append(f"{name}: {words}")
    return lines


I2C_WORDS = {
    I2cStatus.BUS_STUCK: "SDA is held low: SDA shorted to GND, no pull-ups on SDA and SCL, or a chip stuck "
                         "mid-byte (power it off and on)",
    I2cStatus.TIMEOUT: "the bus timed out: SDA or SCL held low (shorted to GND, no pull-ups) or a chip "
                       "holding SCL",
}


def _i2c_report(bus: I2cBus, quiet: bool) -> list[str]:
    """Lines about the I2C bus: each address with its likely chip and how it was told, then the
    fault the scan stopped at, in one line; nothing for a quiet bus when ``quiet``."""
    if bus.pin_in_use is not None:
        return [f"I2C: not scanned: the recipe gives the bus's pin {bus.pin_in_use} to a channel, an actuator or a sensor "
                "that is not an I2C one"]
    lines = []
    if bus.chips:
        lines.append(f"I2C: {len(bus.chips)} chip{'s' if len(bus.chips) != 1 else ''}")
    for chip in bus.chips:
        note = "" if chip.kind else "  (no sensor kind reads it: no snippet)"
        lines.append(f"  0x{chip.address:02x}  {chip.name}  ({chip.how}){note}")
    if bus.status != I2cStatus.OK:
        lines.append("I2C: " + I2C_WORDS.get(bus.status, f"the scan stopped with status {bus.status}"))
    elif not bus.chips and not quiet:
        lines.append(NO_CHIP)
    return lines


NO_CHIP = "I2C: no chip answered (nothing wired, no power, or SDA and SCL swapped)"


@click.group()
def sensors() -> None:
    """Sensors on a board's pins."""


@sensors.command()
@port_opt
@click.option("--pin", "pins", multiple=True, metavar="PIN",
              help="A pin to search, by its board name (D3, GP2); repeat for more. Default: the "
                   "1-Wire pins of the recipe the board runs, else every pin with digital in and "
                   "out that the recipe leaves free.")
@click.option("--bus", type=click.Choice(["i2c", "onewire"]), default=None,
              help="Scan only this bus. Default: the I2C bus and the 1-Wire pins where the board has "
                   "them (1-Wire only when --pin is given).")
@board_opt
@via_opt
def scan(port: str, pins: tuple[str, ...], bus: str | None, board: str | None, via: str | None) -> None:
    """Find sensors: search 1-Wire buses for ROM codes (DS18B20, DS18S20, DS1822) and the I2C bus
    for chips (BME280, BMP280, SHT3x, SHT4x, AHT20, BH1750), and print a recipe snippet for each
    one tendril reads.

    An I2C chip is told by its address and, where it has one, its ID register (BME280/BMP280), a
    CRC-checked serial or status (SHT4x, SHT3x) or its status byte (AHT20); a BH1750 has no ID
    register and is named by its address only. A 1-Wire search pulls the pin low for half a
    millisecond at a time: give --pin when other parts are wired to free pins. Pins the recipe
    gives to an actuator, a channel or another kind of sensor are never searched, nor the I2C bus
    while the recipe gives SDA or SCL to one. While `tendril serve` owns the board, the scan goes
    through it."""
    if pins and bus == "i2c":
        raise TendrilError("--pin names 1-Wire pins: leave it out with --bus i2c")
    remote = through_serve(port, via)
    if remote is not None:  # serve owns the board: it runs the same scan on its link
        body = {"pins": list(pins)} if pins else {}
        if bus:
            body["bus"] = bus
        try:
            scanned = Scanned.of_json(remote.call("scan", body))
        finally:
            remote.client.close()
    else:
        with _session(port) as s:
            scanned = scan_buses(s, _board(s, board), pins, bus or "")
    lines = [line for name, found in scanned.buses for line in _report(name, found)]
    if scanned.i2c is not None:  # by default a quiet bus is not worth a line, as a quiet 1-Wire pin
        lines += _i2c_report(scanned.i2c, quiet=bus is None)
    if not lines:
        where = f"no 1-Wire device found on {', '.join(scanned.searched)}" if scanned.searched else ""
        lines.append("; ".join(w for w in (where, NO_CHIP[5:] if scanned.i2c else "") if w) or "nothing to scan")
    for line in lines:
        click.echo(line)
    for snippet in probe_snippets(scanned) + chip_snippets(scanned.i2c):
        click.echo("")
        click.echo(snippet, nl=False)
