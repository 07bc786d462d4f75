"""Reduce a long series to one min/max/mean bucket per pixel column.

A week of 1 Hz data is 600k points a channel; a plot is a few hundred to a few
thousand pixels wide. Drawing the min..max band and the mean per column shows
every spike a full plot would show (min and max are kept exactly) at a cost
bounded by the width, and the points stream through: nothing holds the series.
Pure: values in, buckets out; no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    """One pixel column: the points whose time falls in [start, start + width)."""

    start: float
    count: int
    lo: float
    hi: float
    mean: float


def bucket_series(
    points: Iterable[tuple[float, float]], since: float, until: float, columns: int
) -> list[Bucket]:
    """Bucket (time, value) points of [since, until] into at most `columns` columns.

    Points outside the window are ignored; a time equal to `until` goes in the last
    column. Empty columns are left out, so a gap in the log stays a gap.
    """
    if columns < 1:
        raise ValueError("columns must be at least 1")
    if not until > since:
        raise ValueError("until must be after since")
    width = (until - since) / columns
    count = [0] * columns
    lo = [0.0] * columns
    hi = [0.0] * columns
    total = [0.0] * columns
    for t, v in points:
        if t < since or t > until:
            continue
        i = min(int((t - since) / width), columns - 1)
        if count[i] == 0:
            lo[i] = hi[i] = v
        elif v < lo[i]:
            lo[i] = v
        elif v > hi[i]:
            hi[i] = v
        count[i] += 1
        total[i] += v
    return [
        Bucket(since + i * width, count[i], lo[i], hi[i], total[i] / count[i])
        for i in range(columns)
        if count[i]
    ]
