"""The MicroPython firmware's message code (tdfw/msg.py, run by CPython) writes and reads every
record where contract.RECORDS puts its fields: each field gets its own random value, and tdfw's
bytes must be the record packed from its declaration (the same check tests/core/test_records_c.py
makes of the C core)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tendril import contract
from tendril.contract import CommandOp, MsgType

from tdfw import msg  # noqa: E402  (the firmware is on sys.path: conftest)

from ..support.records import packed, values

P = contract.HEADER_SIZE  # tdfw writes payloads into a raw frame, after the header


def _written(fn, *args) -> bytes:
    raw = bytearray(contract.MAX_FRAME)
    n = fn(raw, *args)
    return bytes(raw[P : P + n])


def _fields(record, fields: dict) -> tuple:
    return tuple(fields[f.name] for f in record.fields)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_device_messages_are_written_where_the_records_say(data):
    encoders = {
        "ACK": msg.ack, "NACK": msg.nack, "EVENT": msg.event, "STATUS": msg.status_head,
        "CONFIG_DATA": lambda raw, offset, total: msg.config_data(raw, offset, total, b""),
        "TELEMETRY": lambda raw, t, first, flags: msg.telemetry(raw, t, first, flags, [], 0, 0),
        "LOG": lambda raw, level: msg.log(raw, level, b""),
    }  # fmt: skip
    name = data.draw(st.sampled_from(sorted(encoders)))
    record = getattr(contract, name)
    fields = data.draw(values(record))
    assert _written(encoders[name], *_fields(record, fields)) == packed(record, fields)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_params_and_status_entries_are_written_where_the_records_say(data):
    head = data.draw(values(contract.PARAMS))
    got = _written(msg.params, head["first"], head["total"], [], 0)
    assert got == packed(contract.PARAMS, head)
    for record, fn in ((contract.STATUS_ACTUATOR, msg.status_actuator),
                       (contract.STATUS_RULE, msg.status_rule)):  # fmt: skip
        entry = data.draw(values(record))
        raw = bytearray(contract.MAX_FRAME)
        end = fn(raw, 0, *_fields(record, entry))
        assert bytes(raw[P : P + end]) == packed(record, entry)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_hello_is_written_where_the_record_says(data):
    name = data.draw(st.text("abcdefghijklmnopqrstuvwxyz-", max_size=contract.FW_NAME_SIZE))
    fixed = {"protocol_version": contract.PROTOCOL_VERSION, "reserved": 0,
             "max_payload": contract.MAX_PAYLOAD, "fw_name": name.encode("ascii")}  # fmt: skip
    f = data.draw(values(contract.HELLO, **fixed))
    fw = (f["fw_major"], f["fw_minor"], f["fw_patch"])
    got = _written(msg.hello, f["board_class"], fw, f["reset_cause"], f["flags"], f["device_id"],
                   f["boot_count"], f["capabilities"], f["config_generation"], f["recipe_hash"],
                   f["max_image"], f["fw_name"], f["sensor_kinds"])  # fmt: skip
    assert got == packed(contract.HELLO, f)


REQUESTS = [
    (MsgType.CONFIG_BEGIN, contract.CONFIG_BEGIN),
    (MsgType.CONFIG_READ, contract.CONFIG_READ),
    *((MsgType.COMMAND, record) for record in contract.COMMANDS.values()),
]


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_requests_are_read_where_the_records_say(data):
    msg_type, record = data.draw(st.sampled_from(REQUESTS))
    op = int(CommandOp[record.name[len("CMD_") :]]) if msg_type == MsgType.COMMAND else None
    fields = data.draw(values(record, **({"op": op} if op is not None else {})))
    code, got = msg.parse_request(msg_type, memoryview(packed(record, fields)))
    assert code == 0
    got = tuple(bytes(v) if isinstance(v, memoryview) else v for v in got)
    assert got == _fields(record, fields)

