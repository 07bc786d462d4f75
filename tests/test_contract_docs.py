"""The contract is written once: the tables in docs/ must say what tendril/contract/ says (its
codes, and every record's fields, widths, order and offsets)."""

from __future__ import annotations

import re

import pytest
from tendril import contract
from tendril.contract import CommandOp, EventKind, ImageError, MsgType, Nack

from .conftest import ROOT
from .support.imports import loaded_by

PROTOCOL = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
IMAGE = (ROOT / "docs" / "config-image.md").read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    nxt = text.find("\n#", start + len(heading))
    return text[start : nxt if nxt != -1 else len(text)]


def _rows(text: str) -> dict[str, int]:
    """Table rows that start with a number and a NAME: {NAME: number}."""
    rows = {}
    for num, name in re.findall(r"^\| (0x[0-9A-Fa-f]+|\d+) \| ([A-Z][A-Z0-9_]*) \|", text, re.M):
        rows[name] = int(num, 0)
    return rows


def test_message_catalogue_matches_contract():
    table = _rows(_section(PROTOCOL, "## Message catalogue").split("### HELLO")[0])
    assert table == {m.name: int(m) for m in MsgType}


def test_nack_table_matches_contract():
    table = _rows(_section(PROTOCOL, "### ACK (0x82) and NACK (0x83)"))
    assert table == {m.name: int(m) for m in Nack}


def test_command_table_matches_contract():
    table = _rows(_section(PROTOCOL, "### COMMAND (0x20)"))
    assert table == {m.name: int(m) for m in CommandOp}


def test_event_table_matches_contract():
    table = _rows(_section(PROTOCOL, "### EVENT (0x85)"))
    assert table == {m.name: int(m) for m in EventKind}


def test_every_image_error_is_documented_in_the_validation_order():
    validation = _section(IMAGE, "## Validation")
    missing = [e.name for e in ImageError if f"`{e.name}`" not in validation]
    assert not missing


def test_core_modules_do_no_io_and_never_import_textual():
    assert loaded_by(["tendril.contract", "tendril.image", "tendril.boards"],
                     ["textual", "serial", "sqlite3"]) == []


# --- records: the field tables and payload lists in docs/ say what contract.RECORDS declares -----

_FIELD = re.compile(r"`((?:u8|u16|u32|i32)(?:\[\d+\])?) (\w+)`")


def _declared(record, skip: int = 0) -> list[tuple[str, str]]:
    """A record's fields as the docs write them: (type, name), a byte string as ``u8[N]``."""
    fields = record.fields[skip:]
    return [(f"u8[{f.size}]" if f.type == "bytes" else f.type, f.name) for f in fields]


def _table_fields(section: str) -> list[tuple[int, str, str]]:
    """(offset, type, name) of each field in an ``| offset | `type name` ... |`` table. A row may
    name several fields (`u8 fw_major`, `u8 fw_minor`, ...), one after the other from its offset."""
    out = []
    for offset, cells in re.findall(r"^\| (\d+) \| ([^|]*) \|", section, re.M):
        at = int(offset)
        for ftype, name in _FIELD.findall(cells):
            out.append((at, ftype, name))
            at += int(ftype[3:-1]) if "[" in ftype else int(ftype[1:]) // 8
    return out


@pytest.mark.parametrize(
    "doc, heading, record",
    [
        (IMAGE, "### Header", contract.IMAGE_HEADER),
        (IMAGE, "### Parameter", contract.PARAM),
        (IMAGE, "### Channel", contract.CHANNEL),
        (IMAGE, "### Actuator", contract.ACTUATOR),
        (IMAGE, "### Rule", contract.RULE),
        (IMAGE, "### Sensor", contract.SENSOR),
        (PROTOCOL, "### HELLO (0x80)", contract.HELLO),
    ],
    ids=["IMAGE_HEADER", "PARAM", "CHANNEL", "ACTUATOR", "RULE", "SENSOR", "HELLO"],
)
def test_field_tables_match_the_records(doc, heading, record):
    section = _section(doc, heading)
    fields = [(f.offset, *pair) for f, pair in zip(record.fields, _declared(record))]
    assert _table_fields(section) == fields
    if doc is IMAGE:  # "### Channel (13 bytes)"
        assert section.splitlines()[0].endswith(f"({record.size} bytes)")


def _catalogue_payloads() -> dict[str, list[tuple[str, str]]]:
    table = _section(PROTOCOL, "## Message catalogue")
    rows = re.findall(r"^\| 0x[0-9A-Fa-f]+ \| ([A-Z][A-Z0-9_]*) \| [^|]* \| (.*) \|$", table, re.M)
    return {name: _FIELD.findall(payload) for name, payload in rows}


@pytest.mark.parametrize(
    "record",
    [contract.CONFIG_BEGIN, contract.CONFIG_CHUNK, contract.CONFIG_READ, contract.COMMAND,
     contract.ACK, contract.NACK, contract.TELEMETRY, contract.EVENT, contract.LOG,
     contract.CONFIG_DATA, contract.PARAMS, contract.STATUS],
    ids=lambda r: r.name,
)  # fmt: skip
def test_message_catalogue_payloads_match_the_records(record):
    assert _catalogue_payloads()[record.name] == _declared(record)


def test_command_arguments_match_the_records():
    table = _section(PROTOCOL, "### COMMAND (0x20)")
    rows = re.findall(r"^\| 0x[0-9A-Fa-f]+ \| ([A-Z][A-Z0-9_]*) \| ([^|]*) \|", table, re.M)
    documented = {name: _FIELD.findall(args) for name, args in rows}
    declared = {op.name: _declared(record, skip=1) for op, record in contract.COMMANDS.items()}
    assert documented == declared


def test_status_entries_match_the_records():
    text = " ".join(_section(PROTOCOL, "### PARAMS (0x88) and STATUS (0x89)").split())
    actuators = text[text.index("Actuator entries") : text.index("Rule entries")]
    rules = text[text.index("Rule entries") :].split(". ")[0]
    for part, record in ((actuators, contract.STATUS_ACTUATOR), (rules, contract.STATUS_RULE)):
        assert f"({record.size} bytes)" in part
        assert _FIELD.findall(part) == _declared(record)


def test_frame_header_matches_the_record():
    framing = _section(PROTOCOL, "## Framing").splitlines()
    line = next(x for x in framing if x.startswith("raw frame:"))
    pairs = re.findall(r"\| (\w+) (u8|u16|u32) ", line.split("payload")[0])  # the header: before it
    assert [(t, n) for n, t in pairs] == _declared(contract.FRAME_HEADER)


def test_the_docs_name_every_channel_kind_of_the_table():
    """A kind is a row of contract.CHANNEL_KINDS; the image format and the recipe format say so."""
    from tendril.contract import CHANNEL_KINDS

    mode = next(line for line in IMAGE.splitlines() if line.startswith("| 1 | `u8 mode` |"))
    kinds = ", ".join(f"{int(k.kind)} {k.words}" for k in CHANNEL_KINDS)
    assert f"kind ({kinds}:" in mode
    recipes = (ROOT / "docs" / "recipes.md").read_text(encoding="utf-8")
    row = next(line for line in recipes.splitlines() if line.startswith("| | `kind` | yes |"))
    assert row == "| | `kind` | yes | " + ", ".join(f"`{k.name}`" for k in CHANNEL_KINDS) + " |"
