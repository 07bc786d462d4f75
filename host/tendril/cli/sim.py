"""`tendril sim`: a simulated board that runs the real firmware, with a config pushed if one is given."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from ..errors import SimError
from ..session import Session
from ..session import push as push_image
from ..sim.runner import (
    BOARDS,
    PYTHON_BOARDS,
    RUNTIMES,
    SimBoard,
    SimSpec,
    default_eeprom,
    load_config,
)


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


@click.command("sim")
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--board", "-b", default="uno", show_default=True, type=click.Choice(BOARDS))
@click.option("--runtime", type=click.Choice(RUNTIMES),
              help="avr: the real .elf in simavr (default for AVR boards); native: the firmware core "
                   "built for this machine; python: the MicroPython firmware under CPython (default "
                   "for pico and esp32-devkit).")
@click.option("--elf", type=click.Path(dir_okay=False, exists=True),
              help="Run this AVR program instead of tendril's firmware (any sketch).")
@click.option("--scenario", type=click.Path(dir_okay=False, exists=True),
              help="What the inputs read over time, for the avr and native runtimes (firmware/sim/README.md).")
@click.option("--realtime/--fast", default=True, show_default=True,
              help="Pace the board to the wall clock, or run it as fast as it goes.")
@click.option("--speed", type=click.FloatRange(min=0, min_open=True, max=100), default=1.0,
              show_default=True, help="With --realtime: board ms per real ms, to watch a day go by "
              "faster (simavr keeps up with about 3x here; native and python with much more).")
@click.option("--eeprom", type=click.Path(dir_okay=False),
              help="EEPROM file (a folder for --runtime python) kept between runs "
                   "[default: ~/.cache/tendril/sim/BOARD-RUNTIME.eeprom].")
def sim(config: str | None, board: str, runtime: str | None, elf: str | None, scenario: str | None,
        realtime: bool, speed: float, eeprom: str | None) -> None:
    """Start a simulated board; push CONFIG (a recipe or compiled image) if given.

    Prints `port: <path>` as its first line once the board is ready (after the push), then lets go
    of the port so any other command can connect. With a CONFIG the board's world (its clock, the
    plant, the scenario) starts only once the recipe runs. Ctrl-C or SIGTERM stops the board; its
    EEPROM is kept.
    """
    runtime = runtime or ("python" if board in PYTHON_BOARDS else "avr")
    image = load_config(Path(config), board) if config else None
    spec = SimSpec(board=board, runtime=runtime, elf=Path(elf) if elf else None,
                   scenario=Path(scenario) if scenario else None, realtime=realtime, speed=speed,
                   eeprom=Path(eeprom) if eeprom else default_eeprom(board, runtime),
                   hold=image is not None)
    # SIGTERM stops the board like Ctrl-C: otherwise the board process would outlive this one.
    old_term = signal.signal(signal.SIGTERM, _interrupt)
    sim_board = SimBoard(spec)
    try:
        if image is not None:
            with Session(sim_board.port) as session:
                after = push_image(session, image).after
            sim_board.clock.go()  # the world starts with the recipe running
            click.echo(f"port: {sim_board.port}")
            click.echo(f"tendril sim: {board} runs recipe {after.recipe_hash.hex()} "
                       f"(generation {after.config_generation}); EEPROM in {spec.eeprom}", err=True)
        else:
            click.echo(f"port: {sim_board.port}")
            click.echo(f"tendril sim: {board} ({runtime}) running; EEPROM in {spec.eeprom}", err=True)
        status = sim_board.proc.wait()
    except KeyboardInterrupt:
        status = 0
    finally:
        code = sim_board.stop()
        signal.signal(signal.SIGTERM, old_term)
    if status or code not in (0, None, -2):
        raise SimError(f"the simulated board stopped with status {status or code}")
