"""A counting channel's rise per day (litres a day from a flow meter's total, mm a day from a rain
gauge): pure, fed with logged samples in host-time order (query.iter_samples).

A board's total counts from 0 when its config starts (a boot or a push: docs/sensors.md, "Pulse
counter") and never at midnight, since a board has no wall clock. So the day's rise is the sum of
the steps between one board's consecutive samples of the channel, each given to the day of the
later sample: a step up is what was counted between them; a step down, or a new boot, means the
total started again from 0, so the new value is what was counted since. The first sample of a
channel is the baseline: what it counted before the log began is not known."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .query import Sample


@dataclass(frozen=True)
class DayRise:
    day: str  # YYYY-MM-DD in the zone ``day_of`` says (local time by default)
    device_id: int
    channel: int
    name: str | None
    rise: int  # thousandths of the channel's unit (a raw channel: counts)
    raw: bool
    samples: int  # of that day


def local_day(host_time: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(host_time))


def daily_rises(samples: Iterable[Sample], day_of: Callable[[float], str] = local_day) -> Iterator[DayRise]:
    """One DayRise per (day, board, channel), in the order the days end."""
    last: dict[tuple[int, int], tuple[int, int]] = {}  # (device, channel) -> (boot, value)
    open_days: dict[tuple[int, int], list] = {}  # (device, channel) -> [day, name, rise, raw, samples]
    for s in samples:
        key = (s.device_id, s.channel)
        day = day_of(s.host_time)
        prev = last.get(key)
        if prev is None:
            step = 0  # the baseline
        elif prev[0] == s.boot_count and s.value >= prev[1]:
            step = s.value - prev[1]
        else:
            step = s.value  # started again from 0 (a reboot or a push)
        last[key] = (s.boot_count, s.value)
        acc = open_days.get(key)
        if acc is not None and acc[0] != day:
            yield DayRise(acc[0], key[0], key[1], acc[1], acc[2], acc[3], acc[4])
            acc = None
        if acc is None:
            acc = open_days[key] = [day, s.name, 0, s.raw, 0]
        acc[2] += step
        acc[4] += 1
    for key, acc in open_days.items():
        yield DayRise(acc[0], key[0], key[1], acc[1], acc[2], acc[3], acc[4])
