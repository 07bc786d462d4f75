"""Frame and message vectors: frames/stream.json and frames/messages.json.

Everything here is built from docs/protocol.md by hand: frames with ``struct`` and
``binascii.crc_hqx``, COBS with the small byte-by-byte coder below, never with tendril.protocol, so
the vectors judge the decoders instead of echoing one. Each stream case states its outcomes by hand;
``build()`` also checks them against the naive reference classifier here, so a wrong hand-written
expectation fails the generator rather than a correct decoder.
"""

from __future__ import annotations

import struct
from binascii import crc_hqx

from tendril.contract import (
    MAX_ENCODED,
    MAX_PAYLOAD,
    NO_READING,
    PROTOCOL_VERSION,
    CommandOp,
    EventKind,
    MsgType,
    SensorFault,
)

# --- reference framing, written out the slow, obvious way ----------------------------------------


def cobs_encode(data: bytes) -> bytes:
    out = bytearray()
    block = bytearray()
    for byte in data:
        if byte == 0:
            out.append(len(block) + 1)
            out += block
            block.clear()
        else:
            block.append(byte)
            if len(block) == 254:
                out.append(255)
                out += block
                block.clear()
    out.append(len(block) + 1)
    out += block
    return bytes(out)


def cobs_decode(chunk: bytes) -> bytes | None:
    """The decoded bytes, or None when ``chunk`` is not valid COBS."""
    out = bytearray()
    i = 0
    while i < len(chunk):
        code = chunk[i]
        end = i + code
        if code == 0 or end > len(chunk) or 0 in chunk[i + 1 : end]:
            return None
        out += chunk[i + 1 : end]
        i = end
        if code < 255 and i < len(chunk):
            out.append(0)
    return bytes(out)


def raw_frame(
    msg_type: int, seq: int, payload: bytes = b"", version: int = PROTOCOL_VERSION
) -> bytes:
    body = bytes([version, msg_type, seq & 0xFF, seq >> 8]) + payload
    crc = crc_hqx(body, 0)
    return body + bytes([crc & 0xFF, crc >> 8])


def wire(raw: bytes) -> bytes:
    return cobs_encode(raw) + b"\x00"


def frame_wire(
    msg_type: int, seq: int, payload: bytes = b"", version: int = PROTOCOL_VERSION
) -> bytes:
    return wire(raw_frame(msg_type, seq, payload, version))


def classify(chunk: bytes) -> dict:
    """protocol.md *Receiving*, one rule a line, for one delimiter-terminated chunk."""
    if not chunk:
        return {"outcome": "empty"}
    if len(chunk) > MAX_ENCODED:
        return {"outcome": "oversize"}
    raw = cobs_decode(chunk)
    if raw is None:
        return {"outcome": "cobs"}
    if len(raw) < 6:
        return {"outcome": "short"}
    if crc_hqx(raw[:-2], 0) != raw[-2] + 256 * raw[-1]:
        return {"outcome": "crc"}
    if raw[0] != PROTOCOL_VERSION:
        return {"outcome": "version"}
    return frame(raw[1], raw[2] + 256 * raw[3], raw[4:-2], raw[0])


def reference_outcomes(stream: bytes) -> list[dict]:
    return [classify(chunk) for chunk in stream.split(b"\x00")[:-1]]


def frame(msg_type: int, seq: int, payload: bytes, version: int = PROTOCOL_VERSION) -> dict:
    return {
        "outcome": "frame",
        "version": version,
        "type": msg_type,
        "seq": seq,
        "payload": payload.hex(),
    }


# --- frames/stream.json --------------------------------------------------------------------------

T = MsgType.TELEMETRY
TELEMETRY_6 = struct.pack("<IBB6i", 123_456, 0, 0, 23_456, -1_250, 0, 1_000_000, 7, -40_000)
EVENT = struct.pack("<IBBBBi", 5_000, EventKind.ACT_ON, 0, 2, 0xFF, 255)
LOG = bytes([1]) + b"boot ok"
MAX_PAYLOAD_NONZERO = bytes(range(1, MAX_PAYLOAD + 1))  # 64 bytes, no zero: the longest COBS form
ZEROS_AND_FF = bytes(8) + b"\xff" * 16 + bytes([0, 0xFF, 0, 0xFF]) + bytes(12) + b"\xff" * 24


def _crc_with_zero_byte() -> int:
    """A seq whose TELEMETRY frame's CRC has a 0x00 byte, so the raw frame ends near a zero."""
    for seq in range(0x10000):
        raw = raw_frame(T, seq, TELEMETRY_6)
        if raw[-1] == 0:
            return seq
    raise AssertionError("no such seq")


def _flip_bit(raw: bytes, index: int, bit: int = 0) -> bytes:
    out = bytearray(raw)
    out[index] ^= 1 << bit
    return bytes(out)


def stream_cases() -> list[dict]:
    ok = raw_frame(T, 7, TELEMETRY_6)
    cases = []

    def case(name: str, stream: bytes, outcomes: list[dict]) -> None:
        cases.append({"name": name, "wire": stream.hex(), "outcomes": outcomes})

    telemetry_7 = frame(T, 7, TELEMETRY_6)
    case("telemetry_ok", wire(ok), [telemetry_7])
    case(
        "back_to_back",
        wire(ok) + frame_wire(MsgType.EVENT, 8, EVENT) + frame_wire(MsgType.LOG, 9, LOG),
        [telemetry_7, frame(MsgType.EVENT, 8, EVENT), frame(MsgType.LOG, 9, LOG)],
    )
    case("empty_between_delimiters", b"\x00\x00", [{"outcome": "empty"}, {"outcome": "empty"}])
    case("flush_delimiter_then_frame", b"\x00" + wire(ok), [{"outcome": "empty"}, telemetry_7])
    case("truncated_frame_reports_nothing", cobs_encode(ok), [])
    case("frame_then_truncated_frame", wire(ok) + cobs_encode(ok)[:20], [telemetry_7])
    case("short_five_bytes", wire(ok[:5]), [{"outcome": "short"}])
    case("short_single_code_byte", b"\x01\x00", [{"outcome": "short"}])
    case("bad_crc_payload_bit_flipped", wire(_flip_bit(ok, 10, 3)), [{"outcome": "crc"}])
    case("bad_crc_crc_byte_flipped", wire(_flip_bit(ok, len(ok) - 1, 7)), [{"outcome": "crc"}])
    case(
        "bad_crc_then_good_frame",
        wire(_flip_bit(ok, 2)) + wire(ok),
        [{"outcome": "crc"}, telemetry_7],
    )
    case("cobs_code_past_end", bytes([0x05, 0x01, 0x02]) + b"\x00", [{"outcome": "cobs"}])
    case(
        "cobs_last_code_past_end_in_frame",
        cobs_encode(ok)[:-1] + b"\x00" + wire(ok),
        [{"outcome": "cobs"}, telemetry_7],
    )
    case("cobs_code_ff_past_end", b"\xff" + bytes(range(1, 20)) + b"\x00", [{"outcome": "cobs"}])
    case(
        "oversize_then_frame",
        b"A" * 200 + b"\x00" + wire(ok),
        [{"outcome": "oversize"}, telemetry_7],
    )
    case(
        "oversize_72_bytes_then_frame",
        b"\x42" * 72 + b"\x00" + wire(ok),
        [{"outcome": "oversize"}, telemetry_7],
    )
    case("junk_71_bytes_is_not_oversize", b"\x41" * 71 + b"\x00", [{"outcome": "cobs"}])
    case(
        "two_oversize_in_a_row",
        b"\x7f" * 100 + b"\x00" + b"\x80" * 300 + b"\x00" + wire(ok),
        [{"outcome": "oversize"}, {"outcome": "oversize"}, telemetry_7],
    )
    max_raw = raw_frame(MsgType.PONG, 0xBEEF, MAX_PAYLOAD_NONZERO)
    assert len(cobs_encode(max_raw)) == MAX_ENCODED, "the longest frame must encode to MAX_ENCODED"
    case("max_payload_frame", wire(max_raw), [frame(MsgType.PONG, 0xBEEF, MAX_PAYLOAD_NONZERO)])
    case(
        "payload_of_zeros_and_ff_runs",
        frame_wire(MsgType.CONFIG_DATA, 3, ZEROS_AND_FF),
        [frame(MsgType.CONFIG_DATA, 3, ZEROS_AND_FF)],
    )
    case(
        "empty_payload_max_seq",
        frame_wire(MsgType.CONFIG_COMMIT, 0xFFFF),
        [frame(MsgType.CONFIG_COMMIT, 0xFFFF, b"")],
    )
    seq = _crc_with_zero_byte()
    case("crc_with_zero_byte", frame_wire(T, seq, TELEMETRY_6), [frame(T, seq, TELEMETRY_6)])
    case(
        "text_then_delimiter_then_frame",
        b"hello\r\n\x00" + wire(ok),
        [{"outcome": "cobs"}, telemetry_7],
    )
    case(
        "text_glued_to_frame_costs_only_that_frame",
        b"hello\r\n" + wire(ok) + frame_wire(MsgType.EVENT, 8, EVENT),
        [{"outcome": "cobs"}, frame(MsgType.EVENT, 8, EVENT)],
    )
    case(
        "bootloader_noise_then_frame",
        bytes([0xF0, 0x00, 0xFF, 0xFE, 0x00, 0x00]) + wire(ok),
        [{"outcome": "cobs"}, {"outcome": "cobs"}, {"outcome": "empty"}, telemetry_7],
    )
    case(
        "unknown_device_type_is_a_frame",
        frame_wire(0xC7, 1, b"\x01\x02"),
        [frame(0xC7, 1, b"\x01\x02")],
    )
    case("unknown_request_type_is_a_frame", frame_wire(0x7E, 2), [frame(0x7E, 2, b"")])
    case(
        "wrong_version_good_crc", frame_wire(T, 7, TELEMETRY_6, version=2), [{"outcome": "version"}]
    )
    case(
        "version_zero_good_crc",
        frame_wire(MsgType.HELLO, 0, bytes(36), version=0),
        [{"outcome": "version"}],
    )
    bad = raw_frame(T, 7, TELEMETRY_6, version=2)
    case("wrong_version_bad_crc", wire(_flip_bit(bad, 8)), [{"outcome": "crc"}])
    case(
        "everything_in_one_stream",
        b"\x00"
        + wire(ok)
        + b"noise"
        + b"\x00"
        + b"Z" * 90
        + b"\x00"
        + wire(_flip_bit(ok, 5))
        + frame_wire(T, 7, TELEMETRY_6, version=3)
        + wire(ok[:4])
        + frame_wire(MsgType.LOG, 9, LOG)
        + cobs_encode(ok)[:30],
        [
            {"outcome": "empty"},
            telemetry_7,
            {"outcome": "cobs"},
            {"outcome": "oversize"},
            {"outcome": "crc"},
            {"outcome": "version"},
            {"outcome": "short"},
            frame(MsgType.LOG, 9, LOG),
        ],
    )
    return cases


# --- frames/messages.json ------------------------------------------------------------------------

HASH = bytes.fromhex("5e1f0c2d9a7b3348")
IMAGE = bytes((i * 37 + 11) & 0xFF for i in range(317))  # stand-in config image bytes


def message_cases() -> list[dict]:
    cases = []

    def case(name: str, msg_type: int, seq: int, message: dict, payload: bytes) -> None:
        assert len(payload) <= MAX_PAYLOAD, name
        cases.append(
            {
                "name": name,
                "type": int(msg_type),
                "seq": seq,
                "message": message,
                "payload": payload.hex(),
                "wire": frame_wire(msg_type, seq, payload).hex(),
            }
        )

    def command(name: str, seq: int, op: CommandOp, args: dict, packed_args: bytes) -> None:
        case(name, MsgType.COMMAND, seq, {"op": int(op), **args}, bytes([op]) + packed_args)

    ping = bytes([0xA5, 0x00, 0xFF]) * 10 + b"\x00\x01"  # 32 bytes, zeros included
    case("ping_empty", MsgType.PING, 0, {"data": ""}, b"")
    case("ping_max", MsgType.PING, 1, {"data": ping.hex()}, ping)
    case(
        "config_begin",
        MsgType.CONFIG_BEGIN,
        2,
        {"length": 317, "crc32": 0x1C291CA3, "recipe_hash": HASH.hex(), "generation": 7},
        struct.pack("<HI", 317, 0x1C291CA3) + HASH + struct.pack("<I", 7),
    )
    case(
        "config_chunk_first",
        MsgType.CONFIG_CHUNK,
        3,
        {"offset": 0, "data": IMAGE[:56].hex()},
        struct.pack("<H", 0) + IMAGE[:56],
    )
    case(
        "config_chunk_last",
        MsgType.CONFIG_CHUNK,
        8,
        {"offset": 280, "data": IMAGE[280:].hex()},
        struct.pack("<H", 280) + IMAGE[280:],
    )
    case("config_commit", MsgType.CONFIG_COMMIT, 9, {}, b"")
    case("config_abort", MsgType.CONFIG_ABORT, 10, {}, b"")
    case(
        "config_read",
        MsgType.CONFIG_READ,
        11,
        {"offset": 56, "count": 56},
        struct.pack("<HB", 56, 56),
    )

    command(
        "command_lease",
        12,
        CommandOp.LEASE,
        {"actuator": 0, "duration_ms": 3000, "level": 255},
        struct.pack("<BIB", 0, 3000, 255),
    )
    command(
        "command_lease_long_pwm",
        13,
        CommandOp.LEASE,
        {"actuator": 3, "duration_ms": 86_400_000, "level": 128},
        struct.pack("<BIB", 3, 86_400_000, 128),
    )
    command("command_off", 14, CommandOp.OFF, {"actuator": 1}, b"\x01")
    command("command_pause", 15, CommandOp.PAUSE, {}, b"")
    command("command_resume", 16, CommandOp.RESUME, {}, b"")
    command(
        "command_set_param",
        17,
        CommandOp.SET_PARAM,
        {"index": 2, "value": -1500},
        struct.pack("<Bi", 2, -1500),
    )
    command("command_get_params", 18, CommandOp.GET_PARAMS, {"first": 15}, b"\x0f")
    command("command_hello", 19, CommandOp.HELLO, {}, b"")
    command("command_status_rules", 20, CommandOp.STATUS, {"section": 1, "first": 9}, b"\x01\x09")
    command("command_clear_safe_mode", 21, CommandOp.CLEAR_SAFE_MODE, {}, b"")
    command("command_telemetry_mode_raw", 0xFFFF, CommandOp.TELEMETRY_MODE, {"flags": 1}, b"\x01")
    command("command_scan_onewire_d3", 41, CommandOp.SCAN_ONEWIRE, {"pin": 3, "first": 0}, b"\x03\x00")
    command("command_scan_onewire_page_2", 42, CommandOp.SCAN_ONEWIRE, {"pin": 8, "first": 7}, b"\x08\x07")
    command("command_scan_i2c", 44, CommandOp.SCAN_I2C, {"first": 0x08}, b"\x08")
    command("command_scan_i2c_page_2", 45, CommandOp.SCAN_I2C, {"first": 0x46}, b"\x46")
    # a BME280's ID register (0xD0, one byte), and an SHT3x's status (command 0xF32D, 3 bytes)
    command("command_i2c_read_bme280_id", 46, CommandOp.I2C_READ,
            {"address": 0x76, "nwrite": 1, "w0": 0xD0, "w1": 0, "nread": 1}, b"\x76\x01\xd0\x00\x01")
    command("command_i2c_read_sht3x_status", 47, CommandOp.I2C_READ,
            {"address": 0x44, "nwrite": 2, "w0": 0xF3, "w1": 0x2D, "nread": 3}, b"\x44\x02\xf3\x2d\x03")

    hello_uno = {
        "protocol_version": 1,
        "board_class": 1,
        "fw_major": 0,
        "fw_minor": 1,
        "fw_patch": 0,
        "reset_cause": 0x01 | 0x02,
        "flags": 0x04,
        "reserved": 0,
        "device_id": 0x8BADF00D,
        "boot_count": 42,
        "capabilities": 0x01 | 0x02 | 0x04 | 0x08 | 0x10,
        "config_generation": 7,
        "recipe_hash": HASH.hex(),
        "max_payload": 64,
        "max_image": 480,
        "text": "tendril-avr",
        "sensor_kinds": 0,
    }

    def hello_payload(h: dict) -> bytes:
        head = struct.pack(
            "<8B4I",
            *(
                h[k]
                for k in ("protocol_version", "board_class", "fw_major", "fw_minor", "fw_patch")
            ),
            h["reset_cause"],
            h["flags"],
            h["reserved"],
            h["device_id"],
            h["boot_count"],
            h["capabilities"],
            h["config_generation"],
        )
        tail = bytes.fromhex(h["recipe_hash"]) + struct.pack(
            "<HH", h["max_payload"], h["max_image"]
        )
        name = h["text"].encode("ascii").ljust(16, b"\0")
        return head + tail + name + struct.pack("<I", h["sensor_kinds"])

    case("hello_uno_boot", MsgType.HELLO, 0, hello_uno, hello_payload(hello_uno))
    hello_mega = dict(
        hello_uno,
        board_class=2,
        fw_major=1,
        fw_minor=12,
        fw_patch=255,
        reset_cause=0x08,
        flags=0x01 | 0x02 | 0x08,
        device_id=0xFFFFFFFF,
        boot_count=0,
        capabilities=0x3F,
        config_generation=0,
        recipe_hash=bytes(8).hex(),
        max_image=1536,
        text="tendril-mega2560",  # 16 characters, the longest name
        sensor_kinds=0x80000005,  # the bitmap's lowest and highest bits
    )
    case(
        "hello_mega_safe_mode_no_config", MsgType.HELLO, 300, hello_mega, hello_payload(hello_mega)
    )
    case("pong_max", MsgType.PONG, 1, {"data": ping.hex()}, ping)
    case("pong_empty", MsgType.PONG, 0, {"data": ""}, b"")

    ack = struct.Struct("<BBI")
    case(
        "ack_lease",
        MsgType.ACK,
        12,
        {"request_type": 0x20, "detail": 0, "value": 3000},
        ack.pack(MsgType.COMMAND, 0, 3000),
    )
    case(
        "ack_config_begin_already_active",
        MsgType.ACK,
        2,
        {"request_type": 0x10, "detail": 1, "value": 0},
        ack.pack(MsgType.CONFIG_BEGIN, 1, 0),
    )
    case(
        "ack_commit_generation",
        MsgType.ACK,
        9,
        {"request_type": 0x12, "detail": 0, "value": 0xFFFFFFFE},
        ack.pack(MsgType.CONFIG_COMMIT, 0, 0xFFFFFFFE),
    )
    nack = struct.Struct("<BBH")
    case(
        "nack_bad_offset",
        MsgType.NACK,
        5,
        {"request_type": 0x11, "code": 10, "detail": 112},
        nack.pack(MsgType.CONFIG_CHUNK, 10, 112),
    )
    case(
        "nack_image_invalid",
        MsgType.NACK,
        9,
        {"request_type": 0x12, "code": 13, "detail": (17 << 8) | 3},
        nack.pack(MsgType.CONFIG_COMMIT, 13, (17 << 8) | 3),
    )
    case(
        "nack_bad_version",
        MsgType.NACK,
        77,
        {"request_type": 0x01, "code": 3, "detail": 1},
        nack.pack(MsgType.PING, 3, 1),
    )
    case(
        "nack_unknown_type",
        MsgType.NACK,
        78,
        {"request_type": 0x7E, "code": 1, "detail": 0},
        nack.pack(0x7E, 1, 0),
    )

    six = [23_456, -1_250, 0, 1_000_000, 7, -40_000]
    case(
        "telemetry_6_channels",
        MsgType.TELEMETRY,
        7,
        {"time_ms": 123_456, "first_channel": 0, "flags": 0, "values": six},
        struct.pack("<IBB6i", 123_456, 0, 0, *six),
    )
    fourteen = [
        None,  # no valid reading: NO_READING (INT32_MIN) on the wire
        2**31 - 1,
        -1,
        0,
        1,
        -1_000_000_000,
        1_000_000_000,
        255,
        256,
        -256,
        65_535,
        65_536,
        -7,
        42,
    ]
    case(
        "telemetry_14_channels_extremes",
        MsgType.TELEMETRY,
        0xFFFF,
        {"time_ms": 0xFFFFFFFF, "first_channel": 14, "flags": 0, "values": fourteen},
        struct.pack("<IBB14i", 0xFFFFFFFF, 14, 0, *(NO_READING if v is None else v for v in fourteen)),
    )
    case(
        "telemetry_raw_readings",
        MsgType.TELEMETRY,
        8,
        {"time_ms": 1000, "first_channel": 0, "flags": 1, "values": [512, 1023, 0]},
        struct.pack("<IBB3i", 1000, 0, 1, 512, 1023, 0),
    )
    case(
        "telemetry_no_reading_raw",
        MsgType.TELEMETRY,
        10,
        {"time_ms": 2000, "first_channel": 1, "flags": 1, "values": [None, 17]},
        struct.pack("<IBB2i", 2000, 1, 1, NO_READING, 17),
    )
    case(
        "telemetry_no_values",
        MsgType.TELEMETRY,
        9,
        {"time_ms": 5, "first_channel": 0, "flags": 0, "values": []},
        struct.pack("<IBB", 5, 0, 0),
    )

    events = [
        ("event_act_on_lease", EventKind.ACT_ON, 0, 2, 0xFF, 255),
        ("event_act_off_rule_done", EventKind.ACT_OFF, 1, 1, 4, 12_000),
        ("event_rule_skip_interlock", EventKind.RULE_SKIP, 2, 1, 0, 0),
        ("event_mode_safe_mode_entered", EventKind.MODE, 0xFF, 3, 0xFF, 0),
        ("event_param_negative", EventKind.PARAM, 3, 0, 0xFF, -25_000),
        ("event_config_rejected", EventKind.CONFIG, 0xFF, 2, 0xFF, (17 << 8) | 3),
        ("event_error_rx_overflow", EventKind.ERROR, 0xFF, 3, 0xFF, 2),
        ("event_sensor_no_answer", EventKind.SENSOR, 2, SensorFault.NO_ANSWER, 0, 0),
        ("event_sensor_recovered", EventKind.SENSOR, 2, SensorFault.RECOVERED, 0, 23_500),
    ]
    for i, (name, kind, a, b, c, value) in enumerate(events):
        time_ms = 60_000 * (i + 1)
        case(
            name,
            MsgType.EVENT,
            100 + i,
            {"time_ms": time_ms, "kind": int(kind), "a": a, "b": b, "c": c, "value": value},
            struct.pack("<IBBBBi", time_ms, kind, a, b, c, value),
        )

    case(
        "log_info",
        MsgType.LOG,
        3,
        {"level": 1, "text": "pump 0 on for 3000 ms"},
        b"\x01pump 0 on for 3000 ms",
    )
    long_text = "EEPROM write verify failed at 0x01F4; keeping config generation"
    assert len(long_text) == 63
    case(
        "log_error_longest",
        MsgType.LOG,
        4,
        {"level": 3, "text": long_text},
        b"\x03" + long_text.encode(),
    )
    case("log_debug_empty", MsgType.LOG, 5, {"level": 0, "text": ""}, b"\x00")

    case(
        "config_data_full",
        MsgType.CONFIG_DATA,
        11,
        {"offset": 56, "total_length": 317, "data": IMAGE[56:112].hex()},
        struct.pack("<HH", 56, 317) + IMAGE[56:112],
    )
    case(
        "config_data_past_end",
        MsgType.CONFIG_DATA,
        12,
        {"offset": 400, "total_length": 317, "data": ""},
        struct.pack("<HH", 400, 317),
    )
    case(
        "params_three",
        MsgType.PARAMS,
        18,
        {"first": 0, "total": 3, "values": [30_000, -5, 1_000_000_000]},
        struct.pack("<BB3i", 0, 3, 30_000, -5, 1_000_000_000),
    )
    fifteen = [(-1) ** i * i * 1000 for i in range(15)]
    case(
        "params_fifteen",
        MsgType.PARAMS,
        19,
        {"first": 15, "total": 32, "values": fifteen},
        struct.pack("<BB15i", 15, 32, *fifteen),
    )

    actuators = [
        {
            "state": 0x01 | 0x02,
            "level": 255,
            "owner": 0xFE,
            "ms_left": 2_500,
            "today_on_ms": 40_000,
        },
        {"state": 0x01, "level": 128, "owner": 3, "ms_left": 10_000, "today_on_ms": 0},
        {"state": 0x08, "level": 0, "owner": 0xFF, "ms_left": 0, "today_on_ms": 86_400_000},
        {"state": 0x04 | 0x08, "level": 0, "owner": 0xFF, "ms_left": 0, "today_on_ms": 3_600_000},
        {"state": 0, "level": 0, "owner": 0xFF, "ms_left": 0, "today_on_ms": 0},
    ]
    case(
        "status_actuators",
        MsgType.STATUS,
        20,
        {
            "time_ms": 99_000,
            "flags": 0x04,
            "section": 0,
            "first": 0,
            "total": 6,
            "entries": actuators,
        },
        struct.pack("<IBBBB", 99_000, 0x04, 0, 0, 6)
        + b"".join(struct.pack("<BBBII", *e.values()) for e in actuators),
    )
    rules = [
        {"state": s, "last_skip": k, "since_fired_ms": t}
        for s, k, t in [
            (0, 0, 0xFFFFFFFF),
            (1, 0, 0xFFFFFFFF),
            (2, 1, 61_000),
            (3, 0, 1_000),
            (4, 2, 5_000),
            (5, 0, 0),
            (0, 3, 86_400_000),
            (2, 4, 120_000),
            (4, 0, 30),
        ]
    ]
    case(
        "status_rules",
        MsgType.STATUS,
        21,
        {
            "time_ms": 0xFFFFFF00,
            "flags": 0x02 | 0x04,
            "section": 1,
            "first": 9,
            "total": 18,
            "entries": rules,
        },
        struct.pack("<IBBBB", 0xFFFFFF00, 0x06, 1, 9, 18)
        + b"".join(struct.pack("<BBI", *r.values()) for r in rules),
    )
    case(
        "status_empty_page",
        MsgType.STATUS,
        22,
        {"time_ms": 1, "flags": 0, "section": 0, "first": 4, "total": 4, "entries": []},
        struct.pack("<IBBBB", 1, 0, 0, 4, 4),
    )
    # ROM codes with a valid CRC-8 (last byte), as a DS18S20, DS18B20 and DS1822 give them
    codes = ["1014c60b00000056", "28a20100000000e1", "28ab89674523015a", "2201ff000000006b"]
    case(
        "rom_codes_three",
        MsgType.ROM_CODES,
        41,
        {"pin": 3, "result": 0, "first": 0, "total": 3, "codes": codes[:3]},
        bytes([3, 0, 0, 3]) + b"".join(bytes.fromhex(c) for c in codes[:3]),
    )
    seven = [codes[k % 4] for k in range(7)]
    case(
        "rom_codes_full_page",
        MsgType.ROM_CODES,
        42,
        {"pin": 8, "result": 4, "first": 7, "total": 16, "codes": seven},
        bytes([8, 4, 7, 16]) + b"".join(bytes.fromhex(c) for c in seven),
    )
    case(
        "rom_codes_held_low",
        MsgType.ROM_CODES,
        43,
        {"pin": 3, "result": 2, "first": 0, "total": 0, "codes": []},
        bytes([3, 2, 0, 0]),
    )
    case("i2c_scan_four", MsgType.I2C_SCAN, 44, {"status": 0, "addresses": [0x23, 0x38, 0x44, 0x76]},
         bytes([0, 4, 0x23, 0x38, 0x44, 0x76]))
    case("i2c_scan_full_page", MsgType.I2C_SCAN, 45, {"status": 0, "addresses": list(range(0x08, 0x18))},
         bytes([0, 16, *range(0x08, 0x18)]))
    case("i2c_scan_sda_held_low", MsgType.I2C_SCAN, 44, {"status": 4, "addresses": []}, bytes([4, 0]))
    case("i2c_data_bme280_id", MsgType.I2C_DATA, 46, {"status": 0, "address": 0x76, "data": "60"},
         bytes([0, 0x76, 0x60]))
    case("i2c_data_nack", MsgType.I2C_DATA, 47, {"status": 1, "address": 0x45, "data": ""}, bytes([1, 0x45]))
    return cases


def build() -> dict[str, object]:
    streams = stream_cases()
    for c in streams:
        reference = reference_outcomes(bytes.fromhex(c["wire"]))
        assert reference == c["outcomes"], (
            f"stream case {c['name']}: hand outcomes disagree with {reference}"
        )
    messages = message_cases()
    covered = {c["type"] for c in messages}
    ops = {c["message"]["op"] for c in messages if c["type"] == MsgType.COMMAND}
    assert covered == set(MsgType) and ops == set(CommandOp), (
        "every type and op needs a message case"
    )
    names = [c["name"] for c in streams + messages]
    assert len(names) == len(set(names)), "case names must be unique"
    return {"frames/stream.json": {"cases": streams}, "frames/messages.json": {"cases": messages}}
