"""The C core (firmware/core) through ctypes: the shared vectors, then its own edge cases.

The vectors are the judge: the C decoder, message codec and image validator must give exactly what
tests/vectors/ says. The unit tests after them pin the pieces the vectors cannot reach (buffer
limits, COBS corner cases, calibration arithmetic) and cross-check the C validator against the
Python one on mutated images.
"""

from __future__ import annotations

import binascii
import random
import struct
import zlib

import pytest
from cobs import cobs
from tendril.boards import board_names, load_board
from tendril.contract import (
    DUR_MAX_MS,
    MAX_ENCODED,
    MAX_PAYLOAD,
    PING_MAX,
    CommandOp,
    ImageError,
    MsgType,
)
from tendril.errors import ImageRefused
from tendril.image import dur16_to_ms, validate
from tendril.image.codec import crc32 as image_crc32

from ..conftest import load_vectors
from .ccore import Channel, Param

STREAM = load_vectors("frames/stream.json")
MESSAGES = load_vectors("frames/messages.json")
IMAGES = load_vectors("images/images.json")
REQUESTS = [c for c in MESSAGES if c["type"] < 0x80]
DEVICE_MESSAGES = [c for c in MESSAGES if c["type"] >= 0x80]


def _ids(cases):
    return [c["name"] for c in cases]


# --- shared vectors --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", STREAM, ids=_ids(STREAM))
def test_decoder_reports_the_vector_outcomes_byte_by_byte(core, case):
    dec = core.new_decoder()
    assert core.feed(dec, bytes.fromhex(case["wire"])) == case["outcomes"]


def test_decoder_recovers_after_every_stream_when_a_delimiter_follows(core):
    dec = core.new_decoder()
    for case in STREAM:
        core.feed(dec, b"\x00")  # ends whatever the previous case left unterminated
        assert core.feed(dec, bytes.fromhex(case["wire"])) == case["outcomes"], case["name"]


@pytest.mark.parametrize("case", REQUESTS, ids=_ids(REQUESTS))
def test_request_payload_decodes_to_the_vector_fields(core, case):
    payload = bytes.fromhex(case["payload"])
    assert core.decode_request(case["type"], payload) == ("ok", case["message"])
    assert core.frame_encode(1, case["type"], case["seq"], payload).hex() == case["wire"]


@pytest.mark.parametrize("case", DEVICE_MESSAGES, ids=_ids(DEVICE_MESSAGES))
def test_device_message_encodes_to_the_vector_payload_and_wire(core, case):
    status, payload = core.encode_message(case["type"], case["message"])
    assert (status, payload.hex()) == ("ok", case["payload"])
    assert core.frame_encode(1, case["type"], case["seq"], payload).hex() == case["wire"]
    dec = core.new_decoder()
    [frame] = core.feed(dec, bytes.fromhex(case["wire"]))
    assert frame == {
        "outcome": "frame",
        "version": 1,
        "type": case["type"],
        "seq": case["seq"],
        "payload": case["payload"],
    }


VALUE_MESSAGES = [c for c in DEVICE_MESSAGES if c["type"] in (MsgType.TELEMETRY, MsgType.PARAMS)]


@pytest.mark.parametrize("case", VALUE_MESSAGES, ids=_ids(VALUE_MESSAGES))
def test_values_appended_one_by_one_give_the_vector_payload(core, case):
    """The firmware writes TELEMETRY and PARAMS as a head and then one msg_append_i32 a value."""
    expected = ("ok", bytes.fromhex(case["payload"]))
    assert core.encode_values_appended(case["type"], case["message"]) == expected


def test_an_append_that_does_not_fit_leaves_the_payload_as_it_was(core):
    m = {"time_ms": 7, "first_channel": 0, "flags": 0, "values": [1, -2, 3]}
    two = core.encode_message(MsgType.TELEMETRY, dict(m, values=[1, -2]))[1]
    assert core.encode_values_appended(MsgType.TELEMETRY, m, cap=6 + 4 * 2) == ("no_room", two)


def _expect(code: int, index: int) -> dict:
    if code == 0:
        return {"ok": True}
    return {"ok": False, "error": ImageError(code).name, "code": code, "index": index}


@pytest.mark.parametrize("case", IMAGES, ids=_ids(IMAGES))
def test_image_validation_gives_the_vector_result(core, case):
    image = bytes.fromhex(case["image"])
    assert _expect(*core.validate(image, case["board"])) == case["expect"]
    if case["expect"]["ok"]:
        assert core.decoded(image) == case["decoded"]


# --- CRCs, COBS ----------------------------------------------------------------------------------


def test_crc_check_values(core):
    assert core.lib.crc16(b"123456789", 9) == 0x31C3
    assert core.lib.crc32(b"123456789", 9) == 0xCBF43926
    assert core.lib.crc16(b"", 0) == 0 and core.lib.crc32(b"", 0) == 0


def test_crcs_match_python_incrementally_on_random_data(core):
    rng = random.Random(1)
    for n in (1, 2, 63, 64, 255, 1000):
        data = rng.randbytes(n)
        crc = 0
        for byte in data:
            crc = core.lib.crc16_update(crc, byte)
        assert crc == core.lib.crc16(data, n) == binascii.crc_hqx(data, 0)
        state, cut = core.lib.crc32_begin(), rng.randrange(n + 1)
        state = core.lib.crc32_update_buf(state, data[:cut], cut)
        for byte in data[cut:]:
            state = core.lib.crc32_update(state, byte)
        assert core.lib.crc32_end(state) == core.lib.crc32(data, n) == zlib.crc32(data)


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00", b"\x00" * 300, b"\x11" * 253, b"\x11" * 254, b"\x11" * 255, b"\x11" * 254 + b"\x00",
     b"\x00" + b"\x22" * 508, bytes(range(256)) * 2],
    ids=["empty", "zero", "zeros300", "nz253", "nz254", "nz255", "nz254_zero", "zero_nz508", "ramp512"],
)  # fmt: skip
def test_cobs_matches_the_reference_and_round_trips(core, data):
    status, encoded = core.cobs_encode(data)
    assert (status, encoded) == ("ok", cobs.encode(data))
    assert core.cobs_decode(encoded) == ("ok", data)
    assert core.cobs_encode(data, cap=len(encoded) - 1)[0] == "no_room"
    if data:
        assert core.cobs_decode(encoded, cap=len(data) - 1)[0] == "no_room"


@pytest.mark.parametrize("bad", ["03aa", "02aa00", "05010203", "ff" + "11" * 200, "0100"])
def test_cobs_decode_refuses_codes_past_the_end_and_zeros_inside(core, bad):
    assert core.cobs_decode(bytes.fromhex(bad))[0] == "bad"


# --- frames --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fill", [0x00, 0x01, 0xFF])
def test_max_payload_frame_fits_max_encoded_plus_delimiter(core, fill):
    wire = core.frame_encode(1, 0x84, 0xFFFF, bytes([fill]) * MAX_PAYLOAD)
    assert (
        wire is not None and len(wire) <= MAX_ENCODED + 1 and wire[-1] == 0 and 0 not in wire[:-1]
    )
    assert core.frame_encode(1, 0x84, 0, bytes([fill]) * (MAX_PAYLOAD + 1), cap=200) is None
    assert (
        core.frame_encode(1, 0x84, 0xFFFF, bytes([fill]) * MAX_PAYLOAD, cap=len(wire) - 1) is None
    )


def test_random_frames_round_trip_through_the_decoder(core):
    rng = random.Random(7)
    dec = core.new_decoder()
    stream, expected = b"", []
    for _ in range(400):
        msg_type, seq = rng.randrange(256), rng.randrange(65536)
        payload = bytes(
            rng.choice((0, 0xFF, rng.randrange(256))) for _ in range(rng.randrange(MAX_PAYLOAD + 1))
        )
        wire = core.frame_encode(1, msg_type, seq, payload)
        assert wire == cobs.encode(_raw(1, msg_type, seq, payload)) + b"\x00"
        stream += wire
        expected.append(
            {
                "outcome": "frame",
                "version": 1,
                "type": msg_type,
                "seq": seq,
                "payload": payload.hex(),
            }
        )
    assert core.feed(dec, stream) == expected


def _raw(version: int, msg_type: int, seq: int, payload: bytes) -> bytes:
    body = struct.pack("<BBH", version, msg_type, seq) + payload
    return body + struct.pack("<H", binascii.crc_hqx(body, 0))


def test_oversize_is_reported_once_at_the_delimiter_and_then_resyncs(core):
    dec = core.new_decoder()
    good = core.frame_encode(1, 0x81, 5, b"ok")
    assert core.feed(dec, b"\x01" * MAX_ENCODED) == []
    assert core.feed(dec, b"\x01" * 500) == []  # still discarding, nothing more reported
    assert core.feed(dec, b"\x00" + good) == [
        {"outcome": "oversize"},
        {"outcome": "frame", "version": 1, "type": 0x81, "seq": 5, "payload": "6f6b"},
    ]


def test_frame_of_exactly_max_encoded_bytes_is_not_oversize(core):
    wire = core.frame_encode(1, 0x84, 1, b"\x11" * MAX_PAYLOAD)
    assert len(wire) == MAX_ENCODED + 1
    assert [r["outcome"] for r in core.feed(core.new_decoder(), wire)] == ["frame"]


# --- messages ------------------------------------------------------------------------------------

COMMAND_SIZES = {CommandOp.LEASE: 7, CommandOp.OFF: 2, CommandOp.SET_PARAM: 6, CommandOp.GET_PARAMS: 2,
                 CommandOp.STATUS: 3, CommandOp.TELEMETRY_MODE: 2, CommandOp.PAUSE: 1, CommandOp.RESUME: 1,
                 CommandOp.HELLO: 1, CommandOp.CLEAR_SAFE_MODE: 1, CommandOp.SCAN_ONEWIRE: 3,
                 CommandOp.SCAN_I2C: 2, CommandOp.I2C_READ: 6}  # fmt: skip


@pytest.mark.parametrize("op", list(CommandOp), ids=[op.name for op in CommandOp])
def test_command_one_byte_short_is_bad_length_and_trailing_bytes_are_ignored(core, op):
    need = COMMAND_SIZES[op]
    full = bytes([op]) + bytes(range(1, need))
    status, fields = core.decode_request(MsgType.COMMAND, full + b"\xee\xee")
    assert (
        status == "ok"
        and fields == core.decode_request(MsgType.COMMAND, full)[1]
        and fields["op"] == op
    )
    if need > 1:
        assert core.decode_request(MsgType.COMMAND, full[:-1]) == ("bad_length", {"op": op})


@pytest.mark.parametrize(
    "msg_type, payload, status",
    [
        (MsgType.COMMAND, b"", "bad_length"),
        (MsgType.COMMAND, b"\x0e", "unknown_op"),
        (MsgType.COMMAND, b"\x00\x01\x02", "unknown_op"),
        (MsgType.PING, bytes(PING_MAX + 1), "bad_length"),
        (MsgType.CONFIG_BEGIN, bytes(17), "bad_length"),
        (MsgType.CONFIG_CHUNK, b"\x00\x00", "bad_length"),
        (MsgType.CONFIG_CHUNK, bytes(2 + 57), "bad_length"),
        (MsgType.CONFIG_READ, b"\x00\x00", "bad_length"),
        (0x02, b"", "unknown_type"),
        (MsgType.HELLO, bytes(52), "unknown_type"),  # a device message is not a request
    ],
)
def test_request_structure_errors(core, msg_type, payload, status):
    assert core.decode_request(msg_type, payload)[0] == status


def test_unknown_op_reports_the_op(core):
    assert core.decode_request(MsgType.COMMAND, b"\x42") == ("unknown_op", {"op": 0x42})


def test_encoders_refuse_what_does_not_fit(core):
    assert (
        core.encode_message(
            MsgType.TELEMETRY, {"time_ms": 0, "first_channel": 0, "flags": 0, "values": [1] * 15}
        )[0]
        == "no_room"
    )
    assert (
        core.encode_message(MsgType.PARAMS, {"first": 0, "total": 16, "values": [1] * 16})[0]
        == "no_room"
    )
    assert core.encode_message(MsgType.LOG, {"level": 1, "text": "x" * 64})[0] == "bad_value"
    assert core.encode_message(MsgType.PONG, {"data": "00" * (PING_MAX + 1)})[0] == "bad_value"
    assert (
        core.encode_message(
            MsgType.CONFIG_DATA, {"offset": 0, "total_length": 0, "data": "11" * 57}
        )[0]
        == "bad_value"
    )
    assert core.encode_message(
        MsgType.ACK, {"request_type": 1, "detail": 0, "value": 0}, cap=5
    ) == ("no_room", b"")
    hello = next(c for c in MESSAGES if c["type"] == MsgType.HELLO)["message"]
    assert core.encode_message(MsgType.HELLO, dict(hello, text="x" * 17))[0] == "bad_value"


@pytest.mark.parametrize("section, size, fits", [(0, 11, 5), (1, 6, 9)])
def test_status_takes_as_many_entries_as_fit(core, section, size, fits):
    entry = (
        {"state": 1, "level": 2, "owner": 3, "ms_left": 4, "today_on_ms": 5}
        if section == 0
        else {"state": 1, "last_skip": 2, "since_fired_ms": 3}
    )
    msg = {"time_ms": 9, "flags": 0, "section": section, "first": 0, "total": 20}
    status, payload = core.encode_message(MsgType.STATUS, dict(msg, entries=[entry] * fits))
    assert status == "ok" and len(payload) == 8 + size * fits <= MAX_PAYLOAD
    status, partial = core.encode_message(MsgType.STATUS, dict(msg, entries=[entry] * (fits + 1)))
    assert status == "no_room" and partial == payload  # the entry that did not fit left no trace


# --- calibration, dur16 --------------------------------------------------------------------------


def _calib_ref(raw: int, gain: int, offset: int) -> int:
    return max(-1_000_000_000, min(1_000_000_000, offset + ((raw * gain) >> 16)))


@pytest.mark.parametrize(
    "raw, gain, offset, value",
    [
        (512, 1 << 16, 0, 512),
        (1, -1, 0, -1),  # floor, not truncation toward zero
        (3, -(1 << 15), 0, -2),  # -1.5 floors to -2
        (3, 1 << 15, 0, 1),
        (1023, -14563556, 177778, 177778 + ((1023 * -14563556) >> 16)),
        (0, 123, -1_000_000_001, -1_000_000_000),
        (65535, 0x7FFFFFFF, 0, 1_000_000_000),
        (-(2**31), -(2**31), 2**31 - 1, 1_000_000_000),
        (-(2**31), 2**31 - 1, -(2**31), -1_000_000_000),
    ],
)
def test_calibration_edge_cases(core, raw, gain, offset, value):
    assert core.lib.calib_apply(raw, gain, offset) == value == _calib_ref(raw, gain, offset)


def test_calibration_matches_python_on_random_inputs(core):
    rng = random.Random(3)
    for _ in range(5000):
        raw = rng.choice((rng.randrange(65536), rng.randrange(-(2**31), 2**31)))
        gain, offset = rng.randrange(-(2**31), 2**31), rng.randrange(-(2**31), 2**31)
        assert core.lib.calib_apply(raw, gain, offset) == _calib_ref(raw, gain, offset)


@pytest.mark.parametrize(
    "code", [0, 1, 0x3FFF, 0x4000, 0x4001, 0x7FFF, 0x8000, 0x8001, 0xBFFF, 0xC000, 0xFFFF]
)
def test_dur16_matches_python(core, code):
    valid = (code >> 14) != 3
    assert core.lib.dur16_valid(code) == valid
    assert core.lib.dur16_ms(code) == (dur16_to_ms(code) if valid else 0)
    assert core.lib.dur16_ms(0xBFFF) == DUR_MAX_MS


# --- boards and images beyond the vectors -------------------------------------------------------


@pytest.mark.parametrize("name", board_names())
def test_generated_board_tables_match_the_board_files(core, name):
    board, c = load_board(name), core.board(name).contents
    caps = board.pin_caps
    assert c.n_pins == len(caps)
    assert [core.lib.board_pin_caps(core.board(name), pin) for pin in range(256)] == list(caps) + [
        0
    ] * (256 - len(caps))
    assert (c.board_class, c.adc_bits, c.max_image) == (
        board.board_class,
        board.adc_bits,
        board.max_image,
    )
    assert (c.max_channels, c.max_actuators, c.max_rules, c.max_params) == (
        board.max_channels, board.max_actuators, board.max_rules, board.max_params)  # fmt: skip
    assert (c.min_sample_ms, c.min_telemetry_ms) == (board.min_sample_ms, board.min_telemetry_ms)
    assert (c.ceiling_max_on_ms, c.ceiling_daily_cap_ms) == (
        board.ceiling_max_on_ms,
        board.ceiling_daily_cap_ms,
    )


def _python_result(image: bytes, board: str) -> tuple[int, int]:
    try:
        validate(image, load_board(board))
    except ImageRefused as exc:
        return int(exc.code), exc.index
    return 0, 0


def _reseal(image: bytearray) -> bytes:
    if len(image) >= 40:
        struct.pack_into("<H", image, 6, len(image) & 0xFFFF)
        struct.pack_into("<I", image, 2, image_crc32(bytes(image)))
    return bytes(image)


def test_c_and_python_validators_agree_on_mutated_images(core):
    """Differential check past the CRC: random byte edits of every valid vector image, resealed."""
    rng = random.Random(11)
    valid = [c for c in IMAGES if c["expect"]["ok"]]
    seen = set()
    for _ in range(3000):
        case = rng.choice(valid)
        image = bytearray.fromhex(case["image"])
        for _ in range(rng.randrange(1, 4)):
            pos = rng.randrange(len(image))
            image[pos] = rng.choice(
                (0, 1, 2, 0x3F, 0x40, 0x7F, 0x80, 0xC0, 0xFF, rng.randrange(256))
            )
        if rng.random() < 0.1:
            image = image[: rng.randrange(len(image) + 1)]
        data = _reseal(image) if rng.random() < 0.9 else bytes(image)
        for board in {case["board"], rng.choice(board_names())}:
            c_result = core.validate(data, board)
            assert c_result == _python_result(data, board), (case["name"], board, data.hex())
            seen.add(c_result[0])
    assert len(seen) >= 12, f"mutations reached too few checks: {sorted(seen)}"


def test_accessors_refuse_records_beyond_the_counts_and_the_source(core):
    case = next(c for c in IMAGES if c["name"] == "plant_waterer_uno")
    image = bytes.fromhex(case["image"])
    assert core.decoded(image)["channels"] == case["decoded"]["channels"]
    # The header counts 2 params and 2 channels, but the bytes end inside the first channel.
    src, _keep = core.src(image[:70])
    assert core.lib.image_param(src, 1, Param())
    assert not core.lib.image_param(src, 2, Param())
    assert not core.lib.image_channel(src, 0, Channel())
    assert core.validate(image[:39], "uno") == (ImageError.TRUNCATED, 0)
