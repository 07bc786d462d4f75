"""`tendril recipe index|search|install|update|fork|list|new`: catalogs and the user's recipe folder."""

from __future__ import annotations

import getpass
import subprocess
from pathlib import Path

import click

from ..errors import TendrilError
from ..recipes import load, read_capped
from ..recipes.catalog import open_catalog, write_index
from ..recipes.install import Store, default_folder

_CATALOG = click.option("--catalog", "-c", metavar="PATH|GIT-URL",
                        help="A catalog folder or git repository (default: the one shipped with tendril).")
_DIR = click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
                    help="Your recipe folder (default: $TENDRIL_RECIPES, else the platform's data folder).")

BLANK = '''# {name}: describe the job in one line. See docs/recipes.md for every key.
[recipe]
name = "{name}"
version = "0.1.0"
summary = "What this recipe makes the board do"
author = "{author}"
license = "MIT"
boards = ["uno"]

[parameters.threshold]
default = "50 %"
min = "0 %"
max = "100 %"
description = "Switch the output on below this"

[channels.sensor]
pin = "A0"
kind = "analog"
unit = "%"
# Two points: the raw reading (0 .. 1023 on an Uno) with the sensor dry, and in water. A capacitive
# soil sensor reads HIGH when dry and LOW when wet; put your own sensor's two readings here.
calibration = [{{ reading = 800, value = "0 %" }}, {{ reading = 350, value = "100 %" }}]  # dry, wet
sample_every = "1 s"

[actuators.output]
pin = "D7"
kind = "relay"
max_on = "10 s"
min_off = "30 s"
daily_cap = "10 min"

[rules.main]
when = {{ channel = "sensor", below = "$threshold", for = "5 s", hysteresis = "5 %" }}
do = {{ actuator = "output", for = "5 s" }}
cooldown = "1 min"
'''


def _author(given: str | None) -> str:
    if given:
        return given
    try:
        out = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=10,
                             check=False)
        if out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return getpass.getuser()


def _store(folder: Path | None) -> Store:
    return Store(folder or default_folder())


def _catalog(spec: str | None, store: Store):
    # Git catalogs are cached inside the recipe folder: tendril writes nowhere else.
    return open_catalog(spec, store.folder / ".cache")


@click.command()
@click.argument("name")
@click.option("--from", "template", default="blank", show_default=True,
              help="Start from a recipe in the catalog (e.g. plant-waterer), or blank.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="File to write (default: ./NAME.toml).")
@click.option("--author", help="Your name (default: git's user.name).")
@_CATALOG
def new(name: str, template: str, output: Path | None, author: str | None, catalog: str | None) -> None:
    """Start a new recipe from a template."""
    from ..recipes.install import parse_spec
    parse_spec(name)
    output = output or Path(f"{name}.toml")
    if output.exists():
        raise TendrilError(f"{output} already exists")
    if template == "blank":
        text = BLANK.format(name=name, author=_author(author).replace('"', "'"))
        load(text, output.name)
    else:
        cat = _catalog(catalog, _store(None))
        source = cat.fetch(cat.find(template)).decode("utf-8")
        tmp = Store(output.parent)
        made = tmp.fork(source, name, _author(author))
        if made != output:
            made.rename(output)
        click.echo(f"wrote {output} from {template}")
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}; check it with `tendril recipe validate {output}`")


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
def index(folder: Path) -> None:
    """Write FOLDER/index.json: the catalog index of every recipe under FOLDER."""
    path = write_index(folder)
    click.echo(f"wrote {path}")


@click.command()
@click.argument("text", default="")
@_CATALOG
@_DIR
def search(text: str, catalog: str | None, folder: Path | None) -> None:
    """Find recipes in a catalog by name, summary, tag or board."""
    found = _catalog(catalog, _store(folder)).search(text)
    for e in found:
        click.echo(f"{e['name']} {e['version']}: {e['summary']} [{', '.join(e['tags'])}] ({', '.join(e['boards'])})")
    if not found:
        click.echo("no recipes match")


@click.command()
@click.argument("spec", metavar="NAME[@VERSION]")
@_CATALOG
@_DIR
def install(spec: str, catalog: str | None, folder: Path | None) -> None:
    """Install a recipe into your recipe folder, pinned in its lock file."""
    store = _store(folder)
    click.echo(store.install(_catalog(catalog, store), spec))


@click.command()
@click.argument("name")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking.")
@_CATALOG
@_DIR
def update(name: str, yes: bool, catalog: str | None, folder: Path | None) -> None:
    """Update an installed recipe to the catalog's newest version, showing the changes first."""
    store = _store(folder)
    plan = store.plan_update(_catalog(catalog, store), name)
    if plan is None:
        click.echo(f"{name} is up to date")
        return
    click.echo(f"{name} {plan.old_version} -> {plan.new_version}:")
    for line in plan.changes or ["(no changes to what the board does)"]:
        click.echo(f"  {line}")
    if not yes and not click.confirm("apply?", default=False):
        click.echo("not updated")
        return
    store.apply(plan)
    click.echo(f"updated {name} to {plan.new_version}")


@click.command()
@click.argument("name")
@click.argument("new_name", metavar="NEW")
@click.option("--author", help="Your name (default: git's user.name).")
@_CATALOG
@_DIR
def fork(name: str, new_name: str, author: str | None, catalog: str | None, folder: Path | None) -> None:
    """Copy a recipe (installed, else from the catalog) under a new name you own."""
    store = _store(folder)
    path = store.path(name)
    if path.is_file():
        text = read_capped(path).decode("utf-8", errors="replace")
    else:
        cat = _catalog(catalog, store)
        text = cat.fetch(cat.find(name)).decode("utf-8")
    made = store.fork(text, new_name, _author(author))
    click.echo(f"wrote {made} (derived from {name})")


@click.command("list")
@_DIR
def list_(folder: Path | None) -> None:
    """List the recipes in your recipe folder, with their pins."""
    store = _store(folder)
    rows = store.installed()
    for name, pin, changed in rows:
        where = f"{pin['version']} from {pin['source']}" if pin else "your own"
        click.echo(f"{name}: {where}{' (changed locally)' if changed else ''}")
    if not rows:
        click.echo(f"no recipes in {store.folder}")


SHARE_COMMANDS = (index, search, install, update, fork, list_)
