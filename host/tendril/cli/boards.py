"""`tendril boards [NAME]`: the boards tendril knows, from boards/*.toml, and one board's pins."""

from __future__ import annotations

import json

import click

from ..boards import Board, Pin, board_names, load_board
from ..contract import PinCap
from ..errors import BoardError


def _limits(b: Board) -> dict:
    return {"name": b.name, "title": b.title, "mcu": b.mcu, "board_class": int(b.board_class),
            "firmware": b.firmware, "max_image": b.max_image, "channels": b.max_channels,
            "actuators": b.max_actuators, "rules": b.max_rules, "params": b.max_params}


def pin_uses(pin: Pin) -> list[str]:
    """What a recipe can use ``pin`` for, in the words of docs/recipes.md's channel and actuator kinds."""
    caps = pin.caps
    if caps & PinCap.RESERVED:
        return ["reserved by the board"]
    uses = []
    if caps & PinCap.ANALOG_IN:
        uses.append("analog in")
    if caps & PinCap.DIGITAL_IN and caps & PinCap.DIGITAL_OUT:
        uses.append("digital in/out")
    elif caps & PinCap.DIGITAL_IN:
        uses.append("digital in")
    elif caps & PinCap.DIGITAL_OUT:
        uses.append("digital out")
    if caps & PinCap.PWM:
        uses.append("PWM")
    if caps & PinCap.NO_ACTUATOR:
        uses.append("not for actuators")  # it glitches at boot
    return uses


def _show(b: Board, as_json: bool) -> None:
    if as_json:
        pins = [{"name": p.name, "number": p.number, "can": pin_uses(p), "note": p.note} for p in b.pins]
        click.echo(json.dumps({**_limits(b), "adc_bits": b.adc_bits, "adc_vref_mv": b.adc_vref_mv,
                               "pins": pins}))
        return
    click.echo(f"{b.name}: {b.title}, {b.adc_bits}-bit ADC (full scale {b.adc_vref_mv / 1000:g} V)")
    click.echo(f"image {b.max_image} B, {b.max_channels} channels, {b.max_actuators} actuators, "
               f"{b.max_rules} rules, {b.max_params} params")
    rows = [(p.name, ", ".join(pin_uses(p)), p.note) for p in b.pins]
    names, uses = (max(len(row[i]) for row in rows) for i in (0, 1))
    for pin, can, note in rows:
        click.echo(f"  {pin:<{names}}  {can:<{uses}}  {note}".rstrip())


@click.command()
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per board (with NAME: its pins too).")
def boards(name: str | None, as_json: bool) -> None:
    """List the boards tendril supports, with their limits; with NAME, that board's pins and what
    each can do (analog in, digital in/out, PWM)."""
    if name is not None:
        if name not in board_names():
            raise BoardError(f"unknown board {name!r}; known boards: {', '.join(board_names())}")
        _show(load_board(name), as_json)
        return
    for board in board_names():
        b = load_board(board)
        if as_json:
            click.echo(json.dumps(_limits(b)))
        else:
            click.echo(
                f"{b.name:14} {b.title:40} image {b.max_image:>5} B, {b.max_channels} channels, "
                f"{b.max_actuators} actuators, {b.max_rules} rules, {b.max_params} params"
            )
