"""The C rule engine (firmware/core/engine.c) behind the scenario runner's five-method adapter.

Each call maps one to one onto the C API through ctypes; events come back through the engine's emit
callback, in order, exactly as the firmware turns them into EVENT frames.
"""

from __future__ import annotations

import ctypes as C

from tendril.contract import Nack

from ..support.scenario_runner import Outcome
from .ccore import ActStatus, CCore, Event, RuleStatus, Src, i32, u8, u16, u32

EMIT_FN = C.CFUNCTYPE(None, C.c_void_p, C.POINTER(Event))

_SIGNATURES = {
    "engine_sizeof": (C.c_size_t, []),
    "engine_start": (C.c_bool, [C.c_void_p, C.POINTER(Src), EMIT_FN, C.c_void_p]),
    "engine_set_raw": (None, [C.c_void_p, u8, i32]),
    "engine_set_fault": (None, [C.c_void_p, u8, u8]),
    "engine_sample_due": (C.c_bool, [C.c_void_p, u8, u32]),
    "engine_tick": (None, [C.c_void_p, u32]),
    "engine_lease": (u8, [C.c_void_p, u8, u32, u8, u32, C.POINTER(u16)]),
    "engine_off": (u8, [C.c_void_p, u8, u32, C.POINTER(u16)]),
    "engine_pause": (None, [C.c_void_p, u32]),
    "engine_resume": (None, [C.c_void_p, u32]),
    "engine_set_param": (u8, [C.c_void_p, u8, i32, u32, C.POINTER(u16)]),
    "engine_stop": (None, [C.c_void_p, u8, u32]),
    "engine_value": (C.c_bool, [C.c_void_p, u8, C.POINTER(i32)]),
    "engine_output": (u8, [C.c_void_p, u8]),
    "engine_act_status": (None, [C.c_void_p, u8, u32, C.POINTER(ActStatus)]),
    "engine_rule_status": (None, [C.c_void_p, u8, u32, C.POINTER(RuleStatus)]),
    "calib_apply_i32": (i32, [i32, i32, i32]),
}


def bind(core: CCore) -> CCore:
    for name, (restype, argtypes) in _SIGNATURES.items():
        fn = getattr(core.lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return core


class CEngineAdapter:
    """One C engine_t in a ctypes buffer. ``replies`` keeps (code, detail) of the last command."""

    def __init__(self, core: CCore) -> None:
        self.core = bind(core)
        self.lib = core.lib
        self._events: list[tuple] = []
        self._emit = EMIT_FN(self._on_event)  # kept alive as long as the engine

    def _on_event(self, _ctx, ev) -> None:
        e = ev.contents
        self._events.append((e.time_ms, e.kind, e.a, e.b, e.c, e.value))

    def _take(self) -> list[tuple]:
        out, self._events = self._events, []
        return out

    # --- the five adapter methods ----------------------------------------------------------------
    def start(self, image: bytes, board: str) -> None:
        code, index = self.core.validate(image, board)
        assert code == 0, f"the C validator refuses the scenario image: {code}/{index}"
        self.src, self._keep = self.core.src(image)
        self.state = C.create_string_buffer(self.lib.engine_sizeof())
        assert self.lib.engine_start(self.state, C.byref(self.src), self._emit, None)

    def set_raw(self, channel: int, raw: int) -> None:
        self.lib.engine_set_raw(self.state, channel, raw)

    def set_fault(self, channel: int, fault: int) -> None:
        self.lib.engine_set_fault(self.state, channel, fault)

    def command(self, op: str, args: dict, now: int) -> Outcome:
        code, detail = self.raw_command(op, args, now)
        events = self._take()
        return Outcome(code == 0, None if code == 0 else Nack(code).name, events)

    def tick(self, now: int) -> list[tuple]:
        self.lib.engine_tick(self.state, now)
        return self._take()

    def value(self, channel: int) -> int | None:
        v = i32(0)
        return v.value if self.lib.engine_value(self.state, channel, C.byref(v)) else None

    # --- beyond the runner: replies with details, outputs, STATUS ---------------------------------
    def raw_command(self, op: str, args: dict, now: int) -> tuple[int, int]:
        """Apply a command; (0 or the NACK code, NACK detail). Events stay queued for _take()."""
        lib, st, detail = self.lib, self.state, u16(0)
        now &= 0xFFFFFFFF
        if op == "LEASE":
            code = lib.engine_lease(
                st, args["actuator"], args["ms"], args["level"], now, C.byref(detail)
            )
        elif op == "OFF":
            code = lib.engine_off(st, args["actuator"], now, C.byref(detail))
        elif op == "PAUSE":
            lib.engine_pause(st, now)
            code = 0
        elif op == "RESUME":
            lib.engine_resume(st, now)
            code = 0
        elif op == "SET_PARAM":
            code = lib.engine_set_param(st, args["index"], args["value"], now, C.byref(detail))
        else:
            raise ValueError(f"unknown command op {op!r}")
        return code, (detail.value if code else 0)

    def take_events(self) -> list[tuple]:
        return self._take()

    def output(self, actuator: int) -> int:
        return self.lib.engine_output(self.state, actuator)

    def actuator_status(self, actuator: int, now: int) -> tuple:
        s = ActStatus()
        self.lib.engine_act_status(self.state, actuator, now, C.byref(s))
        return (s.state, s.level, s.owner, s.ms_left, s.today_on_ms)

    def rule_status(self, rule: int, now: int) -> tuple:
        s = RuleStatus()
        self.lib.engine_rule_status(self.state, rule, now, C.byref(s))
        return (s.state, s.last_skip, s.since_fired_ms)
