"""Names for what a board runs: the recipe behind its active image (words for people are in
tendril.words, on the UIs' side).

The image holds no names, so the recipe is found by hash: the one the caller gives, then the
newest recipe text the log database kept for that image, then the shipped and installed recipes
compiled for the board; failing all, the image decompiled with generic names."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..boards import Board, boards_dir
from ..errors import TendrilError
from ..image import recipe_hash
from ..recipes import Recipe, RecipeError, compile_recipe, decompile, load, parse


def candidate_files() -> list[Path]:
    """The shipped catalog (boards/recipes) and the user's installed recipes."""
    from ..recipes.install import default_folder
    files = sorted((boards_dir() / "recipes").glob("*.toml"))
    try:
        files += sorted(default_folder().glob("*.toml"))
    except OSError:
        pass
    return files


def find_recipe(image: bytes, board: Board, *, given: Iterable[Recipe] = (),
                logged: Callable[[bytes], str | None] | None = None) -> Recipe:
    """The recipe whose compiled image has ``image``'s hash, else ``image`` decompiled.
    ``logged(hash)``: the recipe text a log kept for that image on this board (Sink.recipe_text)."""
    want = recipe_hash(image)

    def matches(recipe: Recipe) -> bool:
        try:
            return recipe_hash(compile_recipe(recipe, board)) == want
        except RecipeError:
            return False

    for recipe in given:
        if matches(recipe):
            return recipe
    if logged is not None:
        text = logged(want)
        if text is not None:
            try:
                recipe = parse(text, "logged recipe")
                if matches(recipe):
                    return recipe
            except RecipeError:
                pass
    for path in candidate_files():
        try:
            recipe = load(path)
        except TendrilError:  # a broken user file must not stop the board being shown
            continue
        if board.name in recipe.meta.boards or not recipe.meta.boards:
            if matches(recipe):
                return recipe
    return load(decompile(image, board))
