"""Helpers for the end-to-end tests of the real tendril firmware (firmware/build/<board>/tendril.elf)
in tendril-simavr: build it, start it, talk to it with the real protocol codec."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from tendril.contract import EventKind
from tendril.protocol import Event, Telemetry
from tendril.sim.link import PtyLink
from tendril.sim.runner import ROOT, SimBoard, SimSpec, product_elf, push_image


class Events:
    """The runner's event lines (--events FILE)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lines(self) -> list[str]:
        return self.path.read_text().splitlines() if self.path.exists() else []

    def pins(self) -> list[tuple[int, int, int]]:
        """(pin, level, t_ms) of every reported output change."""
        out = []
        for line in self.lines():
            m = re.fullmatch(r"pin (\d+) ([01]) t=(\d+)ms", line)
            if m:
                out.append((int(m[1]), int(m[2]), int(m[3])))
        return out

    def stop(self) -> dict[str, str]:
        for line in self.lines():
            if line.startswith("stop "):
                return dict(kv.split("=", 1) for kv in line.split()[1:])
        return {}


NOT_BUILT = "the product .elf does not build yet (make -C firmware BOARD=uno): {why}"


def build_product(board: str = "uno") -> Path:
    """Build the firmware: a build that fails (over its size budget too) fails the test that needs
    it; only a machine without avr-gcc skips (make setup installs it)."""
    if shutil.which("avr-gcc") is None:
        pytest.skip(NOT_BUILT.format(why="avr-gcc is missing (make setup installs it)"))
    done = subprocess.run(check=False, args=["make", "-s", "-C", str(ROOT / "firmware"), f"BOARD={board}"],
                          capture_output=True, text=True)
    out = (done.stdout + done.stderr).strip()
    elf = product_elf(board)
    if done.returncode or not elf.exists():
        pytest.fail(f"make -C firmware BOARD={board} failed: {out.splitlines()[-1] if out else 'no output'}")
    return elf


class FirmwareBoard:
    """Starts the real firmware as often as a test needs, with one EEPROM file (a power cycle is a
    stop and a start). Every message the device sends by itself is kept in ``received``."""

    def __init__(self, elf: Path, tmp: Path, board: str = "uno") -> None:
        self.elf, self.tmp, self.board = elf, tmp, board
        self.eeprom = tmp / "board.eeprom"
        self.runs = 0
        self.current: tuple[SimBoard, PtyLink] | None = None
        self.events: Events | None = None
        self.received: list = []

    def start(self, *extra: str, scenario: str | None = None, realtime: bool = False,
              hold: bool = False) -> PtyLink:
        """A fresh run of the board. ``hold``: its clock (and the scenario's world) stands still
        until ``push`` has the recipe running, so the world does not race the host."""
        self.stop()
        self.runs += 1
        events = self.tmp / f"events-{self.runs}.log"
        args = list(extra)
        if scenario is not None:
            scn = self.tmp / f"scenario-{self.runs}.scn"
            scn.write_text(scenario)
            args += ["--scenario", str(scn)]
        spec = SimSpec(board=self.board, elf=self.elf, realtime=realtime, eeprom=self.eeprom,
                       events=events, hold=hold, extra=args)
        sim = SimBoard(spec)
        link = PtyLink(sim.port)
        self.current, self.events, self.received = (sim, link), Events(events), []
        return link

    def run(self, ms: int, timeout: float = 900.0) -> int:
        """A held board runs ``ms`` board ms flat out while everything it sends is read; then it
        holds again. The board's ms after. (The timeout only guards against a hang.)"""
        clock = self.sim.clock
        assert clock is not None, "start(..., hold=True) first"
        clock.start_run(ms)
        deadline = time.monotonic() + timeout
        while not clock.done():
            assert time.monotonic() < deadline, f"{ms} board ms did not pass in {timeout} s"
            assert self.sim.alive(), "the simulated board stopped"
            self.listen(0.2)
        self.listen(0.2)
        return clock.last

    def push(self, image: bytes):
        """push_image, then let a held clock go: the world starts with the recipe running."""
        after = push_image(self.link, image)
        if self.sim.clock is not None:
            self.sim.clock.go()
        return after

    @property
    def link(self) -> PtyLink:
        assert self.current, "no board running"
        return self.current[1]

    @property
    def sim(self) -> SimBoard:
        assert self.current, "no board running"
        return self.current[0]

    def listen(self, seconds: float) -> list:
        """Everything the device sends by itself for ``seconds`` of wall time (kept in received)."""
        got = [m for _, m in self.link.messages(seconds)]
        self.received += got
        return got

    def listen_until(self, pred, timeout: float) -> list:
        """Listen until ``pred(message)`` holds for a message, or fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for msg in self.listen(0.2):
                if pred(msg):
                    return self.received
        raise AssertionError(f"not seen within {timeout} s; got {self.summary()}")

    def device_events(self) -> list[Event]:
        self.received += [m for _, m in self.link.take()]
        return [m for m in self.received if isinstance(m, Event)]

    def telemetry(self) -> list[Telemetry]:
        return [m for m in self.received if isinstance(m, Telemetry)]

    def summary(self) -> str:
        return ", ".join(describe(m) for m in self.device_events()[-12:])

    def stop(self) -> int | None:
        if not self.current:
            return None
        sim, link = self.current
        self.current = None
        link.close()
        return sim.stop()


def describe(e: Event) -> str:
    kind = EventKind(e.kind).name if e.kind in EventKind._value2member_map_ else e.kind
    return f"{e.time_ms}:{kind}({e.a},{int(e.b)},{e.c},{e.value})"


def on_periods(pins: list[tuple[int, int, int]], pin: int, active: int) -> list[tuple[int, int]]:
    """(start, end) simulated ms of each period ``pin`` spent at its ``active`` level."""
    out, since = [], None
    for p, level, t in pins:
        if p != pin:
            continue
        if level == active and since is None:
            since = t
        elif level != active and since is not None:
            out.append((since, t))
            since = None
    return out


def stop_writes(events: Events) -> int:
    m = re.search(r"eeprom_writes=(\d+)", next(line for line in events.lines() if line.startswith("stop ")))
    return int(m[1])
