"""Recipes: readable TOML that says what a board does (docs/recipes.md).

The core is pure: ``parse`` reads text, ``compile_recipe`` makes config image bytes for a board,
``decompile`` turns image bytes back into recipe text, ``describe`` and ``diff`` put recipes into
words. ``load`` is the one convenience that reads a file (with the size cap). Catalogs, installs
and the lock file live in ``tendril.recipes.catalog`` and ``tendril.recipes.install`` (the edge).

    recipe = load("boards/recipes/plant-waterer.toml")
    image = compile_recipe(recipe, load_board("uno"))
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .compiler import compile_recipe as _compile
from .decompile import decompile
from .describe import describe, diff, diff_boards
from .issues import Issue, RecipeError
from .model import Recipe
from .parse import parse
from .schema import LIMITS, json_schema

__all__ = ["Issue", "Recipe", "RecipeError", "compile_recipe", "decompile", "describe", "diff", "diff_boards",
           "json_schema", "load", "parse", "read_capped"]


def read_capped(path: Path, limit: int = LIMITS["file_bytes"]) -> bytes:
    """At most ``limit`` + 1 bytes of ``path``: enough to tell a recipe from a 10 MB file."""
    from ..errors import TendrilError
    try:
        with open(path, "rb") as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        raise TendrilError(f"cannot read {path}: {exc.strerror}") from exc


def compile_recipe(recipe: Recipe | str | bytes, board, *, file: str | None = None) -> bytes:
    """The config image (generation 0) of ``recipe`` for ``board``. ``recipe`` may also be recipe
    text (str or bytes, named ``file`` in errors) and ``board`` a board name. Raises RecipeError."""
    from ..boards import load_board
    if not isinstance(recipe, Recipe):
        recipe = parse(recipe, file or "recipe.toml")
    return _compile(recipe, load_board(board) if isinstance(board, str) else board)


def load(source: str | bytes | Path, file: str | None = None,
         known_boards: Iterable[str] | None = None) -> Recipe:
    """A recipe from a Path, from a str holding TOML text (it has a newline or an '='), from a str
    naming a file, or from bytes. ``file`` names it in error messages."""
    if isinstance(source, str) and ("\n" not in source and "=" not in source):
        source = Path(source)
    if isinstance(source, Path):
        return parse(read_capped(source), file or source.name, known_boards)
    return parse(source, file or "recipe.toml", known_boards)
