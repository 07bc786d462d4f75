"""A chart of one channel: a min..max band per screen column over a span, in half-cell steps.

It draws the buckets it is given (Series.window at exactly its own width), never samples."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

from ...live import Bucket
from ..format import number

AXIS = 9  # columns for the value labels


def plot_rows(buckets: Sequence[Bucket | None], height: int, lo: float, hi: float) -> list[str]:
    """``height`` text rows (top first) of the band: each cell is two sub-rows drawn with
    full and half blocks, so a flat line is half a cell thick."""
    sub = height * 2
    span = (hi - lo) or 1.0
    grid = [[" "] * len(buckets) for _ in range(height)]
    for x, b in enumerate(buckets):
        if b is None:
            continue
        a = int((b.lo - lo) / span * (sub - 1) + 0.5)
        z = int((b.hi - lo) / span * (sub - 1) + 0.5)
        for row in range(height):
            low, up = 2 * row, 2 * row + 1  # sub-rows from the bottom
            has_low, has_up = a <= low <= z, a <= up <= z
            if has_low or has_up:
                grid[height - 1 - row][x] = "█" if has_low and has_up else ("▀" if has_up else "▄")
    return ["".join(r) for r in grid]


class Chart(Widget):
    """Set ``data`` with ``show``; the widget only paints."""

    DEFAULT_CSS = "Chart { height: 12; }"

    def __init__(self, index: int, **kw) -> None:
        super().__init__(**kw)
        self.index = index
        self.title = ""
        self.unit = ""
        self.span_label = ""
        self.buckets: list[Bucket | None] = []

    @property
    def plot_width(self) -> int:
        return max(1, self.size.width - AXIS)

    def show(self, title: str, unit: str, span_label: str, buckets: list[Bucket | None]) -> None:
        if (title, unit, span_label, buckets) == (self.title, self.unit, self.span_label, self.buckets):
            return  # nothing new in the span: no repaint
        self.title, self.unit, self.span_label, self.buckets = title, unit, span_label, buckets
        self.refresh()

    def render(self) -> Text:
        width, height = self.size.width, self.size.height
        plot_h = max(1, height - 2)
        seen = [b for b in self.buckets if b is not None]
        out = Text()
        out.append(f" {self.title}", style="bold")
        out.append(f" ({self.unit})" if self.unit else "")
        out.append(f"  last {self.span_label}, min..max per column\n", style="dim")
        if not seen:
            out.append("\n" * (plot_h // 2) + " " * AXIS + "no data in this span yet", style="dim")
            return out
        lo = min(b.lo for b in seen)
        hi = max(b.hi for b in seen)
        if hi == lo:
            lo, hi = lo - 1, hi + 1
        rows = plot_rows(self.buckets[: max(0, width - AXIS)], plot_h, lo, hi)
        for i, row in enumerate(rows):
            label = number(hi) if i == 0 else number(lo) if i == plot_h - 1 else ""
            out.append(f"{label[:AXIS - 2]:>{AXIS - 2}} ┤", style="dim")
            out.append(row, style="bold cyan")
            out.append("\n")
        left = f"-{self.span_label}"
        out.append(" " * AXIS + left + "now".rjust(max(0, width - AXIS - len(left))), style="dim")
        return out
