"""Actuator runs as time spans, from the ACT_ON / ACT_OFF events of a log (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tendril.contract import EventKind


@dataclass(frozen=True)
class Span:
    """One run of one actuator of one session: [start, end] in host time."""

    session_id: int
    actuator: int
    start: float
    end: float
    open: bool = False  # still on at the end of the window (no ACT_OFF seen)


def actuator_spans(events: Iterable, until: float) -> list[Span]:
    """Pair each ACT_ON with the next ACT_OFF of the same session and actuator.

    `events` are LoggedEvent-like (session_id, host_time, kind, a) in time order per
    session. An ACT_ON with no ACT_OFF before `until` runs to `until` (marked open);
    an ACT_OFF with no ACT_ON before it (the run began before the window) is ignored;
    a second ACT_ON while on keeps the first start.
    """
    on: dict[tuple[int, int], float] = {}
    spans: list[Span] = []
    for e in events:
        key = (e.session_id, e.a)
        if e.kind == EventKind.ACT_ON:
            on.setdefault(key, e.host_time)
        elif e.kind == EventKind.ACT_OFF and key in on:
            spans.append(Span(key[0], key[1], on.pop(key), e.host_time))
    for (session_id, actuator), start in on.items():
        if start < until:
            spans.append(Span(session_id, actuator, start, until, open=True))
    return sorted(spans, key=lambda s: (s.start, s.session_id, s.actuator))
