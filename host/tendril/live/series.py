"""A channel's recent values for live display: every sample of the last minute, then one-second
min/max/mean buckets for a day. Charts ask for a window at screen resolution (``window``) and
never walk samples one by one on the UI side."""

from __future__ import annotations

import math
from collections import deque
from itertools import islice
from typing import NamedTuple

FINE_SECONDS = 60.0  # every sample is kept this long
FINE_MAX = 120_000  # ... up to this many (2 kHz for a minute)
COARSE_SECONDS = 86_400  # one-second buckets for a day


class Bucket(NamedTuple):
    t: float  # start of the bucket (host time, s)
    lo: float
    hi: float
    mean: float
    n: int


class Series:
    """Not thread-safe by itself: LiveBoard calls it under its lock."""

    def __init__(self) -> None:
        self.fine: deque[tuple[float, float]] = deque(maxlen=FINE_MAX)
        # (sec, lo, hi, sum, n): finished seconds as tuples of numbers, which the garbage collector
        # stops tracking (a day of 16 channels is 1.4 M buckets it would walk at every full
        # collection); only the newest, still filling, is a list.
        self.coarse: deque[list | tuple] = deque(maxlen=COARSE_SECONDS)
        self.count = 0
        self.lo = math.inf
        self.hi = -math.inf
        self.last: float | None = None
        self.last_t: float | None = None
        self.no_reading = False  # the newest sample said the channel has no valid reading
        # grid_window's finished columns per (seconds, columns): [samples seen, {column: [lo, hi,
        # sum, n]}]. Only the UI's calls touch it (under the board's lock, like everything here).
        self._grids: dict[tuple[float, int], list] = {}

    def add(self, t: float, v: float) -> None:
        # The logger's hot path (once per sample): plain comparisons, no min()/max() calls.
        self.count += 1
        self.last = v
        self.last_t = t
        self.no_reading = False
        if v < self.lo:
            self.lo = v
        if v > self.hi:
            self.hi = v
        fine = self.fine
        fine.append((t, v))
        if t - fine[0][0] > FINE_SECONDS:
            while len(fine) > 2 and t - fine[0][0] > FINE_SECONDS:
                fine.popleft()
        sec = int(t)
        coarse = self.coarse
        if coarse:
            b = coarse[-1]
            if b[0] == sec:
                if type(b) is tuple:  # a preloaded second that is still going on
                    b = coarse[-1] = list(b)
                if v < b[1]:
                    b[1] = v
                elif v > b[2]:
                    b[2] = v
                b[3] += v
                b[4] += 1
                return
            if sec < b[0]:
                return  # a sample older than the newest bucket (a clock step back): `fine` only
            coarse[-1] = tuple(b)  # that second is done
        coarse.append([sec, v, v, v, 1])

    def gap(self, t: float) -> None:
        """A sample of a channel with no valid reading (TELEMETRY's marker): no value to keep, so
        the chart has a gap there; ``last`` stays the last good value, ``no_reading`` says it is
        not current."""
        self.no_reading = True
        self.last_t = t

    def preload(self, buckets: list[Bucket]) -> None:
        """Older history (from the log database) in front of what is live."""
        first = self.coarse[0][0] if self.coarse else math.inf
        older = [(int(b.t), b.lo, b.hi, b.mean * b.n, b.n) for b in buckets if int(b.t) < first]
        self.coarse.extendleft(reversed(older[-(COARSE_SECONDS - len(self.coarse)):] if older else []))

    def window(self, seconds: float, columns: int, now: float) -> list[Bucket | None]:
        """``columns`` buckets covering (now - seconds, now]: min/max/mean of what fell in each,
        None where nothing did."""
        columns = max(1, columns)
        start = now - seconds
        width = seconds / columns
        acc: list[list | None] = [None] * columns
        # Newest first, stopping at the window's start: a minute's window over a day of buckets
        # reads a minute of them (a sample before a clock step back may be missed).
        if seconds <= FINE_SECONDS and self.fine and self.fine[0][0] <= start + width:
            points = ((t, v, v, v, 1) for t, v in _until(self.fine, lambda p: p[0] > start))
        else:
            points = ((b[0] + 0.5, b[1], b[2], b[3], b[4])
                      for b in _until(self.coarse, lambda b: b[0] + 1 > start))
        for t, lo, hi, total, n in points:
            i = min(columns - 1, int((t - start) / width)) if t > start else 0
            a = acc[i]
            if a is None:
                acc[i] = [lo, hi, total, n]
            else:
                a[0] = min(a[0], lo)
                a[1] = max(a[1], hi)
                a[2] += total
                a[3] += n
        return [None if a is None else Bucket(start + i * width, a[0], a[1], a[2] / a[3], a[3])
                for i, a in enumerate(acc)]

    def grid_window(self, seconds: float, columns: int, now: float) -> list[Bucket | None]:
        """Like ``window``, for something redrawn many times a second (a sparkline, the 1-minute
        chart): the columns sit on a fixed grid (column k covers [k*w, (k+1)*w), w = seconds /
        columns, the last one holds ``now``), so a finished column never changes. Whole-second
        columns are read from the one-second buckets (the last ``seconds`` of them); finer ones
        are kept between calls, and a call folds in only the samples added since the last one.
        Windows the samples of the last minute do not cover are ``window``'s."""
        columns = max(1, columns)
        w = seconds / columns
        last = int(now // w)
        first = last - columns + 1
        whole = w >= 1 and w == int(w)
        if not whole and (seconds > FINE_SECONDS or not self.fine or self.fine[0][0] > first * w + w):
            return self.window(seconds, columns, now)
        if whole:
            cols: dict[int, list] = {}
            for b in _until(self.coarse, lambda b: b[0] >= first * w):
                _fold(cols, int(b[0] // w), b[1], b[2], b[3], b[4])
        else:
            key = (seconds, columns)
            grid = self._grids.get(key)
            new = self.count - grid[0] if grid else len(self.fine) + 1
            if new > len(self.fine):  # the first call, or more samples came than are kept
                if len(self._grids) >= 4:
                    self._grids.clear()
                grid = self._grids[key] = [self.count, {}]
                new = len(self.fine)
            grid[0] = self.count
            cols = grid[1]
            for t, v in islice(reversed(self.fine), new):
                _fold(cols, int(t // w), v, v, v, 1)
            for k in [k for k in cols if k < first]:
                del cols[k]
        out: list[Bucket | None] = []
        for k in range(first, last + 1):
            a = cols.get(k)
            out.append(None if a is None else Bucket(k * w, a[0], a[1], a[2] / a[3], a[3]))
        return out


def _until(items: deque, keep) -> list:
    """The newest items of a time-ordered deque while ``keep(item)`` holds (newest first)."""
    out = []
    for item in reversed(items):
        if not keep(item):
            break
        out.append(item)
    return out


def _fold(cols: dict[int, list], k: int, lo: float, hi: float, total: float, n: int) -> None:
    a = cols.get(k)
    if a is None:
        cols[k] = [lo, hi, total, n]
    else:
        if lo < a[0]:
            a[0] = lo
        if hi > a[1]:
            a[1] = hi
        a[2] += total
        a[3] += n
