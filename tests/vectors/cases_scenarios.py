"""Rule-semantics vectors: scenarios/*.json (format in README.md, semantics in docs/rules.md).

Every expected event below is written by hand from docs/rules.md, with the reasoning beside it;
no engine is run here. Where a time depends on arithmetic (calibration, smoothing), a few lines
of closed-form arithmetic in this file compute it and an assert ties it to the hand-written time,
so a wrong hand calculation fails the generator instead of hiding in a vector.

Three behaviours follow the resolutions of rules.md ambiguities proposed with this file:
- an actuator that is on with a pending off reason counts as resting (a rule that wants to fire gets
  RULE_SKIP MIN_OFF and fires only after the actuator went off and rested): manual_off, lease,
  pwm_level, interval;
- an interval slot is used up whenever it is due, even while the rule runs or automation is off:
  interval (rule 1), pause_resume;
- the level of an actuator driven by rules is the highest level among its running rules, also in
  ACT_ON and while it stays on: pwm_level.
"""

from __future__ import annotations

from tendril.boards import load_board
from tendril.contract import (
    DAY_MS,
    ActuatorFlag,
    BoardClass,
    ChannelKind,
    EventKind,
    ModeChange,
    Operand,
    RuleAction,
    RuleFlag,
    RuleKind,
    SensorFault,
    Source,
    Unit,
)
from tendril.contract import (
    NO_INDEX as NO,
)
from tendril.contract import (
    OffReason as Off,
)
from tendril.contract import (
    SkipReason as Skip,
)
from tendril.image import Actuator, Channel, Image, Param, Rule, encode, validate

M = 0xFFFFFFFF
UNO = load_board("uno")
ONE = 1 << 16  # Q16.16 gain 1.0: value = raw


# --- building blocks ---------------------------------------------------------------------------


def _image(name, channels, actuators=(), rules=(), params=()) -> str:
    image = Image(
        name=name,
        board_class=BoardClass.AVR328,
        telemetry_ms=1000,
        params=tuple(params),
        channels=tuple(channels),
        actuators=tuple(actuators),
        rules=tuple(rules),
    )
    data = encode(image)
    validate(data, UNO)
    return data.hex()


def _threshold(
    actuator, channel, threshold, *, above=False, action=RuleAction.PULSE, tank=None, **kw
):
    """A threshold rule; ``tank`` names a tank-float channel that blocks it while it reads empty."""
    flags = RuleFlag.ABOVE if above else RuleFlag(0)
    if tank is not None:
        flags |= RuleFlag.INTERLOCK_ABOVE
        kw.update(interlock=tank, il_threshold=500)
    return Rule(
        kind=RuleKind.THRESHOLD,
        actuator=actuator,
        action=action,
        channel=channel,
        flags=flags,
        threshold=threshold,
        **kw,
    )


def _interval(actuator, period, duration, tank=None, **kw) -> Rule:
    if tank is not None:
        kw.update(interlock=tank, il_threshold=500, flags=RuleFlag.INTERLOCK_ABOVE)
    return Rule(kind=RuleKind.INTERVAL, actuator=actuator, period=period, duration=duration, **kw)


# The tank float: a switch to ground on a pulled-up pin, closed while the float is up (water),
# open when the tank is empty. Open reads 1 -> value 1000 ("empty"), closed reads 0 -> 0.
def _tank(pin=2, period=1000) -> Channel:
    return Channel(pin, ChannelKind.DIGITAL_PULLUP, 0, Unit.BOOL, period, 1000 * ONE, 0)


def _inp(t, channel, raw):
    return {"t": t & M, "channel": channel, "raw": raw}


def _fault(t, channel, fault):
    """From the tick at ``t`` on, ``channel`` has no good reading (a SensorFault); a raw ends it."""
    return {"t": t & M, "channel": channel, "fault": SensorFault(fault).name}


def _cmd(t, op, nack=None, **args):
    expect = {"ack": True} if nack is None else {"ack": False, "nack": nack}
    return {"t": t & M, "op": op, **args, "expect": expect}


def ON(t, act, source, rule, level):
    return [t & M, EventKind.ACT_ON.name, act, int(source), rule, level]


def OFF(t, act, reason, rule, ms):
    return [t & M, EventKind.ACT_OFF.name, act, int(reason), rule, ms]


def SKIP(t, rule, reason, act):
    return [t & M, EventKind.RULE_SKIP.name, rule, int(reason), act, 0]


def MODE(t, change):
    return [t & M, EventKind.MODE.name, NO, int(change), NO, 0]


def SENSOR(t, channel, fault, value=0):
    return [t & M, EventKind.SENSOR.name, channel, int(fault), 0, value]


def PARAM(t, index, value):
    return [t & M, EventKind.PARAM.name, index, 0, NO, value]


R, L = Source.RULE, Source.LEASE


def _scenario(
    name, description, image, start, step, end, inputs=(), commands=(), events=(), values=()
):
    return {
        f"scenarios/{name}.json": {
            "name": name,
            "description": description,
            "board": "uno",
            "image": image,
            "start": start & M,
            "step": step,
            "end": end & M,
            "inputs": list(inputs),
            "commands": list(commands),
            "events": list(events),
            "values": list(values),
        }
    }


# --- calibration arithmetic (config-image.md, rules.md step 3), for the asserts ---------------


def _two_point(raw_a: int, value_a: int, raw_b: int, value_b: int) -> tuple[int, int]:
    """Q16.16 gain and offset that map raw_a -> value_a and raw_b -> value_b."""
    gain = round((value_b - value_a) * 65536 / (raw_b - raw_a))
    return gain, value_a - ((raw_a * gain) >> 16)


def _calibrate(raw: int, gain: int, offset: int) -> int:
    return max(-1_000_000_000, min(1_000_000_000, offset + ((raw * gain) >> 16)))


def _smoothed(schedule: dict[int, int], gain, offset, k, step, until) -> dict[int, int]:
    """Value after each tick of a channel sampled every tick, raw from ``schedule`` {t: raw}."""
    out, value, raw = {}, None, 0
    for t in range(0, until + 1, step):
        raw = schedule.get(t, raw)
        v = _calibrate(raw, gain, offset)
        value = v if value is None else value + ((v - value) >> k)
        out[t] = value
    return out


SOIL_GAIN, SOIL_OFFSET = _two_point(800, 0, 350, 100_000)  # dry 800 -> 0 %, wet 350 -> 100 %
assert (SOIL_GAIN, SOIL_OFFSET) == (-14_563_556, 177_778)
assert [_calibrate(r, SOIL_GAIN, SOIL_OFFSET) for r in (800, 760, 700, 650, 500, 350)] == [
    0,
    8_889,
    22_222,
    33_333,
    66_666,
    100_000,
]


def _percent(pin: int, smoothing: int = 0, period: int = 1000) -> Channel:
    """A channel whose value is raw * 100: raw 300 reads 30.000 %."""
    return Channel(pin, ChannelKind.ANALOG, smoothing, Unit.PERCENT, period, 100 * ONE, 0)


def _plain(pin: int, smoothing: int = 0, period: int = 1000) -> Channel:
    """A channel whose value is its raw reading."""
    return Channel(pin, ChannelKind.ANALOG, smoothing, Unit.RAW, period, ONE, 0)


# --- the scenarios --------------------------------------------------------------------------------


def plant_waterer():
    soil = Channel(14, ChannelKind.ANALOG, 2, Unit.PERCENT, 1000, SOIL_GAIN, SOIL_OFFSET)
    pump = Actuator(7, ActuatorFlag(0), max_on_ms=60_000, min_off_ms=10_000, daily_cap_ms=600_000)
    water = _threshold(
        0, 0, 30_000, hysteresis=10_000, hold=10_000, duration=5_000, period=30_000, tank=1
    )
    step, end = 1000, 120_000
    raws = {0: 700, 15_000: 650, 50_000: 500, 90_000: 760}
    s = _smoothed(raws, SOIL_GAIN, SOIL_OFFSET, 2, step, end)
    # value += (v - value) >> 2, by hand: 22222 + (33333 - 22222 >> 2 = 2777) = 24999, then 27082,
    # 28644, 29816, 30695: above 30 % at 19 s but below 30 + 10 %, so the rule stays active.
    assert (s[0], s[15_000], s[16_000], s[19_000]) == (22_222, 24_999, 27_082, 30_695)
    assert all(s[t] < 40_000 for t in range(0, 50_000, step))  # active from 0 s until 50 s
    assert s[50_000] == 41_664  # >= 40 %: inactive (wet) at 50 s
    assert all(s[t] >= 30_000 for t in range(50_000, 93_000, step)) and s[93_000] < 30_000
    return _scenario(
        "plant_waterer",
        "Dry soil (two-point calibration 800 -> 0 %, 350 -> 100 %, smoothing 2) held below 30 % "
        "for 10 s fires a 5 s pulse; 30 s cooldown; still dry (33 % < 30 + 10 % hysteresis), so it "
        "pulses again; the soil reads wet; later it dries and the cycle starts over.",
        _image("plant-water", [soil, _tank()], [pump], [water]),
        0,
        step,
        end,
        inputs=[_inp(t, 0, raw) for t, raw in raws.items()] + [_inp(0, 1, 0)],
        events=[
            ON(10_000, 0, R, 0, 255),  # active at 0 s, held after 10 s
            OFF(15_000, 0, Off.RULE_DONE, 0, 5_000),  # cooling until 45 s, resting until 25 s
            ON(45_000, 0, R, 0, 255),  # still held: fires when the cooldown ends
            OFF(50_000, 0, Off.RULE_DONE, 0, 5_000),  # cooling until 80 s; wet from 50 s
            ON(103_000, 0, R, 0, 255),  # dry again (active) at 93 s, held at 103 s
            OFF(108_000, 0, Off.RULE_DONE, 0, 5_000),
        ],
        values=[
            {"t": t, "channel": 0, "value": s[t]}
            for t in (0, 15_000, 19_000, 50_000, 93_000, 120_000)
        ]
        + [{"t": 0, "channel": 1, "value": 0}],
    )


def calibration():
    plant_gain, plant_offset = SOIL_GAIN, SOIL_OFFSET
    channels = [
        # 0: offset near +1e9; 1023 * 1000 << 16 needs 64 bits; clamped to +1e9
        Channel(14, ChannelKind.ANALOG, 0, Unit.NONE, 100, 1000 * ONE, 999_990_000),
        # 1: the same, negative: clamped to -1e9
        Channel(15, ChannelKind.ANALOG, 0, Unit.NONE, 100, -1000 * ONE, -999_990_000),
        # 2: gain -0.5: the shift rounds toward minus infinity (3 * -0.5 = -1.5 -> -2)
        Channel(16, ChannelKind.ANALOG, 0, Unit.NONE, 100, -32_768, 0),
        # 3: smoothing 3 from 1000 down to 0, then a step of +7 that >> 3 never moves
        Channel(17, ChannelKind.ANALOG, 3, Unit.RAW, 100, ONE, 0),
        # 4: smoothing 8, sampled every 250 ms on a 100 ms tick: at 0, 300, 600, ... ms
        Channel(18, ChannelKind.ANALOG, 8, Unit.RAW, 250, ONE, 0),
        # 5: a switch on a pulled-up pin, inverted: closed (0) reads 1000
        Channel(2, ChannelKind.DIGITAL_PULLUP, 0, Unit.BOOL, 100, -1000 * ONE, 1000),
        # 6: the soil probe's two-point calibration with smoothing 4
        Channel(19, ChannelKind.ANALOG, 4, Unit.PERCENT, 100, plant_gain, plant_offset),
    ]
    step, end = 100, 5000
    # channel 3 by hand: 1000; -1000 >> 3 = -125 -> 875; -875 >> 3 = -110 -> 765; -765 >> 3 = -96
    # -> 669; ... every negative step is at least -1, so it does reach 0 (at 4.1 s); then
    # +7 >> 3 = 0: it never moves up again.
    ch3 = _smoothed({0: 1000, 100: 0, 4500: 7}, ONE, 0, 3, step, end)
    assert (ch3[100], ch3[200], ch3[300]) == (875, 765, 669)
    assert ch3[4000] == 1 and ch3[4100] == 0 and ch3[end] == 0
    ch6 = _smoothed({0: 800, 100: 350}, plant_gain, plant_offset, 4, step, end)
    assert ch6[100] == 100_000 >> 4 == 6_250
    values = [
        (0, 0, 999_995_000),
        (500, 0, 1_000_000_000),
        (0, 1, -999_995_000),
        (500, 1, -1_000_000_000),
        (0, 2, -2),
        (100, 2, -1),
        (200, 2, 0),
        (0, 3, 1000),
        (100, 3, 875),
        (200, 3, 765),
        (300, 3, 669),
        (4000, 3, 1),
        (4100, 3, 0),
        (5000, 3, 0),
        # 1023; raw 0 from 100 ms; next sample at 300 ms: 1023 + (-1023 >> 8 = -4) = 1019
        (0, 4, 1023),
        (200, 4, 1023),
        (300, 4, 1019),
        (500, 4, 1019),
        (600, 4, 1015),
        (0, 5, 0),
        (300, 5, 1000),
        (0, 6, 0),
        (100, 6, 6_250),
        (1000, 6, ch6[1000]),
        (5000, 6, ch6[5000]),
    ]
    return _scenario(
        "calibration",
        "Calibration and smoothing arithmetic with no rules: 64-bit product, clamping to +-1e9, "
        "the arithmetic shift rounding toward minus infinity, smoothing shifts 3, 4 and 8, a "
        "sample period that is not a multiple of the tick, an inverted pulled-up switch.",
        _image("calibration", channels),
        0,
        step,
        end,
        inputs=[
            _inp(0, 0, 5),
            _inp(500, 0, 1023),
            _inp(0, 1, 5),
            _inp(500, 1, 1023),
            _inp(0, 2, 3),
            _inp(100, 2, 1),
            _inp(200, 2, 0),
            _inp(0, 3, 1000),
            _inp(100, 3, 0),
            _inp(4500, 3, 7),
            _inp(0, 4, 1023),
            _inp(100, 4, 0),
            _inp(0, 5, 1),
            _inp(300, 5, 0),
            _inp(0, 6, 800),
            _inp(100, 6, 350),
        ],
        values=[{"t": t, "channel": ch, "value": v} for t, ch, v in values],
    )


def hysteresis():
    # 0.1 °C a count: raw 281 reads 28.100 °C
    temp = Channel(14, ChannelKind.ANALOG, 0, Unit.CELSIUS, 1000, 100 * ONE, 0)
    fan = Actuator(8, ActuatorFlag(0), max_on_ms=600_000, min_off_ms=0, daily_cap_ms=21_600_000)
    cool = _threshold(0, 0, 28_000, above=True, action=RuleAction.FOLLOW, hysteresis=2_000)
    raws = [
        (0, 270),
        (3_000, 281),
        (5_000, 279),
        (6_000, 283),
        (7_000, 277),
        (8_000, 261),
        (9_000, 260),
        (10_000, 275),
        (11_000, 280),
        (12_000, 279),
        (13_000, 281),
        (15_000, 250),
    ]
    return _scenario(
        "hysteresis",
        "Greenhouse fan: FOLLOW above 28 °C with 2 °C hysteresis. It turns on above 28.0, stays "
        "on through 27.7 .. 28.3, turns off only at 26.0 or below; exactly 28.0 does not count.",
        _image("greenhouse", [temp], [fan], [cool]),
        0,
        1000,
        20_000,
        inputs=[_inp(t, 0, raw) for t, raw in raws],
        events=[
            ON(3_000, 0, R, 0, 255),  # 28.1 > 28.0, hold 0
            OFF(9_000, 0, Off.CONDITION_CLEARED, 0, 6_000),  # 26.1 keeps it on; 26.0 <= 28 - 2
            ON(13_000, 0, R, 0, 255),  # 28.0 at 11 s is not above 28.0; 28.1 at 13 s is
            OFF(15_000, 0, Off.CONDITION_CLEARED, 0, 2_000),
        ],
        values=[
            {"t": 8_000, "channel": 0, "value": 26_100},
            {"t": 11_000, "channel": 0, "value": 28_000},
        ],
    )


def cooldown():
    pump = Actuator(7, ActuatorFlag(0), max_on_ms=60_000, min_off_ms=0, daily_cap_ms=600_000)
    rule = _threshold(0, 0, 500, hysteresis=100, hold=3_000, duration=2_000, period=10_000)
    return _scenario(
        "cooldown",
        "A 2 s pulse rule with a 3 s hold and a 10 s cooldown. The condition clears and comes back "
        "during the cooldown: the hold restarts, and the rule waits for the cooldown to end too.",
        _image("cooldown", [_plain(14)], [pump], [rule]),
        0,
        1000,
        30_000,
        inputs=[_inp(0, 0, 400), _inp(8_000, 0, 700), _inp(10_000, 0, 400)],
        events=[
            ON(3_000, 0, R, 0, 255),  # active at 0 s, held at 3 s
            OFF(5_000, 0, Off.RULE_DONE, 0, 2_000),  # cooling until 15 s
            # 700 >= 500 + 100 at 8 s: inactive; 400 at 10 s: active again, held at 13 s
            ON(15_000, 0, R, 0, 255),  # held since 13 s, fires when the cooldown ends
            OFF(17_000, 0, Off.RULE_DONE, 0, 2_000),  # cooling until 27 s
            ON(27_000, 0, R, 0, 255),
            OFF(29_000, 0, Off.RULE_DONE, 0, 2_000),
        ],
    )


def daily_cap():
    pump = Actuator(7, ActuatorFlag(0), max_on_ms=60_000, min_off_ms=0, daily_cap_ms=120_000)
    rule = _threshold(0, 0, 500, duration=50_000, period=10_000)
    day = DAY_MS
    return _scenario(
        "daily_cap",
        "50 s pulses every 60 s against a 2 min daily cap: the third pulse is cut at the cap "
        "(DAILY_CAP), the rule is skipped (once) and a lease is refused until 24 h of ticks after "
        "the first tick, when the day rolls over and the rule fires again. A manual OFF then "
        "ends the run and starts its cooldown.",
        _image("daily-cap", [_plain(14)], [pump], [rule]),
        0,
        1000,
        day + 55_000,
        inputs=[_inp(0, 0, 0)],
        commands=[
            _cmd(200_000, "LEASE", "LIMIT_DAILY_CAP", actuator=0, ms=1000, level=255),
            _cmd(day + 1_000, "OFF", actuator=0),  # ends the run: ACT_OFF MANUAL_OFF, cooling
        ],
        events=[
            ON(0, 0, R, 0, 255),
            OFF(50_000, 0, Off.RULE_DONE, 0, 50_000),  # today 50 s; cooling until 60 s
            ON(60_000, 0, R, 0, 255),
            OFF(110_000, 0, Off.RULE_DONE, 0, 50_000),  # today 100 s
            ON(120_000, 0, R, 0, 255),  # 100 s < 120 s: not capped yet
            OFF(140_000, 0, Off.DAILY_CAP, 0, 20_000),  # today 120 s >= cap; cooling until 150 s
            SKIP(150_000, 0, Skip.DAILY_CAP, 0),  # once: last_skip stays DAILY_CAP
            ON(day, 0, R, 0, 255),  # 24 h after the first tick: today = 0
            OFF(day + 1_000, 0, Off.MANUAL_OFF, NO, 1_000),  # cooling until day + 11 s
            ON(day + 11_000, 0, R, 0, 255),  # its 50 s pulse runs past the end
        ],
    )


def interlock():
    pump = Actuator(7, ActuatorFlag(0), max_on_ms=60_000, min_off_ms=0, daily_cap_ms=600_000)
    rule = _threshold(0, 0, 30_000, duration=10_000, period=5_000, tank=1)
    return _scenario(
        "interlock",
        "A tank-empty float switch (pulled-up pin, open = empty) blocks watering: RULE_SKIP "
        "INTERLOCK once per blocked stretch; the pump starts when the tank is refilled; the tank "
        "running empty mid-pulse stops the pump that very tick (ACT_OFF INTERLOCK).",
        _image("interlock", [_percent(14), _tank()], [pump], [rule]),
        0,
        1000,
        40_000,
        inputs=[
            _inp(0, 0, 200),
            _inp(0, 1, 1),
            _inp(5_000, 1, 0),
            _inp(9_000, 1, 1),
            _inp(20_000, 1, 0),
            _inp(32_000, 0, 400),
        ],
        events=[
            SKIP(0, 0, Skip.INTERLOCK, 0),  # 20 % < 30 %, hold 0: wants to fire, tank empty
            ON(5_000, 0, R, 0, 255),  # refilled
            OFF(9_000, 0, Off.INTERLOCK, 0, 4_000),  # empty again mid-pulse; cooling until 14 s
            SKIP(14_000, 0, Skip.INTERLOCK, 0),  # cooling reset last_skip, so it is reported again
            ON(20_000, 0, R, 0, 255),
            OFF(30_000, 0, Off.RULE_DONE, 0, 10_000),  # wet (40 %) at 32 s: nothing after cooldown
        ],
    )


def lease():
    pump = Actuator(7, ActuatorFlag(0), max_on_ms=30_000, min_off_ms=10_000, daily_cap_ms=600_000)
    rule = _threshold(0, 0, 500, duration=3_000, period=20_000)
    return _scenario(
        "lease",
        "Manual leases: refused when too long (LIMIT_MAX_ON), with level 0 (BAD_VALUE), for a "
        "missing actuator (BAD_INDEX), and inside min_off (LIMIT_MIN_OFF). A lease blocks the rule "
        "(LEASED) and ends with the host silent (LEASE_END); a lease taken over a rule's pulse "
        "ends the pulse; a renewed lease replaces the old one.",
        _image("lease", [_plain(14)], [pump], [rule]),
        0,
        1000,
        56_000,
        inputs=[_inp(0, 0, 800), _inp(4_000, 0, 300), _inp(42_000, 0, 800)],
        commands=[
            _cmd(2_000, "LEASE", "LIMIT_MAX_ON", actuator=0, ms=40_000, level=255),
            _cmd(2_000, "LEASE", "BAD_VALUE", actuator=0, ms=5_000, level=0),
            _cmd(2_000, "LEASE", "BAD_INDEX", actuator=3, ms=5_000, level=255),
            _cmd(2_000, "LEASE", actuator=0, ms=5_000, level=255),
            _cmd(9_000, "LEASE", "LIMIT_MIN_OFF", actuator=0, ms=5_000, level=255),
            _cmd(18_000, "LEASE", actuator=0, ms=10_000, level=128),
            _cmd(25_000, "LEASE", actuator=0, ms=10_000, level=255),
            _cmd(50_000, "LEASE", actuator=0, ms=5_000, level=200),
        ],
        events=[
            ON(2_000, 0, L, NO, 255),
            SKIP(4_000, 0, Skip.LEASED, 0),  # dry: the rule wants to fire, the lease wins
            # The lease ends: the rule wants to fire, but the pump is going off this tick.
            SKIP(7_000, 0, Skip.MIN_OFF, 0),
            OFF(7_000, 0, Off.LEASE_END, NO, 5_000),  # resting until 17 s: lease at 9 s refused
            ON(17_000, 0, R, 0, 255),
            # 18 s: a lease over the pulse: the run ends (cooling until 38 s), the pump stays on
            # (level 128, no event); renewed at 25 s, so it does not end at 28 s but at 35 s.
            OFF(35_000, 0, Off.LEASE_END, NO, 18_000),  # on since 17 s; resting until 45 s
            SKIP(38_000, 0, Skip.MIN_OFF, 0),  # cooled down, still dry, pump resting
            ON(50_000, 0, L, NO, 200),  # wet since 42 s
            OFF(55_000, 0, Off.LEASE_END, NO, 5_000),
        ],
    )


def manual_off():
    fan = Actuator(8, ActuatorFlag(0), max_on_ms=600_000, min_off_ms=5_000, daily_cap_ms=3_600_000)
    rule = _threshold(0, 0, 500, above=True, action=RuleAction.FOLLOW)
    return _scenario(
        "manual_off",
        "OFF stops a FOLLOW rule's fan although its condition still holds; with no cooldown the "
        "rule fires again once the fan has rested min_off. PAUSE keeps it off.",
        _image("manual-off", [_plain(14)], [fan], [rule]),
        0,
        1000,
        14_000,
        inputs=[_inp(0, 0, 800)],
        commands=[
            _cmd(3_000, "OFF", actuator=0),
            _cmd(10_000, "PAUSE"),
            _cmd(12_000, "OFF", "BAD_INDEX", actuator=5),
        ],
        events=[
            ON(0, 0, R, 0, 255),
            SKIP(3_000, 0, Skip.MIN_OFF, 0),  # the run ended; the fan is going off this tick
            OFF(3_000, 0, Off.MANUAL_OFF, NO, 3_000),  # resting until 8 s
            ON(8_000, 0, R, 0, 255),
            MODE(10_000, ModeChange.PAUSED),
            OFF(10_000, 0, Off.PAUSED, 0, 2_000),
        ],
    )


def max_on():
    fan = Actuator(8, ActuatorFlag(0), max_on_ms=20_000, min_off_ms=10_000, daily_cap_ms=3_600_000)
    rule = _threshold(0, 0, 500, above=True, action=RuleAction.FOLLOW)
    return _scenario(
        "max_on",
        "A FOLLOW rule held on longer than max_on is cut (MAX_ON), rests min_off (RULE_SKIP "
        "MIN_OFF) and comes back; a renewed lease is cut at max_on of continuous on time too.",
        _image("max-on", [_plain(14)], [fan], [rule]),
        0,
        1000,
        75_000,
        inputs=[_inp(0, 0, 800), _inp(35_000, 0, 400)],
        commands=[
            _cmd(50_000, "LEASE", actuator=0, ms=15_000, level=200),
            _cmd(60_000, "LEASE", actuator=0, ms=15_000, level=200),  # would run until 75 s
        ],
        events=[
            ON(0, 0, R, 0, 255),
            OFF(20_000, 0, Off.MAX_ON, 0, 20_000),  # no cooldown; resting until 30 s
            SKIP(21_000, 0, Skip.MIN_OFF, 0),
            ON(30_000, 0, R, 0, 255),
            OFF(35_000, 0, Off.CONDITION_CLEARED, 0, 5_000),
            ON(50_000, 0, L, NO, 200),
            OFF(70_000, 0, Off.MAX_ON, NO, 20_000),  # the lease owns it: rule 0xFF
        ],
    )


def interval():
    pump = Actuator(7, ActuatorFlag(0), max_on_ms=60_000, min_off_ms=0, daily_cap_ms=3_600_000)
    mister = Actuator(8, ActuatorFlag(0), max_on_ms=60_000, min_off_ms=0, daily_cap_ms=3_600_000)
    every_10s = _interval(0, 10_000, 3_000, tank=0)
    every_4s = _interval(1, 4_000, 6_000)  # runs longer than its period
    return _scenario(
        "interval",
        "Rule 0 waters 3 s every 10 s from the first tick; the tank is empty at its 20 s slot "
        "(RULE_SKIP INTERLOCK, slot lost). Rule 1 runs 6 s every 4 s: slots that come due while "
        "it runs are used up, so it runs 6 s, rests 2 s.",
        _image("interval", [_tank()], [pump, mister], [every_10s, every_4s]),
        0,
        1000,
        45_000,
        inputs=[_inp(0, 0, 0), _inp(18_000, 0, 1), _inp(25_000, 0, 0)],
        events=[
            ON(4_000, 1, R, 1, 255),  # due = 0 + 4 s; 8 s slot used up while running
            ON(10_000, 0, R, 0, 255),
            OFF(10_000, 1, Off.RULE_DONE, 1, 6_000),  # next slot 12 s
            ON(12_000, 1, R, 1, 255),  # 16 s slot used up
            OFF(13_000, 0, Off.RULE_DONE, 0, 3_000),
            OFF(18_000, 1, Off.RULE_DONE, 1, 6_000),
            SKIP(20_000, 0, Skip.INTERLOCK, 0),  # tank empty since 18 s; next slot 30 s
            ON(20_000, 1, R, 1, 255),
            OFF(26_000, 1, Off.RULE_DONE, 1, 6_000),
            ON(28_000, 1, R, 1, 255),
            ON(30_000, 0, R, 0, 255),
            OFF(33_000, 0, Off.RULE_DONE, 0, 3_000),
            OFF(34_000, 1, Off.RULE_DONE, 1, 6_000),
            ON(36_000, 1, R, 1, 255),
            ON(40_000, 0, R, 0, 255),
            OFF(42_000, 1, Off.RULE_DONE, 1, 6_000),
            OFF(43_000, 0, Off.RULE_DONE, 0, 3_000),
            ON(44_000, 1, R, 1, 255),
        ],
    )


def pause_resume():
    fan = Actuator(8, ActuatorFlag(0), max_on_ms=600_000, min_off_ms=0, daily_cap_ms=3_600_000)
    lamp = Actuator(4, ActuatorFlag(0), max_on_ms=60_000, min_off_ms=0, daily_cap_ms=3_600_000)
    follow = _threshold(0, 0, 500, above=True, action=RuleAction.FOLLOW, hold=2_000)
    timer = _interval(1, 10_000, 2_000)
    return _scenario(
        "pause_resume",
        "PAUSE ends the fan's rule run (ACT_OFF PAUSED) while a lease still works; conditions and "
        "their hold keep being evaluated; the timer's 10 s slot passes unused; RESUME lets the "
        "held rule fire at once and restarts the timer's period from the RESUME. A repeated PAUSE "
        "or RESUME (a retried request) is acknowledged and changes nothing: no event, no new period.",
        _image("pause", [_plain(14)], [fan, lamp], [follow, timer]),
        0,
        1000,
        25_000,
        inputs=[_inp(0, 0, 800), _inp(7_000, 0, 400), _inp(10_000, 0, 800)],
        commands=[
            _cmd(5_000, "PAUSE"),
            _cmd(6_000, "LEASE", actuator=0, ms=3_000, level=100),
            _cmd(8_000, "PAUSE"),
            _cmd(12_000, "RESUME"),
            _cmd(15_000, "RESUME"),
        ],
        events=[
            ON(2_000, 0, R, 0, 255),  # held after 2 s
            MODE(5_000, ModeChange.PAUSED),  # command events come before the tick's
            OFF(5_000, 0, Off.PAUSED, 0, 3_000),
            ON(6_000, 0, L, NO, 100),  # leases work while paused (no LEASED skip: paused)
            OFF(9_000, 0, Off.LEASE_END, NO, 3_000),
            # cleared at 7 s, active again at 10 s, held at 12 s
            MODE(12_000, ModeChange.RESUMED),  # the timer's next slot is 12 + 10 s
            ON(12_000, 0, R, 0, 255),
            ON(22_000, 1, R, 1, 255),
            OFF(24_000, 1, Off.RULE_DONE, 1, 2_000),
        ],
    )


def set_param():
    params = [Param(30_000, 10_000, 60_000), Param(4_000, 1_000, 20_000)]
    rule = Rule(
        kind=RuleKind.THRESHOLD,
        actuator=0,
        action=RuleAction.PULSE,
        channel=0,
        operands=Operand.THRESHOLD | Operand.DURATION,
        threshold=0,  # parameter 0
        duration=1,  # parameter 1
        period=10_000,
    )
    pump = Actuator(7, ActuatorFlag(0), max_on_ms=60_000, min_off_ms=0, daily_cap_ms=600_000)
    return _scenario(
        "set_param",
        "The threshold and the pulse length are parameters. Raising the threshold above the "
        "reading makes the rule fire; shortening the pulse ends the running one; out-of-range "
        "values and unknown parameters are refused.",
        _image("set-param", [_percent(14)], [pump], [rule], params),
        0,
        1000,
        20_000,
        inputs=[_inp(0, 0, 350)],  # 35 %: not below 30 %
        commands=[
            _cmd(2_000, "SET_PARAM", index=0, value=40_000),
            _cmd(4_000, "SET_PARAM", index=1, value=2_000),
            _cmd(5_000, "SET_PARAM", "OUT_OF_RANGE", index=0, value=70_000),
            _cmd(5_000, "SET_PARAM", "BAD_INDEX", index=2, value=1),
            _cmd(8_000, "SET_PARAM", index=0, value=20_000),
            _cmd(16_000, "SET_PARAM", index=0, value=36_000),
        ],
        events=[
            PARAM(2_000, 0, 40_000),
            ON(2_000, 0, R, 0, 255),  # 35 % < 40 %
            PARAM(4_000, 1, 2_000),
            OFF(4_000, 0, Off.RULE_DONE, 0, 2_000),  # 2 s >= the new 2 s; cooling until 14 s
            PARAM(8_000, 0, 20_000),  # 35 % >= 20 %: inactive
            PARAM(16_000, 0, 36_000),
            ON(16_000, 0, R, 0, 255),
            OFF(18_000, 0, Off.RULE_DONE, 0, 2_000),
        ],
    )


def millis_wrap():
    start = (1 << 32) - 60_000  # the clock wraps 60 s in

    def at(tau):  # scenario time tau ms after the start, on the wrapping u32 clock
        return (start + tau) & M

    pump = Actuator(7, ActuatorFlag(0), max_on_ms=60_000, min_off_ms=20_000, daily_cap_ms=3_600_000)
    lamp = Actuator(8, ActuatorFlag(0), max_on_ms=60_000, min_off_ms=0, daily_cap_ms=3_600_000)
    water = _threshold(0, 0, 500, hold=25_000, duration=20_000, period=30_000)
    timer = _interval(1, 45_000, 5_000)
    assert at(60_000) == 0
    return _scenario(
        "millis_wrap",
        "Starts 60 s before the u32 millisecond clock wraps. A hold, a pulse's cooldown, "
        "min_off, a lease and an interval slot all straddle the wrap and keep their lengths.",
        _image("wrap", [_plain(14)], [pump, lamp], [water, timer]),
        start,
        1000,
        at(150_000),
        inputs=[_inp(at(0), 0, 300), _inp(at(40_000), 0, 800), _inp(at(50_000), 0, 300)],
        commands=[
            _cmd(at(40_000), "LEASE", actuator=1, ms=30_000, level=255),
            _cmd(at(62_000), "LEASE", "LIMIT_MIN_OFF", actuator=0, ms=5_000, level=255),
        ],
        events=[
            ON(at(25_000), 0, R, 0, 255),  # active from the start, held 25 s later
            ON(at(40_000), 1, L, NO, 255),
            SKIP(at(45_000), 1, Skip.LEASED, 1),  # the timer's first slot, start + 45 s
            OFF(at(45_000), 0, Off.RULE_DONE, 0, 20_000),  # cooling until 75 s, resting until 65 s
            OFF(at(70_000), 1, Off.LEASE_END, NO, 30_000),  # t = 10 s after the wrap
            ON(at(75_000), 0, R, 0, 255),  # active again at 50 s, held and cooled down at 75 s
            ON(at(90_000), 1, R, 1, 255),  # the timer's second slot
            OFF(at(95_000), 0, Off.RULE_DONE, 0, 20_000),
            OFF(at(95_000), 1, Off.RULE_DONE, 1, 5_000),
            ON(at(125_000), 0, R, 0, 255),  # cooling until 125 s, resting until 115 s
            ON(at(135_000), 1, R, 1, 255),
            OFF(at(140_000), 1, Off.RULE_DONE, 1, 5_000),
            OFF(at(145_000), 0, Off.RULE_DONE, 0, 20_000),
        ],
    )


def pwm_level():
    fan = Actuator(9, ActuatorFlag.PWM, max_on_ms=60_000, min_off_ms=0, daily_cap_ms=3_600_000)
    low = _threshold(0, 0, 500, above=True, action=RuleAction.FOLLOW, level=100)
    high = _threshold(0, 0, 800, above=True, action=RuleAction.FOLLOW, level=200)
    return _scenario(
        "pwm_level",
        "A PWM fan driven by two FOLLOW rules (level 100 above 500, 200 above 800) and by leases. "
        "ACT_ON carries the lease's level, or the highest level of the running rules with the "
        "lowest running rule as owner; a level change while on sends no event.",
        _image("pwm", [_plain(14)], [fan], [low, high]),
        0,
        1000,
        19_000,
        inputs=[
            _inp(0, 0, 600),
            _inp(3_000, 0, 300),
            _inp(8_000, 0, 900),
            _inp(10_000, 0, 700),
            _inp(12_000, 0, 300),
            _inp(14_000, 0, 900),
        ],
        commands=[
            _cmd(4_000, "LEASE", actuator=0, ms=2_000, level=50),
            _cmd(14_000, "LEASE", actuator=0, ms=3_000, level=30),
        ],
        events=[
            ON(0, 0, R, 0, 100),
            OFF(3_000, 0, Off.CONDITION_CLEARED, 0, 3_000),
            ON(4_000, 0, L, NO, 50),
            OFF(6_000, 0, Off.LEASE_END, NO, 2_000),
            ON(8_000, 0, R, 0, 200),  # both fire: owner rule 0, level max(100, 200)
            # 10 s: rule 1 clears, rule 0 still runs: level 100, no event
            OFF(12_000, 0, Off.CONDITION_CLEARED, 0, 4_000),
            SKIP(14_000, 0, Skip.LEASED, 0),
            SKIP(14_000, 1, Skip.LEASED, 0),
            ON(14_000, 0, L, NO, 30),
            SKIP(17_000, 0, Skip.MIN_OFF, 0),  # the lease ends: going off this tick
            SKIP(17_000, 1, Skip.MIN_OFF, 0),
            OFF(17_000, 0, Off.LEASE_END, NO, 3_000),
            ON(18_000, 0, R, 0, 200),
        ],
    )


def no_reading():
    fan = Actuator(5, ActuatorFlag(0), max_on_ms=600_000, min_off_ms=0, daily_cap_ms=3_600_000)
    pump = Actuator(7, ActuatorFlag(0), max_on_ms=60_000, min_off_ms=0, daily_cap_ms=600_000)
    cool = _threshold(0, 0, 500, above=True, action=RuleAction.FOLLOW, hold=2_000)
    water = _interval(1, 10_000, 2_000, tank=1)
    F = SensorFault
    return _scenario(
        "no_reading",
        "Channels without a valid reading (rules.md): a fan follows a temperature above 500; the "
        "sensor stops answering and the fan stops (ACT_OFF NO_READING) with one SENSOR event for "
        "the whole fault (a CRC error inside it sends none); the reading comes back (SENSOR "
        "RECOVERED with the value) and the hold starts over. An interval pump whose tank-float "
        "interlock has no reading is stopped mid-pulse and then blocked (RULE_SKIP NO_READING), "
        "fail safe, until the float reads again.",
        _image("no-reading", [_plain(14), _tank()], [fan, pump], [cool, water]),
        0,
        1000,
        39_000,
        inputs=[
            _inp(0, 0, 700),
            _inp(0, 1, 0),
            _fault(5_000, 0, F.NO_ANSWER),
            _fault(8_000, 0, F.CRC),
            _inp(10_000, 0, 700),
            _fault(11_000, 1, F.NO_ANSWER),
            _inp(25_000, 1, 0),
        ],
        events=[
            ON(2_000, 0, R, 0, 255),  # 700 > 500 from 0 s, held at 2 s
            SENSOR(5_000, 0, F.NO_ANSWER),  # at the channel's sample
            OFF(5_000, 0, Off.NO_READING, 0, 3_000),  # the condition is false: the follow run ends
            # CRC at 8 s: the same fault episode, no event
            SENSOR(10_000, 0, F.RECOVERED, 700),
            ON(10_000, 1, R, 1, 255),  # the pump's first slot; the float reads full
            SENSOR(11_000, 1, F.NO_ANSWER),
            OFF(11_000, 1, Off.NO_READING, 1, 1_000),  # the interlock blocks: fail safe
            ON(12_000, 0, R, 0, 255),  # active again at 10 s, the hold starts over: held at 12 s
            SKIP(20_000, 1, Skip.NO_READING, 1),
            SENSOR(25_000, 1, F.RECOVERED, 0),
            ON(30_000, 1, R, 1, 255),
            OFF(32_000, 1, Off.RULE_DONE, 1, 2_000),
        ],
        values=[
            {"t": 4_000, "channel": 0, "value": 700},
            {"t": 5_000, "channel": 0, "value": None},
            {"t": 9_000, "channel": 0, "value": None},
            {"t": 10_000, "channel": 0, "value": 700},
            {"t": 11_000, "channel": 1, "value": None},
            {"t": 25_000, "channel": 1, "value": 0},
        ],
    )


def servo_no_time_limit():
    """Two vents on one rule (a servo FOLLOWs above 28 °C, at 90 degrees): one with no max_on or
    daily_cap (0: no time limit, a servo's only), one with max_on 1 min."""
    temp = Channel(14, ChannelKind.ANALOG, 0, Unit.CELSIUS, 1000, 100 * ONE, 0)
    free = Actuator(9, ActuatorFlag.SERVO, max_on_ms=0, min_off_ms=0, daily_cap_ms=0,
                    servo_min=15, servo_max=110, servo_safe=15)
    timed = Actuator(10, ActuatorFlag.SERVO, max_on_ms=60_000, min_off_ms=0, daily_cap_ms=100_000,
                     servo_min=15, servo_max=110, servo_safe=15)
    rules = [_threshold(a, 0, 28_000, above=True, action=RuleAction.FOLLOW, level=90) for a in (0, 1)]
    hot_until = 8 * 3_600_000
    return _scenario(
        "servo_no_time_limit",
        "A servo with max_on and daily_cap 0 holds its position as long as its FOLLOW rule holds "
        "(8 h here, past the Uno's 10 min and 6 h ceilings) and takes a 2 h lease; a servo with "
        "max_on 1 min goes back to safe at its limit (MAX_ON) like any actuator.",
        _image("vents", [temp], [free, timed], rules),
        0,
        1000,
        hot_until + 10_000,
        inputs=[_inp(0, 0, 300), _inp(hot_until, 0, 250)],
        commands=[_cmd(hot_until + 5_000, "LEASE", actuator=0, ms=7_200_000, level=60)],
        events=[
            ON(0, 0, R, 0, 90),
            ON(0, 1, R, 1, 90),
            OFF(60_000, 1, Off.MAX_ON, 1, 60_000),  # the timed vent at its max_on
            ON(61_000, 1, R, 1, 90),  # min_off 0: the rule that holds opens it again
            OFF(101_000, 1, Off.DAILY_CAP, 1, 40_000),  # 100 s today: its cap
            SKIP(102_000, 1, Skip.DAILY_CAP, 1),  # and closed for the rest of the day
            OFF(hot_until, 0, Off.CONDITION_CLEARED, 0, hot_until),  # held all 8 h
            ON(hot_until + 5_000, 0, L, NO, 60),  # a 2 h lease: no max_on to refuse it
        ],
    )


SCENARIOS = (
    plant_waterer,
    servo_no_time_limit,
    calibration,
    hysteresis,
    cooldown,
    daily_cap,
    interlock,
    lease,
    manual_off,
    max_on,
    interval,
    pause_resume,
    set_param,
    millis_wrap,
    pwm_level,
    no_reading,
)


def build() -> dict[str, object]:
    files: dict[str, object] = {}
    for make in SCENARIOS:
        files.update(make())
    return files
