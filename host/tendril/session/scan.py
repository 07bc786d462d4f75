"""A 1-Wire bus search over a session (COMMAND SCAN_ONEWIRE, docs/protocol.md): every page of
ROM_CODES the board sends for one pin, gathered into one outcome; the pins a scan searches
(``scan_buses``), as `tendril sensors scan` and serve's ``scan`` command both run it, with the I2C
bus's scan (scan_i2c.py); the outcome as JSON (serve's reply) and back; the recipe snippet for each
DS18B20 and I2C chip found. No words for people here: the CLI says what an outcome means."""

from __future__ import annotations

from dataclasses import dataclass

from ..contract import ROM_CODES_MAX, SENSOR_KINDS, HelloFlag, I2cStatus, Nack, PinCap, ScanResult, SensorKind
from ..errors import DeviceError, TendrilError
from ..image import decode
from ..protocol import RomCodes, ScanOneWire
from .push import read_config
from .scan_i2c import I2cBus, scan_i2c
from .session import Session

BUSES = ("onewire", "i2c")

READ_FAMILY = 0x28  # the 1-Wire family the ds18b20 sensor kind reads (docs/sensors.md)

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


@dataclass(frozen=True)
class Scanned:
    """What a scan of a board found: the pins searched (by name), and the buses worth a report
    (name, outcome) in that order: every pin asked for by name; of a default list, those with
    something on them or something wrong."""

    searched: tuple[str, ...]
    buses: tuple[tuple[str, BusScan], ...]
    i2c: I2cBus | None = None  # None: not scanned (not asked for, or the board has no I2C bus)

    def json(self) -> dict:
        """serve's reply: results by their lowercase name (a number this tendril cannot name),
        codes as hex, the I2C bus's chips, and the recipe snippet for the DS18B20s and chips."""
        body = {"searched": list(self.searched),
                "buses": [{"pin": name, "number": bus.pin, "result": _result_name(bus.result),
                           "codes": [rom.hex() for rom in bus.codes]} for name, bus in self.buses],
                "snippet": "\n".join(probe_snippets(self) + chip_snippets(self.i2c))}
        if self.i2c is not None:
            body["i2c"] = self.i2c.json()
        return body

    @classmethod
    def of_json(cls, body: dict) -> Scanned:
        """serve's reply back into a Scanned; TendrilError in one line when it is not one."""
        try:
            buses = tuple((str(b["pin"]), BusScan(int(b["number"]), _result_of(b["result"]),
                                                  tuple(bytes.fromhex(c) for c in b["codes"])))
                          for b in body["buses"])
            i2c = I2cBus.of_json(body["i2c"]) if body.get("i2c") is not None else None
            return cls(tuple(str(n) for n in body["searched"]), buses, i2c)
        except (KeyError, TypeError, ValueError) as exc:
            raise TendrilError(f"scan: a reply that is not serve's ({type(exc).__name__}: {exc})") from None


def _result_name(result: int) -> str | int:
    return ScanResult(result).name.lower() if result in ScanResult._value2member_map_ else result


def _result_of(value) -> int:
    return ScanResult[value.upper()] if isinstance(value, str) else int(value)


def bus_pins(board, image: bytes | None, names: tuple[str, ...]) -> list[tuple[str, int]]:
    """(name, number) of the pins to search: those given; else the 1-Wire pins of the recipe the
    board runs (its config ``image``); else every pin with digital in and out the board does not
    keep for itself."""
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


def scan_buses(session: Session, board, names: tuple[str, ...] = (), bus: str = "") -> Scanned:
    """Scan ``bus`` ("onewire", "i2c"; "": both where the board has them, only 1-Wire when pins are
    named). 1-Wire: search the pins ``names`` (board names) or, when none are given, the default
    list of ``bus_pins`` less the I2C bus's pins when that bus answered. A default pin the recipe
    uses is skipped and a default pin with nothing on it is searched but not reported; a named pin
    that cannot carry a bus is a TendrilError, as a board refusing an I2C scan asked for by name."""
    if bus not in ("", *BUSES):
        raise TendrilError(f"--bus {bus}: say i2c or onewire")
    i2c = None
    if bus == "i2c" or (bus == "" and not names):
        i2c = _i2c(session, board, asked=bus == "i2c")
    if bus == "i2c":
        return Scanned((), (), i2c)
    image = read_config(session) if session.hello.flags & HelloFlag.HAS_CONFIG else None
    targets = bus_pins(board, image, names)
    if i2c is not None and not names:  # a 1-Wire search would pull SDA and SCL low
        targets = [(n, p) for n, p in targets if p not in _i2c_pins(board)]
    buses, skipped = [], set()
    for name, number in targets:
        try:
            found = scan_bus(session, number)
        except DeviceError as exc:
            if exc.code == Nack.PIN_IN_USE and not names:
                skipped.add(name)  # the default list: a pin of the recipe's is not a bus
                continue
            if exc.code == Nack.BAD_INDEX:
                raise TendrilError(f"{name}: the board cannot carry a 1-Wire bus on this pin") from None
            raise
        if found.result == ScanResult.NO_DEVICE and not names and len(targets) > 1:
            continue  # a free pin with nothing on it: not worth a line
        buses.append((name, found))
    return Scanned(tuple(n for n, _ in targets if n not in skipped), tuple(buses), i2c)


def _i2c_pins(board) -> tuple[int, ...]:
    """The pin numbers of the board's I2C bus (boards/<name>.toml's [i2c]), none when it has none."""
    return tuple(p for p in (board.i2c_sda, board.i2c_scl) if p is not None)


def _i2c(session: Session, board, asked: bool) -> I2cBus | None:
    """The board's I2C bus scanned (not scanned, with the pin, when the recipe gives SDA or SCL to
    something else: PIN_IN_USE); None when the board has none (UNKNOWN_OP), a TendrilError in one
    line when the bus was asked for by name."""
    try:
        return scan_i2c(session)
    except DeviceError as exc:
        if exc.code == Nack.PIN_IN_USE:
            return I2cBus(I2cStatus.OK, (), next((p.name for p in board.pins if p.number == exc.detail),
                                                 str(exc.detail)))
        if exc.code == Nack.UNKNOWN_OP:
            if not asked:
                return None
            raise TendrilError(f"{board.name} has no I2C bus (or its firmware predates the I2C scan)") from None
        raise


def probe_snippets(scanned: Scanned, first: int = 1) -> list[str]:
    """A recipe snippet (a sensor and its channel) for each DS18B20 found, numbered from
    ``first``, in the order found."""
    out = []
    for name, bus in scanned.buses:
        for rom in bus.codes:
            if rom[0] == READ_FAMILY:
                n = first + len(out)
                out.append(f'[sensors.probe_{n}]\nkind = "ds18b20"\npin = "{name}"\nrom = "{rom.hex()}"\n\n'
                           f'[channels.temp_{n}]\nsensor = "probe_{n}"\n')
    return out


def chip_snippets(bus: I2cBus | None) -> list[str]:
    """A recipe snippet (a sensor and a channel per quantity) for each I2C chip found that a sensor
    kind reads, named by kind and address (bme280_76)."""
    if bus is None:
        return []
    out = []
    for chip in bus.chips:
        spec = _kind_named(chip.kind)
        if spec is None:
            continue
        name = f"{chip.kind}_{chip.address:02x}"
        text = f'[sensors.{name}]\nkind = "{chip.kind}"\naddress = 0x{chip.address:02x}\n'
        for quantity in spec.quantities:
            text += f'\n[channels.{name}_{quantity}]\nsensor = "{name}"\nquantity = "{quantity}"\n'
        out.append(text)
    return out


def _kind_named(name: str | None):
    return next((k for k in SENSOR_KINDS if k.name == name), None) if name else None
