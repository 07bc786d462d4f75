"""The retained state says which boot and which config the board runs (from its HELLO)."""

from __future__ import annotations

from tendril.session import Session

from .conftest import board_of, state_where


def test_state_carries_boot_count_generation_and_recipe_hash(broker, watcher, fast_board,
                                                              start_serve):
    board = board_of(fast_board.port)
    with Session(fast_board.port) as s:
        hello = s.hello
    start_serve(broker.url, fast_board.port)
    watcher.wait(state_where(
        lambda s: s["board"] == board and s["boot_count"] == hello.boot_count
        and s["generation"] == hello.config_generation
        and s["recipe_hash"] == bytes(hello.recipe_hash).hex()))
