"""One sink in trouble under a real serve: said once an episode, the other sinks keep going."""

from __future__ import annotations

import logging
import threading

from tendril.live.sinks import Sink
from tendril.serve.service import Options, Serve

from ..live.conftest import wait_until
from .conftest import TIMEOUT, board_of, state_where


class Broken(Sink):
    """A sink that fails every TELEMETRY while ``broken`` is set, and counts the ones it took."""

    def __init__(self) -> None:
        self.broken = threading.Event()
        self.broken.set()
        self.taken = 0

    def telemetry(self, session, msg, host_time, seq) -> None:
        if self.broken.is_set():
            raise OSError("disk on fire\nsecond line never shown")
        self.taken += 1


def test_a_failing_sink_is_said_once_an_episode_and_the_others_go_on(
        broker, watcher, fast_board, tmp_path, caplog, monkeypatch):
    monkeypatch.setenv("TENDRIL_RUNTIME_DIR", str(tmp_path / "runtime"))  # not the user's
    board = board_of(fast_board.port)
    serve = Serve(Options(broker=broker.url, ports=[fast_board.port], name="testhost",
                          db=tmp_path / "serve.db", hello_timeout=10))
    broken = Broken()
    serve.extra_sinks.append(broken)
    caplog.set_level(logging.WARNING, logger="tendril.live")
    serve.start()
    try:
        # MQTT goes on: the state shows samples, and the frames keep coming.
        watcher.wait(state_where(lambda s: s["board"] == board
                                   and any(v is not None for v in s["channels"].values())))
        frames = lambda: sum(t == f"tendril/{board}/frames" for t, _, _ in list(watcher.messages))  # noqa: E731
        seen = frames()
        assert wait_until(lambda: frames() >= seen + 20, TIMEOUT)
        # The log database goes on.
        assert wait_until(lambda: serve.log_sink.committed >= 20, TIMEOUT)
        said = [r for r in caplog.records if "Broken failed" in r.getMessage()]
        assert len(said) == 1, [r.getMessage() for r in said]
        line = said[0].getMessage()
        assert "OSError: disk on fire" in line and "second line" not in line
        assert said[0].exc_info is None  # no traceback
        # It works again: said once; a new failure is a new episode, said once more.
        broken.broken.clear()
        assert wait_until(lambda: broken.taken >= 5, TIMEOUT)
        assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("Broken works")] == [
            "Broken works again in telemetry"]
        broken.broken.set()
        assert wait_until(lambda: sum("Broken failed" in r.getMessage()
                                      for r in caplog.records) == 2, TIMEOUT)
        taken = broken.taken
        seen = frames()
        assert wait_until(lambda: frames() >= seen + 20, TIMEOUT)
        assert sum("Broken failed" in r.getMessage() for r in caplog.records) == 2
        assert broken.taken == taken
    finally:
        serve.stop()
