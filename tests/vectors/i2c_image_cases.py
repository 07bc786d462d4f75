"""Config image vectors of the I2C sensor kinds (docs/config-image.md, "Validation" 16): merged into
images/images.json by cases_images.py. Each expected (error, index) is written by hand from the
validation order, not taken from a validator.
"""

from __future__ import annotations

from dataclasses import replace

from tendril.contract import CHANNEL_FROM_SENSOR, BoardClass, ChannelKind, ImageError, SensorKind, Unit
from tendril.image import Channel, Image, Sensor, encode

NO = 0xFF
SDA, SCL = 18, 19  # the Uno's A4 and A5 ([i2c] in boards/uno.toml)


def _i2c(kind: int = SensorKind.BME280, address: int = 0x76, pin: int = SDA, pin2: int = SCL, **changes) -> Sensor:
    return replace(Sensor(kind, pin, pin2, bytes([address, 0, 0]), 1000), **changes)


def _take(sensor: int, quantity: int, unit: Unit) -> Channel:
    return Channel(sensor, CHANNEL_FROM_SENSOR, 0, unit, 1000, 1 << 16, 0, quantity)


# A weather station on the Uno's bus: a BME280's pressure (quantity 2) and a BH1750's light.
WEATHER = Image("weather", BoardClass.AVR328, 1000,
                channels=(_take(0, 2, Unit.HPA), _take(1, 0, Unit.LUX)),
                sensors=(_i2c(address=0x77), _i2c(SensorKind.BH1750, 0x23)))


def _with(*sensors: Sensor, image: Image = WEATHER) -> bytes:
    """``image`` with these sensors, its channels one temperature from the first (every kind has it)."""
    return encode(replace(image, channels=(_take(0, 0, Unit.CELSIUS),), sensors=sensors))


def valid() -> list[tuple[str, str, Image]]:
    every = tuple(_i2c(k, a) for k, a in ((SensorKind.BME280, 0x76), (SensorKind.BMP280, 0x77),
                                          (SensorKind.SHT3X, 0x44), (SensorKind.SHT4X, 0x45),
                                          (SensorKind.AHT20, 0x38), (SensorKind.BH1750, 0x5C)))
    return [
        ("i2c_bme280_and_bh1750_on_the_uno_bus", "uno", WEATHER),
        ("i2c_six_kinds_on_one_bus", "uno", replace(WEATHER, channels=(_take(5, 0, Unit.LUX),), sensors=every)),
        ("i2c_bus_at_400_khz", "uno", replace(WEATHER, sensors=(_i2c(address=0x77, options=bytes([0x77, 1, 0])),
                                                                _i2c(SensorKind.BH1750, 0x23, options=bytes([0x23, 1, 0]))))),
        ("i2c_bme280_on_the_mega_bus", "mega2560",
         replace(WEATHER, board_class=BoardClass.AVR2560, sensors=(_i2c(pin=20, pin2=21), _i2c(SensorKind.BH1750, 0x23,
                                                                                               pin=20, pin2=21)))),
    ]


def invalid() -> list[tuple[str, str, bytes, ImageError, int]]:
    analog_a4 = replace(WEATHER, channels=WEATHER.channels + (Channel(SDA, ChannelKind.ANALOG, 0, Unit.RAW, 1000,
                                                                      1 << 16, 0),))
    return [
        ("i2c_sda_not_the_bus", "uno", _with(_i2c(pin=2)), ImageError.BAD_PIN, 0),
        ("i2c_scl_not_the_bus", "uno", _with(_i2c(pin2=17)), ImageError.BAD_PIN, 0),
        ("i2c_sda_and_scl_swapped", "uno", _with(_i2c(pin=SCL, pin2=SDA)), ImageError.BAD_PIN, 0),
        ("i2c_one_pin_only", "uno", _with(_i2c(pin2=NO)), ImageError.BAD_PIN, 0),
        ("i2c_uno_pins_on_the_mega", "mega2560", encode(replace(WEATHER, board_class=BoardClass.AVR2560)),
         ImageError.BAD_PIN, 0),
        ("i2c_two_at_one_address", "uno", _with(_i2c(), _i2c(SensorKind.BMP280)), ImageError.BAD_SENSOR, 1),
        ("i2c_bme280_address_out_of_range", "uno", _with(_i2c(address=0x78)), ImageError.BAD_SENSOR, 0),
        ("i2c_aht20_address_out_of_range", "uno", _with(_i2c(SensorKind.AHT20, 0x39)), ImageError.BAD_SENSOR, 0),
        ("i2c_speed_beyond_400_khz", "uno", _with(_i2c(options=bytes([0x76, 2, 0]))), ImageError.BAD_SENSOR, 0),
        ("i2c_option_2_not_zero", "uno", _with(_i2c(options=bytes([0x76, 0, 1]))), ImageError.BAD_SENSOR, 0),
        ("i2c_two_speeds_on_one_bus", "uno", _with(_i2c(), _i2c(SensorKind.BH1750, 0x23, options=bytes([0x23, 1, 0]))),
         ImageError.BAD_SENSOR, 1),
        ("i2c_two_speeds_after_a_ds18b20", "uno",
         _with(_i2c(options=bytes([0x76, 1, 0])), Sensor(SensorKind.DS18B20, 2, NO, bytes([12, 0, 0]), 1000),
               _i2c(SensorKind.SHT4X, 0x44)), ImageError.BAD_SENSOR, 2),
        ("i2c_bh1750_period_below_its_conversion", "uno", _with(_i2c(SensorKind.BH1750, 0x23, period_ms=100)),
         ImageError.BAD_SENSOR, 0),
        ("i2c_with_a_rom_code", "uno", _with(_i2c(rom=bytes([0x28, 1, 2, 3, 4, 5, 6, 0]))), ImageError.BAD_SENSOR, 0),
        ("i2c_channel_on_sda", "uno", encode(analog_a4), ImageError.PIN_CONFLICT, 0),
        ("i2c_ds18b20_on_scl", "uno", _with(_i2c(), Sensor(SensorKind.DS18B20, SCL, NO, bytes([12, 0, 0]), 1000)),
         ImageError.PIN_CONFLICT, 1),
        ("i2c_after_a_ds18b20_on_sda", "uno", _with(Sensor(SensorKind.DS18B20, SDA, NO, bytes([12, 0, 0]), 1000),
                                                    _i2c()), ImageError.PIN_CONFLICT, 1),
    ]
