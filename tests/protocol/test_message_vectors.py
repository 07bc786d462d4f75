"""Every message class against tests/vectors/frames/messages.json, both ways."""

from __future__ import annotations

import dataclasses

import pytest

from tendril.contract import MsgType, StatusSection
from tendril.protocol import (
    COMMANDS,
    DEVICE_MESSAGES,
    REQUESTS,
    ActuatorEntry,
    Command,
    FrameDecoder,
    RuleEntry,
    decode_message,
    encode,
    encode_message,
)

from ..conftest import load_vectors

CASES = load_vectors("frames/messages.json")
BY_TYPE = {cls.TYPE: cls for cls in REQUESTS + DEVICE_MESSAGES}
BYTES_FIELDS = {"data", "recipe_hash"}


def from_vector(msg_type: int, fields: dict):
    """Build the message a vector describes, by field name (names are protocol.md's)."""
    fields = dict(fields)
    cls = COMMANDS[fields.pop("op")] if msg_type == MsgType.COMMAND else BY_TYPE[msg_type]
    for name in BYTES_FIELDS & fields.keys():
        fields[name] = bytes.fromhex(fields[name])
    if "addresses" in fields:
        fields["addresses"] = tuple(fields["addresses"])
    if "values" in fields:
        fields["values"] = tuple(fields["values"])
    if "codes" in fields:
        fields["codes"] = tuple(bytes.fromhex(c) for c in fields["codes"])
    if "entries" in fields:
        entry = ActuatorEntry if fields["section"] == StatusSection.ACTUATORS else RuleEntry
        fields["entries"] = tuple(entry(**e) for e in fields["entries"])
    assert {f.name for f in dataclasses.fields(cls)} == set(fields), (
        f"{cls.__name__} fields differ from the vector"
    )
    return cls(**fields)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_message_case_encodes_to_its_payload_and_wire(case):
    msg = from_vector(case["type"], case["message"])
    assert encode_message(msg) == (case["type"], bytes.fromhex(case["payload"]))
    assert encode(msg, case["seq"]).hex() == case["wire"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_message_case_decodes_from_its_wire(case):
    frames = FrameDecoder().feed(bytes.fromhex(case["wire"]))
    assert [(f.type, f.seq, f.payload.hex()) for f in frames] == [
        (case["type"], case["seq"], case["payload"])
    ]
    msg = decode_message(frames[0])
    assert msg == from_vector(case["type"], case["message"])
    assert decode_message(case["type"], bytes.fromhex(case["payload"])) == msg


def test_vectors_cover_every_message_class():
    covered = set()
    for case in CASES:
        msg = from_vector(case["type"], case["message"])
        covered.add(type(msg))
    assert covered == (set(REQUESTS) - {Command}) | set(COMMANDS.values()) | set(DEVICE_MESSAGES)
