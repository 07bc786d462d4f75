"""The plot as data: panels (one per unit), their lines and bands, thresholds, actuator runs and
marks, all in host time and ready for a renderer (render_image for PNG/SVG, render_text for the
terminal). Pure: the log's arrays in (load.LogData), arrays out.

A channel with more points than the plot has columns is drawn as its min..max band per column and
the mean line through it (buckets.py); otherwise as a plain line. A pause much longer than the
channel's sampling interval (GAP_STEPS of them, and a column at least) breaks the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .buckets import GAP_STEPS, broken, bucket_series, gaps_after, typical_step, window
from .spans import actuator_spans
from .thresholds import thresholds

UNIT_WORDS = {"bool": "0/1"}  # y labels where the symbol alone says little


@dataclass
class Trace:
    label: str
    xs: np.ndarray  # host time, NaN between pieces
    ys: np.ndarray
    lo: np.ndarray | None = None  # the min..max band, when bucketed
    hi: np.ndarray | None = None
    points: int = 0  # samples behind it


@dataclass
class Panel:
    unit: str
    ylabel: str
    traces: list[Trace] = field(default_factory=list)
    thresholds: list[Trace] = field(default_factory=list)  # step lines, dashed
    # (time, value, text): where a parameter drawn here changed
    marks: list[tuple[float, float, str]] = field(default_factory=list)
    ylim: tuple[float, float] = (0.0, 1.0)
    devices: set[int] = field(default_factory=set)  # whose channels it shows (their runs are shaded)


@dataclass
class Figure:
    t0: float
    t1: float
    panels: list[Panel]
    # actuator -> (its device, its runs, each at least a column wide)
    spans: dict[str, tuple[int, list[tuple[float, float]]]]
    notes: list[tuple[float, str, str]]  # (time, kind, text): changes with no line to sit on
    points: int = 0

    @property
    def channels(self) -> list[str]:
        return [t.label for p in self.panels for t in p.traces]


def extent(data) -> tuple[float, float] | None:
    """The plot's time range: the window asked for, else the data's first and last sample."""
    present = [s.times for s in data.series if len(s.times)]
    if not present and not any(s.n for s in data.series):
        return None
    t0 = data.since if data.since is not None else min(float(t[0]) for t in present)
    t1 = data.until if data.until is not None else max(float(t[-1]) for t in present)
    if t1 <= t0:
        t1 = t0 + 1.0  # a single instant: one second around it
    return t0, t1


def layout(data, columns: int) -> Figure | None:
    """The figure for ``data`` (load.LogData) at ``columns`` pixel (or character) columns; None
    when the window holds no sample."""
    if data.columns is not None and data.columns != columns:
        raise ValueError(f"the series were reduced to {data.columns} columns while reading, not {columns}")
    span = extent(data)
    if span is None:
        return None
    t0, t1 = span
    panels: dict[str, Panel] = {}
    where: dict[tuple, Panel] = {}  # series key -> its panel
    total = 0
    for s in data.series:
        trace = _trace(s, t0, t1, columns)
        if trace is None:
            continue
        total += trace.points
        key = s.unit or f"\0{s.label}"  # no unit: a panel of its own
        panel = panels.setdefault(key, Panel(s.unit, UNIT_WORDS.get(s.unit, s.unit) or s.label))
        panel.traces.append(trace)
        panel.devices.add(s.key[0])
        where[s.key] = panel
    if not panels:
        return None
    notes = _thresholds(data, where, t0, t1)
    out = list(panels.values())
    for p in out:
        p.ylim = _ylim(p)
    return Figure(t0, t1, out, _spans(data, t0, t1, (t1 - t0) / columns), notes, total)


def _thresholds(data, where: dict, t0: float, t1: float) -> list[tuple[float, str, str]]:
    """Put each threshold line and change mark on its channel's panel; return the marks that have
    no line to sit on (a duration parameter, a new config, a channel not plotted)."""
    labels = {s.key: s.label for s in data.series}
    lines, marks = thresholds(data.boots, data.events)
    for line in lines:
        key = (line.device_id, line.channel, False)
        panel = where.get(key)
        xs, ys = _steps(line.steps, t0, t1)
        if panel is None or not len(xs):
            continue
        # a parameter is named as itself; a constant's label already says "threshold" (parameter
        # names have no spaces, so " threshold" can only end a constant's)
        constant = line.label.endswith((" threshold", " interlock"))
        label = line.label if constant else f"{line.label} (threshold)"
        if len(panel.traces) > 1:
            label += f" on {labels[key]}"
        panel.thresholds.append(Trace(label, xs, ys))
    notes = []
    for m in marks:
        if not t0 <= m.time <= t1:
            continue
        on = [where[k] for k in ((m.device_id, c, False) for c in m.channels) if k in where]
        for panel in on:
            panel.marks.append((m.time, m.value, m.text))
        if not on:
            notes.append((m.time, m.kind, m.text))
    return notes


def _spans(data, t0: float, t1: float, width: float) -> dict:
    """Actuator name -> (device, its runs in the window, each at least ``width`` wide)."""
    ends = {b.session_id: b.end for b in data.boots}
    device = {b.session_id: b.device_id for b in data.boots}
    runs: dict[str, tuple[int, list[tuple[float, float]]]] = {}
    for sp in actuator_spans(data.events, until=t1, session_ends=ends, since=t0):
        if sp.end >= t0 and sp.start <= t1:
            name = data.actuators.get((sp.session_id, sp.actuator), f"actuator {sp.actuator}")
            dev, mine = runs.setdefault(name, (device[sp.session_id], []))
            mine.append((max(sp.start, t0), min(sp.end, t1)))
    return {name: (dev, _widen(r, width)) for name, (dev, r) in runs.items()}


def _trace(s, t0: float, t1: float, columns: int) -> Trace | None:
    """A series (load.Series) as a plain line, or as its band and mean when it has more points
    than columns (bucketed here, or already while it was read)."""
    width = (t1 - t0) / columns
    if s.buckets is not None:
        b, gap, points = s.buckets, GAP_STEPS * s.step or np.inf, s.n
    else:
        cut = window(s.times, t0, t1)
        t, v = s.times[cut], s.values[cut]
        if not len(t):
            return None
        gap, points = GAP_STEPS * typical_step(t) or np.inf, len(t)
        if len(t) <= columns:
            xs, ys = broken(t, v, gaps_after(t, t, gap))
            return Trace(s.label, xs, ys, points=points)
        b = bucket_series(t, v, t0, t1, columns)
    if not len(b):
        return None
    at = gaps_after(b.first, b.last, max(gap, width))
    mid = b.start + width / 2
    xs, ys = broken(mid, b.mean, at)
    _, lo = broken(mid, b.lo, at)
    _, hi = broken(mid, b.hi, at)
    return Trace(s.label, xs, ys, lo, hi, points=points)


def _steps(steps, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
    """Step segments as one line: vertical where one step follows the next, a NaN where the
    value was unknown for a while; clipped to [t0, t1]."""
    xs: list[float] = []
    ys: list[float] = []
    for st in steps:
        a, b = max(st.start, t0), min(st.end, t1)
        if b <= a:
            continue
        if xs and xs[-1] != a:
            xs.append((xs[-1] + a) / 2)
            ys.append(np.nan)
        xs += [a, b]
        ys += [st.value, st.value]
    return np.array(xs, np.float64), np.array(ys, np.float64)


def _widen(runs: list[tuple[float, float]], width: float) -> list[tuple[float, float]]:
    """Each run at least ``width`` wide (a 4 s pulse in a week's plot would be no pixel at all),
    runs that then touch merged into one."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(runs):
        if b - a < width:
            mid = (a + b) / 2
            a, b = mid - width / 2, mid + width / 2
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _ylim(panel: Panel) -> tuple[float, float]:
    """The panel's value range with a 5 % margin; a 0/1 panel always shows 0 and 1."""
    parts = [t.ys for t in panel.traces + panel.thresholds]
    parts += [b for t in panel.traces for b in (t.lo, t.hi) if b is not None]
    values = np.concatenate([p[~np.isnan(p)] for p in parts]) if parts else np.zeros(0)
    lo, hi = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
    if panel.unit == "bool":
        lo, hi = min(lo, 0.0), max(hi, 1.0)
    pad = (hi - lo) * 0.05 or max(abs(hi) * 0.05, 0.5)
    return (lo - pad, hi + pad)
