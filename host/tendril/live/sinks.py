"""Where a board's thread hands what it hears: one small interface, and a fan-out over several.

A LiveBoard or LiveSource knows only ``Sink``: it opens a session when a board says HELLO (or a
source opens), then hands over every TELEMETRY, EVENT, STATUS page, parameter list, config image
and source row. What a sink does with them is its own business: LogSink (sink.py) queues rows for
the log database, an MQTT sink keeps a board's retained state (mqtt.state.BoardState), a monitor
keeps its views. ``FanOut`` forwards each call to several sinks so a board has one owner and
several consumers.

Every method has a do-nothing default: a sink implements what it needs. Calls come from board
threads, several at once when sinks are shared: a sink guards its own state.

A session is whatever ``begin_session`` returned (LogSink: the store's session id); the board
hands it back on each call for that boot. ``recipe_text`` lets a board ask the sinks for a recipe
they remember by its image's hash (the log database's config history), to name what it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

log = logging.getLogger("tendril.live")


class Sink:
    """The interface, with no-op defaults. ``session`` is this sink's own value from
    ``begin_session`` / ``begin_source_session`` (None when it keeps none)."""

    def begin_session(self, hello) -> object:
        """A tendril board said HELLO (a new boot, or the same one again after a reconnect)."""
        return None

    def begin_source_session(self, kind: str, device_key: str) -> object:
        """A board that does not run tendril (plotter text, Firmata) was opened."""
        return None

    def recipe(self, session, recipe) -> None:
        """The recipe the board runs is known (or None: the board has no config)."""

    def telemetry(self, session, msg, host_time: float, seq: int) -> None:
        """One TELEMETRY frame; ``seq`` from its frame header."""

    def event(self, session, msg, host_time: float, seq: int) -> None:
        """One EVENT frame."""

    def status(self, session, page) -> None:
        """One STATUS page (actuators or rules) the board answered."""

    def params(self, session, msg) -> None:
        """The parameters the board runs now, as one PARAMS message (first 0, every value)."""

    def row(self, session, host_time: float, values: dict[str, float]) -> None:
        """One row of named values from a source board."""

    def config(self, device_id: int, image: bytes, direction: str,
               recipe_text: str | None = None) -> None:
        """A config image pushed to (``"pushed"``) or read from (``"read"``) a board."""

    def recipe_text(self, device_id: int, recipe_hash: bytes) -> str | None:
        """The text of a recipe this sink remembers for that image on that board, if any."""
        return None

    def flush_due(self) -> None:
        """Board threads call this in their loops: write out what is due."""

    def flush(self) -> int:
        """Write out everything queued; the count written."""
        return 0

    def close(self) -> None:
        """Flush and let go."""


class FanOut(Sink):
    """Each call goes to every sink, in order. A sink that raises is noted in ``errors`` (its
    last error, by its place in ``sinks``), said once an episode on the ``tendril.live`` logger
    (one line; again when it works again), and skipped for that call only: one sink's trouble (an
    MQTT client gone, a bug) stops neither the others nor the board's thread. A LogSink keeps its
    own rows queued across a failed flush (sink.py), so nothing it was handed is lost."""

    def __init__(self, sinks: Iterable[Sink]) -> None:
        self.sinks: list[Sink] = list(sinks)
        self.errors: dict[int, Exception] = {}
        self._failing: set[tuple[int, str]] = set()  # (sink, method) in an episode, said once

    def _failed(self, i: int, name: str, exc: Exception) -> None:
        self.errors[i] = exc
        if (i, name) not in self._failing:  # one line an episode, never a traceback
            self._failing.add((i, name))
            text = (str(exc).strip().splitlines() or [""])[0][:200]
            log.warning("%s failed in %s: %s%s (not repeated until it works again)",
                        type(self.sinks[i]).__name__, name, type(exc).__name__,
                        f": {text}" if text else "")

    def _worked(self, i: int, name: str) -> None:
        if (i, name) in self._failing:
            self._failing.discard((i, name))
            log.warning("%s works again in %s", type(self.sinks[i]).__name__, name)

    def _each(self, name: str, *args, **kw) -> list:
        out = []
        for i, sink in enumerate(self.sinks):
            try:
                out.append(getattr(sink, name)(*args, **kw))
            except Exception as exc:  # noqa: BLE001 - isolate one sink from the others
                self._failed(i, name, exc)
                out.append(None)
            else:
                if self._failing:
                    self._worked(i, name)
        return out

    def _each_session(self, name: str, session: Sequence | None, *args) -> None:
        refs = session if session is not None else (None,) * len(self.sinks)
        for i, sink in enumerate(self.sinks):
            try:
                getattr(sink, name)(refs[i], *args)
            except Exception as exc:  # noqa: BLE001
                self._failed(i, name, exc)
            else:
                if self._failing:
                    self._worked(i, name)

    # A session of a FanOut is the tuple of each sink's own session, in order.
    def begin_session(self, hello) -> tuple:
        return tuple(self._each("begin_session", hello))

    def begin_source_session(self, kind: str, device_key: str) -> tuple:
        return tuple(self._each("begin_source_session", kind, device_key))

    def recipe(self, session, recipe) -> None:
        self._each_session("recipe", session, recipe)

    def telemetry(self, session, msg, host_time: float, seq: int) -> None:
        self._each_session("telemetry", session, msg, host_time, seq)

    def event(self, session, msg, host_time: float, seq: int) -> None:
        self._each_session("event", session, msg, host_time, seq)

    def status(self, session, page) -> None:
        self._each_session("status", session, page)

    def params(self, session, msg) -> None:
        self._each_session("params", session, msg)

    def row(self, session, host_time: float, values: dict[str, float]) -> None:
        self._each_session("row", session, host_time, values)

    def config(self, device_id: int, image: bytes, direction: str,
               recipe_text: str | None = None) -> None:
        self._each("config", device_id, image, direction, recipe_text=recipe_text)

    def recipe_text(self, device_id: int, recipe_hash: bytes) -> str | None:
        return next((t for t in self._each("recipe_text", device_id, recipe_hash) if t), None)

    def flush_due(self) -> None:
        self._each("flush_due")

    def flush(self) -> int:
        return sum(n or 0 for n in self._each("flush"))

    def close(self) -> None:
        self._each("close")
