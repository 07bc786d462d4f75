"""What the protocol layer promises, one behaviour a test (docs/protocol.md)."""

from __future__ import annotations

import struct

import pytest

from tendril.contract import (
    MAX_ENCODED,
    MAX_PAYLOAD,
    BoardClass,
    CommandOp,
    EventKind,
    HelloFlag,
    MsgType,
    Nack,
    OffReason,
    StatusSection,
)
from tendril.errors import ProtocolError
from tendril.protocol import (
    Ack,
    ActuatorEntry,
    BadPayload,
    ConfigChunk,
    EncodeError,
    Event,
    Frame,
    FrameDecoder,
    Hello,
    Lease,
    Log,
    NackMsg,
    Ping,
    RuleEntry,
    Status,
    Telemetry,
    Unknown,
    UnknownCommand,
    decode_message,
    encode,
    encode_frame,
    encode_message,
)

from ..support.imports import loaded_by

TELEMETRY = Telemetry(1000, 0, 0, (1, 2, 3, 4, 5, 6))


def hello(**changes) -> Hello:
    fields = {
        "protocol_version": 1,
        "board_class": BoardClass.AVR328,
        "fw_major": 0,
        "fw_minor": 1,
        "fw_patch": 0,
        "reset_cause": 1,
        "flags": 0,
        "device_id": 0x12345678,
        "boot_count": 9,
        "capabilities": 0x1F,
        "config_generation": 3,
        "recipe_hash": bytes(range(8)),
        "max_payload": 64,
        "max_image": 512,
        "text": "tendril-avr",
    }
    return Hello(**(fields | changes))


def test_decoder_resyncs_after_garbage_without_losing_next_frame():
    decoder = FrameDecoder()
    garbage = b"\xf8\x12 boot loader noise \x00\x00 and text\r\n\x00"
    frames = decoder.feed(garbage + encode(TELEMETRY, 5))
    assert [decode_message(f) for f in frames] == [TELEMETRY]
    assert decoder.stats.frames == 1 and decoder.stats.errors == 2 and decoder.stats.empty == 1


def test_garbage_glued_to_a_frame_costs_that_frame_only():
    decoder = FrameDecoder()
    frames = decoder.feed(b"hello\r\n" + encode(TELEMETRY, 5) + encode(TELEMETRY, 6))
    assert [f.seq for f in frames] == [6]
    assert decoder.stats.errors == 1


def test_oversize_input_is_one_error_and_the_decoder_never_buffers_more_than_max_encoded():
    decoder = FrameDecoder()
    outcomes: list[str] = []
    for _ in range(1000):
        decoder.feed(b"\x55" * 37, outcomes)
        assert decoder.buffered <= MAX_ENCODED
    frames = decoder.feed(b"\x00" + encode(TELEMETRY, 1), outcomes)
    assert outcomes == ["oversize", "frame"] and len(frames) == 1
    assert decoder.stats.oversize == 1


def test_a_chunk_of_exactly_max_encoded_bytes_is_decoded_not_oversize():
    wire = encode_frame(MsgType.PONG, 1, bytes(range(1, MAX_PAYLOAD + 1)))
    assert len(wire) == MAX_ENCODED + 1
    assert len(FrameDecoder().feed(wire)) == 1


def test_crc_is_checked_before_version():
    good_v2 = bytearray(encode_frame(MsgType.TELEMETRY, 1, b"\x01" * 10, version=2))
    outcomes: list[str] = []
    FrameDecoder().feed(bytes(good_v2), outcomes)
    good_v2[6] ^= 0x02  # a payload byte (0x01 -> 0x03): CRC now wrong, version still 2
    FrameDecoder().feed(bytes(good_v2), outcomes)
    assert outcomes == ["version", "crc"]


def test_hello_from_newer_protocol_version_still_reads_frozen_prefix():
    future = hello(protocol_version=2, board_class=7, flags=0x81, text="tendril-next")
    # A v2 HELLO in v2 framing, with bytes a v2 layout might add after the name.
    payload = future.pack() + b"\x00\x00\x99\x98"
    decoder = FrameDecoder()
    outcomes: list[str] = []
    assert decoder.feed(encode_frame(MsgType.HELLO, 0, payload, version=2), outcomes) == []
    assert outcomes == ["version"]
    assert decoder.foreign_hello == Frame(2, MsgType.HELLO, 0, payload)
    seen = decode_message(decoder.foreign_hello)
    assert seen == future
    assert (
        seen.protocol_version == 2 and seen.device_id == 0x12345678 and seen.text == "tendril-next"
    )
    assert seen.board_class == 7 and seen.flags & HelloFlag.SAFE_MODE


def test_other_foreign_frames_do_not_replace_the_foreign_hello():
    decoder = FrameDecoder()
    decoder.feed(encode_frame(MsgType.HELLO, 0, hello(protocol_version=2).pack(), version=2))
    decoder.feed(encode_frame(MsgType.TELEMETRY, 1, TELEMETRY.pack(), version=2))
    assert decoder.foreign_hello.type == MsgType.HELLO and decoder.stats.version == 2


def test_hello_name_is_nul_padded_to_16_bytes_and_read_back_without_padding():
    payload = hello(text="tendril-avr").pack()
    assert len(payload) == 56 and payload[36:52] == b"tendril-avr".ljust(16, b"\0")
    assert decode_message(MsgType.HELLO, payload).text == "tendril-avr"


def test_hello_sensor_kinds_follow_the_name_and_a_hello_without_them_has_none():
    payload = hello(sensor_kinds=0x0000_0105).pack()
    assert payload[52:56] == bytes.fromhex("05010000")
    assert decode_message(MsgType.HELLO, payload).sensor_kinds == 0x105
    older = decode_message(MsgType.HELLO, payload[:52])  # a firmware from before sensor_kinds
    assert older.sensor_kinds == 0 and older.text == "tendril-avr"


def test_hello_with_a_short_unpadded_name_still_reads():
    payload = hello(text="").pack()[:36] + b"old-fw"
    assert decode_message(MsgType.HELLO, payload).text == "old-fw"


def test_hello_shorter_than_its_frozen_prefix_is_bad_payload():
    with pytest.raises(BadPayload, match="HELLO"):
        decode_message(MsgType.HELLO, hello().pack()[:35])


def test_unknown_message_type_is_reported_not_raised():
    frames = FrameDecoder().feed(encode_frame(0xC7, 4, b"future"))
    assert frames == [Frame(1, 0xC7, 4, b"future")]
    msg = decode_message(frames[0])
    assert msg == Unknown(0xC7, b"future")
    assert encode_message(msg) == (0xC7, b"future")


def test_unknown_command_op_is_returned_so_a_device_can_nack_unknown_op():
    msg = decode_message(MsgType.COMMAND, b"\x42\x01\x02")
    assert msg == UnknownCommand(0x42, b"\x01\x02")
    assert msg.op not in set(CommandOp)


def test_trailing_bytes_from_a_newer_minor_revision_are_ignored():
    for msg in (
        Ack(MsgType.COMMAND, 0, 3000),
        NackMsg(MsgType.PING, Nack.BAD_VERSION, 1),
        Lease(0, 3000, 255),
    ):
        msg_type, payload = encode_message(msg)
        assert decode_message(msg_type, payload + b"\xaa\xbb\xcc") == msg
    # A TELEMETRY frame's values run to its end: a partial value at the end is not a value.
    assert decode_message(MsgType.TELEMETRY, TELEMETRY.pack() + b"\x01\x02\x03") == TELEMETRY


def test_unknown_enum_values_stay_plain_ints():
    nack = decode_message(MsgType.NACK, struct.pack("<BBH", 0x7E, 99, 5))
    assert nack.code == 99 and not isinstance(nack.code, Nack)
    event = decode_message(MsgType.EVENT, struct.pack("<IBBBBi", 1, 42, 0, 9, 0, 0))
    assert event.kind == 42 and event.reason == 9
    status = decode_message(MsgType.STATUS, struct.pack("<IBBBB", 1, 0, 7, 0, 3) + b"\x01" * 11)
    assert status.section == 7 and status.entries == ()


def test_known_enum_values_decode_to_contract_members():
    ack = decode_message(MsgType.ACK, Ack(MsgType.CONFIG_BEGIN, 1, 0).pack())
    assert ack.request_type is MsgType.CONFIG_BEGIN and ack.detail.name == "ALREADY_ACTIVE"
    event = decode_message(MsgType.EVENT, Event(5, EventKind.ACT_OFF, 0, 5, 0xFF, 1200).pack())
    assert event.kind is EventKind.ACT_OFF and event.reason is OffReason.MAX_ON


@pytest.mark.parametrize(
    ("msg_type", "payload"),
    [
        (MsgType.CONFIG_BEGIN, bytes(17)),
        (MsgType.CONFIG_CHUNK, b"\x00\x00"),  # an offset but no data
        (MsgType.CONFIG_READ, b"\x00\x00"),
        (MsgType.COMMAND, b""),
        (MsgType.COMMAND, bytes([CommandOp.LEASE]) + bytes(5)),
        (MsgType.COMMAND, bytes([CommandOp.SET_PARAM, 1, 0, 0])),
        (MsgType.ACK, bytes(5)),
        (MsgType.NACK, bytes(3)),
        (MsgType.TELEMETRY, bytes(5)),
        (MsgType.EVENT, bytes(11)),
        (MsgType.LOG, b""),
        (MsgType.CONFIG_DATA, bytes(3)),
        (MsgType.PARAMS, bytes(1)),
        (MsgType.STATUS, bytes(7)),
    ],
)
def test_payload_too_short_for_its_type_is_bad_payload_naming_the_type(msg_type, payload):
    with pytest.raises(BadPayload, match=MsgType(msg_type).name) as caught:
        decode_message(msg_type, payload)
    assert isinstance(caught.value, ProtocolError) and caught.value.msg_type == msg_type


def test_requests_longer_than_their_range_are_bad_payload():
    with pytest.raises(BadPayload):
        decode_message(MsgType.PING, bytes(33))
    with pytest.raises(BadPayload):
        decode_message(MsgType.CONFIG_CHUNK, bytes(2 + 57))


@pytest.mark.parametrize(
    "msg",
    [
        Ping(bytes(33)),
        ConfigChunk(0, b""),
        ConfigChunk(0, bytes(57)),
        Lease(0, 3000, 256),
        Lease(0, -1, 255),
        Telemetry(0, 0, 0, tuple(range(15))),
        Telemetry(0, 0, 0, (2**31,)),
        Log(1, "caf\u00e9"),
        Log(1, "x" * 64),
        hello(text="x" * 17),
        hello(recipe_hash=b"short"),
        Status(0, 0, StatusSection.ACTUATORS, 0, 6, (ActuatorEntry(0, 0, 0, 0, 0),) * 6),
        Status(0, 0, StatusSection.ACTUATORS, 0, 1, (RuleEntry(0, 0, 0),)),
        Unknown(0x100, b""),
    ],
)
def test_encoding_a_message_that_does_not_fit_its_layout_is_an_encode_error(msg):
    with pytest.raises(EncodeError):
        encode_message(msg)


def test_encode_frame_refuses_a_payload_over_max_payload():
    with pytest.raises(ProtocolError, match="at most 64"):
        encode_frame(MsgType.PONG, 0, bytes(MAX_PAYLOAD + 1))


def test_stats_errors_count_dropped_chunks_but_not_flushes():
    decoder = FrameDecoder()
    decoder.feed(b"\x00\x00\x05\x01\x00\x01\x00" + b"A" * 80 + b"\x00")
    stats = decoder.stats
    assert (stats.empty, stats.cobs, stats.short, stats.oversize, stats.errors) == (2, 1, 1, 1, 3)


def test_reset_forgets_a_partial_frame():
    wire = encode(TELEMETRY, 1)
    decoder = FrameDecoder()
    decoder.feed(wire[:10])
    decoder.reset()
    outcomes: list[str] = []
    assert decoder.feed(wire[10:] + wire, outcomes) != [] and outcomes[0] != "frame"


def test_decoder_accepts_bytearray_and_memoryview():
    wire = encode(TELEMETRY, 1)
    decoder = FrameDecoder()
    frames = decoder.feed(bytearray(wire[:9])) + decoder.feed(memoryview(wire)[9:])
    assert [decode_message(f) for f in frames] == [TELEMETRY]
    assert type(frames[0].payload) is bytes


def test_protocol_package_imports_no_transport_or_ui():
    assert loaded_by(["tendril.protocol"], ["serial", "textual", "asyncio"]) == []
