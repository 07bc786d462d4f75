"""The reference rule engine (docs/rules.md). Pure: time and raw readings are passed in.

    engine = Engine(tendril.image.decode(image_bytes))
    engine.set_raw(0, 712)
    events = engine.tick(now_ms)
    reply = engine.lease(0, 5000, 255, now_ms)

The C engine of the AVR firmware and the MicroPython firmware must match it event for event on
tests/vectors/scenarios/.
"""

from .engine import Engine
from .events import Event, Reply
from .state import OWNER_LEASE, ActuatorStatus, RuleStatus

__all__ = ["OWNER_LEASE", "ActuatorStatus", "Engine", "Event", "Reply", "RuleStatus"]
