"""`tendril recipe index|search|install|update|uninstall|fork|list|new|publish`: catalogs, sources and
the user's recipe folder (docs/recipes.md, Sharing)."""

from __future__ import annotations

import getpass
import re
import subprocess
from pathlib import Path

import click

from ..errors import TendrilError
from ..recipes import load, read_capped
from ..recipes.catalog import IndexProblems, is_git, write_index
from ..recipes.install import Store, default_folder, fetch, parse_spec
from ..recipes.sources import catalog_source, parse_source

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
    return catalog_source(spec).open(store.cache)


def _problems(exc: IndexProblems) -> None:
    """One `tendril: ...` line per recipe that keeps a catalog from being indexed."""
    for line in exc.lines:
        click.echo(f"tendril: {line}", err=True)
    raise SystemExit(1)


@click.command()
@click.argument("name")
@click.option("--from", "template", default="blank", show_default=True,
              help="Start from a recipe in the catalog (e.g. plant-waterer), or blank.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="File to write (default: ./NAME.toml).")
@click.option("--author", help="Your name (default: git's user.name).")
@_CATALOG
def new(name: str, template: str, output: Path | None, author: str | None, catalog: str | None) -> None:
    """Start a new recipe from a template."""
    parse_spec(name)
    output = output or Path(f"{name}.toml")
    if output.exists():
        raise TendrilError(f"{output} already exists")
    if template == "blank":
        text = BLANK.format(name=name, author=_author(author).replace('"', "'"))
        load(text, output.name)
    else:
        source = catalog_source(catalog)
        cat = source.open(_store(None).cache)
        data = cat.fetch(cat.find(template))
        tmp = Store(output.parent)
        made = tmp.fork(data, name, _author(author), source.origin())
        if made != output:
            made.rename(output)
        click.echo(f"wrote {output} from {template}")
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}; check it with `tendril recipe validate {output}`")


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
def index(folder: Path) -> None:
    """Write FOLDER/index.json: the catalog index of every recipe under FOLDER.

    Every recipe must read and compile for every board it names; each one that does not gets one
    line naming the file, the recipe, the board and the problem, and no index is written."""
    try:
        path = write_index(folder)
    except IndexProblems as exc:
        _problems(exc)
    click.echo(f"wrote {path}")


@click.command()
@click.argument("text", default="")
@_CATALOG
@_DIR
def search(text: str, catalog: str | None, folder: Path | None) -> None:
    """Find recipes in a catalog by name, summary, tag or board."""
    found = _catalog(catalog, _store(folder)).search(text)
    for e in found:  # a summary is a stranger's text: no control characters reach the terminal
        summary = re.sub(r"[\x00-\x1f\x7f-\x9f]", "?", e["summary"])
        click.echo(f"{e['name']} {e['version']}: {summary} [{', '.join(e['tags'])}] ({', '.join(e['boards'])})")
    if not found:
        click.echo("no recipes match")


@click.command()
@click.argument("spec", metavar="NAME[@VERSION] | FILE | URL | git+URL#NAME[@VERSION]")
@click.option("--sha256", "expect", metavar="HEX", help="Refuse unless the recipe's bytes have this SHA-256.")
@_CATALOG
@_DIR
def install(spec: str, expect: str | None, catalog: str | None, folder: Path | None) -> None:
    """Install a recipe into your recipe folder, pinned in its lock file.

    From a catalog (NAME, with --catalog for another than the shipped one), a recipe file
    (./friend.toml), an http(s) URL, or a git catalog (git+https://host/catalog.git#NAME). The lock
    file remembers where it came from, for `tendril recipe update`."""
    store = _store(folder)
    source, name = parse_source(spec, catalog)
    click.echo(store.install(fetch(source, name, store.cache, expect)))


@click.command()
@click.argument("name")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking.")
@click.option("--catalog", "-c", metavar="PATH|GIT-URL",
              help="Update from this catalog instead of where NAME was installed from.")
@_DIR
def update(name: str, yes: bool, catalog: str | None, folder: Path | None) -> None:
    """Update an installed recipe from where it was installed, showing the changes first."""
    store = _store(folder)
    source = catalog_source(catalog) if catalog else store.source_of(name)
    plan = store.plan_update(fetch(source, name if source.is_catalog else None, store.cache))
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
@click.option("--force", is_flag=True, help="Remove it even if you changed it or made it yourself.")
@_DIR
def uninstall(name: str, force: bool, folder: Path | None) -> None:
    """Remove a recipe from your recipe folder and its lock file."""
    click.echo(_store(folder).uninstall(name, force))


@click.command()
@click.argument("name")
@click.argument("new_name", metavar="NEW")
@click.option("--author", help="Your name (default: git's user.name).")
@_CATALOG
@_DIR
def fork(name: str, new_name: str, author: str | None, catalog: str | None, folder: Path | None) -> None:
    """Copy a recipe (installed, else from the catalog) under a new name you own.

    The copy keeps the original authors and adds you; its derived_from records the original's
    name, version, maker, source and SHA-256."""
    store = _store(folder)
    path = store.path(name)
    if path.is_file():
        data, file = read_capped(path), path.name
        origin = store.origin_of(name, data)
    else:
        source = catalog_source(catalog)
        cat = source.open(store.cache)
        entry = cat.find(name)
        data, origin, file = cat.fetch(entry), source.origin(), entry["path"]
    made = store.fork(data, new_name, _author(author), origin, file)
    click.echo(f"wrote {made} (derived from {name})")


@click.command("list")
@_DIR
def list_(folder: Path | None) -> None:
    """List the recipes in your recipe folder, with their pins."""
    store = _store(folder)
    rows = store.installed()
    for name, pin, changed in rows:
        where = f"{pin['version']} from {pin.get('source', '?')}" if pin else "your own"
        click.echo(f"{name}: {where}{' (changed locally)' if changed else ''}")
    if not rows:
        click.echo(f"no recipes in {store.folder}")


@click.command()
@click.argument("name", metavar="NAME|FILE")
@click.option("--catalog", "-c", required=True, metavar="PATH|GIT-URL", help="The catalog folder or git repository.")
@click.option("--author", help="Commit as this name when git has none (default: git's user.name).")
@_DIR
def publish(name: str, catalog: str, author: str | None, folder: Path | None) -> None:
    """Add a recipe (from your recipe folder, or a file) to a catalog and its index.

    For a git catalog: clone it, commit ("Add NAME VERSION" / "Update NAME to VERSION") and push.
    If the push is refused, the commit stays in a clone whose path is printed."""
    from ..recipes.publish import add_to_folder, publish_git
    store = _store(folder)
    path = Path(name) if ("/" in name or "\\" in name or name.endswith(".toml")) else store.path(name)
    if not path.is_file():
        raise TendrilError(f"{name} is not a recipe file or a recipe in {store.folder}")
    data = read_capped(path)
    try:
        if is_git(catalog) and not catalog.startswith("-"):
            done = publish_git(catalog, data, path.name, store.cache, _author(author))
            where = f"pushed to {catalog}"
        else:
            done = add_to_folder(Path(catalog), data, path.name)
            where = f"in {Path(catalog) / done.path}"
    except IndexProblems as exc:
        _problems(exc)
    if not done.changed:
        click.echo(f"{done.name} {done.version} is already in {catalog}")
    else:
        click.echo(f"{done.message().replace('Add', 'added', 1).replace('Update', 'updated', 1)}: {where}")


SHARE_COMMANDS = (index, search, install, update, uninstall, fork, list_, publish)
