"""serve stopping (SIGTERM): a command that comes while it stops its boards gets a one-line refusal
that says so, not a board error. In process, with a real mosquitto and a native board."""

from __future__ import annotations

import threading

from tendril.serve.service import Options, Serve

from ..live.conftest import wait_until
from .conftest import TIMEOUT, board_of, state_where
from .test_commands import Client


def test_a_command_while_serve_stops_is_refused_as_serve_stopping(
        broker, watcher, fast_board, tmp_path, monkeypatch):
    monkeypatch.setenv("TENDRIL_RUNTIME_DIR", str(tmp_path / "runtime"))  # not the user's
    board = board_of(fast_board.port)
    serve = Serve(Options(broker=broker.url, ports=[fast_board.port], name="testhost",
                          db=tmp_path / "serve.db", hello_timeout=10))
    serve.start()
    stopper = None
    release = threading.Event()
    try:
        watcher.wait(state_where(lambda s: s["board"] == board
                                 and any(v is not None for v in s["channels"].values())))
        c = Client(watcher, board)
        assert c.send("pause") == {"command": "pause", "board": board, "id": "r1", "ok": True}
        # Keep the board's thread busy so that stop() waits for it with the MQTT link still up.
        busy = serve.live_of(board).submit(lambda s: release.wait(TIMEOUT))
        assert wait_until(busy.running, TIMEOUT)
        stopper = threading.Thread(target=serve.stop)
        stopper.start()
        assert wait_until(lambda: serve.stopping, TIMEOUT)
        reply = c.send("resume")
        assert reply["ok"] is False and reply["id"] == "r2"
        assert reply["error"] == "resume: serve is stopping; not done", reply
    finally:
        release.set()
        if stopper is not None:
            stopper.join(TIMEOUT)
        else:
            serve.stop()
    assert busy.result(TIMEOUT) is True
