"""Random stories for the differential engine tests: raw readings, sensor faults (a channel with
no valid reading), ticks, commands and STATUS requests, driven into the reference engine
(tendril.engine) and another engine behind the adapter shape of tests/core/engine_adapter.py (the C
engine, the MicroPython firmware's engine), which must give identical events, NACKs with their details, outputs, values and STATUS entries."""

from __future__ import annotations

from hypothesis import strategies as st
from tendril.contract import SensorFault
from tendril.engine import Engine
from tendril.image import decode

U32 = 0xFFFFFFFF

step_st = st.one_of(
    st.tuples(st.just("raw"), st.integers(0, 2), st.one_of(st.integers(0, 1023), st.integers(-(2**31), 2**31 - 1))),
    # a fault of any kind (WAITING included: no EVENT for it) until the next raw reading
    st.tuples(st.just("fault"), st.integers(0, 2),
              st.sampled_from([f for f in SensorFault if f != SensorFault.RECOVERED])),  # fmt: skip
    st.tuples(st.just("tick"), st.integers(1, 3000)),
    st.tuples(st.just("tick"), st.sampled_from([1, 50, 100, 999, 1000, 10_000, 86_400_000])),
    st.tuples(st.just("LEASE"), st.integers(0, 2), st.sampled_from([0, 1, 500, 8_000, 8_001]),
              st.integers(0, 255)),  # fmt: skip
    st.tuples(st.just("OFF"), st.integers(0, 2)),
    st.tuples(st.just("PAUSE")),
    st.tuples(st.just("RESUME")),
    st.tuples(st.just("SET_PARAM"), st.integers(0, 4),
              st.sampled_from([0, 1, 700, 1_000, 2_500, 20_000, 36_000, 90_000])),  # fmt: skip
    st.tuples(st.just("STATUS")),
)


def event_tuple(event) -> tuple:
    """A reference engine Event as plain ints (time, kind, a, b, c, value)."""
    t, kind, a, b, c, value = event
    return (int(t) & U32, int(kind), int(a), int(b), int(c), int(value))


def py_reply(reply) -> tuple[int, int]:
    return (0, 0) if reply.ok else (int(reply.nack), reply.detail)


def drive(other, image: bytes, start: int, steps) -> None:
    """Run one story on the reference engine and ``other`` (already started on ``image``),
    asserting they agree after every step."""
    py = Engine(decode(image))
    na, nr, nc = len(py.actuators), len(py.rules), len(py.channels)
    now = start
    assert other.tick(now) == [event_tuple(e) for e in py.tick(now)]
    for step in steps:
        kind = step[0]
        if kind == "raw":
            channel, raw = step[1] % nc, step[2]
            py.set_raw(channel, raw)
            other.set_raw(channel, raw)
            continue
        if kind == "fault":
            channel, fault = step[1] % nc, int(step[2])
            py.set_fault(channel, fault)
            other.set_fault(channel, fault)
            continue
        if kind == "tick":
            now = (now + step[1]) & U32
            want = [event_tuple(e) for e in py.tick(now)]
            assert other.tick(now) == want, f"tick at {now}"
            for a in range(na):
                assert other.output(a) == py.output(a)
            for ch in range(nc):
                assert other.value(ch) == py.value(ch)
            continue
        if kind == "STATUS":
            for a in range(na):
                s = py.actuator_status(a, now)
                want = (s.state_bits, s.level, s.owner, s.ms_left, s.today_on_ms)
                assert other.actuator_status(a, now) == want, f"actuator {a} status"
            for r in range(nr):
                assert other.rule_status(r, now) == tuple(py.rule_status(r, now)), f"rule {r} status"
            continue
        if kind == "LEASE":
            args = dict(actuator=step[1], ms=step[2], level=step[3])
            reply = py.lease(args["actuator"], args["ms"], args["level"], now)
        elif kind == "OFF":
            args = dict(actuator=step[1])
            reply = py.off(args["actuator"], now)
        elif kind == "PAUSE":
            args, reply = {}, py.pause(now)
        elif kind == "RESUME":
            args, reply = {}, py.resume(now)
        else:
            args = dict(index=step[1], value=step[2])
            reply = py.set_param(args["index"], args["value"], now)
        assert other.raw_command(kind, args, now) == py_reply(reply), f"{kind} {args} at {now}"
        assert other.take_events() == [event_tuple(e) for e in reply.events]
