"""`tendril recipe`: check, compile, read back, compare and scaffold recipes (docs/recipes.md).

Sharing commands (index, search, install, update, uninstall, fork, list, publish) live in recipe_share.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..boards import board_names, load_board
from ..errors import TendrilError
from ..image import decode, recipe_hash
from ..recipes import RecipeError, compile_recipe, decompile, describe, diff, diff_boards, json_schema, load
from .recipe_share import SHARE_COMMANDS, new


def _load(path: str):
    return load(Path(path))


def _board_for_image(data: bytes, board: str | None):
    if board:
        return load_board(board)
    cls = decode(data).board_class
    for name in board_names():
        b = load_board(name)
        if b.board_class == cls and b.extends is None:
            return b
    raise TendrilError(f"no board of class {int(cls)}; name one with --board")


def _write(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise TendrilError(f"cannot write {path}: {exc.strerror}") from exc


@click.group()
def recipe() -> None:
    """Recipes: what a board does, as a TOML file you can check, compile, share and tune."""


@recipe.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--board", "-b", help="Check for this board only (default: every board the recipe lists).")
def validate(files: tuple[str, ...], board: str | None) -> None:
    """Check recipes: the format, and that they compile for their boards."""
    failed = 0
    for path in files:
        try:
            r = _load(path)
            boards = [board] if board else list(r.meta.boards)
            issues = []
            for name in boards:
                try:
                    compile_recipe(r, load_board(name))
                except RecipeError as exc:
                    issues += [i for i in exc.issues if i not in issues]
            if issues:
                raise RecipeError(issues)
        except RecipeError as exc:
            failed += 1
            for issue in exc.issues:
                click.echo(str(issue), err=True)
        else:
            click.echo(f"{path}: ok for {', '.join(boards)}")
    if failed:
        raise SystemExit(1)


@recipe.command("compile")
@click.argument("file", type=click.Path())
@click.option("--board", "-b", required=True, help="Board to compile for.")
@click.option("--output", "-o", required=True, type=click.Path(), help="Where to write the config image.")
def compile_(file: str, board: str, output: str) -> None:
    """Compile a recipe into the config image a board runs."""
    data = compile_recipe(_load(file), load_board(board))
    _write(output, data)
    click.echo(f"wrote {output}: {len(data)} bytes for {board}, recipe hash {recipe_hash(data).hex()}")


@recipe.command("decompile")
@click.argument("image_file", type=click.Path())
@click.option("--board", "-b", help="Board the image is for (default: the first of its board class).")
@click.option("--recipe", "original", type=click.Path(), help="The recipe it came from: keeps its names.")
@click.option("--output", "-o", type=click.Path(), help="Write the TOML here instead of stdout.")
def decompile_(image_file: str, board: str | None, original: str | None, output: str | None) -> None:
    """Turn a config image back into a recipe (names are channel0, ... unless --recipe is given)."""
    try:
        data = Path(image_file).read_bytes()
    except OSError as exc:
        raise TendrilError(f"cannot read {image_file}: {exc.strerror}") from exc
    text = decompile(data, _board_for_image(data, board), _load(original) if original else None)
    if output:
        _write(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)


@recipe.command()
@click.argument("file", type=click.Path())
def show(file: str) -> None:
    """Say what a recipe does, in words."""
    click.echo(describe(_load(file)))


@recipe.command("diff")
@click.argument("old", type=click.Path())
@click.argument("new_file", metavar="NEW", type=click.Path())
@click.option("--board", "-b", "board_name",
              help="Compare what this board would run (default: every board either recipe names).")
def diff_(old: str, new_file: str, board_name: str | None) -> None:
    """What changes from OLD to NEW (what a push would change), most important first: pins, safety
    limits, rules, then the rest; a line that holds on some boards only names them."""
    a, b = _load(old), _load(new_file)
    if board_name:
        boards = [load_board(board_name)]
    else:  # where NEW would run (a board it does not name never gets it)
        boards = [load_board(n) for n in (b.meta.boards or a.meta.boards) if n in board_names()]
    lines = diff_boards(a, b, boards) if boards else diff(a, b)
    if not board_name and boards and a.meta.boards != b.meta.boards:
        lines.append(f"recipe boards {', '.join(a.meta.boards)} -> {', '.join(b.meta.boards)}")
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo(f"no changes for {', '.join(x.name for x in boards)}" if boards else "no changes")


@recipe.command()
@click.option("--output", "-o", type=click.Path(), help="Write the schema here instead of stdout.")
def schema(output: str | None) -> None:
    """Export the recipe JSON Schema, for editors that check TOML as you type."""
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output:
        _write(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)


recipe.add_command(new)
for command in SHARE_COMMANDS:
    recipe.add_command(command)
