"""Guard vectors: scenarios/guard_*.json, a rule that stops an actuator running dry (rules.md, "Guards").

Every expected event is written by hand from docs/rules.md, with the reasoning beside it; no engine
is run here. The building blocks (images, inputs, commands, event rows) are cases_scenarios.py's.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tendril.contract import NO_READING, ActuatorFlag, RuleAction, RuleFlag, RuleKind, SensorFault
from tendril.image import Actuator, Rule

_spec = importlib.util.spec_from_file_location("cases_scenarios", Path(__file__).with_name("cases_scenarios.py"))
S = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(S)

NO, R, L = S.NO, S.R, S.L
Off, Skip = S.Off, S.Skip
ON, OFF, SKIP, SENSOR = S.ON, S.OFF, S.SKIP, S.SENSOR
_inp, _fault, _cmd, _image, _plain, _threshold = S._inp, S._fault, S._cmd, S._image, S._plain, S._threshold


def _guard(actuator, channel, threshold, hold, *, above=False, lockout=0) -> Rule:
    """A guard: ``actuator`` goes off and is locked out when ``channel`` stays below (or above)
    ``threshold`` for ``hold`` while it is on; the lockout lasts ``lockout`` ms, 0 until a lease."""
    return Rule(
        kind=RuleKind.GUARD,
        actuator=actuator,
        action=0,
        level=0,
        channel=channel,
        flags=RuleFlag.ABOVE if above else RuleFlag(0),
        threshold=threshold,
        hold=hold,
        period=lockout,
    )


def GUARD(t, rule, channel, act, value):
    return [t, "GUARD", rule, channel, act, value]


def dry_run():
    pump = S.Actuator(7, ActuatorFlag(0), max_on_ms=60_000, min_off_ms=5_000, daily_cap_ms=600_000)
    water = _threshold(0, 0, 500, duration=20_000)  # soil below 500: a 20 s pulse, no cooldown
    dry = _guard(0, 1, 100, 5_000)  # flow below 100 for 5 s while on: off, locked until a lease
    return S._scenario(
        "guard_dry_run",
        "A pump whose flow stops mid-watering: the guard trips 5 s after the flow stopped (EVENT "
        "GUARD, ACT_OFF GUARD) and the pump stays locked out (RULE_SKIP GUARD) after min_off, "
        "however dry the soil. A lease (a person) clears the lockout; with the tank still empty the "
        "lease runs dry too and trips the guard 5 s after the pump went on (the hold counts from "
        "on). With the flow back, a lease and then the rule run to their ends.",
        _image("guard-dry", [_plain(14), _plain(15)], [pump], [water, dry]),
        0,
        1000,
        76_000,
        inputs=[
            _inp(0, 0, 300),
            _inp(0, 1, 0),
            _inp(2_000, 1, 300),  # the flow starts 2 s after the pump: inside the hold
            _inp(8_000, 1, 0),  # the tank runs empty
            _inp(44_000, 1, 300),  # refilled
            _inp(60_000, 0, 800),  # the soil is wet: the pulse runs to its end anyway
        ],
        commands=[
            _cmd(30_000, "LEASE", actuator=0, ms=10_000, level=255),
            _cmd(45_000, "LEASE", actuator=0, ms=5_000, level=255),
        ],
        events=[
            ON(0, 0, R, 0, 255),
            # 1 s: no flow, counted from on (0 s); 2 s: flow, the guard has seen it good.
            # 8 s: no flow again, counted from 8 s; 13 s: 5 s without flow.
            GUARD(13_000, 1, 1, 0, 0),
            OFF(13_000, 0, Off.GUARD, 1, 13_000),  # the pulse ends early; resting until 18 s
            SKIP(14_000, 0, Skip.GUARD, 0),  # still dry soil: locked out, once for the stretch
            # 30 s: a person runs the pump: the lockout ends, the lease blocks the rule
            SKIP(30_000, 0, Skip.LEASED, 0),
            ON(30_000, 0, L, NO, 255),
            GUARD(35_000, 1, 1, 0, 0),  # never any flow since on at 30 s: 5 s from on
            OFF(35_000, 0, Off.GUARD, 1, 5_000),  # the lease ends with it; resting until 40 s
            SKIP(36_000, 0, Skip.GUARD, 0),
            SKIP(45_000, 0, Skip.LEASED, 0),
            ON(45_000, 0, L, NO, 255),  # flow since 44 s: the guard sees it good at 46 s
            SKIP(50_000, 0, Skip.MIN_OFF, 0),  # the lease ends: the pump is going off this tick
            OFF(50_000, 0, Off.LEASE_END, NO, 5_000),  # resting until 55 s
            ON(55_000, 0, R, 0, 255),
            OFF(75_000, 0, Off.RULE_DONE, 0, 20_000),
        ],
    )


def lockout_time():
    heater = Actuator(5, ActuatorFlag(0), max_on_ms=600_000, min_off_ms=0, daily_cap_ms=3_600_000)
    heat = _threshold(0, 0, 500, action=RuleAction.FOLLOW)  # on while the water is below 500
    hot = _guard(0, 1, 800, 2_000, above=True, lockout=10_000)  # element above 800 for 2 s
    F = SensorFault
    return S._scenario(
        "guard_lockout_time",
        "An above-guard with a 10 s lockout set by the recipe: no trip while the heater is off, "
        "even with its channel faulted; the element runs hot for 2 s and the guard trips; the "
        "lockout ends by itself 10 s later and the rule fires again. The element's sensor stops "
        "answering while on: no reading trips the guard too (fail safe, value NO_READING); after "
        "the next lockout the heater goes on with the sensor still dead and trips 2 s after on.",
        _image("guard-time", [_plain(14), _plain(15)], [heater], [heat, hot]),
        0,
        1000,
        41_000,
        inputs=[
            _inp(0, 0, 600),
            _fault(0, 1, F.NO_ANSWER),
            _inp(5_000, 1, 400),
            _inp(6_000, 0, 300),
            _inp(10_000, 1, 900),
            _inp(15_000, 1, 400),
            _fault(25_000, 1, F.CRC),
        ],
        events=[
            SENSOR(0, 1, F.NO_ANSWER),  # the heater is off: the guard does nothing
            SENSOR(5_000, 1, F.RECOVERED, 400),
            ON(6_000, 0, R, 0, 255),
            # 7 s: the element reads good; 10 s: 900 > 800, counted from 10 s
            GUARD(12_000, 1, 1, 0, 900),
            OFF(12_000, 0, Off.GUARD, 1, 6_000),  # the follow run ends with it
            SKIP(13_000, 0, Skip.GUARD, 0),
            ON(22_000, 0, R, 0, 255),  # locked from 12 s for 10 s; then the rule fires at once
            SENSOR(25_000, 1, F.CRC),
            GUARD(27_000, 1, 1, 0, NO_READING),  # good at 23 s, no reading from 25 s
            OFF(27_000, 0, Off.GUARD, 1, 5_000),
            SKIP(28_000, 0, Skip.GUARD, 0),
            ON(37_000, 0, R, 0, 255),
            GUARD(39_000, 1, 1, 0, NO_READING),  # never good since on at 37 s: 2 s from on
            OFF(39_000, 0, Off.GUARD, 1, 2_000),
            SKIP(40_000, 0, Skip.GUARD, 0),
        ],
        values=[{"t": 26_000, "channel": 1, "value": None}],
    )


def build() -> dict[str, object]:
    files: dict[str, object] = {}
    for make in (dry_run, lockout_time):
        files.update(make())
    return files
