"""Actuator runs as time spans, from the ACT_ON / ACT_OFF events of a log (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tendril.contract import EventKind


@dataclass(frozen=True)
class Span:
    """One run of one actuator of one session: [start, end] in host time."""

    session_id: int
    actuator: int
    start: float
    end: float
    open: bool = False  # no ACT_OFF seen: the run lasts as far as the log (or window) goes


def actuator_spans(events: Iterable, until: float, session_ends: Mapping[int, float] | None = None,
                   since: float | None = None) -> list[Span]:
    """Pair each ACT_ON with the next ACT_OFF of the same session and actuator.

    ``events`` are LoggedEvent-like (session_id, host_time, kind, a, value) in time order per
    session. An ACT_ON with no ACT_OFF runs to its session's end (``session_ends``: the last time
    the log heard from that boot; a reboot puts every actuator in its safe state) or to ``until``,
    whichever is first; it is marked open. An ACT_OFF with no ACT_ON before it (the run began
    before the events read) began ``value`` ms earlier, as the ACT_OFF says; ``since`` clips it.
    A second ACT_ON while on keeps the first start. Spans are sorted by start.
    """
    ends = session_ends or {}
    on: dict[tuple[int, int], float] = {}
    spans: list[Span] = []
    for e in events:
        key = (e.session_id, e.a)
        if e.kind == EventKind.ACT_ON:
            on.setdefault(key, e.host_time)
        elif e.kind == EventKind.ACT_OFF:
            if key in on:
                spans.append(Span(key[0], key[1], on.pop(key), e.host_time))
            elif e.value > 0:
                start = e.host_time - e.value / 1000
                if since is not None:
                    start = max(start, since)
                if start < e.host_time:
                    spans.append(Span(key[0], key[1], start, e.host_time))
    for (session_id, actuator), start in on.items():
        end = min(until, ends.get(session_id, until))
        if start < end:
            spans.append(Span(session_id, actuator, start, end, open=True))
    return sorted(spans, key=lambda s: (s.start, s.session_id, s.actuator))
