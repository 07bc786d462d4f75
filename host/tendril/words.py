"""Words for people about what a board says: events, rule states, skip reasons, who drives an
actuator, units. The CLI (`tendril log`, `tendril export --events`) and the TUI share these; the
link layer (tendril.live) hands structured values and asks here for the words its views carry.
Machine-readable names (MQTT JSON) are mqtt/state.py's: lowercased enum names, not these."""

from __future__ import annotations

from .contract import (
    NO_INDEX,
    OWNER_LEASE,
    STALE_SAMPLES,
    ConfigOutcome,
    ErrorCode,
    EventKind,
    ModeChange,
    OffReason,
    RuleState,
    SensorFault,
    SkipReason,
    Unit,
)
from .recipes.decompile import fmt_unit
from .recipes.describe import param_format

_RULE_STATE = {RuleState.IDLE: "armed", RuleState.HOLDING: "holding", RuleState.READY: "ready",
               RuleState.RUNNING: "running", RuleState.COOLING: "cooling down",
               RuleState.PAUSED: "paused"}
_SKIP_SHORT = {SkipReason.INTERLOCK: "interlock", SkipReason.LEASED: "leased",
               SkipReason.DAILY_CAP: "daily cap", SkipReason.MIN_OFF: "resting",
               SkipReason.NO_READING: "no reading"}


def rule_state_text(state: int) -> str:
    """A STATUS rule state in a word: armed, holding, ready, running, cooling down, paused."""
    return _RULE_STATE.get(state, str(state))


def skip_text(reason: int) -> str:
    """Why a rule last skipped, in a word or two ("" when it never did)."""
    return _SKIP_SHORT.get(reason, "")


def owner_text(owner: int, rules: list[str]) -> str:
    """Who drives an actuator (STATUS owner): "lease", "rule <name>", or "" for nobody."""
    if owner == OWNER_LEASE:
        return "lease"
    if owner == NO_INDEX:
        return ""
    return f"rule {rules[owner]}" if owner < len(rules) else f"rule {owner}"


def unit_text(unit: Unit | None) -> str:
    return fmt_unit(unit) if unit not in (None, Unit.NONE) else ""


_OFF = {
    OffReason.RULE_DONE: "rule done",
    OffReason.CONDITION_CLEARED: "condition cleared",
    OffReason.LEASE_END: "lease ended",
    OffReason.MANUAL_OFF: "switched off by hand",
    OffReason.MAX_ON: "max_on safety limit",
    OffReason.DAILY_CAP: "daily cap reached",
    OffReason.INTERLOCK: "interlock",
    OffReason.PAUSED: "automation paused",
    OffReason.RECONFIG: "new config",
    OffReason.SAFE_MODE: "safe mode",
    OffReason.NO_READING: "a sensor it needs has no reading",
}
_SKIP = {
    SkipReason.INTERLOCK: "interlock holds it",
    SkipReason.LEASED: "the actuator is on a lease",
    SkipReason.DAILY_CAP: "daily cap used up",
    SkipReason.MIN_OFF: "the actuator is resting (min_off)",
    SkipReason.NO_READING: "its interlock sensor has no reading",
}
_FAULT = {
    SensorFault.NO_ANSWER: "no answer from the sensor",
    SensorFault.CRC: "garbled reading (CRC error)",
    SensorFault.OUT_OF_RANGE: "reading out of the sensor's range",
    SensorFault.POWER_ON_VALUE: "the sensor gave its power-on value, not a reading",
    SensorFault.STALE: f"no new reading for {STALE_SAMPLES} samples",
}
_MODE = {
    ModeChange.PAUSED: "automation paused",
    ModeChange.RESUMED: "automation resumed",
    ModeChange.SAFE_MODE_ENTERED: "SAFE MODE entered: automation off, actuators safe",
    ModeChange.SAFE_MODE_CLEARED: "safe mode cleared",
}


def _name(names: list[str], index: int, what: str) -> str:
    return names[index] if 0 <= index < len(names) else f"{what} {index}"


def event_text(event, recipe: Recipe | None) -> str:
    """One EVENT in words, with the recipe's names when known."""
    acts = [a.name for a in recipe.actuators] if recipe else []
    rules = [r.name for r in recipe.rules] if recipe else []
    params = [p.name for p in recipe.params] if recipe else []
    kind = event.kind
    if kind == EventKind.ACT_ON:
        by = "lease" if event.c == NO_INDEX else f"rule {_name(rules, event.c, 'rule')}"
        return f"{_name(acts, event.a, 'actuator')} ON ({by})"
    if kind == EventKind.ACT_OFF:
        why = _OFF.get(event.b, f"reason {event.b}")
        return f"{_name(acts, event.a, 'actuator')} OFF after {event.value / 1000:g} s: {why}"
    if kind == EventKind.RULE_SKIP:
        return f"rule {_name(rules, event.a, 'rule')} skipped: {_SKIP.get(event.b, event.b)}"
    if kind == EventKind.MODE:
        return _MODE.get(event.b, f"mode change {event.b}")
    if kind == EventKind.PARAM:
        if recipe and 0 <= event.a < len(recipe.params):  # in the parameter's unit: "36 %", "6 s"
            p = recipe.params[event.a]
            return f"{p.name} set to {param_format(p)(event.value)}"
        return f"parameter {_name(params, event.a, 'parameter')} set to {event.value / 1000:g}"
    if kind == EventKind.CONFIG:
        if event.b == ConfigOutcome.APPLIED:
            return f"new config applied (generation {event.value})"
        if event.b == ConfigOutcome.REJECTED:
            return f"config refused (detail {event.value}); the old one keeps running"
        return "config cleared: no automation"
    if kind == EventKind.SENSOR:
        chans = [c.name for c in recipe.channels] if recipe else []
        name = _name(chans, event.a, "channel")
        if event.b == SensorFault.RECOVERED:
            return f"{name}: reading again"
        return f"{name}: {_FAULT.get(event.b, f'sensor fault {event.b}')}"
    if kind == EventKind.ERROR:
        what = ErrorCode(event.b).name if event.b in ErrorCode._value2member_map_ else event.b
        return f"device error {what} (detail {event.value})"
    return f"event {kind} ({event.a}, {event.b}, {event.c}, {event.value})"
