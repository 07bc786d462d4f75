"""Commands through serve that name a board it cannot reach: a board serve never had, a board that
went offline, and serve stopping (kill -9, or SIGTERM) while a command waits for its reply. Each is
one line on stderr after the notice, exit status 1, no traceback, and no 30 s wait. The real CLI in
subprocesses, a real mosquitto, real `tendril serve` processes, the native board on its pty (stopped
with SIGSTOP to hold a command in flight)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from ..serve.conftest import TIMEOUT, board_of, state_where
from .test_client_cli import cli, wait_runtime_lists

pytestmark = pytest.mark.slow  # serve subprocesses, a live simulated board, CLI subprocesses


def one_line(out: subprocess.CompletedProcess, words: str) -> None:
    assert out.returncode == 1, out
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("through tendril serve"), out.stderr
    assert words in lines[1] and "Traceback" not in out.stderr, out.stderr


def wait_for(check, what: str) -> None:
    end = time.monotonic() + TIMEOUT
    while not check():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.05)  # polling a file with a deadline; the deadline only matters on failure


def serve_up(start_serve, broker, watcher, port: str, board: str):
    since = watcher.count()
    serve = start_serve(broker.url, port)
    watcher.wait(state_where(lambda s: s["board"] == board and s["actuators"]["pump"]), since=since)
    wait_runtime_lists(serve.runtime, board)
    return serve, {"TENDRIL_RUNTIME_DIR": str(serve.runtime)}


def run_held(serve, fast_board, board: str, env: dict, stop) -> subprocess.CompletedProcess:
    """`tendril run pump` while the board is frozen (SIGSTOP): serve has the command and waits for
    the board; ``stop(serve)`` then stops serve under it."""
    pid = fast_board.board.proc.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "tendril.cli", "run", "pump", "--for", "2 s",
                                 "--port", fast_board.port], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
        wait_for(lambda: f"run for {board}" in serve.stderr, "serve to take the command")
        stop(serve)
        out, err = proc.communicate(timeout=120)
        assert time.monotonic() - started < 25, "the CLI waited for its reply timeout"
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    finally:
        os.kill(pid, signal.SIGCONT)


def test_unknown_offline_and_vanishing_boards_are_one_line_each(broker, watcher, fast_board,
                                                                start_serve, monkeypatch):
    from tendril.cli.monitor import _through_serve
    from tendril.errors import TendrilError

    board = board_of(fast_board.port)
    serve, env = serve_up(start_serve, broker, watcher, fast_board.port, board)
    monkeypatch.setenv("TENDRIL_RUNTIME_DIR", env["TENDRIL_RUNTIME_DIR"])
    with pytest.raises(TendrilError, match="tendril serve on testhost has no board 0badf00d"):
        _through_serve(("0badf00d",), None)  # the monitor says it too

    one_line(cli("run", "pump", "--for", "1 s", "--port", "0badf00d", env=env),
             "tendril serve on testhost has no board 0badf00d; boards online: " + board)
    via = cli("status", "--port", "0badf00d", "--via", broker.url, env={"TENDRIL_RUNTIME_DIR": "/nonexistent"})
    one_line(via, "has no board 0badf00d")

    killed = run_held(serve, fast_board, board, env, lambda s: s.proc.send_signal(signal.SIGKILL))
    one_line(killed, "run: tendril serve testhost went offline before it answered")

    serve, env = serve_up(start_serve, broker, watcher, fast_board.port, board)
    stopped = run_held(serve, fast_board, board, env, lambda s: s.proc.send_signal(signal.SIGTERM))
    assert stopped.returncode == 1 and "Traceback" not in stopped.stderr, stopped.stderr
    lines = stopped.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("tendril: run: "), stopped.stderr
    assert serve.proc.wait(TIMEOUT) == 0

    serve, env = serve_up(start_serve, broker, watcher, fast_board.port, board)
    since, port = watcher.count(), fast_board.port
    fast_board.stop()  # unplugged: serve keeps the port and says the board is offline
    watcher.wait_topic(f"tendril/{board}/availability", "offline", since=since)
    for given in (board, port):
        one_line(cli("off", "pump", "--port", given, env=env),
                 f"board {board} is offline at tendril serve on testhost")
