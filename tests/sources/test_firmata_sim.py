"""tendril's Firmata sketch (firmware/sketches/firmata) in the simulated Uno, through FirmataSource:
analog inputs follow the scenario at the board's sampling interval, digital_write drives the
simulated pin, the log exports."""

from __future__ import annotations

import json
import re
import time

import pytest
from click.testing import CliRunner
from tendril.cli import cli
from tendril.errors import TransportError
from tendril.sources import FirmataSource
from tendril.store import Store

pytestmark = pytest.mark.slow  # the simulated Uno

# A1 reads 500 for exactly 2 s of the board's time: the rows that carry it count the board's
# sampling ticks in those 2 s, however fast or slow the host and the simulator run.
SCENARIO = """
adc A0 100
adc A1 steps 0:200 3s:500 5s:800
adc A2 1023
"""


def pin_reports(events, pin: int) -> list[int]:
    """The levels the simulated board reported for an output pin, in order."""
    text = events.read_text() if events.exists() else ""
    return [int(m[1]) for m in re.finditer(rf"^pin {pin} ([01]) t=\d+ms$", text, re.MULTILINE)]


def wait_for(check, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_firmata_board_streams_the_scenario_drives_an_output_and_logs(firmata_elf, sim,
                                                                        tmp_path):
    board, events = sim(firmata_elf, SCENARIO)
    src = FirmataSource(board.port, analog_pins=(0, 1, 2), sampling_ms=40, answer_timeout=60)
    info = src.open()
    assert (info.kind, info.device_key) == ("firmata", board.port)
    assert "Firmata 2.5" in info.description and "tendril-firmata 0.2" in info.description

    rows, deadline = [], time.monotonic() + 120  # guards against a hang only
    while sum(r.values.get("A1") == 800 for r in rows) < 20 and time.monotonic() < deadline:
        rows += src.read(0.2)
    assert all(r.values.keys() == {"A0", "A1", "A2"} for r in rows)
    assert {r.values["A0"] for r in rows} == {100.0} and {r.values["A2"] for r in rows} == {1023.0}
    a1 = [r.values["A1"] for r in rows]
    assert set(a1) == {200.0, 500.0, 800.0} and a1 == sorted(a1)  # each step, once
    # SAMPLING_INTERVAL reached the board before its first report: the 2 s of board time at 500
    # hold 50 ticks of 40 ms (Firmata's default 19 ms would give 105); +-2 for where the ticks fall.
    assert 48 <= a1.count(500.0) <= 52

    # An actuator: pin 7 becomes an output (low), then goes high, then low again.
    src.digital_write(7, True)
    wait_for(lambda: pin_reports(events, 7)[-1:] == [1], what="pin 7 high")
    src.digital_write(7, False)
    wait_for(lambda: pin_reports(events, 7)[-1:] == [0], what="pin 7 low")
    assert pin_reports(events, 7) == [0, 1, 0]

    # Junk to the board (a sysex too long for its buffer, stray data bytes, a message cut by
    # a new status byte, commands it does not have): it carries on streaming and obeying.
    junk = (bytes([0xF0, 0x71]) + bytes(range(0x10, 0x7F)) * 2 + bytes([0xF7])
            + bytes([0x05, 0x7F, 0x33, 0xE3, 0x01, 0xF1, 0xF6, 0x6B, 0xF7, 0xF0, 0x55, 0xF7]))
    src.board.sp.write(junk)
    before = src.stats["rows"]
    more, deadline = [], time.monotonic() + 60
    while len(more) < 20 and time.monotonic() < deadline:
        more += src.read(0.2)
    assert [r.values for r in more] == [{"A0": 100.0, "A1": 800.0, "A2": 1023.0}] * len(more)
    assert src.stats["rows"] == before + len(more) and len(more) >= 20
    src.digital_write(7, True)
    wait_for(lambda: pin_reports(events, 7)[-1:] == [1], what="pin 7 high after the junk")

    stats = src.stats
    assert stats["rejected"] == 0 and stats["messages"] >= 3 * stats["rows"] - 2
    assert stats["bytes"] >= 3 * stats["messages"]

    db = tmp_path / "log.db"
    with Store.open(db) as store:
        sid = store.begin_source_session(info.kind, info.device_key)
        for row in rows + more:
            store.add_row(sid, row.host_time, row.values)
    out = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "jsonl",
                                   "--channel", "A1"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    logged = [json.loads(line) for line in out.stdout.splitlines()]
    assert [e["value"] for e in logged] == a1 + [800] * len(more)
    assert {e["name"] for e in logged} == {"A1"}

    # The board goes away: read says so.
    board.stop()
    with pytest.raises(TransportError, match="went away"):
        for _ in range(100):
            src.read(0.1)
    src.close()


def test_a_port_with_no_firmata_board_is_refused_with_the_reason(plotter_elf, sim):
    board, _ = sim(plotter_elf, "adc A0 1\n")  # a sketch that prints text, not Firmata
    src = FirmataSource(board.port, answer_timeout=2)
    with pytest.raises(TransportError, match="no Firmata firmware answered"):
        src.open()
    with pytest.raises(TransportError, match="cannot open /nonexistent"):
        FirmataSource("/nonexistent/ttyACM9").open()
