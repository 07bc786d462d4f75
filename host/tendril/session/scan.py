"""A 1-Wire bus search over a session (COMMAND SCAN_ONEWIRE, docs/protocol.md): every page of
ROM_CODES the board sends for one pin, gathered into one outcome. No words for people here: the CLI
says what an outcome means."""

from __future__ import annotations

from dataclasses import dataclass

from ..contract import ROM_CODES_MAX, ScanResult
from ..protocol import RomCodes, ScanOneWire
from .session import Session

SEARCH_TIMEOUT_S = 2.0  # a search of 16 devices keeps a board about 0.25 s before it answers


@dataclass(frozen=True)
class BusScan:
    pin: int
    result: int  # ScanResult (a plain int when this tendril does not know the board's)
    codes: tuple[bytes, ...]  # in the search's order


def scan_bus(session: Session, pin: int) -> BusScan:
    """Search ``pin``'s bus; raises DeviceError when the board refuses the pin (BAD_INDEX,
    PIN_IN_USE). Each page repeats the search on the board, so a bus whose devices change between
    pages gives the codes of the last search from that page on."""
    page = _page(session, pin, 0)
    codes = list(page.codes)
    while page.result in (ScanResult.OK, ScanResult.TRUNCATED, ScanResult.CRC) and len(codes) < page.total:
        page = _page(session, pin, len(codes))
        if not page.codes:  # the bus changed under us: keep what was found
            break
        codes.extend(page.codes[:ROM_CODES_MAX])
    return BusScan(pin, page.result, tuple(codes))


def _page(session: Session, pin: int, first: int) -> RomCodes:
    return session.call(ScanOneWire(pin, first), f"a 1-Wire search on pin {pin}", RomCodes, SEARCH_TIMEOUT_S)
