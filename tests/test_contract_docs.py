"""The contract is written once: the tables in docs/ must say what tendril/contract.py says."""

from __future__ import annotations

import re

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
    for num, name in re.findall(r"^\| (0x[0-9A-Fa-f]+|\d+) \| ([A-Z_]+) \|", text, re.M):
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


def test_the_docs_name_every_channel_kind_of_the_table():
    """A kind is a row of contract.CHANNEL_KINDS; the image format and the recipe format say so."""
    from tendril.contract import CHANNEL_KINDS

    mode = next(line for line in IMAGE.splitlines() if line.startswith("| 1 | `u8 mode` |"))
    kinds = ", ".join(f"{int(k.kind)} {k.words}" for k in CHANNEL_KINDS)
    assert f"kind ({kinds}:" in mode
    recipes = (ROOT / "docs" / "recipes.md").read_text(encoding="utf-8")
    row = next(line for line in recipes.splitlines() if line.startswith("| | `kind` | yes |"))
    assert row == "| | `kind` | yes | " + ", ".join(f"`{k.name}`" for k in CHANNEL_KINDS) + " |"
