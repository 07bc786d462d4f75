"""The C core writes and reads every record where contract.RECORDS puts its fields.

Messages through msg.c's encoders and decoder, the config image through image.c's accessors.

Each field gets its own random value; the record packed from its one declaration (Python's struct,
with the declaration's format) must be the bytes msg.c writes, and msg.c must read each request
field back from where the declaration puts it. An offset in C that drifted from the declaration
fails here for nearly any value, not only for the shared vectors' few.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tendril import contract
from tendril.contract import CommandOp, MsgType, Operand, StatusSection
from tendril.image import dur16_to_ms

from ..support.records import packed, values

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
    """TELEMETRY, PARAMS, CONFIG_DATA and STATUS: the fixed part, no values or entries after."""
    record = data.draw(st.sampled_from([contract.TELEMETRY, contract.PARAMS, contract.CONFIG_DATA,
                                        contract.STATUS]))  # fmt: skip
    fields = data.draw(values(record))
    m = dict(fields, values=[], data="", entries=[])
    assert core.encode_message(MsgType[record.name], m) == ("ok", packed(record, fields))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_status_entries_are_written_where_the_records_say(core, data):
    section = data.draw(st.sampled_from([StatusSection.ACTUATORS, StatusSection.RULES]))
    acts = section == StatusSection.ACTUATORS
    record = contract.STATUS_ACTUATOR if acts else contract.STATUS_RULE
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


# --- the config image: every record read back by the C accessors from where the declaration says -

_DUR = st.integers(0, 0xBFFF)  # dur16 codes with a valid unit (the top two bits 0..2)
_NAME = st.binary(min_size=1, max_size=contract.IMAGE_NAME_SIZE).map(
    lambda b: bytes(0x41 + x % 26 for x in b).ljust(contract.IMAGE_NAME_SIZE, b"\0")
)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_image_records_are_read_where_the_records_say(core, data):
    counts = {"n_params": 1, "n_channels": 1, "n_actuators": 1, "n_rules": 1}
    size = sum(r.size for r in (contract.IMAGE_HEADER, contract.PARAM, contract.CHANNEL,
                                contract.ACTUATOR, contract.RULE))  # fmt: skip
    header = data.draw(values(contract.IMAGE_HEADER, length=size, **counts))
    header["name"] = data.draw(_NAME)
    header["telemetry_period"] = data.draw(_DUR)
    param = data.draw(values(contract.PARAM))
    channel = dict(data.draw(values(contract.CHANNEL)), period=data.draw(_DUR))
    actuator = dict(data.draw(values(contract.ACTUATOR)),
                    **{k: data.draw(_DUR) for k in ("max_on", "min_off", "daily_cap")})  # fmt: skip
    rule = dict(data.draw(values(contract.RULE)),
                **{k: data.draw(_DUR) for k in ("hold", "duration", "period")})  # fmt: skip
    image = b"".join(
        packed(record, fields)
        for record, fields in ((contract.IMAGE_HEADER, header), (contract.PARAM, param),
                               (contract.CHANNEL, channel), (contract.ACTUATOR, actuator),
                               (contract.RULE, rule))
    )  # fmt: skip
    assert len(image) == size

    got = core.decoded(image)

    assert got["name"] == header["name"].rstrip(b"\0").decode("ascii")
    assert (got["board_class"], got["generation"]) == (header["board_class"], header["generation"])
    assert got["recipe_hash"] == header["recipe_hash"].hex()
    assert got["telemetry_ms"] == dur16_to_ms(header["telemetry_period"])
    assert got["params"] == [param]
    mode = channel["mode"]
    assert got["channels"] == [{
        "pin": channel["pin"], "kind": mode & contract.CHANNEL_KIND_MASK,
        "smoothing": mode >> contract.SMOOTHING_SHIFT, "unit": channel["unit"],
        "period_ms": dur16_to_ms(channel["period"]), "gain": channel["gain"],
        "offset": channel["offset"], "quantity": (mode >> contract.SENSOR_QUANTITY_SHIFT) & 3,
    }]  # fmt: skip
    assert got["actuators"] == [{
        "pin": actuator["pin"], "flags": actuator["flags"],
        **{f"{k}_ms": dur16_to_ms(actuator[k]) for k in ("max_on", "min_off", "daily_cap")},
        **{k: actuator[k] for k in ("servo_min", "servo_max", "servo_safe")},
    }]  # fmt: skip
    ops = rule["operands"]
    durations = {
        k: rule[k] if ops & bit else dur16_to_ms(rule[k])
        for k, bit in (("hold", Operand.HOLD), ("duration", Operand.DURATION),
                       ("period", Operand.PERIOD))
    }  # fmt: skip
    assert got["rules"] == [{**rule, **durations}]
