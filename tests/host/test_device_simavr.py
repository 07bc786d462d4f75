"""push and status against the real tendril firmware (.elf) running in simavr."""

from __future__ import annotations

import json

import pytest
from tendril.session import Session

from ..support.simavr_board import build_product

from .conftest import WATERER, Boards, tendril


pytestmark = pytest.mark.slow  # the real firmware in simavr


@pytest.fixture
def avr(tmp_path):
    boards = Boards(tmp_path, "avr", elf=build_product("uno"))
    boards.start()
    yield boards
    boards.stop()


def test_push_then_status_on_the_real_firmware(avr):
    result = tendril("push", str(WATERER), "--port", avr.port)
    assert result.exit_code == 0, result.stderr
    assert "verified by read-back" in result.stdout
    again = tendril("push", str(WATERER), "--port", avr.port)
    assert again.exit_code == 0 and "already active" in again.stdout
    status = tendril("status", "--port", avr.port, "--json")
    assert status.exit_code == 0, status.stderr
    info = json.loads(status.stdout)
    assert info["firmware"] == "tendril-avr" and info["generation"] == 1
    # The recipe's full name (found in the log's config history), and the 12-byte name the board keeps.
    assert info["recipe"] == "plant-waterer" and info["image_name"] == "plant-water"


def test_the_session_finds_the_real_firmware_again_after_a_power_cycle(avr):
    with Session(avr.port, candidates=lambda: [avr.port], auto_reconnect=True) as s:
        first = s.hello
        avr.start()
        s.ping()
        assert s.hello.device_id == first.device_id and s.hello.boot_count == first.boot_count + 1
