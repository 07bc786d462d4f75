"""`tendril sensors scan`: what is on a board's 1-Wire buses, and a recipe snippet for each probe."""

from __future__ import annotations

import click

from ..contract import ScanResult
from ..session.scan import READ_FAMILY, BusScan, Scanned, probe_snippets, scan_buses
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


@click.group()
def sensors() -> None:
    """Sensors on a board's pins."""


@sensors.command()
@port_opt
@click.option("--pin", "pins", multiple=True, metavar="PIN",
              help="A pin to search, by its board name (D3, GP2); repeat for more. Default: the "
                   "1-Wire pins of the recipe the board runs, else every pin with digital in and "
                   "out that the recipe leaves free.")
@board_opt
@via_opt
def scan(port: str, pins: tuple[str, ...], board: str | None, via: str | None) -> None:
    """Search 1-Wire buses for ROM codes (DS18B20, DS18S20, DS1822) and print a recipe snippet for
    each DS18B20 found.

    A search pulls the pin low for half a millisecond at a time: give --pin when other parts are
    wired to free pins. Pins the recipe gives to an actuator, a channel or another kind of sensor
    are never searched. While `tendril serve` owns the board, the scan goes through it."""
    remote = through_serve(port, via)
    if remote is not None:  # serve owns the board: it runs the same scan on its link
        try:
            scanned = Scanned.of_json(remote.call("scan", {"pins": list(pins)} if pins else {}))
        finally:
            remote.client.close()
    else:
        with _session(port) as s:
            scanned = scan_buses(s, _board(s, board), pins)
    lines = [line for name, bus in scanned.buses for line in _report(name, bus)]
    if not lines:
        lines.append(f"no 1-Wire device found on {', '.join(scanned.searched)}")
    for line in lines:
        click.echo(line)
    for snippet in probe_snippets(scanned):
        click.echo("")
        click.echo(snippet, nl=False)
