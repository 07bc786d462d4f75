"""The `tendril` command. Thin: parses arguments, calls the cores, prints.

Every TendrilError becomes one line on stderr and exit status 1; --verbose shows the traceback.
"""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import TendrilError
from .db import db
from .demo import demo
from .doctor import doctor
from .image import image
from .importer import import_file
from .log import log
from .serve import serve
from .boards import boards
from .flash import flash
from .recipe import recipe
from .sensors import sensors
from .sim import sim
from .device import COMMANDS as DEVICE_COMMANDS
from .ports import ports
from .monitor import monitor
from .plot import plot
from .store import export, replay


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except TendrilError as exc:
            if ctx.obj and ctx.obj.get("verbose"):
                raise
            click.echo(f"tendril: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tendril")
@click.option("-v", "--verbose", is_flag=True, help="Show full detail (tracebacks) on errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """tendril: recipe-driven firmware for Arduino-class boards, and its host companion."""
    ctx.ensure_object(dict)["verbose"] = verbose


cli.add_command(boards)
cli.add_command(flash)
cli.add_command(image)
cli.add_command(demo)
cli.add_command(doctor)
cli.add_command(recipe)
cli.add_command(sim)
cli.add_command(sensors)
cli.add_command(export)
cli.add_command(import_file)
cli.add_command(db)
cli.add_command(replay)
cli.add_command(plot)
cli.add_command(ports)
cli.add_command(monitor)
cli.add_command(log)
cli.add_command(serve)
for _command in DEVICE_COMMANDS:
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="tendril")


if __name__ == "__main__":
    sys.exit(main())
