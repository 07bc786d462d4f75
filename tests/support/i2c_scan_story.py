"""The I2C scan story every simulated board tells (tests/firmware/test_i2c_scan.py on the native
board, tests/micropython/test_i2c_scan_mpy.py on the virtual board, tests/sim/test_simavr_i2c_scan.py
in simavr): a bus with one chip of each family on it, each told apart the way
tendril.session.scan_i2c tells it (ID register, CRC-checked serial or status, status byte,
address); a bus whose SDA is held low; a recipe that gives SDA to a channel."""

from __future__ import annotations

from tendril.contract import I2cStatus

# the scenario's chips (firmware/sim/README.md, "Scenario files"), and what a scan must say of each
CHIPS = ["i2c bme280 addr=0x76", "i2c bmp280 addr=0x77", "i2c sht4x addr=0x44", "i2c sht3x addr=0x45",
         "i2c aht20", "i2c bh1750 addr=0x5c"]
FOUND = [  # (address, chip, kind, how), by address
    (0x38, "AHT20 (or AHT10)", "aht20", "status 0x10, not calibrated yet"),
    (0x44, "SHT4x", "sht4x", "CRC-checked serial"),
    (0x45, "SHT3x", "sht3x", "CRC-checked status"),
    (0x5C, "BH1750", "bh1750", "address only: it has no ID register"),
    (0x76, "BME280", "bme280", "ID 0x60"),
    (0x77, "BMP280", "bmp280", "ID 0x58"),
]
HELD_LOW = ["i2c bme280", "i2c_fault bus held_low 0s 10h"]
BUS_FAULTS = (I2cStatus.BUS_STUCK, I2cStatus.TIMEOUT)  # MicroPython's ETIMEDOUT cannot tell them apart

# SDA given to a digital input: the board refuses to scan the bus
SDA_PIN = {"uno": "A4", "mega2560": "D20", "pico": "GP4"}


def sda_recipe(board: str) -> str:
    return (f'[recipe]\nname = "sda-taken"\nversion = "1.0.0"\nsummary = "a switch on SDA"\nboards = ["{board}"]\n\n'
            f'[channels.switch]\npin = "{SDA_PIN[board]}"\nkind = "digital_pullup"\n')


def check_found(bus) -> None:
    """A scan of CHIPS (a tendril.session.scan_i2c.I2cBus) found each chip with its right name."""
    assert bus.status == I2cStatus.OK and bus.pin_in_use is None
    assert [(c.address, c.name, c.kind, c.how) for c in bus.chips] == FOUND


def scan_on(start, lines: list[str], recipe_board: str | None = None):
    """The host's scan_i2c on a board ``start(lines)`` starts (a tendril.sim.runner.SimBoard) with the
    scenario ``lines``, after pushing the SDA recipe for ``recipe_board`` when given: the I2cBus, or
    the DeviceError the board refused with."""
    from tendril.boards import load_board
    from tendril.errors import DeviceError
    from tendril.recipes import compile_recipe, parse
    from tendril.session import Session, push
    from tendril.session.scan_i2c import scan_i2c

    sim = start(lines)
    try:
        with Session(sim.port) as s:
            if recipe_board is not None:
                push(s, compile_recipe(parse(sda_recipe(recipe_board)), load_board(recipe_board)))
            try:
                return scan_i2c(s)
            except DeviceError as exc:
                return exc
    finally:
        sim.stop()


def starter(board: str, runtime: str, tmp_path):
    """start(lines) for scan_on: a simulated ``board`` on ``runtime`` with the scenario lines."""
    from tendril.sim.runner import SimBoard, SimSpec

    def start(lines: list[str]):
        extra = [a for line in lines for a in ("--set", line)]
        return SimBoard(SimSpec(board=board, runtime=runtime, eeprom=tmp_path / f"{runtime}.store", extra=extra))

    return start


def tell(start, board: str, sda: int, held: tuple[int, ...]) -> None:
    """The whole story on one board: every chip named, a bus held low stopped with a status in
    ``held``, and the bus refused (PIN_IN_USE, detail ``sda``) once a recipe gives SDA to a channel."""
    from tendril.contract import Nack
    from tendril.errors import DeviceError

    check_found(scan_on(start, CHIPS))
    stuck = scan_on(start, HELD_LOW)
    assert stuck.status in held and stuck.chips == ()
    refused = scan_on(start, CHIPS, board)
    assert isinstance(refused, DeviceError) and (refused.code, refused.detail) == (Nack.PIN_IN_USE, sda)
