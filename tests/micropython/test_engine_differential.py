"""The MicroPython firmware's rule engine (firmware/micropython/tdfw/engine.py, run by CPython)
against the reference engine on random stories: the same differential check the C engine has
(tests/core/test_engine_c.py). Its STATUS entries are what tdfw/requests.py sends."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..support.engine_stories import U32, drive, step_st
from ..support.images import waterer_image

from tdfw import requests as fw_requests  # noqa: E402  (the firmware is on sys.path: conftest)
from tdfw.engine import Engine as FwEngine  # noqa: E402
from tdfw.image import validate  # noqa: E402


class MpyEngineAdapter:
    """tdfw's Engine behind the adapter shape of tests/core/engine_adapter.py."""

    def __init__(self, image: bytes) -> None:
        from tdfw.boardtab import BOARDS

        code, index = validate(memoryview(image), BOARDS["uno"])
        assert code == 0, f"the MicroPython validator refuses the image: {code}/{index}"
        self._events: list[tuple] = []
        self.eng = FwEngine(image, lambda t, kind, a, b, c, value: self._events.append(
            (t & U32, kind, a, b, c, value)))

    def _take(self) -> list[tuple]:
        out, self._events = self._events, []
        return out

    take_events = _take

    def set_raw(self, channel: int, raw: int) -> None:
        self.eng.raw[channel] = raw
        self.eng.fault[channel] = 0

    def set_fault(self, channel: int, fault: int) -> None:
        self.eng.fault[channel] = fault

    def tick(self, now: int) -> list[tuple]:
        self.eng.tick(now)
        return self._take()

    def value(self, channel: int) -> int | None:
        return self.eng.value[channel] if self.eng.valid[channel] else None

    def output(self, actuator: int) -> int:
        return self.eng.level[actuator]

    def actuator_status(self, actuator: int, now: int) -> tuple:
        return tuple(fw_requests._actuator_entry(self.eng, actuator, now))

    def rule_status(self, rule: int, now: int) -> tuple:
        eng = self.eng
        since = fw_requests._el(now, eng.last_fired[rule]) if eng.fired[rule] else fw_requests.NEVER_MS
        return (fw_requests._rule_state(eng, rule), eng.last_skip[rule], since)

    def raw_command(self, op: str, args: dict, now: int) -> tuple[int, int]:
        eng, now = self.eng, now & U32
        if op == "LEASE":
            code = eng.cmd_lease(args["actuator"], args["ms"], args["level"], now)
        elif op == "OFF":
            code = eng.cmd_off(args["actuator"], now)
        elif op == "PAUSE":
            code = eng.cmd_pause(now)
        elif op == "RESUME":
            code = eng.cmd_resume(now)
        else:
            code = eng.cmd_set_param(args["index"], args["value"], now)
        return (0, 0) if code == 0 else (code, eng.detail)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(variant=st.integers(0, 6), start=st.sampled_from([0, 1234, U32 - 5_000]),
       steps=st.lists(step_st, min_size=1, max_size=250))  # fmt: skip
def test_micropython_engine_equals_python_engine_on_random_stories(variant, start, steps):
    image = waterer_image(variant)
    drive(MpyEngineAdapter(image), image, start, steps)


def test_the_differential_check_catches_a_wrong_engine():
    """A firmware engine with one limit off (max_on a second longer) is caught by a short story."""
    image = waterer_image(1)
    wrong = MpyEngineAdapter(image)
    wrong.eng.max_on[0] += 1000
    try:
        drive(wrong, image, 0, [("LEASE", 0, 8_001, 255)])
    except AssertionError:
        return
    raise AssertionError("a lease past max_on was not told apart")
