"""`tendril sensors scan`: what is on a board's 1-Wire buses, and a recipe snippet for each probe."""

from __future__ import annotations

import click

from ..contract import PinCap, ScanResult, SensorKind
from ..errors import DeviceError, TendrilError
from ..contract import Nack
from ..image import decode
from ..session.scan import BusScan, scan_bus
from .device import _active, _board, _session, board_opt, port_opt
from .via_serve import through_serve, via_opt

# 1-Wire family codes (a ROM code's first byte) of the temperature probes makers wire
FAMILIES = {0x28: "DS18B20", 0x10: "DS18S20", 0x22: "DS1822"}
READ_FAMILY = 0x28  # what the ds18b20 sensor kind reads (docs/sensors.md)

RESULT_WORDS = {
    ScanResult.NO_DEVICE: "no device answered (nothing on the bus, no 4.7 kOhm pull-up, no VDD, or a "
                          "broken wire)",
    ScanResult.HELD_LOW: "the line is held low (DQ shorted to GND, DQ and VDD swapped, or a device stuck): "
                         "nothing can answer",
    ScanResult.CRC: "a ROM code failed its CRC-8 (noise, a long cable, a weak pull-up): the search stopped "
                    "there",
    ScanResult.TRUNCATED: "more than 16 devices: the first 16 are listed",
}


def _pins(board, image: bytes | None, names: tuple[str, ...]) -> list[tuple[str, int]]:
    """(name, number) of the pins to search: those given; else the 1-Wire pins of the recipe the
    board runs; else every pin with digital in and out the board does not keep for itself."""
    if names:
        out = []
        for name in names:
            pin = board.pin_named(name)
            if pin is None:
                raise TendrilError(f"--pin {name}: {board.name} has no such pin (`tendril boards {board.name}` "
                                   "lists them)")
            out.append((pin.name, pin.number))
        return out
    by_number = {p.number: p.name for p in board.pins}
    if image is not None:
        buses = sorted({s.pin for s in decode(image).sensors if s.kind == SensorKind.DS18B20})
        if buses:
            return [(by_number.get(n, str(n)), n) for n in buses]
    digital = PinCap.DIGITAL_IN | PinCap.DIGITAL_OUT
    return [(p.name, p.number) for p in board.pins
            if p.caps & digital == digital and not p.caps & PinCap.RESERVED]


def _snippet(n: int, pin: str, rom: bytes) -> str:
    return (f'[sensors.probe_{n}]\nkind = "ds18b20"\npin = "{pin}"\nrom = "{rom.hex()}"\n\n'
            f'[channels.temp_{n}]\nsensor = "probe_{n}"\n')


def _report(name: str, scan: BusScan, first_probe: int) -> tuple[list[str], list[str]]:
    """(lines about the bus, snippets for the probes tendril reads)."""
    lines, snippets = [], []
    if scan.codes:
        lines.append(f"{name}: {len(scan.codes)} device{'s' if len(scan.codes) != 1 else ''}")
    for rom in scan.codes:
        family = FAMILIES.get(rom[0], f"family {rom[0]:02x}")
        note = "" if rom[0] == READ_FAMILY else "  (tendril reads DS18B20s only: no snippet)"
        lines.append(f"  {rom.hex()}  {family}{note}")
        if rom[0] == READ_FAMILY:
            snippets.append(_snippet(first_probe + len(snippets), name, rom))
    if scan.result != ScanResult.OK:
        words = RESULT_WORDS.get(scan.result, f"the search ended with result {scan.result}")
        lines.append(f"{name}: {words}")
    return lines, snippets


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
    are never searched."""
    remote = through_serve(port, via)
    if remote is not None:
        remote.client.close()
        raise TendrilError("sensors scan cannot go through tendril serve yet: stop serve (or run the "
                           "scan before it starts), then scan with --port")
    with _session(port) as s:
        b = _board(s, board)
        targets = _pins(b, _active(s), pins)
        lines, snippets, skipped = [], [], []
        for name, number in targets:
            try:
                found = scan_bus(s, number)
            except DeviceError as exc:
                if exc.code == Nack.PIN_IN_USE and not pins:
                    skipped.append(name)  # the default list: a pin of the recipe's is not a bus
                    continue
                if exc.code == Nack.BAD_INDEX:
                    raise TendrilError(f"{name}: the board cannot carry a 1-Wire bus on this pin") from None
                raise
            if found.result == ScanResult.NO_DEVICE and not pins and len(targets) > 1:
                continue  # a free pin with nothing on it: not worth a line
            more, snips = _report(name, found, len(snippets) + 1)
            lines += more
            snippets += snips
    searched = ", ".join(n for n, _ in targets if n not in skipped)
    if not lines:
        lines.append(f"no 1-Wire device found on {searched}")
    for line in lines:
        click.echo(line)
    for snippet in snippets:
        click.echo("")
        click.echo(snippet, nl=False)
