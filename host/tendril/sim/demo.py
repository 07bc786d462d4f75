"""The live demo's parts below the CLI: which simulated board runs here, the pot it waters, and the
story told from what the board reports (a narrator for text output, a tally for the summary).

`tendril demo` (tendril.cli.demo) wires these to a LiveBoard, a LogSink and the terminal UI."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..boards import boards_dir
from ..contract import RuleState
from ..errors import SimError
from ..resources import NeedsCheckout
from ..store.db import connect_ro
from ..store.summary import Tally
from ..store.summary import tally as log_tally
from ..words import actuator_state_text, log_text, owner_text, rule_state_text
from . import runner, runtimes
from .story import clock

RECIPE = boards_dir() / "recipes" / "plant-waterer.toml"
# The pot, in the board's time: it loses 3 points of moisture a minute; one 4 s pulse (80 ml)
# raises it 10 points. The recipe waters below 35 % and re-arms at 40 %, so one pulse soaks the
# soil past 40 %, and it dries to 35 % again in under four minutes. 400 ml last five pulses.
DRY_PER_HOUR = 180.0
ML_PER_POINT = 8.0
TANK_ML = 400.0
DEFAULT_SPEED = 10.0  # board ms per real ms where the runtime can pace faster than life
AVR_MAX_SPEED = runtimes.REGISTRY["avr"].max_speed  # what simavr keeps up with here
# The board each runtime shows the demo on, and where the plant waterer is wired on it (soil,
# float switch, pump: boards/recipes/plant-waterer.toml's pins on that board).
DEMO_BOARD = {"avr": ("uno", "Arduino Uno"), "native": ("uno", "Arduino Uno"),
              "python": ("pico", "Raspberry Pi Pico")}
PINS = {"uno": ("A0", "2", "7"), "pico": ("GP26", "GP15", "GP16")}


def start_moisture(speed: float) -> float:
    """35.5 % on a real-time board: far enough above 35 % that the sensor's first reading (noise
    and all) is not below it, so the soil is seen drying for some ten seconds before the first
    pulse. A faster board starts wetter, so the drying still shows for several real seconds."""
    return round(35.5 + DRY_PER_HOUR / 3600 * 6.0 * (speed - 1), 2)


def plant_line(speed: float, board: str = "uno") -> str:
    """The pot as a scenario line (firmware/sim/README.md), which every runtime reads."""
    soil, float_pin, pump = PINS[board]
    return (f"plant soil={soil} float={float_pin} pump={pump} pump_active=low "
            f"moisture={start_moisture(speed)} tank_ml={TANK_ML:g} dry_per_hour={DRY_PER_HOUR:g} "
            f"ml_per_point={ML_PER_POINT:g}")


@dataclass
class Choice:
    runtime: str
    board: str
    label: str
    speed: float
    spec: runner.SimSpec


def choose(runtime: str | None, speed: float | None, workdir: Path, say) -> Choice:
    """The first runtime that works here (avr, native, python), or the one asked for."""
    order = [runtime] if runtime else list(runtimes.RUNTIMES)
    for name in order:
        try:
            return _prepare(name, speed, workdir, say)
        except (SimError, NeedsCheckout) as exc:
            if runtime:
                raise
            say(f"({name} runtime not available: {exc})")
    raise SimError("no simulated board can run here")  # python always can; kept for clarity


def _prepare(name: str, speed: float | None, workdir: Path, say) -> Choice:
    rt = runtimes.runtime(name)
    board, title = DEMO_BOARD[name]
    speed = speed or (DEFAULT_SPEED if rt.max_speed >= DEFAULT_SPEED else 1.0)
    if speed > rt.max_speed:
        raise SimError(f"{rt.engine} runs an {title.split()[-1]} at {rt.max_speed:g}x real time at most "
                       "here (--speed); --runtime native runs faster")
    if not rt.built(board) and runner.ROOT:
        say(f"(building the {name} simulated board, once; this can take a minute)")
    rt.build(board)
    # a fresh board every demo: it boots empty, the recipe arrives
    eeprom = workdir / ("pico-files" if name == "python" else "board.eeprom")
    spec = runner.SimSpec(board=board, runtime=name, realtime=True, eeprom=eeprom, hold=True,
                          extra=["--speed", f"{speed:g}", "--set", plant_line(speed, board)])
    return Choice(name, board, f"{rt.title.format(board=board)} as a {title}", speed, spec)


def _print(text: str) -> None:
    print(text, flush=True)


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
        self.board, self.speed, self.t0, self.echo = board, speed, t0, echo or _print
        self.seen = 0  # board.log_since() count of the lines already told
        self.rule_state: RuleState | int | None = None  # the rule's state as last told
        self.next_status = 0.0
        self.status_every = 5.0 if speed < 4 else 3.0

    def board_clock(self, host_time: float | None = None) -> str:
        t = (host_time if host_time is not None else time.time()) - self.t0
        return clock(max(0, int(t * self.speed * 1000)))

    def status(self, view) -> str:
        parts = [soil_and_tank(self.board)]
        for a in view.actuators:
            state = actuator_state_text(a.on, owner=owner_text(a.owner), ms_left=a.ms_left,
                                        resting=a.resting, locked=a.locked, style="story")
            parts.append(f"{a.name} {state}")
            parts.append(f"today {a.today_on_ms / 1000:.0f} s of {a.daily_cap_ms / 60000:g} min")
        for r in view.rules:
            parts.append(f"rule {r.name}: {rule_state_text(r.state)}")
        return "   ".join(parts)

    def step(self) -> None:
        b = self.board
        lines, self.seen = b.log_since(self.seen)
        view = b.view()
        sensors = soil_and_tank(b)
        now = time.monotonic()
        for entry in lines:
            if entry.kind == "event":  # the status the board reports next is a second behind it
                self.next_status = max(self.next_status, now + 1.5)
            if entry.kind in ("event", "host", "log"):
                who = {"log": "the board logs: ", "host": "host: "}.get(entry.kind, "")
                self.echo(f"[{self.board_clock(entry.host_time)}] {who}{log_text(entry)}"
                          + (f"   ({sensors})" if entry.kind == "event" and sensors else ""))
        for r in view.rules:
            if r.state != self.rule_state:
                why = _RULE_WORDS.get(r.state)
                if r.state == RuleState.IDLE and self.rule_state != RuleState.COOLING:
                    why = None
                if why and self.rule_state is not None:
                    self.echo(f"[{self.board_clock()}] rule {r.name}: {why}")
                self.rule_state = r.state
        if now >= self.next_status and sensors:
            self.next_status = now + self.status_every
            self.echo(f"[{self.board_clock()}] {self.status(view)}")


_RULE_WORDS = {
    RuleState.HOLDING: "the soil is below 35 %; waiting 5 s to be sure before watering",
    RuleState.COOLING: "letting the water soak in (2 min cooldown); the rule waters again after it "
                    "only if the soil is still below 40 %",
    RuleState.IDLE: "cooldown over; the soil went back above 40 % meanwhile, so the rule waits for it "
             "to dry below 35 % again",
}


def tally(db: Path) -> Tally:
    """What this demo's board logged (a fresh database per demo unless --db reuses one)."""
    conn = connect_ro(db)
    try:
        return log_tally(conn)
    finally:
        conn.close()


def summary(t: Tally, seconds: float, speed: float, db: Path, board) -> list[str]:
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
    out.append(f"  (tendril export --db {db} prints them; --events the events)")
    return out
