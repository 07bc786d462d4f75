"""Shared by the MQTT tests: every shipped recipe with the boards it compiles for."""

from __future__ import annotations

from pathlib import Path

import pytest

from tendril.boards import load_board
from tendril.recipes import compile_recipe, load

RECIPES = sorted((Path(__file__).parents[2] / "boards" / "recipes").glob("*.toml"))


def shipped() -> list[tuple[str, str]]:
    """(recipe file name, board name) for every shipped recipe and every board it lists."""
    return [(path.name, board) for path in RECIPES for board in load(path).meta.boards]


@pytest.fixture(scope="session")
def compiled():
    """recipe file name, board name -> (recipe, board, image): compiled for real."""
    cache: dict = {}

    def get(name: str, board_name: str):
        if (name, board_name) not in cache:
            recipe = load(RECIPES[0].parent / name)
            board = load_board(board_name)
            cache[name, board_name] = (recipe, board, compile_recipe(recipe, board))
        return cache[name, board_name]
    return get
