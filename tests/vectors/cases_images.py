"""Config image vectors: images/images.json.

Valid images are built from values with tendril.image.encode; invalid ones are valid images with
bytes patched and (unless the case is about the CRC) the CRC fixed up, so each case reaches the one
check it is about. Every expected (error, index) is written here by hand from the validation order
in docs/config-image.md, not taken from a validator.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import asdict, replace

from tendril.contract import (
    CHANNEL_FROM_SENSOR,
    ActuatorFlag,
    BoardClass,
    ChannelKind,
    ImageError,
    Operand,
    RuleAction,
    RuleFlag,
    RuleKind,
    SensorKind,
    Unit,
    onewire_crc8,
)
from tendril.image import Actuator, Channel, Image, Param, Rule, Sensor, encode, ms_to_dur16


def _load_i2c_cases():
    """i2c_image_cases.py beside this file (generate.py loads case modules by path, not as a package)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("i2c_image_cases", Path(__file__).with_name("i2c_image_cases.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cases_i2c_images = _load_i2c_cases()

NO = 0xFF
HDR = 40


def _percent_calibration(dry_raw: int, wet_raw: int) -> tuple[int, int]:
    """Q16.16 gain and offset mapping dry_raw -> 0 % and wet_raw -> 100 % (thousandths)."""
    gain = round(100_000 * 65536 / (wet_raw - dry_raw))
    return gain, -((dry_raw * gain) >> 16)


GAIN, OFFSET = _percent_calibration(800, 350)

PLANT = Image(
    name="plant-water",
    board_class=BoardClass.AVR328,
    telemetry_ms=1000,
    params=(Param(30_000, 5_000, 80_000), Param(5_000, 1_000, 30_000)),
    channels=(
        Channel(14, ChannelKind.ANALOG, 3, Unit.PERCENT, 500, GAIN, OFFSET),
        Channel(2, ChannelKind.DIGITAL_PULLUP, 0, Unit.BOOL, 200, -1000 << 16, 1000),
    ),
    actuators=(Actuator(7, ActuatorFlag.ACTIVE_LOW, 30_000, 60_000, 600_000),),
    rules=(
        Rule(
            kind=RuleKind.THRESHOLD,
            actuator=0,
            action=RuleAction.PULSE,
            channel=0,
            flags=RuleFlag.INTERLOCK_ABOVE,
            interlock=1,
            operands=Operand.THRESHOLD | Operand.DURATION,
            threshold=0,
            hysteresis=5_000,
            hold=3_000,
            duration=1,
            period=600_000,
            il_threshold=500,
        ),
    ),
)


def _full_uno() -> Image:
    """8 channels, 4 actuators, 8 rules, 7 params: exactly 480 bytes, the Uno's largest image (with
    format 3's servo fields all of 8 params no longer fit beside the rest)."""
    channels = tuple(
        Channel(14 + i, ChannelKind.ANALOG, i % 9, Unit.PERCENT, 100 * (i + 1), GAIN, OFFSET)
        for i in range(6)
    ) + (
        Channel(2, ChannelKind.DIGITAL_PULLUP, 0, Unit.BOOL, 50, 1000 << 16, 0),
        Channel(4, ChannelKind.DIGITAL, 0, Unit.BOOL, 50, 1000 << 16, 0),
    )
    actuators = (
        Actuator(7, ActuatorFlag.ACTIVE_LOW, 30_000, 60_000, 600_000),
        Actuator(8, ActuatorFlag(0), 600_000, 0, 21_600_000),
        Actuator(9, ActuatorFlag.PWM, 120_000, 1_500, 3_600_000),
        Actuator(10, ActuatorFlag.PWM | ActuatorFlag.ACTIVE_LOW, 1, 16_383, 60_000),
    )
    params = tuple(Param(i * 1000, -VALUE if i % 2 else 0, VALUE) for i, VALUE in
                   ((i, 1_000_000_000) for i in range(7)))
    rules = []
    for i in range(8):
        if i % 3 == 2:
            rules.append(Rule(RuleKind.INTERVAL, i % 4, RuleAction.PULSE, 255, NO, RuleFlag(0),
                              6, Operand(0), 0, 0, 0, 5_000, 43_200_000, 500))
        else:
            rules.append(Rule(RuleKind.THRESHOLD, i % 4, RuleAction(1 + i % 2), 1 + 31 * i, i,
                              RuleFlag(i % 4), NO if i % 2 else 7, Operand.HYSTERESIS if i == 4 else Operand(0),
                              -1_000_000_000 + i, 4 if i == 4 else 2_000, 16_383, 1 + i, 60_000 * i, 1_000_000_000))
    return Image("full-uno-480", BoardClass.AVR328, 2, params, channels, actuators, tuple(rules))


def _mega() -> Image:
    channels = tuple(Channel(54 + i, ChannelKind.ANALOG, 1, Unit.CELSIUS, 20, 32000, -50_000) for i in range(16))
    actuators = tuple(Actuator(22 + i, ActuatorFlag(0), 60_000, 0, 3_600_000) for i in range(8))
    rules = tuple(
        Rule(RuleKind.THRESHOLD, i % 8, RuleAction.FOLLOW, 255, i, RuleFlag.ABOVE, NO, Operand(0),
             28_000, 2_000, 10_000, 0, 0, 0)
        for i in range(16)
    )
    return Image("greenhouse16", BoardClass.AVR2560, 500, (), channels, actuators, rules)


def _pico() -> Image:
    return Image(
        "pico-light",
        BoardClass.RP2040,
        250,
        (Param(200_000, 0, 1_000_000),),
        (Channel(26, ChannelKind.ANALOG, 4, Unit.LUX, 100, 1 << 16, 0),),
        (Actuator(15, ActuatorFlag.PWM, 600_000, 0, 21_600_000),),
        (Rule(RuleKind.THRESHOLD, 0, RuleAction.FOLLOW, 128, 0, RuleFlag(0), NO, Operand.THRESHOLD,
              0, 50_000, 60_000, 0, 0, 0),),
    )


def _rom(serial: int, family: int = 0x28) -> bytes:
    """A 1-Wire ROM code: family, 48-bit serial (little-endian, as the bus sends it), CRC-8."""
    head = bytes([family]) + serial.to_bytes(6, "little")
    return head + bytes([onewire_crc8(head)])


ROM_A, ROM_B = _rom(0x0123456789AB), _rom(0x00000000BEEF)
DS = SensorKind.DS18B20
RES12 = bytes([12, 0, 0])


def _probe(pin: int = 3, rom: bytes = bytes(8), **changes) -> Sensor:
    return replace(Sensor(DS, pin, NO, RES12, 2000, rom), **changes)


def _sensor_channel(sensor: int, quantity: int = 0) -> Channel:
    """A channel that takes a sensor's quantity: thousandths of a degree in, the same out."""
    return Channel(sensor, CHANNEL_FROM_SENSOR, 0, Unit.CELSIUS, 2000, 1 << 16, 0, quantity)


# The plant waterer with a DS18B20 (the only one on the bus, D3) and its channel (index 2).
PROBE = replace(PLANT, channels=PLANT.channels + (_sensor_channel(0),), sensors=(_probe(),))
# Two probes on one bus (D3), each named by its ROM code.
BUS = replace(PLANT, channels=PLANT.channels + (_sensor_channel(0), _sensor_channel(1)),
              sensors=(_probe(rom=ROM_A), _probe(rom=ROM_B, options=bytes([9, 0, 0]), period_ms=1000)))


# An HC-SR04 (trigger D4, echo D5) and its distance channel (index 2, at C2), beside the plant waterer.
def _sonar(pin: int = 4, pin2: int = 5, **changes) -> Sensor:
    return replace(Sensor(SensorKind.HCSR04, pin, pin2, bytes(3), 500), **changes)


SONAR = replace(PLANT, channels=PLANT.channels + (Channel(0, CHANNEL_FROM_SENSOR, 0, Unit.CM, 500, 1 << 16, 0),),
                sensors=(_sonar(),))
UNKNOWN = 200  # a sensor kind no firmware knows


# DHT22 (code 1) and DHT11 (code 2): one pin each, no options, no ROM code, read every 2 s or slower;
# a channel takes temperature (quantity 0) or humidity (quantity 1).
def _dht(kind: int = SensorKind.DHT22, pin: int = 3, **changes) -> Sensor:
    return replace(Sensor(kind, pin, NO, bytes(3), 2000, bytes(8)), **changes)


def _dht_channel(sensor: int, quantity: int, unit: Unit) -> Channel:
    return Channel(sensor, CHANNEL_FROM_SENSOR, 0, unit, 2000, 1 << 16, 0, quantity)


DHT = replace(PLANT, channels=PLANT.channels + (_dht_channel(0, 0, Unit.CELSIUS), _dht_channel(0, 1, Unit.PERCENT)),
              sensors=(_dht(),))


def _dht_invalid() -> list[tuple[str, str, bytes, ImageError, int]]:
    def dht(*sensors: Sensor) -> bytes:
        return encode(replace(DHT, sensors=sensors))
    c3 = C2 + 13  # DHT's humidity channel
    return [
        ("dht22_channel_quantity_2", "uno", _patch(DHT, c3 + 1, "B", 0x0B), ImageError.BAD_CHANNEL, 3),
        ("dht22_on_uart_pin", "uno", dht(_dht(pin=1)), ImageError.BAD_PIN, 0),
        ("dht22_on_analog_only_a6", "nano", dht(_dht(pin=20)), ImageError.BAD_PIN, 0),
        ("dht22_with_a_second_pin", "uno", dht(_dht(pin2=4)), ImageError.BAD_SENSOR, 0),
        ("dht22_option_set", "uno", dht(_dht(options=bytes([1, 0, 0]))), ImageError.BAD_SENSOR, 0),
        ("dht22_read_every_1s", "uno", dht(_dht(period_ms=1000)), ImageError.BAD_SENSOR, 0),
        ("dht11_read_every_1s", "uno", dht(_dht(SensorKind.DHT11, period_ms=1000)), ImageError.BAD_SENSOR, 0),
        ("dht22_with_a_rom_code", "uno", dht(_dht(rom=ROM_A)), ImageError.BAD_SENSOR, 0),
        ("dht22_on_a_channel_pin", "uno", dht(_dht(pin=2)), ImageError.PIN_CONFLICT, 0),
        ("two_dht22_on_one_pin", "uno", dht(_dht(), _dht()), ImageError.PIN_CONFLICT, 1),
        ("probe_on_a_dht11s_pin", "uno", dht(_dht(SensorKind.DHT11), _probe()), ImageError.PIN_CONFLICT, 1),
    ]


def _pulse(pin: int = 3, **changes) -> Sensor:
    return replace(Sensor(SensorKind.PULSE, pin, NO, bytes(3), 1000), **changes)


def _counting_mega(pin: int) -> Image:
    """A Mega counting pulses on ``pin`` beside the plant waterer (its pins: A0 54, D22, D7)."""
    plant = replace(PLANT, board_class=BoardClass.AVR2560,
                    channels=(replace(PLANT.channels[0], pin=54), replace(PLANT.channels[1], pin=22)))
    return replace(plant, channels=plant.channels + (_sensor_channel(0),), sensors=(_pulse(pin=pin),))


def _sensors(*sensors: Sensor, image: Image = PROBE) -> bytes:
    return encode(replace(image, sensors=sensors))


def _fix_crc(data: bytearray) -> bytes:
    struct.pack_into("<I", data, 2, zlib.crc32(bytes(data[6:])) & 0xFFFFFFFF)
    return bytes(data)


def _patch(image: Image | bytes, offset: int, fmt: str, *values, fix_crc: bool = True) -> bytes:
    data = bytearray(encode(image) if isinstance(image, Image) else image)
    struct.pack_into("<" + fmt, data, offset, *values)
    return _fix_crc(data) if fix_crc else bytes(data)


def _with(image: Image, **changes) -> Image:
    return replace(image, **changes)


def _servo(pin: int = 9, board_class: BoardClass = BoardClass.AVR328, **fields) -> Image:
    """PLANT with its pump swapped for a vent's servo: 10 .. 120 degrees, safe (closed) at 10."""
    act = Actuator(pin, fields.pop("flags", ActuatorFlag.SERVO), fields.pop("max_on_ms", 600_000), 0,
                   fields.pop("daily_cap_ms", 21_600_000),
                   **{"servo_min": 10, "servo_max": 120, "servo_safe": 10, **fields})
    if board_class != BoardClass.AVR328:  # PLANT's channels are on Uno pins: the servo alone
        return _with(PLANT, board_class=board_class, actuators=(act,), channels=(), rules=())
    return _with(PLANT, board_class=board_class, actuators=(act,))


def _rule(**changes) -> Image:
    return _with(PLANT, rules=(replace(PLANT.rules[0], **changes),))


def _decoded(image: Image) -> dict:
    data = encode(image)
    fields = asdict(image)
    fields["recipe_hash"] = data[14:22].hex()
    for sensor in fields["sensors"]:
        sensor["options"], sensor["rom"] = sensor["options"].hex(), sensor["rom"].hex()
    return fields


# Offsets inside PLANT: params at 40 (2 x 12), channels at 64 (2 x 13), actuator at 90, rule at 101.
P0, C0, C1, A0, R0 = 40, 64, 77, 90, 101
C2 = 90  # PROBE's sensor channel (PROBE has three channels)

# A guard (rule 1): the pump goes off when channel 1 stays below 100 for 5 s while on.
GUARD = Rule(kind=RuleKind.GUARD, actuator=0, action=0, level=0, channel=1, threshold=100, hold=5_000)
GUARDED = _with(PLANT, rules=PLANT.rules + (GUARD,))


def _guard(**changes) -> bytes:
    return encode(_with(PLANT, rules=PLANT.rules + (replace(GUARD, **changes),)))


def _invalid() -> list[tuple[str, str, bytes, ImageError, int]]:
    plant = encode(PLANT)
    return [
        ("truncated_header", "uno", plant[:39], ImageError.TRUNCATED, 0),
        ("empty", "uno", b"", ImageError.TRUNCATED, 0),
        ("bad_magic", "uno", _patch(PLANT, 0, "2s", b"TE"), ImageError.BAD_MAGIC, 0),
        ("future_format", "uno", _patch(PLANT, 8, "B", 4), ImageError.BAD_FORMAT, 0),
        # an image compiled before the servo fields: the host says to push the recipe again
        ("format_2_image", "uno", _patch(PLANT, 8, "B", 2), ImageError.BAD_FORMAT, 0),
        # an image compiled before the sensors section: the host says to push the recipe again
        ("format_1_image", "uno", _patch(PLANT, 8, "B", 1), ImageError.BAD_FORMAT, 0),
        ("length_field_disagrees", "uno", _patch(PLANT, 6, "H", len(plant) + 1), ImageError.BAD_LENGTH, 0),
        ("cut_short_by_one", "uno", plant[:-1], ImageError.BAD_LENGTH, 0),
        ("too_large_for_uno", "uno", encode(_with(_mega(), board_class=BoardClass.AVR328)), ImageError.TOO_LARGE, 0),
        ("bad_crc", "uno", _patch(PLANT, 2, "I", 0x12345678, fix_crc=False), ImageError.BAD_CRC, 0),
        ("payload_bit_flip", "uno", _patch(PLANT, R0 + 8, "i", 1, fix_crc=False), ImageError.BAD_CRC, 0),
        ("mega_image_on_uno", "uno", encode(_with(PLANT, board_class=BoardClass.AVR2560)), ImageError.BAD_BOARD, 0),
        ("uno_image_on_mega", "mega2560", plant, ImageError.BAD_BOARD, 0),
        ("nine_channels", "uno", encode(_with(PLANT, rules=(), channels=tuple(
            Channel(14 + i if i < 6 else i - 3) for i in range(9)))), ImageError.TOO_MANY, 0),
        ("five_actuators", "uno", encode(_with(PLANT, rules=(), actuators=tuple(
            Actuator(3 + i) for i in range(5)))), ImageError.TOO_MANY, 1),
        ("nine_rules", "uno", encode(_with(PLANT, rules=PLANT.rules * 9)), ImageError.TOO_MANY, 2),
        ("nine_params", "uno", encode(_with(PLANT, params=PLANT.params * 5)), ImageError.TOO_MANY, 3),
        ("counts_disagree_with_length", "uno", _patch(PLANT, 37, "B", 1), ImageError.BAD_LENGTH, 0),
        # the sensors section fills what the counted sections leave: whole 16-byte records only
        ("sensor_section_not_whole", "uno", _fix_crc(bytearray(_patch(
            plant + bytes(5), 6, "H", len(plant) + 5, fix_crc=False))), ImageError.BAD_LENGTH, 0),
        ("nine_sensors", "uno", encode(_with(PLANT, sensors=(Sensor(0, 3),) * 9)), ImageError.TOO_MANY, 4),
        ("name_with_control_byte", "uno", _patch(PLANT, 22, "B", 0x07), ImageError.BAD_NAME, 0),
        ("name_text_after_nul", "uno", _patch(PLANT, 32, "BB", 0, 0x41), ImageError.BAD_NAME, 0),
        ("telemetry_reserved_unit", "uno", _patch(PLANT, 38, "H", 0xC001), ImageError.BAD_DURATION, 0),
        ("telemetry_too_fast", "uno", encode(_with(PLANT, telemetry_ms=1)), ImageError.BAD_TELEMETRY, 0),
        ("param_min_above_max", "uno", _patch(PLANT, P0 + 12 + 4, "i", 40_000), ImageError.BAD_PARAM, 1),
        ("param_beyond_value_limit", "uno", _patch(PLANT, P0 + 8, "i", 1_000_000_001), ImageError.BAD_PARAM, 0),
        ("analog_channel_on_digital_pin", "uno", _patch(PLANT, C0, "B", 5), ImageError.BAD_PIN, 0),
        ("channel_on_uart_pin", "uno", _patch(PLANT, C1, "B", 0), ImageError.BAD_PIN, 1),
        ("channel_on_missing_pin", "uno", _patch(PLANT, C1, "B", 200), ImageError.BAD_PIN, 1),
        ("nano_a6_as_digital", "nano", _patch(_with(PLANT), C1, "B", 20), ImageError.BAD_PIN, 1),
        # kind 3 takes a sensor's quantity: its pin byte is a sensor index, and PLANT has no sensors
        ("sensor_channel_without_sensors", "uno", _patch(PLANT, C1 + 1, "B", 3), ImageError.BAD_REF, 1),
        ("channel_reserved_mode_bits", "uno", _patch(PLANT, C0 + 1, "B", 0x34), ImageError.BAD_CHANNEL, 0),
        ("smoothing_above_8", "uno", _patch(PLANT, C0 + 1, "B", 0x90), ImageError.BAD_CHANNEL, 0),
        ("sample_period_reserved_unit", "uno", _patch(PLANT, C0 + 3, "H", 0xC064), ImageError.BAD_DURATION, 0),
        ("sample_period_1ms", "uno", _patch(PLANT, C0 + 3, "H", ms_to_dur16(1)), ImageError.BAD_CHANNEL, 0),
        ("sample_period_61s", "uno", _patch(PLANT, C0 + 3, "H", ms_to_dur16(61_000)), ImageError.BAD_CHANNEL, 0),
        ("calibration_offset_too_big", "uno", _patch(PLANT, C1 + 9, "i", -1_000_000_001), ImageError.BAD_CHANNEL, 1),
        ("two_channels_one_pin", "uno", _patch(PLANT, C1, "B", 14), ImageError.PIN_CONFLICT, 1),
        ("actuator_on_led_pin_13", "uno", _patch(PLANT, A0, "B", 13), ImageError.BAD_PIN, 0),
        ("actuator_on_analog_only_pin", "nano", _patch(PLANT, A0, "B", 21), ImageError.BAD_PIN, 0),
        ("pwm_actuator_on_non_pwm_pin", "uno", _patch(PLANT, A0 + 1, "B", 0x01), ImageError.BAD_PIN, 0),
        ("actuator_unknown_flag", "uno", _patch(PLANT, A0 + 1, "B", 0x0A), ImageError.BAD_ACTUATOR, 0),
        # a servo needs timer 1 on an AVR (D9, D10 on an Uno): D3 has PWM from timer 2, D7 none
        ("servo_on_pin_without_timer", "uno", encode(_servo(pin=3)), ImageError.BAD_PIN, 0),
        ("servo_on_plain_pin", "uno", _patch(PLANT, A0 + 1, "B", 0x04), ImageError.BAD_PIN, 0),
        ("servo_on_mega_d9", "mega2560", encode(_servo(board_class=BoardClass.AVR2560)), ImageError.BAD_PIN, 0),
        ("servo_min_above_max", "uno", encode(_servo(servo_min=100, servo_max=90, servo_safe=95)),
         ImageError.BAD_ACTUATOR, 0),
        ("servo_with_one_position", "uno", encode(_servo(servo_min=90, servo_max=90, servo_safe=90)),
         ImageError.BAD_ACTUATOR, 0),
        ("servo_safe_below_min", "uno", encode(_servo(servo_safe=5)), ImageError.BAD_ACTUATOR, 0),
        ("servo_safe_above_max", "uno", encode(_servo(servo_safe=121)), ImageError.BAD_ACTUATOR, 0),
        ("servo_max_above_180", "uno", encode(_servo(servo_max=181, servo_safe=10)), ImageError.BAD_ACTUATOR, 0),
        ("servo_also_pwm", "uno", encode(_servo(flags=ActuatorFlag.SERVO | ActuatorFlag.PWM)),
         ImageError.BAD_ACTUATOR, 0),
        ("servo_active_low", "uno", encode(_servo(flags=ActuatorFlag.SERVO | ActuatorFlag.ACTIVE_LOW)),
         ImageError.BAD_ACTUATOR, 0),
        ("relay_with_servo_limits", "uno", _patch(PLANT, A0 + 9, "B", 90), ImageError.BAD_ACTUATOR, 0),
        ("actuator_on_channel_pin", "uno", _patch(PLANT, A0, "B", 2), ImageError.PIN_CONFLICT, 0),
        ("actuator_limit_reserved_unit", "uno", _patch(PLANT, A0 + 4, "H", 0xFFFF), ImageError.BAD_DURATION, 0),
        ("max_on_zero", "uno", _patch(PLANT, A0 + 2, "H", 0), ImageError.BAD_ACTUATOR, 0),
        ("daily_cap_zero", "uno", _patch(PLANT, A0 + 6, "H", 0), ImageError.BAD_ACTUATOR, 0),
        ("min_off_above_a_day", "uno", _patch(PLANT, A0 + 4, "H", ms_to_dur16(25 * 3_600_000)), ImageError.BAD_ACTUATOR, 0),
        ("max_on_two_hours_above_ceiling", "uno", _patch(PLANT, A0 + 2, "H", ms_to_dur16(7_200_000)), ImageError.ABOVE_CEILING, 0),
        ("daily_cap_above_ceiling", "uno", _patch(PLANT, A0 + 6, "H", ms_to_dur16(7 * 3_600_000)), ImageError.ABOVE_CEILING, 0),
        ("rule_kind_3", "uno", _patch(PLANT, R0, "B", 3), ImageError.BAD_RULE, 0),
        ("rule_kind_4", "uno", _patch(PLANT, R0, "B", 4), ImageError.BAD_RULE, 0),
        # a guard (kind 3) drives nothing and has no interlock: those fields must be 0 (check 15)
        ("guard_with_a_level", "uno", _guard(level=255), ImageError.BAD_RULE, 1),
        ("guard_with_an_action", "uno", _guard(action=RuleAction.FOLLOW), ImageError.BAD_RULE, 1),
        ("guard_with_an_interlock", "uno", _guard(interlock=0), ImageError.BAD_RULE, 1),
        ("guard_with_interlock_above_flag", "uno", _guard(flags=RuleFlag.INTERLOCK_ABOVE), ImageError.BAD_RULE, 1),
        ("guard_with_a_hysteresis", "uno", _guard(hysteresis=10), ImageError.BAD_RULE, 1),
        ("guard_with_a_duration", "uno", _guard(duration=1_000), ImageError.BAD_RULE, 1),
        ("guard_with_a_duration_operand", "uno", _guard(operands=Operand.DURATION), ImageError.BAD_RULE, 1),
        ("guard_channel_out_of_range", "uno", _guard(channel=2), ImageError.BAD_REF, 1),
        ("guard_without_a_channel", "uno", _guard(channel=NO), ImageError.BAD_REF, 1),
        ("guard_hold_reserved_unit", "uno", _patch(GUARDED, R0 + 26 + 16, "H", 0xC000), ImageError.BAD_DURATION, 1),
        ("interval_rule_follow", "uno", encode(_rule(kind=RuleKind.INTERVAL, action=RuleAction.FOLLOW, channel=NO)), ImageError.BAD_RULE, 0),
        ("rule_level_zero", "uno", _patch(PLANT, R0 + 3, "B", 0), ImageError.BAD_RULE, 0),
        ("rule_unknown_flag", "uno", _patch(PLANT, R0 + 5, "B", 0x06), ImageError.BAD_RULE, 0),
        ("rule_unknown_operand_bit", "uno", _patch(PLANT, R0 + 7, "B", 0x49), ImageError.BAD_RULE, 0),
        ("rule_actuator_out_of_range", "uno", _patch(PLANT, R0 + 1, "B", 1), ImageError.BAD_REF, 0),
        ("rule_channel_out_of_range", "uno", _patch(PLANT, R0 + 4, "B", 2), ImageError.BAD_REF, 0),
        ("interval_rule_with_channel", "uno", encode(_rule(kind=RuleKind.INTERVAL, channel=0, period=60_000)), ImageError.BAD_REF, 0),
        ("interlock_channel_out_of_range", "uno", _patch(PLANT, R0 + 6, "B", 5), ImageError.BAD_REF, 0),
        ("operand_param_out_of_range", "uno", _patch(PLANT, R0 + 8, "i", 2), ImageError.BAD_REF, 0),
        ("operand_with_high_bytes", "uno", _patch(PLANT, R0 + 8, "i", 0x100), ImageError.BAD_REF, 0),
        ("rule_hold_reserved_unit", "uno", _patch(PLANT, R0 + 16, "H", 0xC000), ImageError.BAD_DURATION, 0),
        ("threshold_beyond_value_limit", "uno", encode(_rule(operands=Operand.DURATION, threshold=1_000_000_001)), ImageError.BAD_RULE, 0),
        ("negative_hysteresis", "uno", _patch(PLANT, R0 + 12, "i", -1), ImageError.BAD_RULE, 0),
        ("pulse_duration_zero", "uno", encode(_rule(operands=Operand.THRESHOLD, duration=0)), ImageError.BAD_RULE, 0),
        ("interval_below_one_second", "uno", encode(_rule(kind=RuleKind.INTERVAL, channel=NO, period=500)), ImageError.BAD_RULE, 0),
        ("duration_param_may_be_zero", "uno", _patch(PLANT, P0 + 12 + 4, "i", 0), ImageError.BAD_PARAM, 0),
        ("hysteresis_param_may_go_negative", "uno", encode(_with(
            _rule(operands=Operand.THRESHOLD | Operand.DURATION | Operand.HYSTERESIS, hysteresis=0),
            params=(Param(3_000, -1_000, 80_000), PLANT.params[1]))), ImageError.BAD_PARAM, 0),
        ("sensor_after_a_bad_rule", "uno", _patch(_with(PLANT, sensors=(_probe(kind=UNKNOWN),)), R0 + 3, "B", 0), ImageError.BAD_RULE, 0),
        # a sensor's channel (PROBE's channel 2, at C2): the sensor it names, the quantity it takes
        ("sensor_channel_index_out_of_range", "uno", _patch(PROBE, C2, "B", 1), ImageError.BAD_REF, 2),
        ("sensor_channel_quantity_1_of_ds18b20", "uno", _patch(PROBE, C2 + 1, "B", 0x07), ImageError.BAD_CHANNEL, 2),
        ("sensor_channel_smoothing_above_8", "uno", _patch(PROBE, C2 + 1, "B", 0x93), ImageError.BAD_CHANNEL, 2),
        # a sensor channel of a sensor whose kind is unknown passes check 13; check 16 refuses the sensor
        ("sensor_kind_200_unknown", "uno", _sensors(_probe(kind=UNKNOWN)), ImageError.BAD_SENSOR, 0),
        ("sensor_kind_200_with_quantity_3", "uno", _patch(_sensors(_probe(kind=UNKNOWN)), C2 + 1, "B", 0x0F),
         ImageError.BAD_SENSOR, 0),
        # check 16, in its order: pin, pin2, options, period, ROM code, pin shared
        ("ds18b20_on_uart_pin", "uno", _sensors(_probe(pin=1)), ImageError.BAD_PIN, 0),
        ("ds18b20_on_missing_pin", "uno", _sensors(_probe(pin=200)), ImageError.BAD_PIN, 0),
        ("ds18b20_on_analog_only_a6", "nano", _sensors(_probe(pin=20)), ImageError.BAD_PIN, 0),
        ("ds18b20_with_a_second_pin", "uno", _sensors(_probe(pin2=4)), ImageError.BAD_SENSOR, 0),
        ("ds18b20_resolution_8_bits", "uno", _sensors(_probe(options=bytes([8, 0, 0]))), ImageError.BAD_SENSOR, 0),
        ("ds18b20_resolution_13_bits", "uno", _sensors(_probe(options=bytes([13, 0, 0]))), ImageError.BAD_SENSOR, 0),
        ("ds18b20_unused_option_set", "uno", _sensors(_probe(options=bytes([12, 0, 1]))), ImageError.BAD_SENSOR, 0),
        ("ds18b20_period_reserved_unit", "uno", _patch(PROBE, len(encode(PROBE)) - 10, "H", 0xC001),
         ImageError.BAD_DURATION, 0),
        ("ds18b20_read_every_500ms", "uno", _sensors(_probe(period_ms=500)), ImageError.BAD_SENSOR, 0),
        ("ds18b20_read_every_61s", "uno", _sensors(_probe(period_ms=61_000)), ImageError.BAD_SENSOR, 0),
        ("ds18b20_rom_crc_wrong", "uno", _sensors(_probe(rom=ROM_A[:7] + bytes([ROM_A[7] ^ 1]))),
         ImageError.BAD_SENSOR, 0),
        ("ds18b20_rom_of_a_ds18s20", "uno", _sensors(_probe(rom=_rom(0x0123456789AB, family=0x10))),
         ImageError.BAD_SENSOR, 0),
        ("ds18b20_on_a_channel_pin", "uno", _sensors(_probe(pin=2)), ImageError.PIN_CONFLICT, 0),
        ("ds18b20_on_the_actuator_pin", "uno", _sensors(_probe(pin=7)), ImageError.PIN_CONFLICT, 0),
        ("two_ds18b20_one_without_rom", "uno", _sensors(_probe(rom=ROM_A), _probe(), image=BUS),
         ImageError.PIN_CONFLICT, 1),
        ("two_ds18b20_same_rom", "uno", _sensors(_probe(rom=ROM_A), _probe(rom=ROM_A), image=BUS),
         ImageError.PIN_CONFLICT, 1),
        ("two_ds18b20_only_ones_on_one_pin", "uno", _sensors(_probe(), _probe(), image=BUS),
         ImageError.PIN_CONFLICT, 1),
        ("sensor_of_unknown_kind_on_a_probes_pin", "uno", _sensors(_probe(), _probe(kind=UNKNOWN), image=BUS),
         ImageError.BAD_SENSOR, 1),
        # HC-SR04 (kind 3): two pins, trigger and echo, each its own; no options, no ROM code
        ("sensor_kind_200_past_the_table", "uno", _sensors(_probe(kind=UNKNOWN)), ImageError.BAD_SENSOR, 0),
        ("hcsr04_without_echo", "uno", _sensors(_sonar(pin2=NO), image=SONAR), ImageError.BAD_PIN, 0),
        ("hcsr04_echo_on_uart_pin", "uno", _sensors(_sonar(pin2=1), image=SONAR), ImageError.BAD_PIN, 0),
        ("hcsr04_echo_on_analog_only_a6", "nano", _sensors(_sonar(pin2=20), image=SONAR), ImageError.BAD_PIN, 0),
        ("hcsr04_trigger_on_uart_pin", "uno", _sensors(_sonar(pin=0), image=SONAR), ImageError.BAD_PIN, 0),
        ("hcsr04_option_set", "uno", _sensors(_sonar(options=bytes([1, 0, 0])), image=SONAR),
         ImageError.BAD_SENSOR, 0),
        ("hcsr04_read_every_50ms", "uno", _sensors(_sonar(period_ms=50), image=SONAR), ImageError.BAD_SENSOR, 0),
        ("hcsr04_with_a_rom_code", "uno", _sensors(_sonar(rom=ROM_A), image=SONAR), ImageError.BAD_SENSOR, 0),
        # pulse counter (kind 4): one pin, debounce_ms 0..255, per_minute 0..1, no ROM code
        ("pulse_per_minute_2", "uno", _sensors(_pulse(options=bytes([0, 2, 0]))), ImageError.BAD_SENSOR, 0),
        ("pulse_third_option_set", "uno", _sensors(_pulse(options=bytes([0, 0, 1]))), ImageError.BAD_SENSOR, 0),
        ("pulse_read_every_50ms", "uno", _sensors(_pulse(period_ms=50)), ImageError.BAD_SENSOR, 0),
        ("pulse_with_a_rom_code", "uno", _sensors(_pulse(rom=ROM_A)), ImageError.BAD_SENSOR, 0),
        ("pulse_on_uart_pin", "uno", _sensors(_pulse(pin=0)), ImageError.BAD_PIN, 0),
        # the Mega counts on its pin-change banks only (ports B and K: D10-D13, D50-D53, A8-A15)
        ("pulse_on_mega_d2", "mega2560", encode(_counting_mega(2)), ImageError.BAD_PIN, 0),
        ("hcsr04_echo_on_its_trigger", "uno", _sensors(_sonar(pin2=4), image=SONAR), ImageError.PIN_CONFLICT, 0),
        ("hcsr04_echo_on_a_channel_pin", "uno", _sensors(_sonar(pin2=2), image=SONAR), ImageError.PIN_CONFLICT, 0),
        ("hcsr04_echo_on_the_actuator_pin", "uno", _sensors(_sonar(pin2=7), image=SONAR),
         ImageError.PIN_CONFLICT, 0),
        ("hcsr04_channel_quantity_1", "uno", _patch(SONAR, C2 + 1, "B", 0x07), ImageError.BAD_CHANNEL, 2),
        ("ds18b20_on_an_hcsr04_echo", "uno", _sensors(_sonar(), _probe(pin=5), image=BUS),
         ImageError.PIN_CONFLICT, 1),
        ("hcsr04_echo_on_a_ds18b20_pin", "uno", _sensors(_probe(), _sonar(pin2=3), image=BUS),
         ImageError.PIN_CONFLICT, 1),
        ("hcsr04_trigger_on_a_ds18b20_pin", "uno", _sensors(_probe(), _sonar(pin=3), image=BUS),
         ImageError.PIN_CONFLICT, 1),
        ("two_hcsr04_one_trigger", "uno", _sensors(_sonar(), _sonar(pin2=6), image=BUS), ImageError.PIN_CONFLICT, 1),
        ("hcsr04_trigger_on_an_earlier_echo", "uno", _sensors(_sonar(), _sonar(pin=5, pin2=6), image=BUS),
         ImageError.PIN_CONFLICT, 1),
        ("hcsr04_echo_on_an_earlier_echo", "uno", _sensors(_sonar(), _sonar(pin=6), image=BUS),
         ImageError.PIN_CONFLICT, 1),
    ]


def build() -> dict[str, object]:
    valid = [
        ("plant_waterer_uno", "uno", PLANT),
        ("plant_waterer_nano", "nano", PLANT),
        ("full_uno_480_bytes", "uno", _full_uno()),
        ("no_records", "uno", Image("logger", BoardClass.AVR328, 0)),
        ("greenhouse_mega_16_channels", "mega2560", _mega()),
        ("light_pico", "pico", _pico()),
        ("stamped_generation", "uno", _with(PLANT, generation=0xFFFFFFFF)),
        ("ds18b20_only_one_on_its_bus", "uno", PROBE),
        ("two_ds18b20_on_one_bus", "uno", BUS),
        ("ds18b20_rom_codes_on_two_pins", "uno", replace(BUS, sensors=(_probe(rom=ROM_A), _probe(pin=4)))),
        ("ds18b20_sensor_unused_by_channels", "uno", replace(PLANT, sensors=(_probe(),))),
        ("ds18b20_pico", "pico", replace(_pico(), channels=_pico().channels + (_sensor_channel(0),),
                                         sensors=(_probe(pin=2, rom=ROM_B),))),
        ("guard_on_the_pump", "uno", GUARDED),
        ("guard_above_with_a_lockout", "uno", _with(PLANT, rules=PLANT.rules + (
            replace(GUARD, flags=RuleFlag.ABOVE, period=3_600_000),))),
        ("hcsr04_trigger_and_echo", "uno", SONAR),
        ("servo_vent_uno", "uno", _servo()),
        ("servo_vent_uno_d10_full_range", "uno", _servo(pin=10, servo_min=0, servo_max=180, servo_safe=90)),
        ("servo_vent_mega_d11", "mega2560", _servo(pin=11, board_class=BoardClass.AVR2560)),
        ("servo_vent_pico", "pico", _servo(pin=15, board_class=BoardClass.RP2040)),
        # a servo's max_on and daily_cap of 0: no time limit (a relay's 0 is refused: max_on_zero)
        ("servo_vent_without_time_limits", "uno", _servo(max_on_ms=0, daily_cap_ms=0)),
        ("hcsr04_beside_a_ds18b20", "uno", replace(BUS, sensors=(_sonar(), _probe(rom=ROM_A)))),
        ("two_hcsr04", "uno", replace(BUS, sensors=(_sonar(), _sonar(pin=6, pin2=8)))),
        ("hcsr04_pico", "pico", replace(_pico(), channels=_pico().channels + SONAR.channels[2:],
                                        sensors=(_sonar(pin=2, pin2=3),))),
        ("dht22_temperature_and_humidity", "uno", DHT),
        ("dht11_temperature_and_humidity", "uno", replace(DHT, sensors=(_dht(SensorKind.DHT11, period_ms=5000),))),
        ("dht22_beside_a_probe", "uno", replace(DHT, sensors=(_dht(pin=4), _probe()))),
        ("dht22_pico", "pico", replace(_pico(), channels=_pico().channels + (_dht_channel(0, 1, Unit.PERCENT),),
                                       sensors=(_dht(pin=2),))),
        ("pulse_debounce_255_per_minute", "uno", replace(PROBE, sensors=(_pulse(options=bytes([255, 1, 0])),))),
        ("pulse_total", "uno", replace(PROBE, channels=PLANT.channels + (_sensor_channel(0, 1),),
                                       sensors=(_pulse(),))),
        ("pulse_on_mega_d10", "mega2560", _counting_mega(10)),
        *cases_i2c_images.valid(),
    ]
    assert len(encode(_full_uno())) == 480
    cases = [
        {"name": name, "board": board, "image": encode(image).hex(),
         "expect": {"ok": True}, "decoded": _decoded(image)}
        for name, board, image in valid
    ]
    for name, board, data, code, index in _invalid() + _dht_invalid() + cases_i2c_images.invalid():
        cases.append({"name": name, "board": board, "image": data.hex(),
                      "expect": {"ok": False, "error": code.name, "code": int(code), "index": index}})
    return {"images/images.json": {"cases": cases}}
