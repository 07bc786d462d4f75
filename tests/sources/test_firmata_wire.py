"""Firmata bytes without a board: the decoder keeps whole messages and drops what breaks the
framing; the layout is believed only when the capability and analog-mapping replies agree."""

from __future__ import annotations

import pytest
from tendril.errors import ProtocolError
from tendril.sources.firmata_wire import (
    ANALOG_MESSAGE,
    CAPABILITY_RESPONSE,
    MODE_ANALOG,
    MODE_I2C,
    MODE_OUTPUT,
    MODE_PULLUP,
    MODE_PWM,
    REPORT_VERSION,
    START_SYSEX,
    FirmataDecoder,
    board_layout,
    parse_firmware,
)

from .test_firmata_replies import (
    STANDARD_CAPABILITY,
    STANDARD_MAPPING,
    STANDARD_VERSION,
    firmware_reply,
)


def sysex_data(reply: bytes) -> bytes:
    return reply[2:-1]


def test_standard_firmatas_reply_decodes_the_same_whole_or_byte_by_byte():
    whole = FirmataDecoder().feed(STANDARD_CAPABILITY)
    dec = FirmataDecoder()
    pieces = [m for b in STANDARD_CAPABILITY for m in dec.feed(bytes([b]))]
    assert whole == pieces and len(whole) == 1
    msg = whole[0]
    assert (msg.status, msg.command, msg.data) == (START_SYSEX, CAPABILITY_RESPONSE,
                                                   sysex_data(STANDARD_CAPABILITY))
    assert dec.damaged == 0


def test_the_layout_of_an_uno_running_standard_firmata():
    layout = board_layout(sysex_data(STANDARD_CAPABILITY), sysex_data(STANDARD_MAPPING))
    assert len(layout.modes) == 20 and layout.modes[0] == layout.modes[1] == ()
    assert layout.modes[2] == ((0, 1), (MODE_PULLUP, 1), (MODE_OUTPUT, 1), (4, 14))
    assert layout.pins_with(MODE_OUTPUT) == tuple(range(2, 20))
    assert layout.pins_with(MODE_PWM) == (3, 5, 6, 9, 10, 11)
    assert layout.pins_with(MODE_ANALOG) == tuple(range(14, 20))
    assert layout.pins_with(MODE_I2C) == (18, 19)
    assert layout.channels == (None,) * 14 + (0, 1, 2, 3, 4, 5)
    assert layout.analog_channels == (0, 1, 2, 3, 4, 5)


def test_pyfirmata2s_own_parser_finds_two_digital_pins_in_that_reply():
    """Why tendril reads the reply itself: pyfirmata2 counts a pin as digital only where INPUT and
    OUTPUT are listed next to each other; StandardFirmata 2.5 lists PULLUP between them, so its
    auto_setup makes 2 digital pins and then fails on PWM pin 3 (IndexError)."""
    from pyfirmata2.util import pin_list_to_board_dict

    pins, pin = [], []
    for b in sysex_data(STANDARD_CAPABILITY):
        pin.append(b)
        if b == 0x7F:
            pins.append(pin)
            pin = []
    layout = pin_list_to_board_dict(pins)
    assert layout["digital"] == (0, 1) and layout["pwm"] == (3, 5, 6, 9, 10, 11)


def test_junk_around_a_reply_is_dropped_and_counted_and_the_reply_survives():
    junk = bytes.fromhex("05 7f"          # data bytes that belong to no message
                         " f0 6c 00 01 0b"  # a capability reply cut short by the next status byte
                         " e3 01"          # an analog message cut short
                         " f1 22 33")      # a status byte Firmata does not have, and its data
    dec = FirmataDecoder()
    out = dec.feed(junk + STANDARD_CAPABILITY + STANDARD_VERSION + bytes.fromhex("e1 7f 07"))
    assert [(m.status, m.command) for m in out] == [(START_SYSEX, CAPABILITY_RESPONSE),
                                                    (REPORT_VERSION, None), (ANALOG_MESSAGE, None)]
    assert out[0].data == sysex_data(STANDARD_CAPABILITY)
    assert (out[2].channel, out[2].value14()) == (1, 1023)
    assert dec.damaged == 4  # two stray data bytes, the cut sysex, the cut analog message


def test_a_sysex_too_long_for_the_decoder_is_dropped_whole():
    dec = FirmataDecoder()
    out = dec.feed(bytes([0xF0, 0x71]) + bytes(5000) + bytes([0xF7]) + STANDARD_VERSION)
    assert [m.status for m in out] == [REPORT_VERSION] and dec.damaged == 1


@pytest.mark.parametrize("damage, why", [
    (lambda cap: cap[:9] + cap[10:], "odd byte count"),            # a byte lost inside pin 2
    (lambda cap: cap.replace(b"\x7f", b"", 1), "pins"),             # two pins run together
    (lambda cap: cap[:-1], "does not end"),                         # the last pin cut off
    (lambda cap: cap.replace(b"\x02\x0a", b"\x01\x0a", 1), "no analog mode"),  # A0 loses ANALOG
])
def test_a_damaged_capability_reply_does_not_make_a_layout(damage, why):
    with pytest.raises(ProtocolError, match=why):
        board_layout(damage(sysex_data(STANDARD_CAPABILITY)), sysex_data(STANDARD_MAPPING))


def test_the_firmware_name_comes_back_from_its_7_bit_pairs():
    assert parse_firmware(sysex_data(firmware_reply(2, 5, "StandardFirmata.ino"))) == \
        (2, 5, "StandardFirmata.ino")
    with pytest.raises(ProtocolError):
        parse_firmware(b"\x02")
