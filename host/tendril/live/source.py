"""A live board that does not run tendril: Serial Plotter text or Firmata (tendril.sources).

The same surface as LiveBoard for what such a board can do (view, series, log, start/stop), so
``tendril log`` and the UI treat it alike: rows of named values become samples in the shared
database and points in the channels' Series. It has no recipe, actuators, rules or parameters;
a Firmata board's digital outputs are driven with ``digital_write``.

When the port goes away the source says RECONNECTING and reopens it when it is back: a new
session, because such a board resets on open and has nothing like a boot counter."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import replace

from ..errors import TendrilError, TransportError
from .base import LiveBase
from .series import Series
from .sinks import Sink
from .view import BoardView, ChannelView, LinkState


class LiveSource(LiveBase):
    thread_name = "source"

    def __init__(self, source, *, sink: Sink | None = None) -> None:
        baud = getattr(source, "baud", 0)
        super().__init__(source.port, baud,
                         BoardView(source.port, baud, LinkState.CONNECTING, board=source.kind))
        self.source = source
        self.kind = source.kind
        self.sink = sink
        self.names: list[str] = []  # channel index -> name, in the order first heard
        self.recipe = None
        self._index: dict[str, int] = {}
        self._session_id: int | None = None
        self._opened_before = False
        self._rejected = 0

    def digital_write(self, pin: int, value: bool) -> Future:
        """Set a Firmata board's digital output (the Future is done once it was sent)."""
        future: Future = Future()
        write = getattr(self.source, "digital_write", None)
        if write is None:
            future.set_exception(TendrilError(f"{self.port}: a {self.kind} board has no outputs "
                                              "tendril can drive"))
            return future
        try:
            with self.lock:
                write(pin, value)
            self._note("host", f"D{pin} set {'HIGH' if value else 'LOW'}")
            future.set_result(bool(value))
        except TendrilError as exc:
            future.set_exception(exc)
        return future

    # --- what a tendril board can do and this one cannot (the monitor's Board surface) ---------------
    def _cannot(self, what: str) -> Future:
        future: Future = Future()
        future.set_exception(TendrilError(f"{self.port}: a {self.kind} board does not run tendril: "
                                          f"no {what}"))
        return future

    def lease(self, actuator: int, ms: int, level: int = 255) -> Future:
        return self._cannot("actuators to run")

    def off(self, actuator: int) -> Future:
        return self._cannot("actuators to switch off")

    def pause(self) -> Future:
        return self._cannot("automation to pause")

    def resume(self) -> Future:
        return self._cannot("automation to resume")

    def clear_safe_mode(self) -> Future:
        return self._cannot("safe mode")

    def set_param(self, index: int, value: int) -> Future:
        return self._cannot("parameters")

    def push(self, recipe) -> Future:
        return self._cannot("recipe to push")

    def pull(self) -> Future:
        return self._cannot("config to pull")

    # --- the thread -------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if not self._open():
                    continue
                try:
                    while not self._stop.is_set():
                        self._take(self.source.read(0.05))
                        if self.sink is not None:
                            self.sink.flush_due()
                except TransportError as exc:
                    self._note("host", f"link lost: {exc}")
                    self._set(state=LinkState.RECONNECTING, error=str(exc))
                    self._online.clear()
                    self._close()
        finally:
            self._close()
            if self.sink is not None:
                self.sink.flush_due()

    def _open(self) -> bool:
        try:
            info = self.source.open()
        except TendrilError as exc:
            state = LinkState.RECONNECTING if self._opened_before else LinkState.CONNECTING
            self._set(state=state, error=str(exc))
            self._stop.wait(0.2)
            return False
        if self.sink is not None:
            self._session_id = self.sink.begin_source_session(info.kind, info.device_key)
            self.session_ids.append(self._session_id)
        with self.lock:  # a new session numbers its channels afresh, in the order heard
            self._index.clear()
        if self._opened_before:
            self._note("host", f"reconnected: {info.description}")
            reconnects = self._view.reconnects + 1
        else:
            self._note("host", info.description)
            reconnects = 0
        self._opened_before = True
        self._set(state=LinkState.ONLINE, error="", recipe="", reconnects=reconnects)
        self._online.set()
        return True

    def _close(self) -> None:
        try:
            self.source.close()
        except (OSError, TendrilError):  # closing a port that is already gone
            pass

    def _take(self, rows) -> None:
        stats = dict(getattr(self.source, "stats", {}) or {})
        if not rows:
            self._update_health(stats)
            return
        for row in rows:
            if self.sink is not None and self._session_id is not None:
                self.sink.row(self._session_id, row.host_time, row.values)
        with self.lock:
            for row in rows:
                for name, value in row.values.items():
                    i = self._channel(name)
                    series = self.series.get(i)
                    if series is None:
                        series = self.series[i] = Series()
                    series.add(row.host_time, value)
                self.samples += len(row.values)
                self.rows += len(row.values)
            self._view = replace(self._view, channels=self._channels())
        self._update_health(stats)

    def _channel(self, name: str) -> int:
        i = self._index.get(name)
        if i is None:
            if name in self.names:
                i = self.names.index(name)
            else:
                i = len(self.names)
                self.names.append(name)
            self._index[name] = i
        return i

    def _channels(self) -> tuple[ChannelView, ...]:
        out = []
        for i, name in enumerate(self.names):
            s = self.series.get(i)
            has = s is not None and s.count > 0
            out.append(ChannelView(i, name, "", s.last if has else None, s.lo if has else None,
                                   s.hi if has else None, s.count if s else 0))
        return tuple(out)

    def _update_health(self, stats: dict) -> None:
        rejected = stats.get("lines_rejected", stats.get("rejected", 0))
        if rejected > self._rejected:
            self._note("host", f"{rejected - self._rejected} lines or messages could not be read")
            self._rejected = rejected
        with self.lock:
            self._view = replace(self._view, health=stats)
            self._bump()
