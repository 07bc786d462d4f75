"""Properties of the framing and message layers, over generated input (Hypothesis)."""

from __future__ import annotations

import importlib.util

from hypothesis import given, settings
from hypothesis import strategies as st

from tendril.contract import MAX_ENCODED, MAX_PAYLOAD, PROTOCOL_VERSION, MsgType
from tendril.protocol import (
    OUTCOMES,
    BadPayload,
    Frame,
    FrameDecoder,
    Message,
    decode_message,
    encode,
    encode_frame,
    encode_message,
)

from ..conftest import VECTORS
from .strategies import messages

_spec = importlib.util.spec_from_file_location("cases_frames", VECTORS / "cases_frames.py")
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(
    reference
)  # the vectors' own slow COBS and classifier: an independent model

types = st.integers(0, 255)
seqs = st.integers(0, 0xFFFF)
payloads = st.binary(max_size=MAX_PAYLOAD)


@st.composite
def streams(draw) -> bytes:
    """Byte streams a serial line might carry: good frames, damaged frames, noise and delimiters."""
    parts = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["frame", "damaged", "noise", "zeros", "long"]))
        if kind in ("frame", "damaged"):
            wire = encode_frame(
                draw(types), draw(seqs), draw(payloads), version=draw(st.sampled_from([1, 1, 1, 2]))
            )
            if kind == "damaged":
                wire = bytearray(wire)
                wire[draw(st.integers(0, len(wire) - 1))] = draw(st.integers(0, 255))
                wire = bytes(wire)
            parts.append(wire)
        elif kind == "noise":
            parts.append(draw(st.binary(max_size=80)))
        elif kind == "zeros":
            parts.append(bytes(draw(st.integers(1, 3))))
        else:
            parts.append(draw(st.binary(min_size=60, max_size=200)))
    return b"".join(parts)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)])]


def feed_all(pieces: list[bytes]) -> tuple[list[str], list[Frame], FrameDecoder]:
    decoder = FrameDecoder()
    outcomes: list[str] = []
    frames: list[Frame] = []
    for piece in pieces:
        frames += decoder.feed(piece, outcomes)
        assert decoder.buffered <= MAX_ENCODED
    return outcomes, frames, decoder


@settings(max_examples=300)
@given(st.one_of(streams(), st.binary(max_size=400)), st.lists(st.integers(0, 10_000), max_size=12))
def test_any_bytes_in_any_split_give_the_same_frames_and_outcomes(data, cuts):
    whole_outcomes, whole_frames, whole = feed_all([data])
    split_outcomes, split_frames, parts = feed_all(split(data, cuts))
    assert (split_outcomes, split_frames) == (whole_outcomes, whole_frames)
    assert parts.stats == whole.stats
    assert set(whole_outcomes) <= set(OUTCOMES)
    assert len(whole_outcomes) == data.count(0), (
        "each delimiter ends exactly one chunk, one outcome"
    )
    assert whole.stats.bytes == len(data)
    assert whole.stats.frames == len(whole_frames) == whole_outcomes.count("frame")
    for frame in whole_frames:
        assert (
            type(frame) is Frame
            and frame.version == PROTOCOL_VERSION
            and len(frame.payload) <= MAX_PAYLOAD
        )


@settings(max_examples=300)
@given(st.one_of(streams(), st.binary(max_size=400)))
def test_decoder_agrees_with_the_vectors_reference_classifier(data):
    outcomes, frames, _ = feed_all([data])
    expected = reference.reference_outcomes(data)
    assert outcomes == [e["outcome"] for e in expected]
    assert [(f.version, f.type, f.seq, f.payload.hex()) for f in frames] == [
        (e["version"], e["type"], e["seq"], e["payload"])
        for e in expected
        if e["outcome"] == "frame"
    ]


@given(types, seqs, payloads)
def test_encode_frame_round_trips_through_the_decoder(msg_type, seq, payload):
    wire = encode_frame(msg_type, seq, payload)
    assert wire == reference.frame_wire(msg_type, seq, payload), (
        "matches the vectors' slow reference coder"
    )
    assert len(wire) <= MAX_ENCODED + 1 and wire.index(0) == len(wire) - 1
    outcomes: list[str] = []
    assert FrameDecoder().feed(wire, outcomes) == [Frame(PROTOCOL_VERSION, msg_type, seq, payload)]
    assert outcomes == ["frame"]


@given(types, seqs, payloads, st.data())
def test_a_raw_frame_with_one_byte_changed_is_reported_as_crc(msg_type, seq, payload, data):
    # CRC-16/XMODEM detects every error burst of up to 16 bits, so one changed byte of the raw frame
    # (header, payload or CRC) is always caught, and CRC is checked before the version.
    raw = bytearray(reference.raw_frame(msg_type, seq, payload))
    index = data.draw(st.integers(0, len(raw) - 1))
    raw[index] ^= data.draw(st.integers(1, 255))
    outcomes: list[str] = []
    assert FrameDecoder().feed(reference.wire(bytes(raw)), outcomes) == []
    assert outcomes == ["crc"]


@given(types, seqs, payloads, st.data())
def test_a_wire_data_byte_changed_to_another_nonzero_value_is_reported_as_crc(
    msg_type, seq, payload, data
):
    # A COBS data byte (not a code byte) maps to exactly one raw byte, so the CRC catches it too.
    wire = bytearray(encode_frame(msg_type, seq, payload))
    codes, i = set(), 0
    while i < len(wire) - 1:
        codes.add(i)
        i += wire[i]
    data_positions = [i for i in range(len(wire) - 1) if i not in codes]
    if not data_positions:
        return
    index = data.draw(st.sampled_from(data_positions))
    new = data.draw(st.integers(1, 255).filter(lambda b: b != wire[index]))
    wire[index] = new
    outcomes: list[str] = []
    assert FrameDecoder().feed(bytes(wire), outcomes) == []
    assert outcomes == ["crc"]


@given(messages())
def test_message_encode_decode_round_trip(msg):
    msg_type, payload = encode_message(msg)
    assert len(payload) <= MAX_PAYLOAD
    decoded = decode_message(msg_type, payload)
    assert decoded == msg
    assert encode_message(decoded) == (msg_type, payload)


@given(messages(), seqs)
def test_message_round_trips_through_the_wire(msg, seq):
    wire = encode(msg, seq)
    (frame,) = FrameDecoder().feed(wire)
    assert frame.seq == seq and decode_message(frame) == msg


@settings(max_examples=500)
@given(st.sampled_from([int(t) for t in MsgType] + [0x00, 0x7E, 0xC7, 0xFF]), payloads)
def test_any_payload_decodes_or_raises_bad_payload_and_nothing_else(msg_type, payload):
    try:
        msg = decode_message(msg_type, payload)
    except BadPayload as exc:
        assert exc.msg_type == msg_type
        return
    assert isinstance(msg, Message)


# Types whose layout is fixed, so re-encoding what was decoded gives back the bytes that were read.
FIXED = [
    MsgType.CONFIG_BEGIN,
    MsgType.CONFIG_READ,
    MsgType.ACK,
    MsgType.NACK,
    MsgType.EVENT,
    MsgType.TELEMETRY,
]
FIXED += [MsgType.PARAMS, MsgType.STATUS, MsgType.COMMAND]


@settings(max_examples=500)
@given(st.sampled_from(FIXED), payloads)
def test_decoded_fixed_layout_messages_re_encode_to_a_prefix_of_the_payload(msg_type, payload):
    try:
        msg = decode_message(msg_type, payload)
    except BadPayload:
        return
    assert payload.startswith(msg.pack())
