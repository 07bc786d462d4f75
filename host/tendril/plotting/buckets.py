"""Reduce a long series to one min/max/mean bucket per pixel column, and find its gaps.

A week of 1 Hz data is 600k points a channel; a plot is a few hundred to a few thousand pixels
wide. Drawing the min..max band and the mean per column shows every spike a full plot would show
(min and max are kept exactly) at a cost bounded by the width. The reduction is numpy's
(`np.minimum.reduceat` over runs of equal column), so a week of several channels takes a fraction
of a second. Pure: arrays in, arrays out; no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GAP_STEPS = 5.0  # a pause longer than this many typical sampling intervals is a gap in the line


@dataclass(frozen=True)
class Buckets:
    """The non-empty pixel columns of a series, as parallel arrays (one entry per column)."""

    column: np.ndarray  # int: the column's index in 0..columns-1
    start: np.ndarray  # the column's left edge (time)
    count: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    mean: np.ndarray
    first: np.ndarray  # time of the column's first point
    last: np.ndarray  # time of its last point

    def __len__(self) -> int:
        return len(self.column)


def window(times: np.ndarray, since: float, until: float) -> slice:
    """The slice of sorted ``times`` inside [since, until]."""
    return slice(int(np.searchsorted(times, since, side="left")),
                 int(np.searchsorted(times, until, side="right")))


def bucket_series(times: np.ndarray, values: np.ndarray, since: float, until: float,
                  columns: int) -> Buckets:
    """Bucket a series (``times`` sorted ascending) of [since, until] into ``columns`` columns.

    Column i holds the points with floor((t - since) / width) == i, width = (until - since) /
    columns; a time equal to ``until`` goes in the last column; points outside the window are
    ignored. Empty columns are left out, so a gap in the log stays a gap.
    """
    if columns < 1:
        raise ValueError("columns must be at least 1")
    if not until > since:
        raise ValueError("until must be after since")
    cut = window(times, since, until)
    t = np.asarray(times[cut], dtype=np.float64)
    v = np.asarray(values[cut], dtype=np.float64)
    width = (until - since) / columns
    col = np.minimum(np.floor((t - since) / width).astype(np.int64), columns - 1)
    if not len(col):
        empty = np.zeros(0)
        return Buckets(np.zeros(0, np.int64), empty, np.zeros(0, np.int64), empty, empty, empty,
                       empty, empty)
    starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
    count = np.diff(np.r_[starts, len(col)])
    which = col[starts]
    return Buckets(which, since + which * width, count, np.minimum.reduceat(v, starts),
                   np.maximum.reduceat(v, starts), np.add.reduceat(v, starts) / count, t[starts],
                   t[starts + count - 1])


def typical_step(times: np.ndarray) -> float:
    """The series' usual sampling interval: the median time between points (0 for < 2 points)."""
    if len(times) < 2:
        return 0.0
    return float(np.median(np.diff(times)))


def gaps_after(first: np.ndarray, last: np.ndarray, gap: float) -> np.ndarray:
    """Indexes i where the pause from ``last[i]`` to ``first[i + 1]`` is longer than ``gap``:
    the line breaks there. For plain points pass the times as both ``first`` and ``last``."""
    if len(first) < 2:
        return np.zeros(0, np.int64)
    return np.flatnonzero(first[1:] - last[:-1] > gap)


def broken(xs: np.ndarray, ys: np.ndarray, breaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``xs``, ``ys`` with a NaN point after each index in ``breaks``: plotting libraries draw no
    line through NaN, so each gap stays empty instead of a straight line across it."""
    if not len(breaks):
        return np.asarray(xs, np.float64), np.asarray(ys, np.float64)
    at = np.asarray(breaks) + 1
    mid = (np.asarray(xs)[at - 1] + np.asarray(xs)[at]) / 2
    return (np.insert(np.asarray(xs, np.float64), at, mid),
            np.insert(np.asarray(ys, np.float64), at, np.nan))
