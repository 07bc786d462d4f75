"""Draw a Figure (figure.py) to a PNG or SVG file with matplotlib's Agg backend: no display needed.

matplotlib is imported here, inside the functions, so the other commands never pay for it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

WIDTH_PX, PANEL_PX, DPI = 1400, 300, 100
TOP_PX, BOTTOM_PX = 40, 55  # title; time axis
LEFT, RIGHT = 0.06, 0.84  # the plot area's edges as parts of the width; the legends sit right of it
PLOT_COLUMNS = int(WIDTH_PX * (RIGHT - LEFT))  # pixel columns the series are bucketed to
SPAN_ALPHA = 0.3
# actuators shaded in colours the channel lines (matplotlib's default cycle) start far from
SPAN_COLORS = ["tab:cyan", "tab:pink", "tab:olive", "gold", "tab:gray"]


def render_image(fig, path: Path, fmt: str, title: str = "") -> None:
    """Write ``fig`` to ``path`` as ``fmt`` ("png" or "svg"); OSError if it cannot be written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from dateutil.tz import tzlocal

    epoch = float(np.datetime64(mdates.get_epoch(), "s").astype(np.int64))
    n = len(fig.panels)
    height = PANEL_PX * n + TOP_PX + BOTTOM_PX
    out, axes = plt.subplots(n, 1, sharex=True, squeeze=False,
                             figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI)
    try:
        colors = iter(_cycle(plt.rcParams["axes.prop_cycle"].by_key()["color"]))
        shown: set[str] = set()  # each actuator in one legend: the first panel it is shaded in
        for i, (panel, ax) in enumerate(zip(fig.panels, axes[:, 0])):
            _panel(ax, panel, fig, colors, shown, epoch, notes=i == 0)
        tz = tzlocal()
        last = axes[-1, 0]
        locator = mdates.AutoDateLocator(tz=tz, minticks=4, maxticks=10)
        last.xaxis.set_major_locator(locator)
        last.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))
        last.set_xlim(_days(fig.t0, epoch), _days(fig.t1, epoch))
        last.set_xlabel(f"local time ({datetime.now().astimezone().tzname()})")
        if title:
            axes[0, 0].set_title(title, loc="left", fontsize="medium")
        out.subplots_adjust(left=LEFT, right=RIGHT, top=1 - TOP_PX / height,
                            bottom=BOTTOM_PX / height, hspace=0.08)
        # no creation date in an SVG: the same log gives the same file
        out.savefig(path, format=fmt, dpi=DPI, metadata={"Date": None} if fmt == "svg" else {})
    finally:
        plt.close(out)


def _days(t, epoch: float):
    """Host time (Unix seconds) as matplotlib date numbers; NaN stays NaN (a gap)."""
    return (np.asarray(t, np.float64) - epoch) / 86400.0


def _cycle(colors):
    while True:
        yield from colors


def _panel(ax, panel, fig, colors, shown: set[str], epoch: float, notes: bool) -> None:
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    for trace in panel.traces:
        c = next(colors)
        if trace.lo is not None:
            ax.fill_between(_days(trace.xs, epoch), trace.lo, trace.hi, color=c, alpha=0.25, linewidth=0)
        ax.plot(_days(trace.xs, epoch), trace.ys, color=c, linewidth=1.0, label=trace.label)
    for trace in panel.thresholds:
        ax.plot(_days(trace.xs, epoch), trace.ys, color=next(colors), linestyle="--", linewidth=1.2,
                label=trace.label)
    if panel.marks:
        ts, vs, _ = zip(*panel.marks)
        ax.plot(_days(ts, epoch), vs, linestyle="", marker="D", markersize=5, color="black",
                label="parameter set")
    new = []
    for j, (name, (device, runs)) in enumerate(fig.spans.items()):
        if device not in panel.devices:
            continue
        c = SPAN_COLORS[j % len(SPAN_COLORS)]
        verts = [[(a, 0), (a, 1), (b, 1), (b, 0)] for a, b in
                 ((_days(x, epoch), _days(y, epoch)) for x, y in runs)]
        ax.add_collection(PolyCollection(verts, facecolors=c, alpha=SPAN_ALPHA, linewidths=0,
                                         transform=ax.get_xaxis_transform()))  # y: 0..1 of the axes
        if name not in shown:
            shown.add(name)
            new.append(Patch(facecolor=c, alpha=min(1.0, SPAN_ALPHA * 1.5), label=f"{name} on"))
    if notes:  # changes with no line to sit on: along the top edge
        for kind, marker, label in (("param", "v", "other parameter set"),
                                   ("config", "s", "new config")):
            ts = [t for t, k, _ in fig.notes if k == kind]
            if ts:
                ax.plot(_days(ts, epoch), [1.0] * len(ts), linestyle="", marker=marker, markersize=6,
                        color="dimgray", clip_on=False, transform=ax.get_xaxis_transform(), label=label)
    ax.set_ylim(*panel.ylim)
    ax.set_ylabel(panel.ylabel)
    ax.grid(True, alpha=0.3)
    lines, _ = ax.get_legend_handles_labels()
    ax.legend(handles=lines + new, loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize="small",
              frameon=False)
