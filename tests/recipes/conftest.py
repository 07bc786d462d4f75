"""Shared helpers for the recipe tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from tendril.boards import load_board

from ..conftest import ROOT

RECIPES = ROOT / "boards" / "recipes"
SHIPPED = sorted(RECIPES.glob("*.toml"))
PLANT = RECIPES / "plant-waterer.toml"


def board(name: str):
    return load_board(name)


def line_of(path: Path | str, needle: str) -> int:
    """1-based line of the first line containing ``needle``: tests name lines by content, not number."""
    text = Path(path).read_text(encoding="utf-8") if isinstance(path, Path) else path
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return n
    pytest.fail(f"{needle!r} not in the text")
