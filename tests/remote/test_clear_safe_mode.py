"""Safe mode cleared through serve: over MQTT (clear_safe_mode) and with `tendril clear-safe-mode`
(the real CLI in a subprocess), while serve keeps the port."""

from __future__ import annotations

import json

import pytest

from .conftest import broker, start_serve, watcher  # noqa: F401 - fixtures
from .test_client_cli import cli, wait_runtime_lists
from ..live.conftest import push_fast
from ..serve.conftest import board_of, state_where
from ..support.boards import Boards

pytestmark = pytest.mark.slow  # a serve subprocess and a live simulated board


def in_safe_mode(tmp_path) -> Boards:
    """A native board with the fast recipe, started again with its EEPROM's safe-mode flag set
    (the system record's byte 3, bit 0: what three quick watchdog resets leave)."""
    b = Boards(tmp_path, "native")
    b.start()
    push_fast(b.port)
    b.stop()
    eeprom = tmp_path / "board.eeprom"
    data = bytearray(eeprom.read_bytes())
    assert data[:2] == b"TS", "not a tendril system record"
    data[3] |= 0x01
    eeprom.write_bytes(bytes(data))
    b.start()
    return b


def test_safe_mode_is_cleared_over_mqtt_and_by_the_cli_through_serve(broker, watcher, start_serve,
                                                                       tmp_path):
    b = in_safe_mode(tmp_path)
    try:
        board = board_of(b.port)
        serve = start_serve(broker.url, b.port)
        watcher.wait(state_where(lambda s: s["board"] == board and s["safe_mode"] is True))

        since = watcher.count()
        watcher.publish(f"tendril/{board}/cmd/clear_safe_mode", json.dumps({"id": 7}))
        _, text, _ = watcher.wait_topic(f"tendril/{board}/response", since=since)
        answer = json.loads(text)
        assert (answer["command"], answer["id"], answer["ok"]) == ("clear_safe_mode", 7, True)
        watcher.wait(state_where(lambda s: s["board"] == board and s["safe_mode"] is False),
                     since=since)

        # Back in safe mode (a power cycle with the flag set), then the CLI through serve.
        serve.stop()
        b.stop()
        eeprom = tmp_path / "board.eeprom"
        data = bytearray(eeprom.read_bytes())
        data[3] |= 0x01
        eeprom.write_bytes(bytes(data))
        b.start()
        serve = start_serve(broker.url, b.port)
        since = watcher.count()
        watcher.wait(state_where(lambda s: s["board"] == board and s["safe_mode"] is True),
                     since=since)
        wait_runtime_lists(serve.runtime, board)
        env = {"TENDRIL_RUNTIME_DIR": str(serve.runtime)}
        done = cli("clear-safe-mode", "--port", b.port, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "safe mode cleared"
        watcher.wait(state_where(lambda s: s["board"] == board and s["safe_mode"] is False),
                     since=since)
    finally:
        b.stop()
