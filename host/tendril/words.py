"""Words for people about what a board says: events, rule states, skip reasons, who drives an
actuator, an actuator's state, units, log entries. The CLI (`tendril log`, `tendril status`,
`tendril export --events`, the demo) and the TUI share these; the link layer (tendril.live) hands
structured views and never imports this module.
Machine-readable names (MQTT JSON) are mqtt/state.py's: lowercased enum names, not these."""

from __future__ import annotations

from .contract import (
    NO_INDEX,
    NO_READING,
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
from .recipes.units import fmt_ms

_RULE_STATE = {RuleState.IDLE: "armed", RuleState.HOLDING: "holding", RuleState.READY: "ready",
               RuleState.RUNNING: "running", RuleState.COOLING: "cooling down",
               RuleState.PAUSED: "paused", RuleState.LOCKED: "tripped: actuator locked out"}
_SKIP_SHORT = {SkipReason.INTERLOCK: "interlock", SkipReason.LEASED: "leased",
               SkipReason.DAILY_CAP: "daily cap", SkipReason.MIN_OFF: "resting",
               SkipReason.NO_READING: "no reading", SkipReason.GUARD: "locked out"}


def rule_state_text(state: int) -> str:
    """A STATUS rule state in a word: armed, holding, ready, running, cooling down, paused."""
    return _RULE_STATE.get(state, str(state))


def skip_text(reason: int) -> str:
    """Why a rule last skipped, in a word or two ("" when it never did)."""
    return _SKIP_SHORT.get(reason, "")


def owner_text(owner, rules: list[str] = ()) -> str:
    """Who drives an actuator: "lease", "rule <name>", or "" for nobody. ``owner`` is the STATUS
    byte (with ``rules``, the recipe's rule names) or a live view's Owner."""
    if not isinstance(owner, int):  # tendril.live.view.Owner
        if owner.lease:
            return "lease"
        if owner.rule is None:
            return ""
        return f"rule {owner.rule_name or owner.rule}"
    if owner == OWNER_LEASE:
        return "lease"
    if owner == NO_INDEX:
        return ""
    return f"rule {rules[owner]}" if owner < len(rules) else f"rule {owner}"


def level_text(level: int) -> str:
    """A lease or output level 1..255 as a percentage: 102 -> "40 %"."""
    return f"{round(level * 100 / 255)} %"


def actuator_state_text(on: bool, *, owner: str = "", ms_left: int = 0, level: int = 255,
                        resting: bool = False, capped: bool = False, locked: bool = False,
                        style: str = "screen", servo_safe: int | None = None) -> str:
    """An actuator's state in words, the one wording every UI uses. ``owner``: owner_text's words.
    style "screen" (the monitor): "ON at 40 % (rule water, 4.2 s left)", "off (resting)";
    style "line" (`tendril status`): "on (lease, 5 s left)", "resting", "off";
    style "short" (`tendril status`'s summary): "on, 5 s left", "resting", "off";
    style "story" (the live demo's status line): "ON (rule water, 5 s left)", "off, resting".
    A servo (``servo_safe``: its safe position) reads where it is: "at 90° (rule vent, ...)", "at 10° (safe)".
    ``locked``: a guard tripped it and rules may not turn it on until someone runs it by hand."""
    if locked and not on:
        if style == "screen":
            return "off (LOCKED OUT by a guard: run it by hand to clear)"
        return "off, locked out" if style == "story" else "locked out"
    if style == "screen" and servo_safe is not None:
        if on:
            left = f", {duration_text(ms_left)} left" if ms_left else ""
            return f"at {level}° ({owner or 'on'}{left})"
        return f"at {servo_safe}° (safe{', daily cap used up' if capped else ''})"
    if style == "screen":
        if on:
            left = f", {duration_text(ms_left)} left" if ms_left else ""
            at = f" at {level_text(level)}" if level not in (0, 255) else ""
            return f"ON{at} ({owner or 'on'}{left})"
        if capped:
            return "off (daily cap used up)"
        return "off (resting)" if resting else "off"
    if style == "story":
        if on:
            return f"ON ({owner}, {ms_left / 1000:.0f} s left)"
        return "off, resting" if resting else "off"
    if not on:
        return "resting" if resting else "off"
    if style == "line":
        return f"on ({owner}, {ms_left / 1000:g} s left)"
    return f"on, {_seconds(ms_left)} left" if ms_left else "on"


def _seconds(ms: int) -> str:
    return f"{ms / 1000:g} s" if ms < 60_000 else fmt_ms(ms - ms % 1000)


def duration_text(ms: int) -> str:
    """950 ms, 4.2 s, 3 min 20 s, 2 h 05 min (as the monitor shows durations)."""
    if ms < 1000:
        return f"{ms} ms"
    s = ms / 1000
    if s < 60:
        text = f"{round(s, 1):.3f}".rstrip("0").rstrip(".")
        return f"{text} s"
    m, s = divmod(int(s), 60)
    if m < 60:
        return f"{m} min {s:02d} s" if s else f"{m} min"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def log_text(entry) -> str:
    """A live board's log entry (tendril.live.view.LogEntry) in words: an event with the names of
    the recipe the board ran then, else the entry's text."""
    if entry.event is not None:
        return event_text(entry.event, entry.recipe)
    return entry.text


def unit_text(unit: Unit | None) -> str:
    return fmt_unit(unit) if unit not in (None, Unit.NONE) else ""


def channel_unit_text(channel) -> str:
    """A live channel's unit (tendril.live.view.ChannelView): "counts" for raw readings."""
    return "counts" if channel.raw else unit_text(channel.unit)


def param_unit_text(param) -> str:
    """A live parameter's unit (tendril.live.view.ParamView): "ms" for a duration."""
    return "ms" if param.duration else unit_text(param.unit)


def rule_skip_text(reason: int | None) -> str:
    """A live rule's last skip in a word or two, "" when it never skipped."""
    return "" if reason is None else skip_text(reason)


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
    OffReason.GUARD: "a guard tripped",
}
_SKIP = {
    SkipReason.INTERLOCK: "interlock holds it",
    SkipReason.LEASED: "the actuator is on a lease",
    SkipReason.DAILY_CAP: "daily cap used up",
    SkipReason.MIN_OFF: "the actuator is resting (min_off)",
    SkipReason.NO_READING: "its interlock sensor has no reading",
    SkipReason.GUARD: "the actuator is locked out by a guard (run it by hand to clear)",
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
    if kind == EventKind.GUARD:
        chans = [c.name for c in recipe.channels] if recipe else []
        value = "no reading" if event.value == NO_READING else f"{event.value / 1000:g}"
        if recipe and 0 <= event.b < len(recipe.channels):
            unit = unit_text(recipe.channels[event.b].unit)
            value += f" {unit}" if unit and event.value != NO_READING else ""
        return (f"guard {_name(rules, event.a, 'rule')} tripped: {_name(chans, event.b, 'channel')} {value}; "
                f"{_name(acts, event.c, 'actuator')} off and locked out")
    if kind == EventKind.ERROR:
        what = ErrorCode(event.b).name if event.b in ErrorCode._value2member_map_ else event.b
        return f"device error {what} (detail {event.value})"
    return f"event {kind} ({event.a}, {event.b}, {event.c}, {event.value})"
