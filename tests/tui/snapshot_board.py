"""SNAPSHOT FIXTURE, not a board: a LiveBoard-shaped object that holds fixed BoardViews, Series and
log lines, so SVG snapshots of the monitor are the same on every run. It answers only what the
screens read (view, version, lock, series_of, log_since, raw, recipe). Every functional test in
test_monitor.py drives the real simulated board instead."""

from __future__ import annotations

import math
import threading
from collections import deque

from tendril.live import (
    ActuatorView,
    BoardView,
    ChannelView,
    LinkState,
    LogEntry,
    Owner,
    ParamView,
    RuleView,
    Series,
)
from tendril.contract import ConfigOutcome, EventKind, OffReason, RuleState, SkipReason, Unit
from tendril.protocol import Event, Hello
from tendril.recipes import load
from tendril.sim.runner import ROOT

NOW = 1_700_000_000.0  # the fixed clock the snapshot app is given
HEALTH = {"frames_per_s": 6.5, "bytes_per_s": 150.0, "frames": 7800, "bytes": 180000,
          "crc_errors": 0, "resyncs": 1, "requests": 900, "retries": 2, "timeouts": 0,
          "late_replies": 0, "device_gaps": 0, "reconnects": 0, "latency_ms": 4.0, "decoder": {}}


def _soil(t: float) -> float:
    """A day of a drying pot that is watered now and then."""
    return round(30 + 12 * math.sin(t / 900) + 3 * math.sin(t / 37), 3)


class SnapshotBoard:
    def __init__(self) -> None:
        self.port = "/dev/ttyACM0"
        self.lock = threading.RLock()
        self.version = 1
        self.recipe = load(ROOT / "boards" / "recipes" / "plant-waterer.toml")
        self.series: dict[int, Series] = {0: Series(), 1: Series()}
        for k in range(3600 * 2, 0, -1):  # two hours, one sample a second
            t = NOW - k
            self.series[0].add(t, _soil(t))
            self.series[1].add(t, 1.0 if (k // 600) % 5 == 0 else 0.0)
        self.log = deque([
            LogEntry(NOW - 300, "host", "link up: /dev/ttyACM0"),
            self._event(NOW - 240, EventKind.CONFIG, 0, ConfigOutcome.APPLIED, 0, 3),
            self._event(NOW - 120, EventKind.ACT_ON, 0, 0, 0, 255),
            self._event(NOW - 116, EventKind.ACT_OFF, 0, OffReason.RULE_DONE, 0, 4000),
            LogEntry(NOW - 60, "log", "soil sensor recalibrated"),
            self._event(NOW - 10, EventKind.RULE_SKIP, 0, SkipReason.MIN_OFF, 0, 0),
        ])
        self.raw = deque([(NOW - 1, bytes(range(0x20, 0x48))), (NOW - 0.5, b"\x07\x01\x89\xb5z\xa9\x00")])
        hello = Hello(protocol_version=1, board_class=1, fw_major=1, fw_minor=0, fw_patch=0,
                      reset_cause=0, flags=1, device_id=0xB1B0EE09, boot_count=12, capabilities=0,
                      config_generation=3, recipe_hash=b"\x11" * 8, max_payload=64, max_image=512,
                      text="tendril-avr")
        self._view = BoardView(
            port=self.port, baud=115_200, state=LinkState.ONLINE, hello=hello, board="uno",
            recipe="plant-waterer",
            channels=(ChannelView(0, "soil", Unit.PERCENT, 31.25, 14.5, 46.0, 7200),
                      ChannelView(1, "tank_empty", Unit.BOOL, 0.0, 0.0, 1.0, 7200)),
            actuators=(ActuatorView(0, "pump", True, 255, Owner(rule=0, rule_name="water"), 2500, 96_000, 300_000,
                                    10_000, 30_000, False, False),),
            rules=(RuleView(0, "water", RuleState.RUNNING, SkipReason.MIN_OFF, 1500),),
            params=(ParamView(0, "dry_threshold", 35000, 10000, 80000, Unit.PERCENT, False),
                    ParamView(1, "pulse", 4000, 1000, 10000, None, True)),
            health=HEALTH)

    def _event(self, when: float, kind: EventKind, a: int, b: int, c: int, value: int) -> LogEntry:
        """A real EVENT, kept as a live board keeps it: with the recipe for its names."""
        return LogEntry(when, "event", event=Event(int((when - NOW + 600) * 1000), kind, a, b, c, value),
                        recipe=self.recipe)

    def view(self) -> BoardView:
        return self._view

    def log_since(self, seen: int) -> tuple[list[LogEntry], int]:
        """LiveBase.log_since over the fixed lines: nothing is ever added."""
        return list(self.log)[seen:], len(self.log)

    def series_of(self, channel: int) -> Series:
        return self.series.setdefault(channel, Series())

    def stop(self) -> None:
        """Nothing runs: there is no thread to stop."""
