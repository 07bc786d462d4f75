"""Draw a Figure (figure.py) to a PNG or SVG file with matplotlib's Agg backend: no display needed.

matplotlib is imported here, inside the function, so the other commands never pay for it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

WIDTH_PX, PANEL_PX, DPI = 1400, 300, 100
LEFT, RIGHT = 0.06, 0.84  # the plot area's edges as parts of the width; the legends sit right of it
PLOT_COLUMNS = int(WIDTH_PX * (RIGHT - LEFT))  # pixel columns the series are bucketed to
SPAN_ALPHA = 0.3


def render_image(fig, path: Path, fmt: str, title: str = "") -> None:
    """Write ``fig`` to ``path`` as ``fmt`` ("png" or "svg"); OSError if it cannot be written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from dateutil.tz import tzlocal
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    epoch = np.datetime64(mdates.get_epoch(), "s").astype(np.int64)

    def days(t):  # host time (Unix seconds) as matplotlib date numbers; NaN stays NaN
        return (np.asarray(t, np.float64) - epoch) / 86400.0

    tz = tzlocal()
    n = len(fig.panels)
    out, axes = plt.subplots(n, 1, sharex=True, squeeze=False,
                             figsize=(WIDTH_PX / DPI, (PANEL_PX * n + 80) / DPI), dpi=DPI)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    span_colors = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown"]
    try:
        k = 0
        shown: set[str] = set()
        for i, (panel, ax) in enumerate(zip(fig.panels, axes[:, 0])):
            for trace in panel.traces:
                c = colors[k % len(colors)]
                k += 1
                if trace.lo is not None:
                    ax.fill_between(days(trace.xs), trace.lo, trace.hi, color=c, alpha=0.25, linewidth=0)
                ax.plot(days(trace.xs), trace.ys, color=c, linewidth=1.0, label=trace.label)
            for trace in panel.thresholds:
                c = colors[k % len(colors)]
                k += 1
                ax.plot(days(trace.xs), trace.ys, color=c, linestyle="--", linewidth=1.2, label=trace.label)
            if panel.marks:
                ts, vs, _ = zip(*panel.marks)
                ax.plot(days(ts), vs, linestyle="", marker="D", markersize=5, color="black",
                        label="parameter set")
            handles = []
            for j, (name, (device, runs)) in enumerate(fig.spans.items()):
                c = span_colors[j % len(span_colors)]
                if device not in panel.devices:
                    continue
                verts = [[(a, 0), (a, 1), (b, 1), (b, 0)] for a, b in ((days(x), days(y)) for x, y in runs)]
                ax.add_collection(PolyCollection(verts, facecolors=c, alpha=SPAN_ALPHA, linewidths=0,
                                                 transform=ax.get_xaxis_transform()))
                handles.append(Patch(facecolor=c, alpha=SPAN_ALPHA * 1.5, label=f"{name} on"))
            if i == 0 and fig.notes:
                for kind, marker in (("param", "v"), ("config", "s")):
                    ts = [t for t, k2, _ in fig.notes if k2 == kind]
                    if ts:
                        ax.plot(days(ts), [1.0] * len(ts), linestyle="", marker=marker, markersize=6,
                                color="dimgray", clip_on=False, transform=ax.get_xaxis_transform(),
                                label="parameter set" if kind == "param" else "new config")
            ax.set_ylim(*panel.ylim)
            ax.set_ylabel(panel.ylabel)
            ax.grid(True, alpha=0.3)
            lines, _ = ax.get_legend_handles_labels()
            new = [h for h in handles if h.get_label() not in shown]  # each actuator once, where first shaded
            shown.update(h.get_label() for h in new)
            ax.legend(handles=lines + new, loc="upper left", bbox_to_anchor=(1.005, 1.0),
                      fontsize="small", frameon=False)
        last = axes[-1, 0]
        locator = mdates.AutoDateLocator(tz=tz, minticks=4, maxticks=10)
        last.xaxis.set_major_locator(locator)
        last.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))
        last.set_xlim(days(fig.t0), days(fig.t1))
        last.set_xlabel(f"local time ({datetime.now().astimezone().tzname()})")
        if title:
            axes[0, 0].set_title(title, loc="left", fontsize="medium")
        out.subplots_adjust(left=LEFT, right=RIGHT, top=1 - 40 / (PANEL_PX * n + 80),
                            bottom=55 / (PANEL_PX * n + 80), hspace=0.08)
        out.savefig(path, format=fmt, dpi=DPI, metadata=_metadata(fmt))
    finally:
        plt.close(out)


def _metadata(fmt: str) -> dict:
    # no creation date in the file: the same log gives the same bytes (README picture, reviews)
    return {"Date": None} if fmt == "svg" else {}
