"""`tendril serve`: one process owns the boards, logs them, and puts them on MQTT (docs/fleet.md).

bus.py (the MQTT client), sink.py (board messages -> retained state, events, discovery),
commands.py (MQTT commands -> LiveBoard), runtime.py (the file other commands find serve by),
broker.py (zero configuration), service.py (the process)."""

from .runtime import find_local_serve, runtime_path

__all__ = ["find_local_serve", "runtime_path"]
