"""COMMAND SCAN_ONEWIRE on the native board: the C firmware's bus search (firmware/core/onewire.c)
against the world's pin-level probe model (firmware/sim/sim_onewire.c), with the board's clock held
and stepped by the test: the scan story of tests/vectors/sensors/ds18b20_scan.json, and the pins a
search refuses."""

from __future__ import annotations

from tendril.boards import load_board
from tendril.contract import Nack
from tendril.image.codec import with_generation
from tendril.protocol import Ack, Event, NackMsg, ScanOneWire, Telemetry
from tendril.recipes import compile_recipe, parse

from ..support import ds18b20_story as story
from ..support.native_board import NativeBoard


def test_a_search_lists_every_probe_in_a_stable_order_while_one_of_them_is_read(plain, tmp_path):
    args = [a for line in story.scan_scenario("uno") for a in ("--set", line)]
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold", *args)
    try:
        image = with_generation(compile_recipe(parse(story.SCAN["recipe"]), load_board("uno")), 1)
        assert isinstance(board.push(image)[-1], Ack)
        got = story.play_scan("uno", board.request, board.run)
    finally:
        board.close()
    telemetry = [(m.time_ms, m.values[0]) for m in board.messages(Telemetry)]
    story.check_scan("uno", got, telemetry, board.messages(Event))


def test_a_search_is_refused_on_a_pin_that_cannot_carry_a_bus(plain, tmp_path):
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold")
    try:
        # D0 and D1 are the USB serial's (reserved), A6 and beyond an Uno does not have
        replies = [board.request(ScanOneWire(pin, 0)) for pin in (0, 1, 20)]
    finally:
        board.close()
    assert replies == [NackMsg(0x20, Nack.BAD_INDEX, pin) for pin in (0, 1, 20)]
