"""serve with no ports scans for boards every few seconds: a board that appears is served, one
that disappears is let go (offline), and one that comes back is served again. The scan is pointed
at a folder of links to simulated boards' ptys ($TENDRIL_SERVE_SCAN_DIR)."""

from __future__ import annotations

import pytest

from .conftest import board_of, state_where

pytestmark = pytest.mark.slow  # a serve subprocess and three rescans


def test_boards_appearing_and_disappearing_are_picked_up_and_let_go(broker, watcher, fast_board,
                                                                     start_serve, tmp_path):
    board = board_of(fast_board.port)
    scan = tmp_path / "scan"
    scan.mkdir()
    start_serve(broker.url, env={"TENDRIL_SERVE_SCAN_DIR": str(scan)})
    watcher.wait_topic("tendril/serve/testhost/availability", "online")

    link = scan / "ttyACM0"
    link.symlink_to(fast_board.port)  # plugged in
    watcher.wait_topic(f"tendril/{board}/availability", "online")
    watcher.wait(state_where(lambda s: s["board"] == board))

    since = watcher.count()
    link.unlink()  # unplugged
    watcher.wait_topic(f"tendril/{board}/availability", "offline", since=since)

    since = watcher.count()
    link.symlink_to(fast_board.port)  # back
    watcher.wait_topic(f"tendril/{board}/availability", "online", since=since)
    watcher.wait(state_where(lambda s: s["board"] == board), since=since)
