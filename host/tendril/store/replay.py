"""Replay logged samples through a recipe in the reference engine: when would each actuator run?

Method (docs/storage.md, "Replay"): the log holds what TELEMETRY carried. For a channel logged raw
(TELEMETRY flag raw) the raw readings go through the new recipe unchanged, calibration and
smoothing included. For a channel logged calibrated (the usual case) the new recipe runs with that
channel's calibration replaced by the identity (gain 1.0, offset 0, no smoothing) and the logged
thousandths as its "raw" readings: the engine then sees exactly the values the board saw, with no
rounding, so thresholds, hysteresis, hold times, durations, cooldowns, interlocks and limits of the
new recipe are replayed exactly; a change of calibration or smoothing in the new recipe is not
(it needs raw telemetry). Logged channels are matched to the new recipe's by name when the logged
recipe is in config_history, else by index. Each boot is replayed on its own, from a fresh engine,
as the board restarted too. A file brought in by `tendril import` replays the same way, each of its
sessions (a board and boot of an exported log) on its own, channels matched by name.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from ..contract import EventKind
from ..engine import Engine
from ..image import Image
from .query import SessionInfo, channel_names, iter_events, raw_channels, sample_blocks, sessions

IDENTITY_GAIN = 1 << 16  # Q16.16 1.0
DEFAULT_STEP_MS = 100  # ticks between logged samples, so runs end on time


@dataclass(frozen=True)
class Run:
    """One time an actuator would have run."""

    actuator: str
    rule: str  # rule name, or "lease"
    start: float  # host time, Unix seconds
    duration_s: float
    session_id: int
    device_id: int
    ended: bool = True  # False: still on when the log of that boot ends


@dataclass(frozen=True)
class ReplayResult:
    runs: list[Run]
    samples: int
    sessions: int
    raw_channels: set[str]  # channels replayed from raw readings (the rest: identity calibration)
    logged: list[Run] = ()  # what the boards really did in the same window (their events)

    def totals(self) -> dict[str, tuple[float, float]]:
        """Actuator -> (seconds on in the replay, seconds on as logged)."""
        out: dict[str, list[float]] = {}
        for i, runs in enumerate((self.runs, self.logged)):
            for r in runs:
                out.setdefault(r.actuator, [0.0, 0.0])[i] += r.duration_s
        return {name: (a, b) for name, (a, b) in out.items()}


def _frames(conn: sqlite3.Connection, sid: int, since, until) -> Iterator[tuple[int, float, list]]:
    """(device_ms, host_time, [(channel, value, raw)]) per logged time, in order."""
    last_t, last_h, vals = None, 0.0, []
    for block in sample_blocks(conn, sid, since=since, until=until):
        for t, h, ch, v, raw in zip(block["device_ms"].tolist(), block["host_time"].tolist(),
                                    block["channel"].tolist(), block["value"].tolist(), block["raw"].tolist()):
            if t != last_t and vals:
                yield last_t, last_h, vals
                vals = []
            last_t, last_h = t, h
            vals.append((ch, v, raw))
    if vals:
        yield last_t, last_h, vals


def replay(conn: sqlite3.Connection, image: Image, recipe, *, device_id: int | None = None,
           since: float | None = None, until: float | None = None,
           step_ms: int = DEFAULT_STEP_MS) -> ReplayResult:
    """Run every logged boot (of ``device_id``, or all) through ``image`` compiled from
    ``recipe``; return the runs it would have made, in time order."""
    new_names = [c.name for c in recipe.channels]
    act_names = [a.name for a in recipe.actuators]
    rule_names = [r.name for r in recipe.rules]
    runs: list[Run] = []
    # Tendril boards ran an engine, and imported files may hold what one logged (channels by
    # name); a plotter or Firmata board's log has nothing to replay.
    infos = [s for s in sessions(conn, device_id) if s.source in ("tendril", "import")]
    total, raw_used = 0, set()
    for info in infos:
        has_raw = raw_channels(conn, info.id)
        chan_map = _channel_map(conn, info, new_names)
        raw_new = {chan_map[c] for c in has_raw if c in chan_map}
        raw_used |= {new_names[i] for i in raw_new}
        chans = tuple(c if i in raw_new else dataclasses.replace(
            c, gain=IDENTITY_GAIN, offset=0, smoothing=0) for i, c in enumerate(image.channels))
        engine = Engine(dataclasses.replace(image, channels=chans))
        open_runs: dict[int, tuple[float, int, str]] = {}
        # Times are the host's: a tick between two logged frames gets a host time between theirs.
        # (A --fast simulated board's device clock runs far ahead of the host's: device time
        # added to the boot's start would put runs in the future.)
        now = prev = h_prev = None
        wrap = 0
        for t, h, vals in _frames(conn, info.id, since, until):
            if prev is not None and t < prev and prev - t > 0x80000000:
                wrap += 1 << 32  # the u32 device clock wrapped
            prev = t
            t_ext = t + wrap
            if now is not None:
                for tick_t in range(now + step_ms, t_ext, step_ms):
                    at = h_prev + (h - h_prev) * (tick_t - now) / (t_ext - now)
                    _collect(engine.tick(tick_t), tick_t, at, info, open_runs, runs,
                             act_names, rule_names)
            for ch, v, raw in vals:
                idx = chan_map.get(ch)
                if idx is None or (idx in raw_new) != bool(raw):
                    continue  # a channel the new recipe lacks, or the other kind of reading
                engine.set_raw(idx, v)
                total += 1
            _collect(engine.tick(t_ext), t_ext, h, info, open_runs, runs, act_names,
                     rule_names)
            now, h_prev = t_ext, h
        for act, (start, on_ms, rule) in open_runs.items():
            runs.append(Run(act_names[act], rule, start, (now - on_ms) / 1000, info.id,
                            info.device_id, False))
    runs.sort(key=lambda r: (r.start, r.actuator))
    return ReplayResult(runs, total, len(infos), raw_used,
                        logged_runs(conn, recipe, device_id=device_id, since=since, until=until))


def logged_runs(conn: sqlite3.Connection, recipe, *, device_id: int | None = None,
                since: float | None = None, until: float | None = None) -> list[Run]:
    """The runs the boards really made, from their ACT_ON / ACT_OFF events (host times), named by
    the logged recipe when known, else by ``recipe`` (by index)."""
    runs: list[Run] = []
    on: dict[tuple[int, int], tuple[float, str]] = {}
    for ev in iter_events(conn, since=since, until=until, device_id=device_id):
        names = ev.recipe or recipe
        if ev.kind == EventKind.ACT_ON:
            rules = [r.name for r in names.rules]
            on[(ev.session_id, ev.a)] = (ev.host_time, rules[ev.c] if ev.c < len(rules) else "lease")
        elif ev.kind == EventKind.ACT_OFF and (ev.session_id, ev.a) in on:
            start, rule = on.pop((ev.session_id, ev.a))
            acts = [a.name for a in names.actuators]
            name = acts[ev.a] if ev.a < len(acts) else f"actuator {ev.a}"
            runs.append(Run(name, rule, start, ev.value / 1000, ev.session_id, ev.device_id))
    runs.sort(key=lambda r: (r.start, r.actuator))
    return runs


def _channel_map(conn, info: SessionInfo, new_names: list[str]) -> dict[int, int]:
    """Logged channel index -> new recipe channel index, by name when the logged recipe is known."""
    logged = channel_names(conn, info)
    if not logged:
        return {i: i for i in range(len(new_names))}
    pos = {n: i for i, n in enumerate(new_names)}
    return {i: pos[n] for i, n in logged.items() if n in pos}


def _collect(events, t, host_time, info, open_runs, runs, act_names, rule_names) -> None:
    for ev in events:
        if ev.kind == EventKind.ACT_ON:
            rule = rule_names[ev.c] if ev.c < len(rule_names) else "lease"
            open_runs[ev.a] = (host_time, t, rule)
        elif ev.kind == EventKind.ACT_OFF and ev.a in open_runs:
            start, _, rule = open_runs.pop(ev.a)
            runs.append(Run(act_names[ev.a], rule, start, ev.value / 1000, info.id, info.device_id))
