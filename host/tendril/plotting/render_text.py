"""Draw a Figure (figure.py) as text for a terminal with plotext: no display, no image protocol.

plotext is imported inside the function, so the other commands never pay for it. The terminal
has a few hundred dots across, so a bucketed channel shows its mean line (the min..max band is for
the picture files); thresholds are lines, actuator runs a bar along the bottom of each panel."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

COLUMNS_PER_CELL = 2  # plotext draws with quarter blocks: two dots across a character cell
_STEPS = [60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400,
          14 * 86400, 28 * 86400]


def time_ticks(t0: float, t1: float, most: int) -> tuple[list[float], list[str]]:
    """At most ``most`` ticks on round local times between t0 and t1, with labels that say as
    much as the step needs (a time of day, a day and time, or a date)."""
    step = next((s for s in _STEPS if (t1 - t0) / s <= most), _STEPS[-1])
    start = datetime.fromtimestamp(t0)
    if step >= 86400:
        tick = start.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        tick = start.replace(minute=0, second=0, microsecond=0)
    ticks: list[float] = []
    while tick.timestamp() <= t1:
        if tick.timestamp() >= t0 and _round(tick, step):
            ticks.append(tick.timestamp())
        tick += timedelta(seconds=min(step, 3600)) if step < 86400 else timedelta(days=1)
    fmt = "%a %d %b" if step >= 86400 else ("%d %b %H:%M" if t1 - t0 > 86400 else "%H:%M")
    return ticks, [datetime.fromtimestamp(t).strftime(fmt) for t in ticks]


def _round(tick: datetime, step: int) -> bool:
    """Whether a local time falls on the step's grid (hours from midnight, days of the month)."""
    if step >= 86400:
        return (tick.toordinal() % (step // 86400)) == 0
    seconds = tick.hour * 3600 + tick.minute * 60
    return seconds % step == 0


def _signal(panel, xs: np.ndarray, ys: np.ndarray, label: str | None, marker: str | None = None,
            lines: bool = True):
    """A plotext signal of ``xs``, ``ys`` with its line broken wherever a NaN stood."""
    keep = ~(np.isnan(xs) | np.isnan(ys))
    breaks = np.flatnonzero(~keep)
    xs, ys = xs[keep], ys[keep]
    kw = {"marker": marker} if marker else {}
    s = panel.signal(xs.tolist(), ys.tolist(), **kw)
    if lines:
        s.lines()
        for i in breaks - np.arange(len(breaks)):  # the NaN's place in what is left
            s.line(int(i), False)
    if label:
        s.label(label)
    return s


def render_text(fig, width: int, height: int, color: bool = True, title: str = "") -> str:
    """``fig`` as ``width`` x ``height`` characters, with ANSI colours when ``color``."""
    import plotext as plt

    canvas = plt.figure
    canvas.clear()
    plt.terminal.limit(False, False)  # the size asked for, not the terminal's (a pipe has none)
    canvas.plot_size(width, height)
    n = len(fig.panels)
    if n > 1:
        canvas.subplots(n, 1)
    ticks, labels = time_ticks(fig.t0, fig.t1, max(2, width // 16))
    shown: set[str] = set()
    for i, panel in enumerate(fig.panels, start=1):
        p = canvas.subplot(i, 1) if n > 1 else canvas
        p.theme("simple")  # coloured lines on the terminal's own background (default: a white box)
        lo, hi = panel.ylim
        for j, (name, (device, runs)) in enumerate(fig.spans.items()):
            if device not in panel.devices:
                continue
            y = lo + (hi - lo) * 0.03 * (j + 1)
            xs = np.array([x for a, b in runs for x in (a, b, np.nan)], np.float64)
            p.draw(_signal(p, xs, np.where(np.isnan(xs), np.nan, y), f"{name} on" if name not in shown else None))
            shown.add(name)
        for trace in panel.traces:
            p.draw(_signal(p, trace.xs, trace.ys, trace.label))
        for trace in panel.thresholds:
            p.draw(_signal(p, trace.xs, trace.ys, trace.label))
        if panel.marks:
            ts, vs, _ = zip(*panel.marks)
            p.draw(_signal(p, np.array(ts, np.float64), np.array(vs, np.float64), "parameter set",
                           marker="◆", lines=False))
        if i == 1 and fig.notes:
            ts = np.array([t for t, _, _ in fig.notes], np.float64)
            p.draw(_signal(p, ts, np.full(len(ts), hi - (hi - lo) * 0.02),
                           None if panel.marks else "parameter set / new config", marker="▼", lines=False))
        p.ruler("x").lim(fig.t0, fig.t1)
        p.ruler("y").lim(lo, hi)
        p.ruler("x").ticks(ticks, labels)
        p.ruler("y").alignment(lim="edge")
        # the channels named under the panel too: plotext leaves out a legend that does not fit
        names = ", ".join(t.label for t in panel.traces)
        p.label(panel.ylabel if names == panel.ylabel else f"{panel.ylabel}: {names}", axis="y")
        if i == 1 and title:
            p.title(title)
    return canvas.build().string(colorless=not color).rstrip("\n")
