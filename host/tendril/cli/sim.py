"""`tendril sim`: a simulated board that runs the real firmware, with a config pushed if one is given."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import click

from ..boards import Board, load_board
from ..contract import HelloFlag
from ..errors import SimError, TendrilError
from ..image import decode
from ..protocol import Hello
from ..recipes import load
from ..session import Session, read_config
from ..session import push as push_image
from ..sim.runner import BOARDS, SimBoard, SimSpec, default_eeprom, load_config
from ..sim.runtimes import REGISTRY, RUNTIMES, default_runtime
from ..sim.world import PlantWiring, calibration_spans, plant_wiring, unwired_warnings


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def _say(text: str) -> None:
    click.echo(f"tendril sim: {text}", err=True)


def _note_file(eeprom: Path) -> Path:
    """Beside the EEPROM: which recipe `tendril sim` last pushed into it, by name, so a later run
    that finds it there can say which (the board itself keeps only a 12-character name)."""
    return eeprom.with_name(eeprom.name + ".recipe.json")


def _remember(eeprom: Path, hello: Hello, name: str) -> None:
    try:
        _note_file(eeprom).write_text(json.dumps({"recipe_hash": hello.recipe_hash.hex(), "name": name}))
    except OSError:
        pass  # only words are lost: the next run names the recipe by its image name


def _kept_name(eeprom: Path, hello: Hello, session: Session) -> str:
    """The name of the recipe a board came up with: as `tendril sim` pushed it, else the image's."""
    try:
        note = json.loads(_note_file(eeprom).read_text())
        if note.get("recipe_hash") == hello.recipe_hash.hex():
            return str(note["name"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        return decode(read_config(session)).name or hello.recipe_hash.hex()
    except TendrilError:
        return hello.recipe_hash.hex()


def _world(image: bytes, recipe, board: Board, scenario: str | None) -> PlantWiring | None:
    """The plant model on the recipe's own pins (unless a scenario says what the pins read), and a
    warning line for each channel that would read outside its calibration."""
    img = decode(image)
    wiring = plant_wiring(img, board) if scenario is None else None
    spans = calibration_spans(recipe, board) if recipe is not None else {}
    names = [c.name for c in recipe.channels] if recipe is not None else []
    for line in unwired_warnings(img, board, spans, names, wiring, scenario):
        _say(f"warning: {line}")
    return wiring


@click.command("sim")
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--board", "-b", default="uno", show_default=True, type=click.Choice(BOARDS))
@click.option("--runtime", type=click.Choice(RUNTIMES),
              help="Which simulated board runs it (default: avr for AVR boards, python for pico and "
                   "esp32-devkit). " + " ".join(f"{r.name}: {r.title.format(board='BOARD')}; boards "
                                               f"{', '.join(r.boards)}; {r.caps.words()}."
                                               for r in REGISTRY.values()))
@click.option("--elf", type=click.Path(dir_okay=False, exists=True),
              help="Run this AVR program instead of tendril's firmware (any sketch).")
@click.option("--scenario", type=click.Path(dir_okay=False, exists=True),
              help="What the inputs read over time, on every runtime (firmware/sim/README.md); "
                   "instead of the plant model on the recipe's pins.")
@click.option("--realtime/--fast", default=True, show_default=True,
              help="Pace the board to the wall clock, or run it as fast as it goes.")
@click.option("--speed", type=click.FloatRange(min=0, min_open=True, max=100), default=1.0,
              show_default=True, help="With --realtime: board ms per real ms, to watch a day go by "
              "faster (simavr keeps up with about 3x here; native and python with much more).")
@click.option("--eeprom", type=click.Path(dir_okay=False),
              help="EEPROM file (a folder for --runtime python) kept between runs "
                   "[default: ~/.cache/tendril/sim/BOARD-RUNTIME.eeprom, shared by every run without --eeprom].")
def sim(config: str | None, board: str, runtime: str | None, elf: str | None, scenario: str | None,
        realtime: bool, speed: float, eeprom: str | None) -> None:
    """Start a simulated board; push CONFIG (a recipe or compiled image) if given.

    Prints `port: <path>` as its first line once the board is ready (after the push), then lets go
    of the port so any other command can connect. With a CONFIG the board's world (its clock, the
    plant, the scenario) starts only once the recipe runs. Without --scenario the plant model is
    wired to the recipe's own pins: its soil channel reads the simulated soil (in the recipe's
    calibration), the actuator its watering rule drives is the pump, the rule's interlock the
    tank's float switch. Ctrl-C or SIGTERM stops the board; its EEPROM is kept.
    """
    runtime = runtime or default_runtime(board)
    image = load_config(Path(config), board) if config else None
    recipe = load(Path(config)) if config and Path(config).suffix == ".toml" else None
    name = f"{recipe.meta.name} {recipe.meta.version}" if recipe else decode(image).name if image else ""
    scenario_text = Path(scenario).read_text(encoding="utf-8", errors="replace") if scenario else None
    wiring = _world(image, recipe, load_board(board), scenario_text) if image is not None else None
    shared = eeprom is None
    spec = SimSpec(board=board, runtime=runtime, elf=Path(elf) if elf else None,
                   scenario=Path(scenario) if scenario else None, realtime=realtime, speed=speed,
                   eeprom=Path(eeprom) if eeprom else default_eeprom(board, runtime),
                   hold=image is not None, plant=wiring)
    # SIGTERM stops the board like Ctrl-C: otherwise the board process would outlive this one.
    old_term = signal.signal(signal.SIGTERM, _interrupt)
    sim_board = SimBoard(spec)
    where = (f"EEPROM in {spec.eeprom}, shared by every `tendril sim` of {board} ({runtime}) without "
             f"--eeprom" if shared else f"EEPROM in {spec.eeprom}")
    try:
        if image is not None:
            with Session(sim_board.port) as session:
                result = push_image(session, image)
            sim_board.clock.go()  # the world starts with the recipe running
            _remember(spec.eeprom, result.after, name)
            click.echo(f"port: {sim_board.port}")
            kept = " (already on the board from an earlier run)" if result.already_active else ""
            _say(f"{board} ({runtime}) runs {name}{kept}, generation {result.after.config_generation}; {where}")
            if wiring is not None:
                _say(f"plant model: {wiring.words(load_board(board))}")
        else:
            note = ""
            if elf is None:
                with Session(sim_board.port) as session:
                    hello = session.hello
                    if hello.flags & HelloFlag.HAS_CONFIG:
                        note = (f"; it came up running {_kept_name(spec.eeprom, hello, session)}, kept from "
                                f"an earlier run (push a recipe to replace it"
                                f"{', or give --eeprom FILE for a board of its own' if shared else ''})")
            click.echo(f"port: {sim_board.port}")
            _say(f"{board} ({runtime}) running; {where}{note}")
        status = sim_board.proc.wait()
    except KeyboardInterrupt:
        status = 0
    finally:
        code = sim_board.stop()
        signal.signal(signal.SIGTERM, old_term)
    # A board stopped by the same Ctrl-C or SIGTERM (sent to the whole process group) stopped cleanly.
    if status not in (0, -signal.SIGINT, -signal.SIGTERM) or code not in (0, None, -signal.SIGINT, -signal.SIGTERM):
        raise SimError(f"the simulated board stopped with status {status or code}")
