"""The bus pins go back to a recipe that uses them: while the AVR's TWI is on (TWEN) it owns SDA and
SCL, and their PORT and DDR bits drive nothing (the datasheets' "Alternate Port Functions"; the
simavr runner models it: firmware/sim/sim_i2c_avr.c). A board that ran an I2C recipe, or scanned its
bus, then gets a recipe with a relay on A4 (SDA on the Uno) must drive that relay: the firmware
switches the TWI off whenever a config starts (app.c's config_pins: hal_i2c_end), and an I2C
sensor's setup begins it again."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.contract import I2cStatus
from tendril.image import with_generation
from tendril.protocol import ScanI2c, Telemetry
from tendril.recipes import compile_recipe, parse

from ..support.simavr_board import FirmwareBoard, build_product

pytestmark = pytest.mark.slow  # the real firmware in simavr, about 4 s of board time each

HEAD = '[recipe]\nname = "{name}"\nversion = "1.0.0"\nsummary = "the bus pins"\nboards = ["uno"]\ntelemetry = "1 s"\n'
I2C = HEAD.format(name="air") + '\n[sensors.air]\nkind = "sht4x"\nread_every = "1 s"\n\n[channels.t]\nsensor = "air"\n'
RELAY_ON_SDA = HEAD.format(name="relay-on-a4") + """
[channels.level]
pin = "A0"
kind = "analog"
sample_every = "200 ms"

[actuators.valve]
pin = "A4"
kind = "relay"
max_on = "10 min"
daily_cap = "4 h"

[rules.fill]
when = { channel = "level", above = "500 raw" }
do = { actuator = "valve", while = true }
"""
SDA = 18  # A4


def _image(text: str, generation: int) -> bytes:
    return with_generation(compile_recipe(parse(text), load_board("uno")), generation)


def _until(fw: FirmwareBoard, ms: int) -> None:
    fw.listen_until(lambda m: isinstance(m, Telemetry) and m.time_ms >= ms, timeout=600)


def _twi(fw: FirmwareBoard) -> list[int]:
    """The runner's `twi 1|0` events: the TWI switched on or off."""
    return [int(line.split()[1]) for line in fw.events.lines() if line.startswith("twi ")]


@pytest.mark.parametrize("first", ["i2c-recipe", "scan"])
def test_a_relay_on_sda_is_driven_after_the_bus_was_in_use(first, simavr_built, tmp_path):
    # no chip on the bus: its pins are the relay's (a part there would hold SDA up)
    fw = FirmwareBoard(build_product("uno"), tmp_path, "uno")
    try:
        fw.start(scenario="adc A0 800\n", hold=True)
        if first == "i2c-recipe":
            fw.push(_image(I2C, 1))
        else:
            fw.push(_image(RELAY_ON_SDA.replace('pin = "A4"', 'pin = "D7"'), 1))  # the bus pins free
            page = fw.link.request(ScanI2c(0))
            assert page.status == I2cStatus.OK and page.addresses == ()
        _until(fw, 1_000)
        assert _twi(fw) == [1]  # the TWI on, and on it stays
        pushed = len(fw.events.pins())
        fw.push(_image(RELAY_ON_SDA, 2))
        _until(fw, fw.telemetry()[-1].time_ms + 3_000)
        fw.stop()
        sda = [(level, t) for p, level, t in fw.events.pins()[pushed:] if p == SDA]
    finally:
        fw.stop()
    assert _twi(fw) == [1, 0]  # off when the new config started
    assert [level for level, _t in sda] == [0, 1], sda  # safe, then on: the rule drives the relay
