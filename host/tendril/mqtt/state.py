"""The JSON serve publishes for a board: its retained state and one message per EVENT. Pure: it is
fed the messages the host decodes (HELLO, TELEMETRY, STATUS, PARAMS, EVENT) and gives JSON text.

Values are in their units, as numbers: a channel or parameter's thousandths over 1000 ("soil": 41.2
means 41.2 %), a binary channel 0 or 1, durations in seconds. A channel with no valid reading is
null. Names come from the recipe; an index the recipe lacks is written "channel3", "actuator1", ...
"""

from __future__ import annotations

import json
from decimal import Decimal

from ..contract import (
    NEVER_MS,
    NO_INDEX,
    NO_READING,
    OWNER_LEASE,
    UNIT_SYMBOLS,
    ActuatorStateBit,
    ConfigOutcome,
    ErrorCode,
    EventKind,
    HelloFlag,
    ModeChange,
    OffReason,
    RuleState,
    SensorFault,
    SkipReason,
    Source,
    StatusSection,
    TelemetryFlag,
    Unit,
    channel_kind,
)
from ..recipes.model import Recipe

# What a Home Assistant "safety limit hit" event entity reports (discovery.py): the EVENTs that mean
# a limit of the board stopped something.
SAFETY_OFF = {OffReason.MAX_ON: "max_on", OffReason.DAILY_CAP: "daily_cap", OffReason.GUARD: "guard"}
SAFETY_EVENTS = ("max_on", "daily_cap", "guard", "safe_mode")


# A MODE event's change -> the HELLO flag it sets or clears.
_MODE_FLAGS = {ModeChange.PAUSED: (HelloFlag.PAUSED, True),
               ModeChange.RESUMED: (HelloFlag.PAUSED, False),
               ModeChange.SAFE_MODE_ENTERED: (HelloFlag.SAFE_MODE, True),
               ModeChange.SAFE_MODE_CLEARED: (HelloFlag.SAFE_MODE, False)}


def units(value: int | None) -> float | int | None:
    """Thousandths (or ms) -> the unit (or s): exact for every int32, no float noise."""
    if value is None:
        return None
    number = Decimal(value).scaleb(-3)
    return int(number) if number == number.to_integral_value() else float(number)


def _name(names: list[str], index: int, what: str) -> str:
    return names[index] if 0 <= index < len(names) else f"{what}{index}"


def _enum_name(enum, value: int) -> str | int:
    return enum(value).name.lower() if value in enum._value2member_map_ else value


class BoardState:
    """The latest of everything one board said, as the retained state JSON."""

    def __init__(self, board: str, recipe: Recipe) -> None:
        self.board = board
        self.recipe = recipe
        self.channels = [c.name for c in recipe.channels]
        self.actuators = [a.name for a in recipe.actuators]
        self.rules = [r.name for r in recipe.rules]
        self.params = [p.name for p in recipe.params]
        self._binary = [channel_kind(c.kind) is not None and channel_kind(c.kind).binary
                        for c in recipe.channels]
        self.time_ms: int | None = None
        self.firmware: str | None = None
        self.boot: dict[str, int | str | None] = {"boot_count": None, "generation": None,
                                                  "recipe_hash": None}  # from HELLO
        self.flags = HelloFlag(0)
        self.values: dict[str, float | int | None] = {}
        self.actuator_state: dict[str, dict] = {}
        self.rule_state: dict[str, dict] = {}
        self.param_values: dict[str, float | int] = {}
        # How long "switch ON" runs each actuator (serve keeps it; run_time commands change it).
        self.run_time_ms = {a.name: a.run_limit_ms for a in recipe.actuators}

    def hello(self, hello) -> None:
        self.firmware = f"{hello.text} {hello.fw_major}.{hello.fw_minor}.{hello.fw_patch}".strip()
        self.flags = HelloFlag(hello.flags)
        self.boot = {"boot_count": hello.boot_count, "generation": hello.config_generation,
                     "recipe_hash": bytes(hello.recipe_hash).hex()}

    def telemetry(self, msg) -> bool:
        """Take a TELEMETRY; False (and nothing kept) for raw readings, which are not in units.
        A value of None is a channel with no valid reading (JSON null)."""
        if msg.flags & TelemetryFlag.RAW:
            return False
        self.time_ms = msg.time_ms
        for offset, value in enumerate(msg.values):
            i = msg.first_channel + offset
            name = _name(self.channels, i, "channel")
            if value is None:
                self.values[name] = None
            elif i < len(self._binary) and self._binary[i]:
                self.values[name] = 1 if value else 0
            else:
                self.values[name] = units(value)
        return True

    def status(self, msg) -> None:
        """Take a STATUS page (actuators or rules)."""
        self.time_ms = msg.time_ms
        self.flags = HelloFlag(msg.flags)
        for offset, entry in enumerate(msg.entries):
            i = msg.first + offset
            if msg.section == StatusSection.ACTUATORS:
                self.actuator_state[_name(self.actuators, i, "actuator")] = self._actuator(entry)
            elif msg.section == StatusSection.RULES:
                never = entry.since_fired_ms == NEVER_MS
                self.rule_state[_name(self.rules, i, "rule")] = {
                    "state": _enum_name(RuleState, entry.state),
                    "last_skip": _enum_name(SkipReason, entry.last_skip) if entry.last_skip else None,
                    "since_fired_s": None if never else units(entry.since_fired_ms),
                }

    def _actuator(self, e) -> dict:
        bits = ActuatorStateBit(e.state)
        owner = None if e.owner == NO_INDEX else "lease" if e.owner == OWNER_LEASE else _name(
            self.rules, e.owner, "rule")
        return {"on": bool(bits & ActuatorStateBit.ON), "level": e.level, "by": owner,
                "leased": bool(bits & ActuatorStateBit.LEASED),
                "capped": bool(bits & ActuatorStateBit.CAPPED),
                "resting": bool(bits & ActuatorStateBit.RESTING),
                "locked": bool(bits & ActuatorStateBit.LOCKED),
                "left_s": units(e.ms_left), "today_on_s": units(e.today_on_ms)}

    def params_msg(self, msg) -> None:
        """Take a PARAMS page (the values the board runs now)."""
        for offset, value in enumerate(msg.values):
            self.param_values[_name(self.params, msg.first + offset, "param")] = units(value)

    def event(self, msg) -> None:
        """Keep what an EVENT changes in the state (a parameter set, pause/resume)."""
        if msg.kind == EventKind.PARAM:
            self.param_values[_name(self.params, msg.a, "param")] = units(msg.value)
        elif msg.kind == EventKind.MODE:
            change = _MODE_FLAGS.get(msg.b)
            if change:
                flag, on = change
                self.flags = self.flags | flag if on else self.flags & ~flag

    def payload(self) -> dict:
        actuators = {}
        for name in self.actuators:
            entry = dict(self.actuator_state.get(name, {}))
            entry["run_time_s"] = units(self.run_time_ms.get(name, 0))
            actuators[name] = entry
        return {
            "board": self.board,
            "recipe": self.recipe.meta.name,
            "firmware": self.firmware,
            **self.boot,
            "time_ms": self.time_ms,
            "paused": bool(self.flags & HelloFlag.PAUSED),
            "safe_mode": bool(self.flags & HelloFlag.SAFE_MODE),
            "channels": {n: self.values.get(n) for n in self.channels},
            "units": {c.name: _symbol(c.unit) for c in self.recipe.channels},
            "actuators": actuators,
            "rules": {n: self.rule_state.get(n) for n in self.rules},
            "parameters": {n: self.param_values.get(n) for n in self.params},
        }

    def json(self) -> str:
        return json.dumps(self.payload(), ensure_ascii=False, separators=(",", ":"))


def _symbol(unit: Unit) -> str:
    return UNIT_SYMBOLS.get(unit, "")


def event_payload(board: str, recipe: Recipe | None, msg) -> dict:
    """One EVENT as JSON values: its kind and fields by name. ``rule_fired`` (a rule's name) and
    ``safety`` (one of SAFETY_EVENTS) are there only when the event is one, for the Home Assistant
    event entities."""
    acts = [a.name for a in recipe.actuators] if recipe else []
    rules = [r.name for r in recipe.rules] if recipe else []
    params = [p.name for p in recipe.params] if recipe else []
    chans = [c.name for c in recipe.channels] if recipe else []
    kind = msg.kind
    out: dict = {"board": board, "time_ms": msg.time_ms, "kind": _enum_name(EventKind, kind)}
    if kind == EventKind.ACT_ON:
        out.update(actuator=_name(acts, msg.a, "actuator"), source=_enum_name(Source, msg.b),
                   rule=None if msg.c == NO_INDEX else _name(rules, msg.c, "rule"), level=msg.value)
        if out["rule"] is not None:
            out["rule_fired"] = out["rule"]
    elif kind == EventKind.ACT_OFF:
        out.update(actuator=_name(acts, msg.a, "actuator"), reason=_enum_name(OffReason, msg.b),
                   rule=None if msg.c == NO_INDEX else _name(rules, msg.c, "rule"),
                   on_s=units(msg.value))
        if msg.b in SAFETY_OFF:
            out["safety"] = SAFETY_OFF[msg.b]
    elif kind == EventKind.RULE_SKIP:
        out.update(rule=_name(rules, msg.a, "rule"), reason=_enum_name(SkipReason, msg.b),
                   actuator=_name(acts, msg.c, "actuator"))
    elif kind == EventKind.MODE:
        out["mode"] = _enum_name(ModeChange, msg.b)
        if msg.b == ModeChange.SAFE_MODE_ENTERED:
            out["safety"] = "safe_mode"
    elif kind == EventKind.PARAM:
        out.update(parameter=_name(params, msg.a, "param"), value=units(msg.value))
    elif kind == EventKind.CONFIG:
        out.update(outcome=_enum_name(ConfigOutcome, msg.b), value=msg.value)
    elif kind == EventKind.ERROR:
        out.update(error=_enum_name(ErrorCode, msg.b), detail=msg.value)
    elif kind == EventKind.GUARD:  # a guard tripped: its actuator is off and locked out
        out.update(rule=_name(rules, msg.a, "rule"), channel=_name(chans, msg.b, "channel"),
                   actuator=_name(acts, msg.c, "actuator"), value=None if msg.value == NO_READING else units(msg.value))
    elif kind == EventKind.SENSOR:  # a channel lost its reading (the fault) or reads again
        out.update(channel=_name(chans, msg.a, "channel"), fault=_enum_name(SensorFault, msg.b))
        if msg.b == SensorFault.RECOVERED:
            out["value"] = units(msg.value)
    else:
        out.update(a=msg.a, b=msg.b, c=msg.c, value=msg.value)
    return out


def event_json(board: str, recipe: Recipe | None, msg) -> str:
    return json.dumps(event_payload(board, recipe, msg), ensure_ascii=False, separators=(",", ":"))
