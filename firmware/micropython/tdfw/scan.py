"""COMMAND SCAN_ONEWIRE (docs/protocol.md): the 1-Wire bus search of onewire.c, over the onewire
module's reset, readbit and writebit, so both firmwares find the same codes in the same order and end
a search the same way (its ScanResult). onewire.OneWire.scan() would do the search too, but it says
neither why a search found nothing (an empty bus or one held low) nor that a code failed its CRC.
COMMAND SCAN_I2C and I2C_READ (req.c's cmd_i2c) over machine.I2C: i2c_scan and i2c_read.
"""

from .const import (
    ACTUATOR_PIN,
    ACTUATOR_SIZE,
    CHANNEL_FROM_SENSOR,
    CHANNEL_KIND_MASK,
    CHANNEL_MODE,
    CHANNEL_PIN,
    CHANNEL_SIZE,
    IMAGE_HEADER_N_CHANNELS,
    IMAGE_HEADER_N_ACTUATORS,
    IMAGE_HEADER_N_RULES,
    PIN_CAP_DIGITAL_IN,
    PIN_CAP_DIGITAL_OUT,
    PIN_CAP_RESERVED,
    RULE_SIZE,
    SCAN_MAX_CODES,
    SCAN_RESULT_CRC,
    SCAN_RESULT_HELD_LOW,
    SCAN_RESULT_NO_DEVICE,
    SCAN_RESULT_OK,
    SCAN_RESULT_TRUNCATED,
    SENSOR_KIND,
    SENSOR_KIND_DS18B20,
    I2C_ADDR_FIRST,
    I2C_ADDR_LAST,
    I2C_SCAN_MAX,
    I2C_STATUS_NACK_ADDR,
    I2C_STATUS_NACK_DATA,
    I2C_STATUS_OK,
    I2C_STATUS_TIMEOUT,
    SENSOR_PIN,
    SENSOR_PIN2,
    SENSOR_SIZE,
)
from .crc import crc8
from .image import offsets
from .kinds import S_BUS, SENSOR_BUS_I2C, SENSOR_KINDS

_SEARCH_ROM = 0xF0
_DIGITAL = PIN_CAP_DIGITAL_IN | PIN_CAP_DIGITAL_OUT


def pin_ok(caps, pin):
    """A pin with digital in and out that the board does not keep for itself."""
    return pin < len(caps) and caps[pin] & (_DIGITAL | PIN_CAP_RESERVED) == _DIGITAL


def _on_bus(kind, i2c):
    """The sensor kinds whose pins a bus request may share: the I2C kinds, or the DS18B20."""
    if i2c:
        return kind < len(SENSOR_KINDS) and SENSOR_KINDS[kind][S_BUS] == SENSOR_BUS_I2C
    return kind == SENSOR_KIND_DS18B20


def pin_in_use(img, pin, i2c=False):
    """Whether config ``img`` gives ``pin`` to an actuator, a channel that reads the pin itself, or a
    sensor that is not on the bus asked for (req.c's pin_in_use)."""
    if img is None:
        return False
    _po, co, ao, ro = offsets(img)
    for c in range(img[IMAGE_HEADER_N_CHANNELS]):
        at = co + CHANNEL_SIZE * c
        if img[at + CHANNEL_MODE] & CHANNEL_KIND_MASK != CHANNEL_FROM_SENSOR and img[at + CHANNEL_PIN] == pin:
            return True
    for a in range(img[IMAGE_HEADER_N_ACTUATORS]):
        if img[ao + ACTUATOR_SIZE * a + ACTUATOR_PIN] == pin:
            return True
    at = ro + RULE_SIZE * img[IMAGE_HEADER_N_RULES]
    while at + SENSOR_SIZE <= len(img):
        if not _on_bus(img[at + SENSOR_KIND], i2c) and pin in (img[at + SENSOR_PIN], img[at + SENSOR_PIN2]):
            return True
        at += SENSOR_SIZE
    return False


def _pass(bus, rom, last):
    """One SEARCH ROM pass (onewire.c's search_pass): the deepest bit where it took 0 at a conflict
    (0 for none), or -1 when no device answered a bit."""
    bus.writebyte(_SEARCH_ROM)
    conflict = 0
    for k in range(1, 65):
        i, mask = (k - 1) >> 3, 1 << ((k - 1) & 7)
        bit, cmp = bus.readbit(), bus.readbit()
        if bit and cmp:
            return -1
        if bit != cmp:
            d = bit
        else:
            d = (1 if rom[i] & mask else 0) if k < last else int(k == last)
            if not d:
                conflict = k
        rom[i] = rom[i] | mask if d else rom[i] & ~mask
        bus.writebit(d)
    return conflict


def search(bus, first, most):
    """(result, codes first.. (at most ``most``), total found) of a search of ``bus``."""
    rom, last, codes, found = bytearray(8), 0, [], 0
    while True:
        if not bus.reset():
            if found:
                return SCAN_RESULT_CRC, codes, found  # the devices went away mid-search
            # a read slot on a line nobody answers reads the pull-up's 1; on a line held low, 0
            return (SCAN_RESULT_NO_DEVICE if bus.readbit() else SCAN_RESULT_HELD_LOW), codes, 0
        last = _pass(bus, rom, last)
        # family 0 is no device: all zero is a line read low, whose CRC-8 is 0 too
        if last < 0 or rom[0] == 0 or crc8(rom, 0, 8):
            return SCAN_RESULT_CRC, codes, found
        if found >= first and len(codes) < most:
            codes.append(bytes(rom))
        found += 1
        if last == 0:
            return SCAN_RESULT_OK, codes, found
        if found == SCAN_MAX_CODES:
            return SCAN_RESULT_TRUNCATED, codes, found


# machine.I2C's errors (MicroPython's errno numbers) as hal.h's statuses: no ACK at the address, a
# refused byte, and a bus that timed out (a chip holding SCL, SDA or SCL held low: MicroPython does
# not tell them apart). Ports differ on a NACKed address: ENODEV (soft I2C, the virtual board) or EIO
# (the RP2040's hardware I2C); an empty write or a read has no byte a chip could refuse, so there both
# mean the address was not ACKed.
_ENODEV, _EIO, _ETIMEDOUT = 19, 5, 110


def _status(err):
    n = err.args[0] if err.args else 0
    return I2C_STATUS_NACK_ADDR if n == _ENODEV else I2C_STATUS_NACK_DATA if n == _EIO else I2C_STATUS_TIMEOUT


def i2c_scan(bus, first):
    """(status, addresses from ``first`` on that ACK an empty write, at most I2C_SCAN_MAX)."""
    found = []
    for a in range(max(first, I2C_ADDR_FIRST), I2C_ADDR_LAST + 1):
        if len(found) == I2C_SCAN_MAX:
            break
        try:
            bus.writeto(a, b"")
        except OSError as err:
            if _status(err) == I2C_STATUS_TIMEOUT:
                return I2C_STATUS_TIMEOUT, found
            continue
        found.append(a)
    return I2C_STATUS_OK, found


def i2c_read(bus, addr, write, nread, sleep_ms=None):
    """(status, bytes): ``write`` (with a STOP) when not empty, then ``nread`` bytes, tried again
    while the address is not ACKed (a chip still executing the command) for about 10 ms where
    the port can sleep (``sleep_ms``)."""
    try:
        if write:
            bus.writeto(addr, write)
        for _ in range(10 if sleep_ms else 1):
            try:
                return I2C_STATUS_OK, bus.readfrom(addr, nread)
            except OSError as err:
                if _status(err) == I2C_STATUS_TIMEOUT:
                    raise
                if sleep_ms:
                    sleep_ms(1)
        return I2C_STATUS_NACK_ADDR, b""
    except OSError as err:
        return _status(err), b""
