"""The reference rule engine (tendril.engine), as specifications of docs/rules.md.

The scenario vectors are the cross-implementation judge; these tests pin single behaviours, the
status accessors, and (with Hypothesis) the safety properties over random recipes and inputs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from tendril.contract import (
    NO_INDEX as NO,
)
from tendril.contract import (
    ActuatorFlag,
    BoardClass,
    ChannelKind,
    EventKind,
    ModeChange,
    Nack,
    OffReason,
    Operand,
    RuleAction,
    RuleFlag,
    RuleKind,
    RuleState,
    SkipReason,
    Source,
    Unit,
)
from tendril.engine import OWNER_LEASE, Engine, Event
from tendril.image import Actuator, Channel, Image, Param, Rule, decode, encode

U32 = 0xFFFFFFFF
ONE = 1 << 16


def make(channels=1, actuators=None, rules=(), params=(), smoothing=0, period=1000) -> Engine:
    """An engine over a recipe built (and round-tripped through the codec) from values."""
    chans = tuple(
        Channel(14 + i, ChannelKind.ANALOG, smoothing, Unit.RAW, period, ONE, 0)
        for i in range(channels)
    )
    acts = actuators if actuators is not None else (Actuator(7, max_on_ms=60_000, min_off_ms=0),)
    image = Image("test", BoardClass.AVR328, 1000, tuple(params), chans, tuple(acts), tuple(rules))
    return Engine(decode(encode(image)))


def below(threshold, **kw) -> Rule:
    kw.setdefault("duration", 5_000)
    return Rule(
        kind=RuleKind.THRESHOLD,
        actuator=kw.pop("actuator", 0),
        channel=0,
        threshold=threshold,
        **kw,
    )


def above_follow(threshold, **kw) -> Rule:
    return Rule(
        kind=RuleKind.THRESHOLD,
        actuator=kw.pop("actuator", 0),
        action=RuleAction.FOLLOW,
        channel=0,
        flags=RuleFlag.ABOVE,
        threshold=threshold,
        **kw,
    )


def run(engine: Engine, start: int, end: int, step: int = 1000) -> list[Event]:
    events = []
    for t in range(start, end + 1, step):
        events += engine.tick(t & U32)
    return events


def kinds(events):
    return [(e.t, e.kind.name, e.b) for e in events]


# --- start and sampling ---------------------------------------------------------------------------


def test_nothing_is_sampled_or_driven_before_the_first_tick():
    e = make()
    e.set_raw(0, 100)
    assert e.value(0) is None and e.output(0) == 0
    assert e.lease(0, 2_000, 77, 0).ok  # accepted before the first tick, applied at it
    assert e.output(0) == 0
    assert e.tick(0) == [Event(0, EventKind.ACT_ON, 0, Source.LEASE, NO, 77)]
    assert e.value(0) == 100 and e.output(0) == 77


def test_first_sample_is_taken_unsmoothed_then_smoothed():
    e = make(smoothing=8)
    e.set_raw(0, 1000)
    e.tick(0)
    assert e.value(0) == 1000
    e.set_raw(0, 0)
    e.tick(500)  # inside the 1 s sample period: not sampled
    assert e.value(0) == 1000
    e.tick(1000)
    assert e.value(0) == 1000 + (-1000 >> 8) == 996


def test_calibration_clamps_to_one_billion():
    chan = Channel(14, ChannelKind.ANALOG, 0, Unit.NONE, 100, 1000 * ONE, 999_999_000)
    image = Image("clamp", BoardClass.AVR328, 1000, (), (chan,), (), ())
    e = Engine(decode(encode(image)))
    e.set_raw(0, 1023)
    e.tick(0)
    assert e.value(0) == 1_000_000_000


# --- conditions, hold, cooldown -------------------------------------------------------------------


def test_reading_exactly_at_the_threshold_does_not_fire():
    e = make(rules=[below(500, hold=0), above_follow(500, actuator=0)])
    e.set_raw(0, 500)
    assert run(e, 0, 5_000) == []
    assert e.rule_state(0) == e.rule_state(1) == RuleState.IDLE


def test_below_rule_clears_exactly_at_threshold_plus_hysteresis():
    e = make(rules=[below(500, hysteresis=100, hold=10_000)])
    e.set_raw(0, 400)
    e.tick(0)
    assert e.rule_state(0) == RuleState.HOLDING
    e.set_raw(0, 599)
    e.tick(1000)
    assert e.rule_state(0) == RuleState.HOLDING
    e.set_raw(0, 600)
    e.tick(2000)
    assert e.rule_state(0) == RuleState.IDLE


def test_hold_restarts_when_the_condition_clears():
    e = make(rules=[below(500, hold=3_000)])
    e.set_raw(0, 400)
    run(e, 0, 2_000)
    e.set_raw(0, 600)
    e.tick(3_000)  # cleared just before the hold was reached
    e.set_raw(0, 400)
    assert run(e, 4_000, 6_000) == []
    assert e.tick(7_000)[0].kind == EventKind.ACT_ON  # 3 s after 4 s


def test_manual_off_ends_rule_run_and_starts_cooldown():
    e = make(rules=[below(500, hold=0, duration=10_000, period=5_000)])
    e.set_raw(0, 100)
    assert kinds(e.tick(0)) == [(0, "ACT_ON", Source.RULE)]
    assert e.off(0, 2_000).ok
    assert e.tick(2_000) == [Event(2_000, EventKind.ACT_OFF, 0, OffReason.MANUAL_OFF, NO, 2_000)]
    assert e.rule_state(0) == RuleState.COOLING
    assert run(e, 3_000, 6_000) == []
    assert kinds(e.tick(7_000)) == [(7_000, "ACT_ON", Source.RULE)]


def test_cooldown_survives_millis_wrap():
    start = U32 - 2_999  # the clock wraps 3 s after the start
    e = make(rules=[below(500, hold=0, duration=1_000, period=10_000)])
    e.set_raw(0, 100)
    events = run(e, start, start + 20_000)
    assert [(ev.t, ev.kind.name) for ev in events] == [
        (start, "ACT_ON"),
        ((start + 1_000) & U32, "ACT_OFF"),
        ((start + 11_000) & U32, "ACT_ON"),  # cooled down 10 s later, across the wrap
        ((start + 12_000) & U32, "ACT_OFF"),
    ]


def test_pulse_without_cooldown_goes_off_for_a_tick_before_pulsing_again():
    # Resolution: the actuator being turned off this tick counts as resting (RULE_SKIP MIN_OFF).
    e = make(rules=[below(500, hold=0, duration=2_000, period=0)])
    e.set_raw(0, 100)
    assert kinds(run(e, 0, 3_000)) == [
        (0, "ACT_ON", Source.RULE),
        (2_000, "RULE_SKIP", SkipReason.MIN_OFF),
        (2_000, "ACT_OFF", OffReason.RULE_DONE),
        (3_000, "ACT_ON", Source.RULE),
    ]


# --- interlock -----------------------------------------------------------------------------------


def test_interlock_stops_running_pump_the_tick_it_trips():
    rule = below(
        500, hold=0, duration=10_000, interlock=1, flags=RuleFlag.INTERLOCK_ABOVE, il_threshold=500
    )
    e = make(channels=2, rules=[rule])
    e.set_raw(0, 100)
    assert kinds(run(e, 0, 3_000)) == [(0, "ACT_ON", Source.RULE)]
    e.set_raw(1, 1000)
    assert e.tick(4_000) == [
        # no cooldown: the rule wants to fire again at once, and is blocked (step 5 before 6)
        Event(4_000, EventKind.RULE_SKIP, 0, SkipReason.INTERLOCK, 0, 0),
        Event(4_000, EventKind.ACT_OFF, 0, OffReason.INTERLOCK, 0, 4_000),
    ]
    assert e.output(0) == 0


def test_interlock_below_blocks_only_strictly_below():
    rule = below(500, hold=0, interlock=1, il_threshold=300)
    e = make(channels=2, rules=[rule])
    e.set_raw(0, 100)
    e.set_raw(1, 299)
    assert e.tick(0) == [Event(0, EventKind.RULE_SKIP, 0, SkipReason.INTERLOCK, 0, 0)]
    assert e.tick(1_000) == []  # reported once
    e.set_raw(1, 300)
    assert kinds(e.tick(2_000)) == [(2_000, "ACT_ON", Source.RULE)]


# --- leases and limits ----------------------------------------------------------------------------


def test_pump_stops_when_lease_expires_without_host():
    e = make(rules=[])
    e.tick(0)
    assert e.lease(0, 5_000, 255, 1_000).value == 5_000
    assert e.tick(1_000)[0].kind == EventKind.ACT_ON
    assert run(e, 2_000, 5_000) == []
    assert e.actuator_status(0).lease_left_ms == 1_000
    assert e.tick(6_000) == [Event(6_000, EventKind.ACT_OFF, 0, OffReason.LEASE_END, NO, 5_000)]


def test_lease_refusals_come_in_the_documented_order_with_their_details():
    pump = Actuator(7, max_on_ms=30_000, min_off_ms=10_500, daily_cap_ms=5_000)
    e = make(actuators=[pump])
    e.tick(0)
    assert e.lease(4, 1_000, 255, 0) == (False, Nack.BAD_INDEX, 4, 0, ())
    assert e.lease(0, 0, 255, 0).nack == Nack.BAD_VALUE
    assert e.lease(0, 1_000, 256, 0).nack == Nack.BAD_VALUE
    assert e.lease(0, 30_001, 255, 0)[:3] == (False, Nack.LIMIT_MAX_ON, 30)
    assert e.lease(0, 5_000, 255, 0).ok
    run(e, 0, 5_000)  # cut by the daily cap at 5 s
    assert e.lease(0, 30_001, 255, 6_000).nack == Nack.LIMIT_MAX_ON  # checked before the cap
    assert e.lease(0, 1_000, 255, 6_000).nack == Nack.LIMIT_DAILY_CAP


def test_min_off_refusal_reports_seconds_left_rounded_up():
    pump = Actuator(7, max_on_ms=30_000, min_off_ms=10_500)
    e = make(actuators=[pump])
    e.lease(0, 1_000, 255, 0)
    run(e, 0, 1_000)  # off at 1 s, resting until 11.5 s
    assert e.lease(0, 1_000, 255, 2_000)[:3] == (False, Nack.LIMIT_MIN_OFF, 10)
    assert e.lease(0, 1_000, 255, 10_600)[:3] == (False, Nack.LIMIT_MIN_OFF, 1)
    assert e.lease(0, 1_000, 255, 11_500).ok


def test_lease_over_a_running_rule_takes_it_over_silently_and_counts_its_on_time():
    e = make(rules=[below(500, hold=0, duration=10_000, period=30_000)])
    e.set_raw(0, 100)
    e.tick(0)
    assert e.lease(0, 3_000, 40, 2_000).ok
    assert e.tick(2_000) == [] and e.output(0) == 40
    assert e.rule_state(0) == RuleState.COOLING  # its run ended at the lease
    assert e.tick(5_000) == [Event(5_000, EventKind.ACT_OFF, 0, OffReason.LEASE_END, NO, 5_000)]


def test_daily_cap_cuts_a_lease_and_resets_after_24h_of_uptime():
    pump = Actuator(7, max_on_ms=60_000, daily_cap_ms=10_000)
    e = make(actuators=[pump])
    e.tick(0)
    e.lease(0, 60_000, 255, 0)
    events = run(e, 0, 20_000)
    assert events[-1] == Event(10_000, EventKind.ACT_OFF, 0, OffReason.DAILY_CAP, NO, 10_000)
    assert e.actuator_status(0).capped and e.actuator_status(0).today_on_ms == 10_000
    e.tick(86_399_999)
    assert e.actuator_status(0).today_on_ms == 10_000
    e.tick(86_400_000)
    assert e.actuator_status(0).today_on_ms == 0 and e.lease(0, 1_000, 255, 86_400_000).ok


def test_max_on_bounds_renewed_leases():
    e = make(actuators=[Actuator(7, max_on_ms=5_000)])
    e.tick(0)
    for t in range(0, 10_000, 2_000):
        e.lease(0, 4_000, 255, t)
        events = e.tick(t)
        if events and events[0].kind == EventKind.ACT_OFF:
            break
    assert events == [Event(6_000, EventKind.ACT_OFF, 0, OffReason.MAX_ON, NO, 6_000)]


# --- automation and parameters --------------------------------------------------------------------


def test_pause_emits_mode_at_command_time_and_ends_runs_at_the_next_tick():
    e = make(rules=[above_follow(500)])
    e.set_raw(0, 900)
    e.tick(0)
    reply = e.pause(500)
    assert reply.ok and reply.events == (Event(500, EventKind.MODE, NO, ModeChange.PAUSED, NO, 0),)
    assert e.output(0) == 255  # until the next tick
    assert e.tick(1_000) == [Event(1_000, EventKind.ACT_OFF, 0, OffReason.PAUSED, 0, 1_000)]
    assert e.rule_state(0) == RuleState.PAUSED
    assert e.resume(1_500).events[0].b == ModeChange.RESUMED
    assert kinds(e.tick(2_000)) == [(2_000, "ACT_ON", Source.RULE)]


def test_resume_restarts_the_interval_schedule_from_its_own_time():
    rule = Rule(kind=RuleKind.INTERVAL, actuator=0, duration=1_000, period=10_000)
    e = make(rules=[rule])
    e.tick(0)
    e.pause(1_000)
    e.resume(3_000)
    assert run(e, 1_000, 12_000) == []  # the 10 s slot moved to 13 s
    assert kinds(e.tick(13_000)) == [(13_000, "ACT_ON", Source.RULE)]


def test_interval_slot_that_comes_due_while_the_rule_runs_is_used_up():
    # Resolution: the slot is not kept for when the run ends.
    rule = Rule(kind=RuleKind.INTERVAL, actuator=0, duration=3_000, period=2_000)
    e = make(rules=[rule])
    assert [(ev.t, ev.kind.name) for ev in run(e, 0, 10_000)] == [
        (2_000, "ACT_ON"),  # the 4 s slot comes due while it runs
        (5_000, "ACT_OFF"),
        (6_000, "ACT_ON"),  # the 8 s slot too
        (9_000, "ACT_OFF"),
        (10_000, "ACT_ON"),
    ]


def test_set_param_changes_the_threshold_from_the_next_tick():
    rule = below(0, hold=0, operands=Operand.THRESHOLD)
    e = make(rules=[rule], params=[Param(300, 0, 1000)])
    e.set_raw(0, 400)
    assert e.tick(0) == []
    reply = e.set_param(0, 500, 500)
    assert reply == (True, None, 0, 500, (Event(500, EventKind.PARAM, 0, 0, NO, 500),))
    assert e.params == [500]
    assert kinds(e.tick(1_000)) == [(1_000, "ACT_ON", Source.RULE)]
    assert e.set_param(0, 1001, 2_000)[:3] == (False, Nack.OUT_OF_RANGE, 0)
    assert e.set_param(1, 0, 2_000)[:3] == (False, Nack.BAD_INDEX, 1)


# --- levels and status ----------------------------------------------------------------------------


def test_output_is_the_highest_level_among_running_rules_and_the_lowest_rule_owns_it():
    fan = Actuator(9, ActuatorFlag.PWM, max_on_ms=60_000)
    e = make(actuators=[fan], rules=[above_follow(500, level=60), above_follow(800, level=180)])
    e.set_raw(0, 900)
    assert e.tick(0) == [Event(0, EventKind.ACT_ON, 0, Source.RULE, 0, 180)]
    assert e.actuator_status(0).owner == 0
    e.set_raw(0, 700)
    assert e.tick(1_000) == [] and e.output(0) == 60


def test_status_shows_owner_time_left_and_rule_states():
    pump = Actuator(7, max_on_ms=60_000, min_off_ms=4_000)
    e = make(actuators=[pump], rules=[below(500, hold=2_000, duration=5_000, period=20_000)])
    e.set_raw(0, 100)
    e.tick(0)
    assert e.rule_state(0) == RuleState.HOLDING
    assert e.rule_status(0) == (RuleState.HOLDING, 0, U32)
    e.tick(2_000)
    status = e.actuator_status(0, now=3_000)
    assert (status.on, status.owner, status.ms_left, status.level) == (True, 0, 4_000, 255)
    assert (
        e.rule_state(0) == RuleState.RUNNING and e.rule_status(0, now=3_000).since_fired_ms == 1_000
    )
    run(e, 3_000, 7_000)
    status = e.actuator_status(0)
    assert (status.on, status.owner, status.resting, status.today_on_ms) == (False, NO, True, 5_000)
    assert status.state_bits == 0x08
    assert e.rule_state(0) == RuleState.COOLING
    assert e.lease(0, 3_000, 9, 11_000).ok
    e.tick(11_000)
    status = e.actuator_status(0, now=12_000)
    assert (status.owner, status.ms_left, status.leased, status.state_bits) == (
        OWNER_LEASE,
        2_000,
        True,
        0x03,
    )


def test_rule_waiting_on_a_blocker_is_ready():
    e = make(rules=[below(500, hold=0)])
    e.set_raw(0, 100)
    e.lease(0, 10_000, 255, 0)
    assert e.tick(0)[0] == Event(0, EventKind.RULE_SKIP, 0, SkipReason.LEASED, 0, 0)
    assert e.rule_state(0) == RuleState.READY and e.rule_status(0).last_skip == SkipReason.LEASED


def test_engine_imports_no_clock_io_or_threads():
    forbidden = {"time", "datetime", "threading", "asyncio", "os", "socket", "serial", "random"}
    for path in (Path(__file__).resolve().parents[2] / "host" / "tendril" / "engine").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = {(node.module or "").split(".")[0]}
            else:
                continue
            assert not names & forbidden, f"{path.name} imports {names & forbidden}"


@pytest.mark.parametrize("now", [0, U32, 1 << 31])
def test_ticks_accept_any_u32_time(now):
    e = make(rules=[below(500, hold=0, duration=1_000, period=5_000)])
    e.set_raw(0, 0)
    assert e.tick(now)[0].t == now
    assert e.tick(now + 1_000)[0] == Event(
        (now + 1_000) & U32, EventKind.ACT_OFF, 0, OffReason.RULE_DONE, 0, 1_000
    )


# --- properties over random recipes, inputs and commands (Hypothesis) -----------------------------

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

STEP = 500


def halves(lo: int, hi: int):
    """Durations lo/2 .. hi/2 s in steps of 500 ms."""
    return st.integers(lo, hi).map(lambda k: k * 500)


@st.composite
def recipes(draw) -> Image:
    chans = tuple(
        Channel(
            14 + i,
            ChannelKind.ANALOG,
            draw(st.integers(0, 3)),
            Unit.RAW,
            draw(halves(1, 4)),
            ONE,
            0,
        )
        for i in range(2)
    )
    acts = tuple(
        Actuator(
            pin,
            max_on_ms=draw(halves(1, 20)),
            min_off_ms=draw(halves(0, 10)),
            daily_cap_ms=draw(st.integers(1, 30)) * 1000,
        )
        for pin in (7, 8)[: draw(st.integers(1, 2))]
    )
    rules = []
    for _ in range(draw(st.integers(1, 3))):
        actuator = draw(st.integers(0, len(acts) - 1))
        interlock = draw(st.sampled_from([NO, 0, 1]))
        common = {
            "actuator": actuator,
            "level": draw(st.integers(1, 255)),
            "interlock": interlock,
            "il_threshold": draw(st.integers(0, 1000)) if interlock != NO else 0,
        }
        flags = RuleFlag.INTERLOCK_ABOVE if draw(st.booleans()) else RuleFlag(0)
        if draw(st.booleans()):
            rules.append(
                Rule(
                    kind=RuleKind.INTERVAL,
                    flags=flags,
                    period=draw(halves(2, 20)),
                    duration=draw(halves(1, 20)),
                    **common,
                )
            )
            continue
        if draw(st.booleans()):
            flags |= RuleFlag.ABOVE
        follow = draw(st.booleans())
        from_param = draw(st.booleans())
        rules.append(
            Rule(
                kind=RuleKind.THRESHOLD,
                action=RuleAction.FOLLOW if follow else RuleAction.PULSE,
                channel=draw(st.integers(0, 1)),
                flags=flags,
                operands=Operand.THRESHOLD if from_param else Operand(0),
                threshold=0 if from_param else draw(st.integers(0, 1000)),
                hysteresis=draw(st.integers(0, 200)),
                hold=draw(halves(0, 6)),
                duration=0 if follow else draw(halves(1, 20)),
                period=draw(halves(0, 20)),
                **common,
            )
        )
    return Image("prop", BoardClass.AVR328, 1000, (Param(500, 0, 1000),), chans, acts, tuple(rules))


commands = st.one_of(
    st.tuples(st.just("lease"), st.integers(0, 2), halves(0, 12), st.integers(0, 255)),
    st.tuples(st.just("off"), st.integers(0, 2)),
    st.tuples(st.just("pause")),
    st.tuples(st.just("resume")),
    st.tuples(st.just("set_param"), st.integers(0, 1), st.integers(-100, 1100)),
)


def sometimes(one_in: int, strategy):
    """``strategy``'s value about once in ``one_in`` draws, else None."""
    return st.integers(1, one_in).flatmap(lambda k: strategy if k == 1 else st.none())


steps = st.lists(
    st.tuples(
        sometimes(4, st.integers(0, 1023)),  # channel 0's new raw reading, if any
        sometimes(4, st.integers(0, 1023)),
        sometimes(12, commands),
    ),
    min_size=20,
    max_size=240,
)


def simulate(image: Image, plan, start: int, check=None):
    """Run ``plan`` (one entry per tick) from ``start``; return (events, replies)."""
    e = Engine(decode(encode(image)))
    events, replies = [], []
    for k, (raw0, raw1, cmd) in enumerate(plan):
        now = (start + k * STEP) & U32
        if raw0 is not None:
            e.set_raw(0, raw0)
        if raw1 is not None:
            e.set_raw(1, raw1)
        if cmd is not None:
            reply = getattr(e, cmd[0])(*cmd[1:], now)
            replies.append(reply[:4])
            events += reply.events
        events += e.tick(now)
        if check:
            check(e)
    return events, replies


def on_periods(events, actuator):
    """(t_on, t_off, reported ms) of each on period; t_off None if still on. Asserts alternation."""
    periods, t_on = [], None
    for ev in events:
        if ev.a != actuator or ev.kind not in (EventKind.ACT_ON, EventKind.ACT_OFF):
            continue
        if ev.kind == EventKind.ACT_ON:
            assert t_on is None, f"ACT_ON at {ev.t} while on since {t_on}"
            t_on = ev.t
        else:
            assert t_on is not None, f"ACT_OFF at {ev.t} while off"
            periods.append((t_on, ev.t, ev.value))
            t_on = None
    if t_on is not None:
        periods.append((t_on, None, None))
    return periods


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(image=recipes(), plan=steps, start=st.integers(0, U32))
def test_actuator_limits_hold_for_any_recipe_inputs_and_commands(image, plan, start):
    def check(e: Engine):
        for i, act in enumerate(image.actuators):
            status = e.actuator_status(i)
            assert status.on == (e.output(i) > 0)
            assert status.on == (status.owner != NO), "on without an owner, or owned while off"
            assert status.today_on_ms <= act.daily_cap_ms + STEP - 1

    events, _ = simulate(image, plan, start, check)
    for i, act in enumerate(image.actuators):
        last_off = None
        for t_on, t_off, ms in on_periods(events, i):
            if last_off is not None:
                gap = (t_on - last_off) & U32
                assert gap > 0 and gap >= act.min_off_ms, f"on again {gap} ms after going off"
            if t_off is not None:
                assert ms == (t_off - t_on) & U32
                assert ms < act.max_on_ms + STEP, f"on {ms} ms, max_on {act.max_on_ms}"
                last_off = t_off
    for ev in events:
        if ev.kind == EventKind.ACT_ON:
            assert 1 <= ev.value <= 255


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(image=recipes(), plan=steps, shift=st.integers(1, U32))
def test_behaviour_does_not_depend_on_where_the_clock_starts(image, plan, shift):
    base_events, base_replies = simulate(image, plan, 0)
    events, replies = simulate(image, plan, shift)
    assert replies == base_replies
    assert [ev._replace(t=(ev.t - shift) & U32) for ev in events] == base_events
