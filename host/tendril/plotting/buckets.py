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


class ColumnReducer:
    """``bucket_series`` a block at a time, holding only the columns: a year of samples plots in
    the memory of one plot, not of the year. Blocks may come in any order; the points of a
    series whose window holds no more than ``keep`` of them are kept as they are too (a plot with
    fewer points than columns draws them as a plain line)."""

    def __init__(self, since: float, until: float, columns: int, keep: int | None = None):
        if columns < 1 or not until > since:
            raise ValueError("needs columns >= 1 and until after since")
        self.since, self.until, self.columns = since, until, columns
        self.width = (until - since) / columns
        self.keep = columns if keep is None else keep
        self.count = np.zeros(columns, np.int64)
        self.total = np.zeros(columns)
        self.lo = np.full(columns, np.inf)
        self.hi = np.full(columns, -np.inf)
        self.first = np.full(columns, np.inf)
        self.last = np.full(columns, -np.inf)
        self.points: list[tuple[np.ndarray, np.ndarray]] | None = []
        self.n = 0
        self._steps: list[float] = []  # each block's median interval

    def add(self, times: np.ndarray, values: np.ndarray) -> None:
        inside = (times >= self.since) & (times <= self.until)
        t = np.asarray(times[inside], np.float64)
        v = np.asarray(values[inside], np.float64)
        if not len(t):
            return
        self.n += len(t)
        if self.points is not None:
            self.points = self.points + [(t, v)] if self.n <= self.keep else None
        if len(t) > 1:
            self._steps.append(typical_step(np.sort(t)))
        col = np.minimum(np.floor((t - self.since) / self.width).astype(np.int64), self.columns - 1)
        self.count += np.bincount(col, minlength=self.columns)
        self.total += np.bincount(col, weights=v, minlength=self.columns)
        np.minimum.at(self.lo, col, v)
        np.maximum.at(self.hi, col, v)
        np.minimum.at(self.first, col, t)
        np.maximum.at(self.last, col, t)

    @property
    def step(self) -> float:
        """The usual sampling interval: the median of the blocks' (0 with too few points)."""
        return float(np.median(self._steps)) if self._steps else 0.0

    def kept(self) -> tuple[np.ndarray, np.ndarray] | None:
        """All the window's points, in time order, if there were no more than ``keep``."""
        if self.points is None:
            return None
        if not self.points:
            return np.zeros(0), np.zeros(0)
        t, v = np.concatenate([p[0] for p in self.points]), np.concatenate([p[1] for p in self.points])
        order = np.argsort(t, kind="stable")
        return t[order], v[order]

    def buckets(self) -> Buckets:
        which = np.flatnonzero(self.count)
        n = self.count[which]
        return Buckets(which, self.since + which * self.width, n, self.lo[which], self.hi[which],
                       self.total[which] / n, self.first[which], self.last[which])
