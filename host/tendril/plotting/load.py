"""What a plot needs from the log, read through tendril.store.query (no SQL here): each channel's
samples as numpy arrays (or, for a plot of known width, already reduced to its pixel columns a
block at a time, so a year of samples needs no more memory than the plot), the events, and the
boots with the recipe each ran."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..contract import UNIT_SYMBOLS, EventKind, Unit
from ..store import query
from ..store.db import device_id_text
from .buckets import Buckets, ColumnReducer
from .thresholds import Boot


@dataclass
class Series:
    """One channel of one device (its raw readings apart): times sorted, values in its unit."""

    key: tuple[int, str, bool]  # device, channel name, raw
    label: str  # the name, name@device when several devices log it, "(raw)" for raw readings
    unit: str  # the unit's symbol; "" when none or unknown
    times: np.ndarray  # empty when ``buckets`` holds the series
    values: np.ndarray
    buckets: Buckets | None = None  # the series reduced to the plot's columns while reading
    step: float = 0.0  # its usual sampling interval, when reduced

    @property
    def n(self) -> int:
        return len(self.times) if self.buckets is None else int(self.buckets.count.sum())


@dataclass
class LogData:
    series: list[Series]
    events: list  # query.LoggedEvent up to the window's end, from the first boot on
    boots: list[Boot]
    actuators: dict[tuple[int, int], str]  # (session, actuator index) -> its name in the plot
    since: float | None
    until: float | None
    columns: int | None = None  # the columns the series were reduced to while reading, if they were


class _Points:
    """A series' blocks kept whole (the plot's width is not known yet)."""

    def __init__(self):
        self.times: list[np.ndarray] = []
        self.values: list[np.ndarray] = []

    def add(self, times: np.ndarray, values: np.ndarray) -> None:
        self.times.append(times)
        self.values.append(values)

    def kept(self) -> tuple[np.ndarray, np.ndarray]:
        t, v = np.concatenate(self.times), np.concatenate(self.values).astype(np.float64)
        if len(t) > 1 and np.any(np.diff(t) < 0):
            order = np.argsort(t, kind="stable")
            t, v = t[order], v[order]
        return t, v


def _wanted(wanted: Sequence[str], names: dict[int, str]) -> list[int]:
    out = set()
    for w in wanted:
        out.update([int(w)] if w.isdigit() else (i for i, n in names.items() if n == w))
    return sorted(out)


def _names(conn, session, recipe) -> dict[int, str]:
    """Channel index -> name, as query.channel_names says (a tendril board's from its recipe: only
    boards that do not run tendril have rows in the channels table), without parsing it again."""
    if session.source != "tendril" or recipe is None:
        return query.channel_names(conn, session)
    return {i: c.name for i, c in enumerate(recipe.channels)}


def _unit(recipe, channel: int, raw: bool) -> str:
    if raw or recipe is None or not 0 <= channel < len(recipe.channels):
        return ""
    unit = recipe.channels[channel].unit
    return "" if unit == Unit.NONE else UNIT_SYMBOLS.get(unit, "")


def read(conn, *, channels: Sequence[str] = (), since: float | None = None,
         until: float | None = None, device_id: int | None = None,
         columns: int | None = None) -> LogData:
    """The selected channels' samples in [since, until), and every event before ``until`` (the
    parameters and runs in force when the window opens come from before it). With ``columns``,
    each series is reduced to that many columns as it is read (the window, when not given, is
    the selected channels' span as `tendril db info` finds it). An unknown channel name is a
    StorageError naming the known ones, as `tendril export` says it."""
    infos = query.sessions(conn, device_id)
    events = list(query.iter_events(conn, until=until, device_id=device_id))
    # iter_events has parsed each session's recipe already: parse only those of sessions without events
    recipes = {e.session_id: e.recipe for e in events}
    recipes.update({s.id: query.session_recipe(conn, s) for s in infos if s.id not in recipes})
    names = {s.id: _names(conn, s, recipes[s.id]) for s in infos}
    kept_units = {s.id: query.channel_units(conn, s.id) for s in infos if s.source != "tendril"}
    if channels:
        query.resolve_channels(channels, dict(enumerate(n for m in names.values() for n in m.values())))
    chosen = [(s, _wanted(channels, names[s.id]) if channels else query.logged_channels(conn, s.id))
              for s in infos]
    window = (since, until)  # of the plot: the reducers' when reducing
    if columns is not None:
        span = _span(conn, chosen, since, until)
        if span is None:
            columns = None  # nothing in the window: nothing to reduce
        else:
            window = span
    sinks: dict[tuple, object] = {}
    units: dict[tuple, str] = {}
    last: dict[int, float] = {}
    for s, chs in chosen:
        # one channel at a time: a channel's chunks follow one another, so the reader merges
        # nothing (all channels at once are merged into (seq, channel) order, four times slower)
        for ch in chs:
            for block in query.sample_blocks(conn, s.id, channels=[ch], since=since, until=until):
                if not len(block):
                    continue
                last[s.id] = max(last.get(s.id, s.host_start), float(block["host_time"].max()))
                mixed = bool(block["raw"].any())  # raw readings (calibration mode) are a series apart
                for raw in (False, True) if mixed else (False,):
                    part = block[(block["raw"] != 0) == raw] if mixed else block
                    if not len(part):
                        continue
                    key = (s.device_id, names[s.id].get(ch) or str(ch), raw)
                    if key not in units:
                        units[key] = _unit(recipes[s.id], ch, raw) or (
                            "" if raw else kept_units.get(s.id, {}).get(ch, ""))
                    if key not in sinks:
                        sinks[key] = _Points() if columns is None else ColumnReducer(*window, columns)
                    sinks[key].add(part["host_time"], part["value"] if raw else part["value"] / 1000)
    devices_of: dict[str, set[int]] = {}
    for dev, name, _ in sinks:
        devices_of.setdefault(name, set()).add(dev)
    series = []
    for key, sink in sinks.items():
        dev, name, raw = key
        label = name if len(devices_of[name]) == 1 else f"{name}@{device_id_text(dev)}"
        label += " (raw)" if raw else ""
        kept = sink.kept()
        if kept is not None:
            series.append(Series(key, label, units[key], *kept))
        else:
            series.append(Series(key, label, units[key], np.zeros(0), np.zeros(0), sink.buckets(),
                                 sink.step))
    for e in events:
        last[e.session_id] = max(last.get(e.session_id, e.host_time), e.host_time)
    boots = [Boot(s.id, s.device_id, s.host_start, last.get(s.id, s.host_start), recipes[s.id],
                  any(s.recipe_hash)) for s in infos]
    return LogData(series, events, boots, _actuator_names(infos, recipes, events), *window, columns)


def _span(conn, chosen, since: float | None, until: float | None) -> tuple[float, float] | None:
    """The plot's window: [since, until] where given, else where the chosen channels' samples
    begin and end (from the chunks' bounds, without reading a sample); None if none are in it."""
    from ..store.maintain import info

    pairs = {(s.device_id, ch) for s, chs in chosen for ch in chs}
    rows = [r for r in info(conn) if (r.device_id, r.channel) in pairs and r.samples
            and (since is None or r.last >= since) and (until is None or r.first < until)]
    if not rows:
        return None
    t0 = since if since is not None else min(r.first for r in rows)
    t1 = until if until is not None else max(r.last for r in rows)
    return (t0, t1) if t1 > t0 else (t0, t0 + 1.0)


def _actuator_names(infos, recipes, events) -> dict[tuple[int, int], str]:
    device = {s.id: s.device_id for s in infos}
    used = {(e.session_id, e.a) for e in events if e.kind in (EventKind.ACT_ON, EventKind.ACT_OFF)}
    name = {}
    for sid, a in used:
        recipe = recipes.get(sid)
        name[(sid, a)] = (recipe.actuators[a].name if recipe is not None and 0 <= a < len(recipe.actuators)
                          else f"actuator {a}")
    devices_of: dict[str, set[int]] = {}
    for (sid, _), n in name.items():
        devices_of.setdefault(n, set()).add(device[sid])
    return {k: n if len(devices_of[n]) == 1 else f"{n}@{device_id_text(device[k[0]])}"
            for k, n in name.items()}
