"""`tendril boards`: the boards tendril knows, from boards/*.toml."""

from __future__ import annotations

import json

import click

from ..boards import board_names, load_board


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per board.")
def boards(as_json: bool) -> None:
    """List the boards tendril supports, with their limits."""
    for name in board_names():
        b = load_board(name)
        if as_json:
            click.echo(json.dumps({
                "name": b.name, "title": b.title, "mcu": b.mcu, "board_class": int(b.board_class),
                "firmware": b.firmware, "max_image": b.max_image, "channels": b.max_channels,
                "actuators": b.max_actuators, "rules": b.max_rules, "params": b.max_params,
            }))
        else:
            click.echo(
                f"{b.name:14} {b.title:40} image {b.max_image:>5} B, {b.max_channels} channels, "
                f"{b.max_actuators} actuators, {b.max_rules} rules, {b.max_params} params"
            )
