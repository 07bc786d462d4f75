"""The real Uno firmware's main-loop timing in simavr, shared by test_loop_timing.py and
bench/loop_timing.py: push a recipe to a held board, run it N board ms flat out while every frame is
read, stop it, and read the runner's `--loop-mark wdr` summary (firmware/sim/sim_timing_avr.c) with
the pulse model's count and the board's TELEMETRY. Every number is simulated time: the same run gives
the same numbers on any machine."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path

from tendril.boards import load_board
from tendril.image import with_generation
from tendril.protocol import Event, Telemetry
from tendril.recipes import compile_recipe, parse
from tendril.sim.link import PtyLink
from tendril.sim.runner import SimBoard, SimSpec, push_image

HERE = Path(__file__).resolve().parent
LOADED_RECIPE = HERE / "recipes" / "loaded-uno.toml"
LOADED_WORLD = HERE / "recipes" / "loaded-uno.scn"


@dataclass
class Timing:
    """What one run measured (times in us of simulated time unless named _ms)."""

    timing: dict[str, str]  # the runner's `timing` line
    hist: str  # its `timing_hist` line
    falls: dict[int, int]  # pin -> falls the pulse model drove
    telemetry: list[Telemetry] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    stop: dict[str, str] = field(default_factory=dict)

    def num(self, key: str) -> int:
        return int(self.timing[key], 0)

    def periods_ms(self, after_ms: int = 0) -> list[int]:
        """Gaps between consecutive TELEMETRY frames in board ms (the frames' own time_ms)."""
        times = [m.time_ms for m in self.telemetry if m.time_ms >= after_ms]
        return [b - a for a, b in itertools.pairwise(times)]


def recipe_image(text: str) -> bytes:
    return with_generation(compile_recipe(parse(text), load_board("uno")), 1)


def _fields(line: str) -> dict[str, str]:
    return dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)


def measure(elf: Path, recipe: str, world: str, board_ms: int, tmp: Path, *extra: str, from_ms: int = 0,
            timeout: float = 900.0) -> Timing:
    """Run ``recipe`` in ``world`` (scenario text) until the board's clock reads ``board_ms``; passes
    count from board ms ``from_ms`` on (0: from the first, the push's EEPROM writes included)."""
    tmp.mkdir(parents=True, exist_ok=True)
    scn, events = tmp / "world.scn", tmp / "events.log"
    scn.write_text(world)
    events.unlink(missing_ok=True)
    (tmp / "board.eeprom").unlink(missing_ok=True)  # a fresh board: the push writes the whole config
    spec = SimSpec(board="uno", elf=elf, realtime=False, eeprom=tmp / "board.eeprom", events=events,
                   hold=True, extra=["--scenario", str(scn), "--loop-mark", "wdr",
                          "--loop-mark-from", str(from_ms), *extra])
    received = []
    with SimBoard(spec) as sim, PtyLink(sim.port) as link:
        push_image(link, recipe_image(recipe))
        clock = sim.clock
        assert clock is not None
        now = clock.time()
        clock.start_run(max(0, board_ms - now))
        deadline = time.monotonic() + timeout  # only matters when something hangs
        while not clock.done():
            assert time.monotonic() < deadline, f"{board_ms} board ms did not pass in {timeout} s"
            assert sim.alive(), "the simulated board stopped"
            received += [m for _, m in link.messages(0.2)]
        received += [m for _, m in link.messages(0.2)]
    lines = events.read_text().splitlines()
    timing = next((x for x in lines if x.startswith("timing ")), None)
    assert timing, f"no timing line from the runner: {lines[-5:]}"
    hist = next(x for x in lines if x.startswith("timing_hist "))
    falls = {int(f["pin"]): int(f["falls"]) for f in (_fields(x) for x in lines if x.startswith("pulse pin="))}
    stop = _fields(next(x for x in lines if x.startswith("stop ")))
    return Timing(_fields(timing), hist, falls, [m for m in received if isinstance(m, Telemetry)],
                  [m for m in received if isinstance(m, Event)], stop)
