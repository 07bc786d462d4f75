"""The sensor seam holds (docs/adding-a-sensor.md): outside the channel-kind table, no firmware or
host code tests for a particular kind. Code that needs to know something of a kind reads its row
(contract.CHANNEL_KINDS, tendril_kinds.c, tdfw/kinds.py); the simulators, whose job is one model per
kind, are the exception."""

from __future__ import annotations

import re

from .conftest import ROOT

# A test for a kind by name: ChannelKind.ANALOG, TD_CHANNEL_KIND_DIGITAL, CHANNEL_KIND_DIGITAL_PULLUP.
KIND_BY_NAME = re.compile(r"ChannelKind\.[A-Z]|\bTD_CHANNEL_KIND_(?!MASK\b|COUNT\b)[A-Z]|\bCHANNEL_KIND_(?!MASK\b|COUNT\b)[A-Z]")
CODE = ("host/tendril", "firmware/core", "firmware/micropython/tdfw", "firmware/arduino")
ALLOWED = {
    "host/tendril/contract/kinds.py",  # the table itself
    "host/tendril/image/model.py",  # a Channel's default kind, not a test for one
    "firmware/core/tendril_contract.h",  # generated from the table
    "firmware/micropython/tdfw/const.py",  # generated from the table
}
SIMULATORS = ("host/tendril/sim/",)  # one model per kind is their job


def test_no_code_outside_the_kind_table_tests_for_a_kind_by_name():
    hits = []
    for top in CODE:
        for path in sorted((ROOT / top).rglob("*")):
            rel = path.relative_to(ROOT).as_posix()
            if path.suffix not in (".py", ".c", ".h") or rel in ALLOWED or rel.startswith(SIMULATORS):
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if KIND_BY_NAME.search(line):
                    hits.append(f"{rel}:{n}: {line.strip()}")
    assert hits == [], "read the kind's row instead:\n" + "\n".join(hits)


def test_the_check_finds_a_test_for_a_kind():
    assert KIND_BY_NAME.search("need = PinCap.ANALOG_IN if c.kind == ChannelKind.ANALOG else ...")
    assert KIND_BY_NAME.search("kind == TD_CHANNEL_KIND_DIGITAL_PULLUP ? HAL_INPUT_PULLUP : HAL_INPUT")
    assert not KIND_BY_NAME.search("*kind = mode & TD_CHANNEL_KIND_MASK; n < TD_CHANNEL_KIND_COUNT")
