"""Port discovery: which board a USB id probably is, and /dev/serial/by-id names."""

from __future__ import annotations

import json

from tendril.boards import load_board
from tendril.transport.discover import by_id_names, match_boards

from .conftest import tendril


def test_a_genuine_uno_usb_id_names_the_uno_first():
    genuine = next(u for u in load_board("uno").usb_ids if u.genuine)
    boards, what = match_boards(genuine.vid, genuine.pid)
    assert boards[0] == "uno" and what


def test_an_unknown_usb_id_names_no_board():
    assert match_boards(0x0001, 0x0002) == ((), "")
    assert match_boards(None, None) == ((), "")


def test_by_id_links_map_back_to_their_device(tmp_path):
    dev = tmp_path / "ttyACM7"
    dev.write_text("")
    (tmp_path / "by-id").mkdir()
    link = tmp_path / "by-id" / "usb-Arduino_Uno_85734323-if00"
    link.symlink_to(dev)
    assert by_id_names(tmp_path / "by-id") == {str(dev): str(link)}


def test_ports_json_lists_every_port_with_its_fields():
    result = tendril("ports", "--json")
    assert result.exit_code == 0, result.stderr
    for port in json.loads(result.stdout):
        assert {"path", "by_id", "vid_pid", "serial_number", "boards"} <= set(port)


def test_probe_names_a_tendril_board_by_its_hello(native, monkeypatch):
    import importlib

    from tendril.transport.discover import PortInfo

    ports_cli = importlib.import_module("tendril.cli.ports")  # the module, not the command

    # A pty is not a USB port, so list_ports cannot see it: hand the real board's pty to the probe.
    monkeypatch.setattr(ports_cli, "list_ports", lambda: [PortInfo(path=native.port)])
    result = tendril("ports", "--json", "--probe")
    assert result.exit_code == 0, result.stderr
    (port,) = json.loads(result.stdout)
    assert port["tendril"]["firmware"] == "tendril-native"
