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
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import click

from ..boards import boards_dir
from ..contract import EventKind
from ..errors import SimError
from ..sim import runner
from ..sim.story import clock, story

RECIPE = boards_dir() / "recipes" / "plant-waterer.toml"
# The pot, in the board's time: it loses 3 points of moisture a minute; one 4 s pulse (80 ml)
# raises it 10 points. The recipe waters below 35 % and re-arms at 40 %, so one pulse soaks the
# soil past 40 %, and it dries to 35 % again in under four minutes. 400 ml last five pulses.
DRY_PER_HOUR = 180.0
ML_PER_POINT = 8.0
TANK_ML = 400.0
DEFAULT_SPEED = 10.0  # board ms per real ms where the runtime can pace faster than life
AVR_LABEL = "the real tendril firmware (firmware/build/uno/tendril.elf) in simavr as an Arduino Uno"
NATIVE_LABEL = "the tendril firmware core built for this computer (tendril-native) as an Arduino Uno"
PYTHON_LABEL = "the MicroPython tendril firmware under CPython as a Raspberry Pi Pico"


def start_moisture(speed: float) -> float:
    """35.5 % on a real-time board: far enough above 35 % that the sensor's first reading (noise
    and all) is not below it, so the soil is seen drying for some ten seconds before the first
    pulse. A faster board starts wetter, so the drying still shows for several real seconds."""
    return round(35.5 + DRY_PER_HOUR / 3600 * 6.0 * (speed - 1), 2)


@dataclass
class Choice:
    runtime: str
    board: str
    label: str
    speed: float
    spec: runner.SimSpec


def choose(runtime: str | None, speed: float | None, workdir: Path, say) -> Choice:
    """The first runtime that works here (avr, native, python), or the one asked for."""
    order = [runtime] if runtime else list(runner.RUNTIMES)
    for name in order:
        try:
            return _prepare(name, speed, workdir, say)
        except SimError as exc:
            if runtime:
                raise
            say(f"({name} runtime not available: {exc})")
    raise SimError("no simulated board can run here")  # python always can; kept for clarity


def _prepare(name: str, speed: float | None, workdir: Path, say) -> Choice:
    eeprom = workdir / "board.eeprom"  # a fresh board every demo: it boots empty, the recipe arrives
    if name == "avr":
        if speed not in (None, 1.0):
            raise SimError("simavr paces the AVR at real time only (--speed 1); "
                           "--runtime native runs faster")
        if not runner.SIMAVR.exists() or not runner.product_elf("uno").exists():
            say("(building the simulator and the AVR firmware, once; this takes a minute)")
        runner.simavr_runner()
        runner.firmware_elf("uno")
        plant = (f"plant soil=A0 float=2 pump=7 pump_active=low moisture={start_moisture(1.0)} "
                 f"tank_ml={TANK_ML:g} dry_per_hour={DRY_PER_HOUR:g} ml_per_point={ML_PER_POINT:g}")
        spec = runner.SimSpec(board="uno", runtime="avr", realtime=True, eeprom=eeprom,
                              extra=["--set", plant])
        return Choice("avr", "uno", AVR_LABEL, 1.0, spec)
    speed = speed or DEFAULT_SPEED
    if name == "native":
        if not runner.NATIVE.exists():
            say("(building the native simulated board, once)")
        runner.native_runner()
        spec = runner.SimSpec(board="uno", runtime="native", realtime=True, eeprom=eeprom, extra=[
            "--speed", f"{speed:g}", "--plant", "--moisture", f"{start_moisture(speed)}",
            "--tank", f"{TANK_ML:g}", "--dry-per-hour", f"{DRY_PER_HOUR:g}",
            "--ml-per-point", f"{ML_PER_POINT:g}"])
        return Choice("native", "uno", NATIVE_LABEL, speed, spec)
    if name == "python":
        plant = {"moisture": start_moisture(speed), "tank_ml": TANK_ML,
                 "dry_per_hour": DRY_PER_HOUR, "ml_per_point": ML_PER_POINT}
        spec = runner.SimSpec(board="pico", runtime="python", eeprom=workdir / "pico-files",
                              extra=["--speed", f"{speed:g}",
                                     *(f"--plant={k}={v:g}" for k, v in plant.items())])
        return Choice("python", "pico", PYTHON_LABEL, speed, spec)
    raise SimError(f"unknown runtime {name!r} (one of {', '.join(runner.RUNTIMES)})")


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


def soil_and_tank(board) -> str:
    """The board's two sensors, from its latest telemetry; the host knows the tank only through
    the float switch."""
    index = {c.name: c.index for c in board.view().channels}
    with board.lock:
        soil, tank = (board.series[index[n]].last if index.get(n) in board.series else None
                      for n in ("soil", "tank_empty"))
    if soil is None:
        return ""
    text = f"soil {soil:5.1f} %"
    if tank is not None:
        text += "   tank EMPTY" if tank >= 0.5 else "   tank has water"
    return text


class Narrator:
    """The story as text lines: what the board reports, on the board's clock."""

    def __init__(self, board, speed: float, t0: float, echo=None) -> None:
        self.board, self.speed, self.t0, self.echo = board, speed, t0, echo or say
        self.last_line = None
        self.rule_state = ""
        self.next_status = 0.0
        self.status_every = 5.0 if speed < 4 else 3.0

    def board_clock(self, host_time: float | None = None) -> str:
        t = (host_time if host_time is not None else time.time()) - self.t0
        return clock(max(0, int(t * self.speed * 1000)))

    def status(self, view) -> str:
        parts = [soil_and_tank(self.board)]
        for a in view.actuators:
            state = f"ON ({a.owner}, {a.ms_left / 1000:.0f} s left)" if a.on else (
                "off, resting" if a.resting else "off")
            parts.append(f"{a.name} {state}")
            parts.append(f"today {a.today_on_ms / 1000:.0f} s of {a.daily_cap_ms / 60000:g} min")
        for r in view.rules:
            parts.append(f"rule {r.name}: {r.state}")
        return "   ".join(parts)

    def step(self) -> None:
        b = self.board
        with b.lock:
            lines = list(b.log)
        start = 0
        if self.last_line is not None:
            for i in range(len(lines) - 1, -1, -1):
                if lines[i] is self.last_line:
                    start = i + 1
                    break
        view = b.view()
        sensors = soil_and_tank(b)
        now = time.monotonic()
        for entry in lines[start:]:
            if entry.kind == "event":  # the status the board reports next is a second behind it
                self.next_status = max(self.next_status, now + 1.5)
            if entry.kind in ("event", "host", "log"):
                who = {"log": "the board logs: ", "host": "host: "}.get(entry.kind, "")
                self.echo(f"[{self.board_clock(entry.host_time)}] {who}{entry.text}"
                          + (f"   ({sensors})" if entry.kind == "event" and sensors else ""))
        if lines:
            self.last_line = lines[-1]
        for r in view.rules:
            if r.state != self.rule_state:
                why = _RULE_WORDS.get(r.state)
                if r.state == "armed" and self.rule_state != "cooling down":
                    why = None
                if why and self.rule_state:
                    self.echo(f"[{self.board_clock()}] rule {r.name}: {why}")
                self.rule_state = r.state
        if now >= self.next_status and sensors:
            self.next_status = now + self.status_every
            self.echo(f"[{self.board_clock()}] {self.status(view)}")


_RULE_WORDS = {
    "holding": "the soil is below 35 %; waiting 5 s to be sure before watering",
    "cooling down": "letting the water soak in (2 min cooldown); the rule waters again after it "
                    "only if the soil is still below 40 %",
    "armed": "cooldown over; the soil went back above 40 % meanwhile, so the rule waits for it "
             "to dry below 35 % again",
}


@dataclass
class Tally:
    samples: int = 0
    events: int = 0
    pump_runs: int = 0
    pump_on_ms: int = 0
    pump_offs: int = 0
    first_on_ms: int | None = None
    skips: int = 0
    soil: tuple[float, float] | None = None


def tally(db: Path) -> Tally:
    """What this demo's board logged (a fresh database per demo unless --db reuses one)."""
    t = Tally()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        q = lambda sql, *a: conn.execute(sql, a).fetchone()
        t.samples = q("SELECT count(*) FROM samples")[0]
        t.events = q("SELECT count(*) FROM events")[0]
        t.pump_runs, t.first_on_ms = q("SELECT count(*), min(device_ms) FROM events WHERE kind = ?",
                                       int(EventKind.ACT_ON))
        t.pump_offs, t.pump_on_ms = q("SELECT count(*), coalesce(sum(value), 0) FROM events "
                                      "WHERE kind = ?", int(EventKind.ACT_OFF))
        t.skips = q("SELECT count(*) FROM events WHERE kind = ?", int(EventKind.RULE_SKIP))[0]
        lo, hi = q("SELECT min(value), max(value) FROM samples WHERE channel = 0 AND raw = 0")
        t.soil = (lo / 1000, hi / 1000) if lo is not None else None
    finally:
        conn.close()
    return t


def _summary(t: Tally, seconds: float, speed: float, db: Path, board) -> list[str]:
    out = [(f"summary: {seconds:.0f} s here were {clock(int(seconds * speed * 1000))} on the "
            f"board's clock ({speed:g}x real time)")]
    if t.pump_runs:
        out.append(f"  the pump ran {t.pump_runs} time{'s' if t.pump_runs > 1 else ''}, "
                   f"{t.pump_on_ms / 1000:.1f} s in all"
                   + (" (the last run was still going)" if t.pump_offs < t.pump_runs else "")
                   + f"; it first went on at {clock(t.first_on_ms)} board time")
    else:
        out.append("  the pump did not run (the soil never stayed below 35 % long enough)")
    if t.skips:
        out.append(f"  the rule was held back {t.skips} time{'s' if t.skips > 1 else ''} "
                   "(interlock, resting pump or daily cap)")
    if t.soil:
        out.append(f"  soil between {t.soil[0]:.1f} % and {t.soil[1]:.1f} %; now: "
                   f"{soil_and_tank(board).strip()}")
    out.append(f"  logged {t.samples} samples and {t.events} events to {db}")
    out.append(f"  (tendril export --db {db} --format csv prints them)")
    return out


def _tui_available() -> bool:
    return importlib.util.find_spec("tendril.tui") is not None


@click.command()
@click.option("--headless", is_flag=True, help="Tell the story as plain text lines (no terminal UI).")
@click.option("--duration", type=click.FloatRange(min=1), help="Stop after this many seconds "
              "[default: until Ctrl-C, or until you quit the UI].")
@click.option("--runtime", type=click.Choice(runner.RUNTIMES), help="Force one simulated board: avr "
              "(the real .elf in simavr), native (the core built for this computer), python (the "
              "MicroPython firmware under CPython) [default: the first that works, in that order].")
@click.option("--speed", type=click.FloatRange(min=0), help=f"Board ms per real ms [default: "
              f"{DEFAULT_SPEED:g} for native and python, 1 for avr, which simavr paces at real time; "
              "3600 with --engine-only, where 0 is as fast as possible].")
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
                   f"{sim.port}; pushing {RECIPE.relative_to(runner.ROOT)}")
        outcome = board.push(recipe).result(60)
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
            narrator = Narrator(board, chosen.speed, t0)
            while not stop.is_set():
                narrator.step()
                if duration is not None and time.monotonic() - started >= duration:
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
    for line in _summary(tally(db), seconds, chosen.speed, db, board):
        say(line)


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

