"""A board seen through MQTT, as the views a LiveBoard gives: the retained state JSON and the event
JSON `tendril serve` publishes (docs/fleet.md, built by tendril.mqtt.state) turned back into a
BoardView and log entries. Pure: JSON values in, views out; a RemoteBoard that subscribes feeds it.

What the JSON does not carry, the views cannot show: a channel's min/max/count since the monitor
started (a RemoteBoard keeps its own Series from the states it receives), the last good value of a
channel with no reading (None here), raw readings (serve publishes values in units only), the
board's HELLO (only its firmware text) and its board name. The actuators' limits (max_on, min_off,
daily cap, pwm) and the parameters' ranges and units come from the recipe when the caller has it
(the retained state names the recipe but does not hold it); without it they are 0 / None."""

from __future__ import annotations

from ..contract import (
    NO_INDEX,
    UNIT_SYMBOLS,
    ConfigOutcome,
    ErrorCode,
    EventKind,
    ModeChange,
    OffReason,
    RuleState,
    SensorFault,
    SkipReason,
    Source,
    Unit,
)
from ..protocol import Event
from .view import (
    NOBODY,
    ActuatorView,
    BoardView,
    ChannelView,
    LinkState,
    LogEntry,
    Owner,
    ParamView,
    RuleView,
)

_UNIT = {symbol: unit for unit, symbol in UNIT_SYMBOLS.items()}


def _ms(seconds) -> int:
    """Seconds (or a unit value) as the JSON has it -> ms (or thousandths), exactly."""
    return 0 if seconds is None else round(seconds * 1000)


def _member(enum, name):
    """A lowercased enum name from the JSON -> the member; an int (a value the publisher's contract
    did not name) stays an int."""
    if isinstance(name, str):
        return enum[name.upper()]
    return enum(name) if name in enum._value2member_map_ else name


def _index(names: list[str], name: str | None, what: str) -> int:
    """A name -> its index in ``names``; "actuator3"-style names (an index the recipe lacks) too."""
    if name is None:
        return NO_INDEX
    if name in names:
        return names.index(name)
    if name.startswith(what) and name[len(what):].isdigit():
        return int(name[len(what):])
    raise ValueError(f"unknown {what} {name!r}")


class RemoteViewError(ValueError):
    """A state or event JSON that is not what serve publishes; its text is one line."""


def board_view(state: dict, *, recipe=None, port: str = "", online: bool = True) -> BoardView:
    """The retained state JSON (as a dict) -> a BoardView. ``recipe``: the recipe the board runs,
    for the limits and ranges the JSON lacks; ``port``: what to call the board (its id by
    default); ``online``: the board's availability topic. Raises RemoteViewError."""
    try:
        return _board_view(state, recipe, port, online)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RemoteViewError(f"a board state that is not serve's: {type(exc).__name__}: {exc}") from None


def _board_view(state: dict, recipe, port: str, online: bool) -> BoardView:
    rules = list(state.get("rules") or {})
    units = state.get("units") or {}
    channels = tuple(
        ChannelView(i, name, _UNIT.get(units.get(name, ""), Unit.NONE), value, None, None, 0,
                    no_reading=value is None)
        for i, (name, value) in enumerate((state.get("channels") or {}).items()))
    r_acts = recipe.actuators if recipe is not None else ()
    actuators = []
    for i, (name, a) in enumerate((state.get("actuators") or {}).items()):
        if "on" not in a:  # no STATUS yet: only serve's run time
            continue
        ra = r_acts[i] if i < len(r_acts) else None
        actuators.append(ActuatorView(
            i, name, a["on"], a["level"], _owner(a.get("by"), rules), _ms(a.get("left_s")),
            _ms(a.get("today_on_s")), ra.daily_cap_ms if ra else 0, ra.max_on_ms if ra else 0,
            ra.min_off_ms if ra else 0, a.get("resting", False), a.get("capped", False),
            bool(ra and (ra.pwm or ra.servo)), ra.servo[2] if ra and ra.servo else None,
            a.get("locked", False)))
    rule_views = tuple(
        RuleView(i, name, _member(RuleState, r["state"]),
                 None if r.get("last_skip") is None else _member(SkipReason, r["last_skip"]),
                 None if r.get("since_fired_s") is None else _ms(r["since_fired_s"]))
        for i, (name, r) in enumerate((state.get("rules") or {}).items()) if r is not None)
    r_params = recipe.params if recipe is not None else ()
    params = []
    for i, (name, value) in enumerate((state.get("parameters") or {}).items()):
        if value is None:
            continue
        p = r_params[i] if i < len(r_params) else None
        params.append(ParamView(i, name, _ms(value), p.min if p else 0, p.max if p else 0,
                                (None if p.duration else p.unit) if p else None,
                                p.duration if p else False))
    return BoardView(
        port=port or state.get("board", ""), baud=0,
        state=LinkState.ONLINE if online else LinkState.OFFLINE,
        recipe=state.get("recipe") or "", paused=bool(state.get("paused")),
        safe_mode=bool(state.get("safe_mode")), channels=channels, actuators=tuple(actuators),
        rules=rule_views, params=tuple(params))


def _owner(by: str | None, rules: list[str]) -> Owner:
    if by is None:
        return NOBODY
    if by == "lease":
        return Owner(lease=True)
    index = _index(rules, by, "rule")
    return Owner(rule=index, rule_name=by if by in rules else "")


def event_message(payload: dict, recipe) -> Event:
    """The event JSON (as a dict) -> the EVENT it was built from, its names turned back into the
    recipe's indexes. A field its kind does not use (the JSON leaves it out) is 0. Raises
    RemoteViewError."""
    try:
        return _event_message(payload, recipe)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RemoteViewError(f"an event that is not serve's: {type(exc).__name__}: {exc}") from None


def _event_message(payload: dict, recipe) -> Event:
    acts = [a.name for a in recipe.actuators] if recipe else []
    rules = [r.name for r in recipe.rules] if recipe else []
    params = [p.name for p in recipe.params] if recipe else []
    chans = [c.name for c in recipe.channels] if recipe else []
    kind = _member(EventKind, payload["kind"])
    a = b = c = value = 0
    if kind == EventKind.ACT_ON:
        a, b = _index(acts, payload["actuator"], "actuator"), _member(Source, payload["source"])
        c, value = _index(rules, payload.get("rule"), "rule"), payload["level"]
    elif kind == EventKind.ACT_OFF:
        a, b = _index(acts, payload["actuator"], "actuator"), _member(OffReason, payload["reason"])
        c, value = _index(rules, payload.get("rule"), "rule"), _ms(payload["on_s"])
    elif kind == EventKind.RULE_SKIP:
        a, b = _index(rules, payload["rule"], "rule"), _member(SkipReason, payload["reason"])
        c = _index(acts, payload["actuator"], "actuator")
    elif kind == EventKind.MODE:
        b = _member(ModeChange, payload["mode"])
    elif kind == EventKind.PARAM:
        a, value = _index(params, payload["parameter"], "param"), _ms(payload["value"])
    elif kind == EventKind.CONFIG:
        b, value = _member(ConfigOutcome, payload["outcome"]), payload["value"]
    elif kind == EventKind.ERROR:
        b, value = _member(ErrorCode, payload["error"]), payload["detail"]
    elif kind == EventKind.SENSOR:
        a, b = _index(chans, payload["channel"], "channel"), _member(SensorFault, payload["fault"])
        value = _ms(payload.get("value"))
    else:
        a, b, c, value = payload["a"], payload["b"], payload["c"], payload["value"]
    return Event(payload["time_ms"], kind, a, b, c, value)


def log_entry(payload: dict, recipe, host_time: float) -> LogEntry:
    """The event JSON -> the log entry a LiveBoard keeps for that EVENT."""
    return LogEntry(host_time, "event", event=event_message(payload, recipe), recipe=recipe)
