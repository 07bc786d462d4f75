"""`tendril flash`: build the firmware for a board and upload it.

AVR boards (uno, nano, mega2560): make + avrdude through the boot loader (tendril.flash.avr).
MicroPython boards (pico, esp32-devkit): mpy-cross + mpremote (tendril.flash.micropython).
"""

from __future__ import annotations

from pathlib import Path

import click

from ..boards import load_board
from ..errors import TendrilError


@click.command()
@click.option("--board", "-b",
              help="The board on the port: uno, nano, mega2560, pico, esp32-devkit "
                   "[default: uno, or pico with --micropython].")
@click.option("--port", "-p", required=True, help="Its serial port, e.g. /dev/ttyACM0.")
@click.option("--baud", type=int, default=115200, show_default=True,
              help="Serial speed the firmware talks at (built in; AVR boards).")
@click.option("--old-bootloader", is_flag=True,
              help="A Nano with the old boot loader (uploads at 57600 baud).")
@click.option("--hex", "hex_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Upload this .hex instead of building the firmware.")
@click.option("--attempts", type=click.IntRange(1, 99),
              help="How often avrdude tries to reach an Uno/Nano boot loader (avrdude: 10).")
@click.option("--timeout", type=float, default=120.0, show_default=True,
              help="Seconds before an upload that gets no answer is given up.")
@click.option("--micropython", is_flag=True,
              help="Deploy the MicroPython firmware (the board's firmware says so anyway).")
@click.option("--recipe", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="MicroPython boards: a recipe (or compiled image) to copy along as the config.")
def flash(board: str | None, port: str, baud: int, old_bootloader: bool, hex_file: Path | None,
          attempts: int | None, timeout: float, micropython: bool, recipe: Path | None) -> None:
    """Build the firmware for BOARD and upload it to the board on PORT."""
    board = board or ("pico" if micropython else "uno")
    kind = load_board(board).firmware
    if recipe is not None and kind != "micropython":
        raise TendrilError("--recipe is for MicroPython boards; after flashing an AVR board, "
                           "push the recipe with: tendril push RECIPE --port PORT")
    if micropython and kind != "micropython":
        raise TendrilError(f"{board} does not run MicroPython; flash it without --micropython")
    if kind == "micropython":
        from ..flash.micropython import deploy
        from ..sim.runner import load_config

        image = load_config(recipe, board) if recipe is not None else None
        deploy(port, board, image, log=click.echo)
        return
    from ..flash.avr import upload

    upload(board, port, baud=baud, hex_file=hex_file, old_bootloader=old_bootloader,
           attempts=attempts, timeout=timeout, log=click.echo)
