"""Rule thresholds over time, and the parameter changes that move them (pure).

A threshold rule compares a channel with a constant or with a parameter (`below = "$dry_threshold"`);
an interlock written in full (`interlock = { channel = ..., above = ... }`) does the same. A
parameter's value is its default from the moment its config runs, then whatever PARAM events set.
Boards keep set parameters until the next config is committed (docs/protocol.md), so a reboot into
the same recipe keeps them and a CONFIG event (a new config applied) resets them. Input: the boots
of the log (with the recipe each ran, when known) and their events; output: step lines, one per
(device, channel, parameter or constant), and marks where a parameter changed or a config arrived.
A parameter whose unit is not its channel's (a duration, say) is only marked, never drawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..contract import ConfigOutcome, EventKind, RuleKind
from ..recipes.describe import param_format
from ..recipes.model import ParamRef, Recipe


@dataclass(frozen=True)
class Boot:
    """One logged session as the threshold logic needs it."""

    session_id: int
    device_id: int
    start: float  # when the host began logging it
    end: float  # the last time the log heard from it
    recipe: Recipe | None  # the recipe it ran (query.session_recipe), None if unknown
    configured: bool = True  # it booted with a config; False: the recipe arrives with its first CONFIG


@dataclass(frozen=True)
class Step:
    start: float
    end: float
    value: float  # in the channel's unit


@dataclass
class ThresholdLine:
    device_id: int
    channel: str  # the channel the rule compares
    label: str  # the parameter's name, or "<rule> threshold" for a constant
    steps: list[Step] = field(default_factory=list)


@dataclass(frozen=True)
class Mark:
    """A parameter set (kind "param") or a new config applied (kind "config") at ``time``."""

    device_id: int
    time: float
    kind: str
    text: str
    channels: tuple[str, ...] = ()  # channels whose drawn threshold this parameter is
    value: float | None = None  # the new value in those channels' unit


def _targets(recipe: Recipe) -> list[tuple[str, str, object]]:
    """(channel, label for a constant, operand) for each comparison of a channel in the rules."""
    out = []
    for rule in recipe.rules:
        if rule.kind == RuleKind.THRESHOLD and rule.channel:
            out.append((rule.channel, f"{rule.name} threshold", rule.threshold))
        if rule.interlock and not rule.interlock_short:  # the short form is a 0/1 switch: nothing to see
            out.append((rule.interlock, f"{rule.name} interlock", rule.il_threshold))
    return out


def _placeable(recipe: Recipe, channel: str, operand) -> int | None:
    """The parameter index an operand draws, if it is in the channel's unit (else None)."""
    found, ch = recipe.param(operand.name), recipe.channel(channel)
    if found is None or ch is None:
        return None
    p = found[1]
    if p.duration or (p.unit if p.unit is not None else 0) != ch[1].unit:
        return None
    return found[0]


def _values(recipe: Recipe, state: dict[int, int]) -> dict[tuple[str, str], float]:
    """(channel, label) -> threshold value in the channel's unit, for the lines drawable now."""
    out = {}
    for channel, label, operand in _targets(recipe):
        if isinstance(operand, ParamRef):
            index = _placeable(recipe, channel, operand)
            if index is not None:
                out[(channel, operand.name)] = state[index] / 1000
        elif recipe.channel(channel) is not None:
            out[(channel, label)] = operand / 1000
    return out


def _channels_of(recipe: Recipe, index: int) -> tuple[str, ...]:
    name = recipe.params[index].name
    return tuple(dict.fromkeys(c for c, _, op in _targets(recipe) if isinstance(op, ParamRef)
                               and op.name == name and _placeable(recipe, c, op) == index))


class _Lines:
    """The open step of each line of one device, closed and reopened as values change."""

    def __init__(self, device_id: int, lines: dict):
        self.device_id, self.lines, self.open = device_id, lines, {}

    def set(self, t: float, values: dict[tuple[str, str], float]) -> None:
        for key, (start, value) in list(self.open.items()):
            if values.get(key) != value:
                self._close(key, start, t, value)
        for key, value in values.items():
            if key not in self.open:
                self.open[key] = (t, value)

    def _close(self, key, start: float, t: float, value: float) -> None:
        del self.open[key]
        if t > start:
            line = self.lines.setdefault((self.device_id, *key),
                                         ThresholdLine(self.device_id, key[0], key[1]))
            line.steps.append(Step(start, t, value))


def thresholds(boots: Iterable[Boot], events: Iterable) -> tuple[list[ThresholdLine], list[Mark]]:
    """Step lines and change marks for ``boots``; ``events`` are LoggedEvent-like (session_id,
    host_time, kind, a, b, value) in order within each session."""
    by_session: dict[int, list] = {}
    for e in events:
        by_session.setdefault(e.session_id, []).append(e)
    lines: dict[tuple, ThresholdLine] = {}
    marks: list[Mark] = []
    kept: dict[int, tuple[Recipe, dict[int, int]]] = {}  # device -> parameters a reboot keeps
    for boot in sorted(boots, key=lambda b: (b.start, b.session_id)):
        recipe, state = boot.recipe, None
        out = _Lines(boot.device_id, lines)
        if recipe is not None and boot.configured:
            prev = kept.get(boot.device_id)
            state = dict(prev[1]) if prev and prev[0] == recipe else _defaults(recipe)
            out.set(boot.start, _values(recipe, state))
        first_config = True
        for e in by_session.get(boot.session_id, ()):
            if e.kind == EventKind.PARAM:
                marks.append(_param_mark(boot.device_id, e, recipe, state))
                if state is not None and 0 <= e.a < len(recipe.params):
                    state[e.a] = e.value
                    out.set(e.host_time, _values(recipe, state))
            elif e.kind == EventKind.CONFIG and e.b != ConfigOutcome.REJECTED:
                applied = e.b == ConfigOutcome.APPLIED
                marks.append(Mark(boot.device_id, e.host_time, "config",
                                  "new config applied" if applied else "config cleared"))
                if applied and first_config and not boot.configured and recipe is not None:
                    state = _defaults(recipe)  # the recipe this boot ran arrived now
                else:
                    state = None  # a config the log holds no recipe for here: draw no guess
                out.set(e.host_time, _values(recipe, state) if state is not None else {})
                first_config = False
        out.set(boot.end, {})
        if state is not None:
            kept[boot.device_id] = (recipe, state)
        else:
            kept.pop(boot.device_id, None)
    return list(lines.values()), marks


def _defaults(recipe: Recipe) -> dict[int, int]:
    return {i: p.default for i, p in enumerate(recipe.params)}


def _param_mark(device_id: int, e, recipe: Recipe | None, state) -> Mark:
    if recipe is not None and 0 <= e.a < len(recipe.params):
        p = recipe.params[e.a]
        chans = _channels_of(recipe, e.a) if state is not None else ()
        return Mark(device_id, e.host_time, "param", f"{p.name} set to {param_format(p)(e.value)}",
                    chans, e.value / 1000 if chans else None)
    return Mark(device_id, e.host_time, "param", f"parameter {e.a} set to {e.value / 1000:g}")
