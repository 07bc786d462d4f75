"""COMMAND SCAN_ONEWIRE (docs/protocol.md): the 1-Wire bus search of onewire.c, over the onewire
module's reset, readbit and writebit, so both firmwares find the same codes in the same order and end
a search the same way (its ScanResult). onewire.OneWire.scan() would do the search too, but it says
neither why a search found nothing (an empty bus or one held low) nor that a code failed its CRC.
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
    SENSOR_PIN,
    SENSOR_PIN2,
    SENSOR_SIZE,
)
from .crc import crc8
from .image import offsets

_SEARCH_ROM = 0xF0
_DIGITAL = PIN_CAP_DIGITAL_IN | PIN_CAP_DIGITAL_OUT


def pin_ok(caps, pin):
    """A pin with digital in and out that the board does not keep for itself."""
    return pin < len(caps) and caps[pin] & (_DIGITAL | PIN_CAP_RESERVED) == _DIGITAL


def pin_in_use(img, pin):
    """Whether config ``img`` gives ``pin`` to an actuator, a channel that reads the pin itself, or a
    sensor of another kind than the DS18B20 (req.c's pin_in_use)."""
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
        if img[at + SENSOR_KIND] != SENSOR_KIND_DS18B20 and pin in (img[at + SENSOR_PIN], img[at + SENSOR_PIN2]):
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
