"""Properties of the config image codec and validator (Hypothesis)."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from tendril.boards import load_board
from tendril.contract import (
    DUR_MAX_MS,
    ActuatorFlag,
    BoardClass,
    ChannelKind,
    Operand,
    RuleAction,
    RuleFlag,
    RuleKind,
    Unit,
)
from tendril.errors import ImageRefused
from tendril.image import (
    Actuator,
    Channel,
    Image,
    Param,
    Rule,
    crc32,
    decode,
    dur16_to_ms,
    encode,
    ms_to_dur16,
    recipe_hash,
    validate,
    with_generation,
)

UNO = load_board("uno")
i32 = st.integers(-(2**31), 2**31 - 1)
u8 = st.integers(0, 255)
durations = st.one_of(
    st.integers(0, 16_383),
    st.integers(0, 16_383).map(lambda s: s * 1000),
    st.integers(0, 16_383).map(lambda m: m * 60_000),
)

channels = st.builds(
    Channel, u8, st.sampled_from(ChannelKind), st.integers(0, 8), st.sampled_from(Unit),
    durations, i32, i32,
)
actuators = st.builds(
    Actuator, u8, st.sampled_from([ActuatorFlag(f) for f in range(4)]), durations, durations, durations
)
rules = st.builds(
    Rule, st.sampled_from(RuleKind), u8, st.sampled_from(RuleAction), u8, u8,
    st.sampled_from([RuleFlag(f) for f in range(4)]), u8, st.just(Operand(0)),
    i32, i32, durations, durations, durations, i32,
)
images = st.builds(
    Image,
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=12),
    st.sampled_from(BoardClass),
    durations,
    st.lists(st.builds(Param, i32, i32, i32), max_size=4).map(tuple),
    st.lists(channels, max_size=4).map(tuple),
    st.lists(actuators, max_size=4).map(tuple),
    st.lists(rules, max_size=4).map(tuple),
    st.integers(0, 2**32 - 1),
)


@given(images)
def test_encode_then_decode_gives_the_same_image(image):
    data = encode(image)
    assert decode(data) == image
    assert encode(decode(data)) == data


@given(st.binary(max_size=600))
@settings(max_examples=500)
def test_any_bytes_are_refused_with_an_image_error_or_accepted(data):
    try:
        validate(data, UNO)
    except ImageRefused:
        pass
    try:
        decode(data)
    except ImageRefused:
        pass


@given(images, st.data())
def test_bytes_with_a_fixed_crc_still_only_give_image_errors(image, data):
    raw = bytearray(encode(image))
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(u8)
    struct.pack_into("<I", raw, 2, crc32(bytes(raw)))
    try:
        validate(bytes(raw), UNO)
    except ImageRefused:
        pass


@given(images, st.integers(0, 2**32 - 1))
def test_generation_changes_crc_but_not_recipe_hash(image, generation):
    data = encode(image)
    stamped = with_generation(data, generation)
    assert recipe_hash(stamped) == recipe_hash(data) == data[14:22]
    assert decode(stamped).generation == generation
    assert struct.unpack_from("<I", stamped, 2)[0] == crc32(stamped)


@given(st.integers(0, DUR_MAX_MS))
def test_dur16_holds_a_duration_exactly_or_refuses_it(ms):
    try:
        code = ms_to_dur16(ms)
    except ValueError as exc:
        assert "cannot be stored exactly" in str(exc)
        return
    assert dur16_to_ms(code) == ms


def test_dur16_picks_the_finest_unit():
    assert ms_to_dur16(1500) == 1500
    assert ms_to_dur16(20_000) == (1 << 14) | 20
    assert ms_to_dur16(2 * 3_600_000) == (1 << 14) | 7200
    assert ms_to_dur16(5 * 3_600_000) == (2 << 14) | 300


def test_dur16_explains_what_would_fit():
    try:
        ms_to_dur16(16_500)
    except ValueError as exc:
        assert "16 s or 17 s" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("16.5 s has no exact dur16")
