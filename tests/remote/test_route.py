"""Which serve a command goes through: the local runtime file decides for a port or board id it
lists; --via names a broker and takes a board id; nothing else is routed."""

from __future__ import annotations

import os

import pytest

from tendril.errors import TendrilError
from tendril.remote import ServeClient, find_target
from tendril.remote.client import ServeUnavailable
from tendril.serve.runtime import write_runtime

from ..support.mosquitto import free_port


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("TENDRIL_RUNTIME_DIR", str(tmp_path))
    monkeypatch.delenv("TENDRIL_SERVE", raising=False)
    port = tmp_path / "ttyACM0"
    port.touch()
    link = tmp_path / "by-id-board"
    link.symlink_to(port)

    def write(pid=os.getpid(), read_only=False):
        write_runtime({"name": "pi", "pid": pid, "broker": "mqtt://127.0.0.1:1883", "prefix": "tendril",
                       "read_only": read_only,
                       "boards": {"de7a15c8": {"port": str(port), "state": "online"},
                                  "/dev/ttyUSB9": {"port": "/dev/ttyUSB9", "state": "connecting"}}})
    return write, port, link


def test_a_port_serve_owns_goes_through_it_by_path_link_or_board_id(runtime):
    write, port, link = runtime
    write()
    for given in (str(port), str(link), "de7a15c8", "DE7A15C8"):
        target = find_target(given)
        assert target is not None and target.board == "de7a15c8", given
        assert (target.broker, target.prefix, target.name) == ("mqtt://127.0.0.1:1883", "tendril", "pi")


def test_ports_serve_does_not_own_and_a_dead_serve_are_left_alone(runtime):
    write, port, _ = runtime
    write()
    assert find_target("/dev/ttyUSB0") is None
    assert find_target("/dev/ttyUSB9") is None  # listed, but not identified yet: not a board id
    write(pid=2**22 + 12345)  # a pid no process has
    assert find_target(str(port)) is None


def test_a_board_id_serve_does_not_list_goes_to_serve_to_be_told_it_is_not_there(runtime):
    write, _, _ = runtime
    write()
    target = find_target("0badf00d")  # unplugged, or never there: serve's fleet says which
    assert target is not None and target.board == "0badf00d" and target.serve == "pi"


def test_via_takes_a_board_id_and_refuses_a_path_in_one_line(runtime, monkeypatch):
    target = find_target("de7a15c8", via="mqtt://phone@broker.lan")
    assert target.board == "de7a15c8" and target.broker == "mqtt://phone@broker.lan"
    monkeypatch.setenv("TENDRIL_SERVE", "mqtt://broker.lan:1884")
    assert find_target("0badf00d").broker == "mqtt://broker.lan:1884"
    with pytest.raises(TendrilError, match="give the board id") as err:
        find_target("/dev/ttyACM0")
    assert "\n" not in str(err.value)


def test_a_read_only_serve_is_said(runtime):
    write, port, _ = runtime
    write(read_only=True)
    assert find_target(str(port)).read_only


def test_no_broker_is_one_line():
    with pytest.raises(ServeUnavailable, match="cannot connect") as err:
        ServeClient.connect(f"mqtt://127.0.0.1:{free_port()}", timeout=5)
    assert "\n" not in str(err.value)
