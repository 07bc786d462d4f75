"""serve's `scan` command, the pure parts: the payload checked before anything reaches a board, and
the reply (session.scan.Scanned as JSON) read back into what the CLI prints."""

from __future__ import annotations

import pytest
from tendril.contract import ScanResult
from tendril.errors import TendrilError
from tendril.mqtt.commands import CommandRefused, ScanBuses, parse
from tendril.session.scan import BusScan, Scanned, probe_snippets

DS18B20 = bytes.fromhex("28ab89674523015a")
DS18S20 = bytes.fromhex("1014c60b00000056")


@pytest.mark.parametrize("payload, pins", [(b"", ()), (b"{}", ()), (b'{"pins": ["D3", "D4"], "id": 7}', ("D3", "D4"))])
def test_a_scan_needs_no_recipe_and_takes_pin_names(payload, pins):
    command = parse(None, "scan", payload)
    assert command.request == ScanBuses(pins)


@pytest.mark.parametrize("payload, words", [
    (b'{"pins": "D3"}', "pins must be a list"),
    (b'{"pins": [3]}', "pins must be a list"),
    (b'{"pins": [""]}', "pins must be a list"),
    (b'{"pins": ["D3"], "rom": 1}', "unknown key 'rom'"),
    (b'[1]', "expected a JSON object"),
])
def test_a_bad_scan_payload_is_one_line(payload, words):
    with pytest.raises(CommandRefused, match=words) as err:
        parse(None, "scan", payload)
    assert "\n" not in err.value.reason


def test_the_reply_reads_back_to_what_was_found_with_the_snippets():
    found = Scanned(("D3", "D5"), (("D3", BusScan(3, ScanResult.OK, (DS18S20, DS18B20))),
                                   ("D5", BusScan(5, ScanResult.HELD_LOW, ())),
                                   ("D6", BusScan(6, 9, ()))))  # a result this tendril cannot name
    body = found.json()
    assert body["buses"][1]["result"] == "held_low" and body["buses"][2]["result"] == 9
    assert body["snippet"] == "\n".join(probe_snippets(found))
    assert 'rom = "28ab89674523015a"' in body["snippet"] and "1014" not in body["snippet"]
    assert Scanned.of_json(body) == found


def test_a_reply_that_is_not_a_scan_is_one_line():
    with pytest.raises(TendrilError, match="not serve's") as err:
        Scanned.of_json({"searched": ["D3"], "buses": [{"pin": "D3", "codes": ["zz"]}]})
    assert "\n" not in str(err.value)
