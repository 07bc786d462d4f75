"""The channel-kind table: one row per kind (docs/adding-a-sensor.md). Nothing here does I/O."""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

from .codes import PinCap, Unit

# --- channel kinds: one row each (docs/adding-a-sensor.md) ---------------------------------------
# A channel's kind (the low bits of its mode byte) says how it gets its reading. Everything about a
# kind is in its row below, and every implementation reads the row: tools/contract_gen.py writes the
# C table (firmware/core/tendril_kinds.[ch]), tools/mpy_gen.py the MicroPython one (tdfw/kinds.py),
# and the host (recipes, image validation) looks kinds up here instead of testing for analog.


class ChannelKind(IntEnum):
    """A channel's kind: the code in the low bits of its mode byte (CHANNEL_KIND_MASK)."""

    ANALOG = 0
    DIGITAL = 1
    DIGITAL_PULLUP = 2


class DriverId(IntEnum):
    """The firmware driver that reads a kind: an index into the C td_drivers[] and tdfw.drivers."""

    ANALOG = 0  # the ADC: a count for the board's adc_bits, read when the channel is sampled
    DIGITAL = 1  # a pin's level, 0 or 1


class Reading(IntEnum):
    """What a driver's poll delivered (firmware/core/sensor.h, tdfw/drivers.py)."""

    NONE = 0  # nothing new yet (a conversion under way)
    OK = 1  # a reading, given to the engine
    # 2 and up: the sensor failed to give one, and why: a SensorFault code (NO_ANSWER, CRC, ...)


class PinMode(IntEnum):
    """How a pin is set up (hal.h's HAL_INPUT, HAL_INPUT_PULLUP, HAL_OUTPUT)."""

    INPUT = 0
    INPUT_PULLUP = 1
    OUTPUT = 2


FULL_SCALE_ADC = -1  # a kind's full_scale: the board's ADC maximum, (1 << adc_bits) - 1


class KindSpec(NamedTuple):
    """One row of the channel-kind table."""

    kind: ChannelKind  # the code in the mode byte
    name: str  # the recipe's spelling (`kind = "..."`)
    words: str  # for people: "digital with pull-up"
    pin_cap: PinCap  # what the pin must be able to do
    pin_mode: PinMode  # how the firmware sets the pin up
    driver: DriverId  # what reads it
    full_scale: int  # the largest raw reading, or FULL_SCALE_ADC
    unit: Unit  # the unit of a channel with no calibration and no `unit`
    raw_bits: int  # width of a raw reading (at most 32: the engine takes an int32)
    raw_signed: bool

    @property
    def binary(self) -> bool:
        """Reads 0 or 1: may `invert`, and may be a rule's `unless = "name"`."""
        return self.full_scale == 1

    @property
    def reads_volts(self) -> bool:
        """An ADC count: a calibration point may be given in volts."""
        return self.full_scale == FULL_SCALE_ADC

    def full(self, adc_bits: int) -> int:
        """The largest raw reading on a board with this ADC."""
        return (1 << adc_bits) - 1 if self.full_scale == FULL_SCALE_ADC else self.full_scale


CHANNEL_KINDS: tuple[KindSpec, ...] = (  # indexed by ChannelKind
    KindSpec(ChannelKind.ANALOG, "analog", "analog", PinCap.ANALOG_IN, PinMode.INPUT,
             DriverId.ANALOG, FULL_SCALE_ADC, Unit.RAW, 16, False),
    KindSpec(ChannelKind.DIGITAL, "digital", "digital", PinCap.DIGITAL_IN, PinMode.INPUT,
             DriverId.DIGITAL, 1, Unit.BOOL, 1, False),
    KindSpec(ChannelKind.DIGITAL_PULLUP, "digital_pullup", "digital with pull-up", PinCap.DIGITAL_IN,
             PinMode.INPUT_PULLUP, DriverId.DIGITAL, 1, Unit.BOOL, 1, False),
)
# A kind code the table does not know is refused (BAD_CHANNEL), after the pin check, which asks such a
# kind for a digital input (docs/config-image.md, "Validation", step 13).
UNKNOWN_KIND_PIN_CAP = PinCap.DIGITAL_IN
KINDS_BY_NAME = {k.name: k for k in CHANNEL_KINDS}


def channel_kind(code: int) -> KindSpec | None:
    """The table's row for kind ``code``, or None for a code it does not know."""
    return CHANNEL_KINDS[code] if 0 <= code < len(CHANNEL_KINDS) else None


# --- sensor kinds: one row each (docs/adding-a-sensor.md, docs/config-image.md "Sensor") -----------
# A sensor is a device on one or two pins with its own read period and options (a SENSOR record of the
# image); a channel takes one quantity from it (CHANNEL_FROM_SENSOR). The table holds only kinds a
# firmware can run: each driver of issue 14 adds its row here when it lands, with its code, its
# quantities and the pins it needs. A firmware built without a kind's driver leaves the kind's bit out
# of HELLO's sensor_kinds, and the host refuses to push it a recipe that needs one.


class SensorKind(IntEnum):
    """A SENSOR record's kind byte, and its bit (1 << code) in HELLO's sensor_kinds."""

    DS18B20 = 0
    DHT22 = 1  # DHT22 / AM2302
    DHT11 = 2
    HCSR04 = 3  # HC-SR04 / JSN-SR04T ultrasonic distance
    PULSE = 4  # a pulse counter: flow meters, rain gauges, anemometers
    BME280 = 5  # I2C (issue 15): temperature, humidity, pressure
    BMP280 = 6  # I2C: temperature, pressure
    SHT3X = 7  # I2C: SHT30/31/35
    SHT4X = 8  # I2C: SHT40/41/45
    AHT20 = 9  # I2C
    AHT10 = 10  # I2C
    BH1750 = 11  # I2C: illuminance


class SensorKindSpec(NamedTuple):
    """One row of the sensor-kind table. A sensor's reading is thousandths of its quantity's unit."""

    code: SensorKind  # the SENSOR record's kind byte, and the bit 1 << code in HELLO's sensor_kinds
    name: str  # the recipe's spelling (`[sensors.name] kind = "..."`)
    words: str  # for people
    pins: int  # 1 or 2 (pin2 is NO_INDEX when 1)
    pin_cap: PinCap  # what each of its pins must be able to do
    quantities: tuple[str, ...]  # what a channel may take from it, by index (`quantity = "..."`)
    units: tuple[Unit, ...]  # each quantity's unit (readings are thousandths of it)
    options: tuple[tuple[int, int], ...]  # the three option bytes: each one's (lowest, highest)
    option_names: tuple[str, ...]  # the recipe keys of the options that are not always 0
    min_period_ms: int  # the shortest read period (`read_every`) the part allows
    family: int  # a 1-Wire family code: ROM codes allowed (and several on one pin); 0: none
    option_defaults: tuple[int, ...] = (0, 0, 0)  # what a recipe that leaves an option out gets
    pin2_name: str = ""  # a two-pin kind: the recipe key of its second pin (`pin` is the first)
    pin_name: str = "pin"  # the recipe key of its first pin ("sda" on an I2C kind)
    bus: str = ""  # "i2c": a device on the board's I2C bus (pin SDA, pin2 SCL, option byte 0 its address)


# DHT22/DHT11 (datasheets): one reading per 2 s. The host's start signal: the pin low >= 1 ms (DHT22),
# >= 18 ms (DHT11); the part answers 80 us low, 80 us high, then 40 bits and a checksum byte.
DHT_MIN_PERIOD_MS = 2000

I2C_BUS = "i2c"
I2C_SPEEDS_KHZ = (100, 400)  # an I2C sensor's option byte 1: the bus at 100 kHz (0) or 400 kHz (1)
I2C_PIN_CAP = PinCap.DIGITAL_IN | PinCap.DIGITAL_OUT  # SDA and SCL: open-drain lines, read and driven
_QUANTITY_UNIT = {"temperature": Unit.CELSIUS, "humidity": Unit.PERCENT, "pressure": Unit.HPA, "illuminance": Unit.LUX}


def _i2c(code: SensorKind, name: str, words: str, quantities: tuple[str, ...], addresses: tuple[int, int],
         default: int, min_period_ms: int) -> SensorKindSpec:
    """An I2C kind's row: two pins (SDA, then SCL as `scl`), the address in option byte 0, the bus
    speed in option byte 1 (I2C_SPEEDS_KHZ[byte]: the recipe's `[i2c] speed`, alike on every I2C sensor)."""
    return SensorKindSpec(code, name, words, 2, I2C_PIN_CAP, quantities, tuple(_QUANTITY_UNIT[q] for q in quantities),
                          (addresses, (0, len(I2C_SPEEDS_KHZ) - 1), (0, 0)), ("address",), min_period_ms, 0, (default, 0, 0),
                          pin2_name="scl", pin_name="sda", bus=I2C_BUS)


SENSOR_KINDS: tuple[SensorKindSpec, ...] = (  # indexed by code; kinds a firmware may have a driver for
    SensorKindSpec(SensorKind.DS18B20, "ds18b20", "DS18B20 temperature probe", 1,
                   PinCap.DIGITAL_IN | PinCap.DIGITAL_OUT, ("temperature",), (Unit.CELSIUS,),
                   ((9, 12), (0, 0), (0, 0)), ("resolution",), 1000, 0x28, (12, 0, 0)),
    SensorKindSpec(SensorKind.DHT22, "dht22", "DHT22/AM2302 temperature and humidity", 1,
                   PinCap.DIGITAL_IN | PinCap.DIGITAL_OUT, ("temperature", "humidity"),
                   (Unit.CELSIUS, Unit.PERCENT), ((0, 0), (0, 0), (0, 0)), (), DHT_MIN_PERIOD_MS, 0),
    SensorKindSpec(SensorKind.DHT11, "dht11", "DHT11 temperature and humidity", 1,
                   PinCap.DIGITAL_IN | PinCap.DIGITAL_OUT, ("temperature", "humidity"),
                   (Unit.CELSIUS, Unit.PERCENT), ((0, 0), (0, 0), (0, 0)), (), DHT_MIN_PERIOD_MS, 0),
    # pin: the trigger (out), pin2: the echo (in); 60 ms between pings (the datasheet's cycle)
    SensorKindSpec(SensorKind.HCSR04, "hcsr04", "HC-SR04 ultrasonic distance sensor", 2,
                   PinCap.DIGITAL_IN | PinCap.DIGITAL_OUT, ("distance",), (Unit.CM,),
                   ((0, 0), (0, 0), (0, 0)), (), 60, 0, pin2_name="echo"),
    # one pin counted by interrupt; rate: pulses a second (a minute with per_minute = 1), total: pulses
    # since boot (a board has no wall clock); a channel's calibration turns pulses into litres, mm, ...
    SensorKindSpec(SensorKind.PULSE, "pulse", "pulse counter", 1, PinCap.DIGITAL_IN | PinCap.COUNTER,
                   ("rate", "total"), (Unit.NONE, Unit.NONE), ((0, 255), (0, 1), (0, 0)),
                   ("debounce_ms", "per_minute"), 100, 0, (0, 0, 0)),
    # --- I2C (docs/sensors.md, "I2C sensors"): pin = SDA, pin2 = SCL, both the board's bus ([i2c] in
    # boards/*.toml); option byte 0 the 7-bit address, in the datasheet's range. min_period_ms: the
    # datasheet's longest conversion (a read is started, then collected when it is done).
    _i2c(SensorKind.BME280, "bme280", "BME280 temperature, humidity and pressure",
         ("temperature", "humidity", "pressure"), (0x76, 0x77), 0x76, 10),  # 9.3 ms max, x1 each
    _i2c(SensorKind.BMP280, "bmp280", "BMP280 temperature and pressure",
         ("temperature", "pressure"), (0x76, 0x77), 0x76, 10),  # 6.4 ms max at x1/x1
    _i2c(SensorKind.SHT3X, "sht3x", "SHT30/SHT31/SHT35 temperature and humidity",
         ("temperature", "humidity"), (0x44, 0x45), 0x44, 16),  # 15.5 ms max, high repeatability
    _i2c(SensorKind.SHT4X, "sht4x", "SHT40/SHT41/SHT45 temperature and humidity",
         ("temperature", "humidity"), (0x44, 0x46), 0x44, 10),  # 8.3 ms max, high precision
    _i2c(SensorKind.AHT20, "aht20", "AHT20 temperature and humidity",
         ("temperature", "humidity"), (0x38, 0x38), 0x38, 80),  # "wait 80 ms" after a trigger
    _i2c(SensorKind.AHT10, "aht10", "AHT10 temperature and humidity",
         ("temperature", "humidity"), (0x38, 0x39), 0x38, 80),  # > 75 ms
    _i2c(SensorKind.BH1750, "bh1750", "BH1750 ambient light",
         ("illuminance",), (0x23, 0x5C), 0x23, 180),  # one-time H-resolution: 180 ms max
)
SENSOR_KINDS_BY_NAME = {k.name: k for k in SENSOR_KINDS}
BH1750_ADDRESSES = (0x23, 0x5C)  # its ADDR pin low or high: the host refuses the rest of its row's range
_SENSOR_KINDS_BY_CODE = {int(k.code): k for k in SENSOR_KINDS}
# The generated tables are indexed by code: a code below the highest with no row (a kind not built
# yet) is a gap row there that every check treats like a code past the end.
SENSOR_KIND_COUNT = max(_SENSOR_KINDS_BY_CODE, default=-1) + 1
SENSOR_MAX_QUANTITIES = max((len(k.quantities) for k in SENSOR_KINDS), default=1)
# A channel whose kind (mode bits 1..0) is CHANNEL_FROM_SENSOR reads no pin: its pin byte is a sensor
# index and mode bits 3..2 the quantity (SENSOR_QUANTITY_SHIFT).
CHANNEL_FROM_SENSOR = 3
SENSOR_QUANTITY_SHIFT = 2

# DS18B20 (datasheet): conversion time by resolution 9..12 bits, the scratchpad's power-on value.
DS18B20_CONVERT_MS = (94, 188, 375, 750)
DS18B20_POWER_ON_RAW = 0x0550  # 85 °C in 1/16 °C: the scratchpad before any conversion

# HC-SR04 / JSN-SR04T (datasheets): a 10 us trigger pulse; the echo's width is 58 us per cm of
# distance; 2 .. 400 cm is the range (outside it: OUT_OF_RANGE); no echo within the timeout (or no
# rising edge at all) is NO_ANSWER. The timeout covers the longest echo in range with margin.
HCSR04_TRIGGER_US = 10
HCSR04_US_PER_CM = 58
HCSR04_MIN_CM = 2
HCSR04_MAX_CM = 400
HCSR04_TIMEOUT_US = 30000


def sensor_kind(code: int) -> SensorKindSpec | None:
    """The table's row for sensor kind ``code``, or None for a code it does not know."""
    return _SENSOR_KINDS_BY_CODE.get(code)


def onewire_crc8(data: bytes) -> int:
    """Dallas/Maxim CRC-8 (polynomial x^8 + x^5 + x^4 + 1, reflected): a ROM code's last byte is the
    CRC of the first seven, so the CRC of all eight is 0."""
    crc = 0
    for byte in data:
        for _ in range(8):
            mix = (crc ^ byte) & 1
            crc >>= 1
            if mix:
                crc ^= 0x8C
            byte >>= 1
    return crc
