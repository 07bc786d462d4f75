"""`tendril demo`: a plant waterer at work on a simulated board, with no hardware.

The board runs real tendril firmware: the AVR program in simavr when it can be built and run here,
else the firmware core built for this computer (tendril-native), else the MicroPython firmware
under CPython. Its inputs come from the plant model (a pot that dries, a tank, a pump). The demo
pushes boards/recipes/plant-waterer.toml over the board's serial port with a LiveBoard, logs
everything to a database, and shows it in the terminal UI, or as text lines with --headless.

`--engine-only` keeps the first preview: the recipe in the reference rule engine on a virtual clock,
eight hours in seconds, no simulated board (it runs anywhere, instantly, and reaches the empty tank
and the refill that the live demo only shows after minutes).
"""

from __future__ import annotations

import asyncio
import importlib.util
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import click

from ..errors import SimError
from ..resources import shown
from ..sim import runner
from ..sim.demo import AVR_MAX_SPEED, DEFAULT_SPEED, RECIPE, Narrator, choose, summary, tally
from ..sim.story import clock, story


def say(text: str) -> None:
    """A line of the story, out at once even into a pipe (CI logs follow it as it happens)."""
    click.echo(text)
    sys.stdout.flush()


def _demo_db(db: Path | None) -> Path:
    """--db, else demo.db beside the default log database, started afresh for every demo."""
    if db is not None:
        return db
    from ..store.db import default_path

    path = default_path().with_name("demo.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def _tui_available() -> bool:
    return importlib.util.find_spec("tendril.tui") is not None


@click.command()
@click.option("--headless", is_flag=True, help="Tell the story as plain text lines (no terminal UI).")
@click.option("--duration", type=click.FloatRange(min=1), help="Stop after this many seconds of the "
              "story: board time divided by --speed, so a busy computer tells the same story, only "
              "later [default: until Ctrl-C, or until you quit the UI].")
@click.option("--runtime", type=click.Choice(runner.RUNTIMES), help="Force one simulated board: avr "
              "(the real .elf in simavr), native (the core built for this computer), python (the "
              "MicroPython firmware under CPython) [default: the first that works, in that order].")
@click.option("--speed", type=click.FloatRange(min=0), help=f"Board ms per real ms [default: "
              f"{DEFAULT_SPEED:g} for native and python, 1 for avr (at most {AVR_MAX_SPEED:g}: what simavr "
              "keeps up with); 3600 with --engine-only, where 0 is as fast as possible].")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help="Log database [default: "
              "demo.db beside tendril's default log database, emptied at every demo].")
@click.option("--engine-only", is_flag=True, help="The recipe in the reference rule engine against "
              "the plant model, eight virtual hours in seconds; no simulated board.")
@click.option("--hours", type=float, help="Virtual hours for --engine-only (implies it) [default: 8].")
@click.option("--screenshots", type=click.Path(file_okay=False, path_type=Path), hidden=True,
              help="Run the UI off-screen for --duration seconds (default 25), then save its "
                   "dashboard and charts as SVG into this folder (the README's pictures).")
def demo(headless: bool, duration: float | None, runtime: str | None, speed: float | None,
         db: Path | None, engine_only: bool, hours: float | None, screenshots: Path | None) -> None:
    """A plant waterer at work on a simulated board: the soil dries, the pump pulses, the soil
    soaks up the water. No hardware needed.

    The board runs real tendril firmware with the plant-waterer recipe pushed to it over its
    serial port; everything it reports is logged and shown in the terminal UI (or, with
    --headless, as text). Ctrl-C stops it.
    """
    if engine_only or hours is not None:
        _engine_story(8.0 if hours is None else hours, 3600.0 if speed is None else speed)
        return
    with tempfile.TemporaryDirectory(prefix="tendril-demo-") as tmp:
        _live_demo(headless, duration, runtime, speed, db, Path(tmp), screenshots)


def _live_demo(headless: bool, duration: float | None, runtime: str | None, speed: float | None,
               db: Path | None, workdir: Path, screenshots: Path | None = None) -> None:
    from ..live import LiveBoard, LogSink
    from ..recipes import load

    notes: list[str] = []
    chosen = choose(runtime, speed, workdir, notes.append)
    say(f"tendril demo: {chosen.label}, "
               + ("paced to real time." if chosen.speed == 1 else f"at {chosen.speed:g}x real time."))
    for note in notes:
        say(note)
    use_tui = not headless and _tui_available()
    if screenshots is not None and not use_tui:
        raise SimError("--screenshots needs the terminal UI (tendril.tui), without --headless")
    if not headless and not use_tui:
        say("(the terminal UI, tendril.tui, is not built yet: telling the story as text)")
    recipe = load(RECIPE)
    db = _demo_db(db)
    stderr_log = (workdir / "board.log").open("w")
    stop = threading.Event()
    old_handlers: list = []
    t0 = time.time()
    board = sink = None
    sim = runner.SimBoard(chosen.spec, stderr=stderr_log)
    try:
        sink = LogSink.open(db)
        board = LiveBoard(sim.port, sink=sink, recipes=[recipe], board=chosen.board).start()
        if not board.wait_online(15):
            raise SimError(f"the simulated board did not answer on {sim.port}: {board.view().error}")
        say(f"[{clock(int((time.time() - t0) * chosen.speed * 1000))}] the board is up on "
                   f"{sim.port}; pushing {shown(RECIPE)}")
        outcome = board.push(recipe).result(60)
        if sim.clock is not None:
            sim.clock.go()  # the board's world starts with the recipe running
        story_from = board.device_ms
        say(f"[{clock(int((time.time() - t0) * chosen.speed * 1000))}] the board runs "
                   f"{recipe.meta.name} (generation {outcome.generation}): water below 35 % soil "
                   "moisture in 4 s pulses, 2 min soak between pulses, never with an empty tank; "
                   "pump at most 10 s on, 30 s rest, 5 min a day")
        started = time.monotonic()
        old_handlers = _stop_on_signals(stop)
        if use_tui:
            from ..tui import MonitorApp

            app = MonitorApp(boards=[board], sink=sink)
            if screenshots is None:
                app.run()
            else:
                asyncio.run(_screenshots(app, screenshots, duration or 25.0))
        else:
            narrator = Narrator(board, chosen.speed, t0, echo=say)
            while not stop.is_set():
                narrator.step()
                if duration is not None and _story_over(board, story_from, chosen.speed, duration,
                                                        time.monotonic() - started):
                    break
                if not sim.alive():
                    raise SimError(f"the simulated board stopped (status {sim.proc.returncode})"
                                   + _tail(workdir / "board.log"))
                stop.wait(0.1)
        seconds = time.time() - t0
    finally:
        if board is not None:
            board.stop()
        if sink is not None:
            sink.close()
        sim.stop()
        stderr_log.close()
        for sig, handler in old_handlers:
            signal.signal(sig, handler)
    for line in summary(tally(db), seconds, chosen.speed, db, board):
        say(line)


STORY_WALL_FACTOR = 20  # a board this much slower than its pace ends the story anyway


def _story_over(board, story_from: int | None, speed: float, duration: float, wall: float) -> bool:
    """Whether ``duration`` seconds of the story have passed on the board's own clock (or the
    board has fallen so far behind its pace that the wall clock must end it)."""
    now = board.device_ms
    if now is not None and story_from is not None and (now - story_from) / 1000 / speed >= duration:
        return True
    if wall >= duration * STORY_WALL_FACTOR:
        say(f"(the board ran at less than 1/{STORY_WALL_FACTOR} of its pace on this computer: "
            "ending the story here)")
        return True
    return False


async def _screenshots(app, folder: Path, seconds: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(seconds)
        app.save_screenshot("demo-dashboard.svg", str(folder))
        await pilot.press("g")
        await pilot.pause(1.5)
        app.save_screenshot("demo-charts.svg", str(folder))
        click.echo(f"saved {folder / 'demo-dashboard.svg'} and {folder / 'demo-charts.svg'}")


def _tail(path: Path) -> str:
    lines = path.read_text(errors="replace").strip().splitlines()[-5:]
    return (":\n" + "\n".join(lines)) if lines else ""


def _stop_on_signals(stop: threading.Event) -> list:
    """Ctrl-C (and SIGTERM) end the story cleanly: the summary is printed, the exit status is 0."""
    old = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            old.append((sig, signal.signal(sig, lambda *_: stop.set())))
        except ValueError:  # not the main thread
            pass
    return old


def _engine_story(hours: float, speed: float) -> None:
    click.echo("tendril demo --engine-only: the plant-waterer recipe in tendril's reference rule "
               "engine (the one every firmware is held to), against the plant model on a virtual "
               f"clock; no simulated board. {hours:g} virtual hours, "
               + (f"{speed:g}x real time.\n" if speed > 0 else "as fast as possible.\n"))
    started = time.monotonic()
    for t, line in story(hours=hours, refill_at_h=min(6.0, hours * 0.75)):
        if speed > 0:
            delay = started + t / 1000 / speed - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        click.echo(f"[{clock(t)}] {line}")

