"""A channel's recent values for live display: every sample of the last minute, then one-second
min/max/mean buckets for a day. Charts ask for a window at screen resolution (``window``) and
never walk samples one by one on the UI side."""

from __future__ import annotations

import math
from collections import deque
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
        self.coarse: deque[list] = deque(maxlen=COARSE_SECONDS)  # [sec, lo, hi, sum, n]
        self.count = 0
        self.lo = math.inf
        self.hi = -math.inf
        self.last: float | None = None
        self.last_t: float | None = None

    def add(self, t: float, v: float) -> None:
        # The logger's hot path (once per sample): plain comparisons, no min()/max() calls.
        self.count += 1
        self.last = v
        self.last_t = t
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
                if v < b[1]:
                    b[1] = v
                elif v > b[2]:
                    b[2] = v
                b[3] += v
                b[4] += 1
                return
            if sec < b[0]:
                return  # a sample older than the newest bucket (a clock step back): `fine` only
        coarse.append([sec, v, v, v, 1])

    def preload(self, buckets: list[Bucket]) -> None:
        """Older history (from the log database) in front of what is live."""
        first = self.coarse[0][0] if self.coarse else math.inf
        older = [[int(b.t), b.lo, b.hi, b.mean * b.n, b.n] for b in buckets if int(b.t) < first]
        self.coarse.extendleft(reversed(older[-(COARSE_SECONDS - len(self.coarse)):] if older else []))

    def window(self, seconds: float, columns: int, now: float) -> list[Bucket | None]:
        """``columns`` buckets covering (now - seconds, now]: min/max/mean of what fell in each,
        None where nothing did."""
        columns = max(1, columns)
        start = now - seconds
        width = seconds / columns
        acc: list[list | None] = [None] * columns
        if seconds <= FINE_SECONDS and self.fine and self.fine[0][0] <= start + width:
            points = ((t, v, v, v, 1) for t, v in self.fine if t > start)
        else:
            points = ((b[0] + 0.5, b[1], b[2], b[3], b[4]) for b in self.coarse if b[0] + 1 > start)
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

    def recent(self, n: int) -> list[float]:
        """The last ``n`` values (for a sparkline)."""
        fine = self.fine
        k = min(n, len(fine))
        return [fine[i][1] for i in range(len(fine) - k, len(fine))]
