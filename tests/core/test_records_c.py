"""The C core writes and reads every record where contract.RECORDS puts its fields.

Each field gets its own random value; the record packed from its one declaration (Python's struct,
with the declaration's format) must be the bytes msg.c writes, and msg.c must read each request
field back from where the declaration puts it. An offset in C that drifted from the declaration
fails here for nearly any value, not only for the shared vectors' few.
"""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st
from tendril import contract
from tendril.contract import CommandOp, MsgType, StatusSection

_INT = {
    "u8": st.integers(0, 0xFF),
    "u16": st.integers(0, 0xFFFF),
    "u32": st.integers(0, 0xFFFF_FFFF),
    "i32": st.integers(-(2**31), 2**31 - 1),
}


def values(record: contract.Record, **fixed) -> st.SearchStrategy[dict]:
    """A random value for every field of ``record`` (``fixed`` ones as given)."""
    fields = {
        f.name: st.just(fixed[f.name]) if f.name in fixed
        else st.binary(min_size=f.size, max_size=f.size) if f.type == "bytes"
        else _INT[f.type]
        for f in record.fields
    }  # fmt: skip
    return st.fixed_dictionaries(fields)


def packed(record: contract.Record, fields: dict) -> bytes:
    return struct.pack(record.struct_format(), *(fields[f.name] for f in record.fields))


DEVICE_MESSAGES = {  # records msg.c encodes from plain fields, by message type
    MsgType.ACK: contract.ACK,
    MsgType.NACK: contract.NACK,
    MsgType.EVENT: contract.EVENT,
}


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_device_messages_are_written_where_the_records_say(core, data):
    msg_type = data.draw(st.sampled_from(sorted(DEVICE_MESSAGES)))
    record = DEVICE_MESSAGES[msg_type]
    fields = data.draw(values(record))
    assert core.encode_message(msg_type, fields) == ("ok", packed(record, fields))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_message_heads_are_written_where_the_records_say(core, data):
    """TELEMETRY, PARAMS, CONFIG_DATA and STATUS: the fixed part, with no values or entries after."""
    record = data.draw(st.sampled_from([contract.TELEMETRY, contract.PARAMS, contract.CONFIG_DATA,
                                        contract.STATUS]))  # fmt: skip
    fields = data.draw(values(record))
    m = dict(fields, values=[], data="", entries=[])
    assert core.encode_message(MsgType[record.name], m) == ("ok", packed(record, fields))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_status_entries_are_written_where_the_records_say(core, data):
    section = data.draw(st.sampled_from([StatusSection.ACTUATORS, StatusSection.RULES]))
    record = contract.STATUS_ACTUATOR if section == StatusSection.ACTUATORS else contract.STATUS_RULE
    head = data.draw(values(contract.STATUS, section=int(section)))
    entries = data.draw(st.lists(values(record), min_size=1, max_size=3))
    status, payload = core.encode_message(MsgType.STATUS, dict(head, entries=entries))
    assert status == "ok"
    assert payload == packed(contract.STATUS, head) + b"".join(packed(record, e) for e in entries)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_hello_is_written_where_the_record_says(core, data):
    name = data.draw(st.text("abcdefghijklmnopqrstuvwxyz-", max_size=contract.FW_NAME_SIZE))
    fields = data.draw(values(contract.HELLO, reserved=0, fw_name=name.encode("ascii")))
    m = dict(fields, recipe_hash=fields["recipe_hash"].hex(), text=name)
    expected = packed(contract.HELLO, fields)  # "s" pads the name with NULs, as the record says
    assert core.encode_message(MsgType.HELLO, m) == ("ok", expected)


REQUESTS = [
    (MsgType.CONFIG_BEGIN, contract.CONFIG_BEGIN),
    (MsgType.CONFIG_READ, contract.CONFIG_READ),
    *((MsgType.COMMAND, record) for record in contract.COMMANDS.values()),
]


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_requests_are_read_where_the_records_say(core, data):
    msg_type, record = data.draw(st.sampled_from(REQUESTS))
    op = int(CommandOp[record.name[len("CMD_") :]]) if msg_type == MsgType.COMMAND else None
    fields = data.draw(values(record, **({"op": op} if op is not None else {})))
    status, got = core.decode_request(msg_type, packed(record, fields))
    assert status == "ok"
    expected = {k: v.hex() if isinstance(v, bytes) else v for k, v in fields.items()}
    assert got == expected
