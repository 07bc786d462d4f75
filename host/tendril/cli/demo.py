"""`tendril demo`: the plant-waterer story on a virtual clock."""

from __future__ import annotations

import time

import click

from ..sim.story import clock, story


@click.command()
@click.option("--hours", default=8.0, show_default=True, help="Virtual hours to run.")
@click.option("--speed", default=3600.0, show_default=True,
              help="Virtual seconds per real second (0: as fast as possible).")
def demo(hours: float, speed: float) -> None:
    """Watch a simulated plant waterer: the soil dries, the pump pulses, the tank runs dry.

    This preview runs tendril's reference rule engine (the one the firmware is held to) against a
    simulated pot and tank. The simulated AVR board and the terminal UI come later.
    """
    click.echo("tendril demo (preview): the plant-waterer recipe in tendril's reference rule engine, "
               "against a simulated pot and tank on a virtual clock. No simulated board or terminal "
               f"UI exists yet. {hours:g} virtual hours, "
               + (f"{speed:g}x real time.\n" if speed > 0 else "as fast as possible.\n"))
    started = time.monotonic()
    for t, line in story(hours=hours, refill_at_h=min(6.0, hours * 0.75)):
        if speed > 0:
            delay = started + t / 1000 / speed - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        click.echo(f"[{clock(t)}] {line}")
