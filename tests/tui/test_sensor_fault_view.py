"""A sensor's channel with no reading, end to end: a native board whose DS18B20 is unplugged
(scenario lines), a LiveBoard logging to a real SQLite file and the monitor. The card says "no
reading", the events view names the fault, and `tendril export` writes no number for the channel
(CSV, JSON lines, and an empty cell in the wide CSV) while its neighbour's samples are all there."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from tendril.cli import cli
from tendril.live import LiveBoard, LogSink
from tendril.recipes import load
from tendril.sim.runner import SimBoard, SimSpec
from tendril.tui.widgets.cards import ChannelCards, card_words

from .conftest import SIZE, run, until, wait

pytestmark = pytest.mark.slow  # the terminal UI against a simulated board

RECIPE = """\
[recipe]
name = "probe-and-door"
version = "1.0.0"
summary = "a water probe that is unplugged, and a door switch that works"
boards = ["uno"]

[sensors.probe]
kind = "ds18b20"
pin = "D3"
read_every = "1 s"

[channels.water]
sensor = "probe"

[channels.door]
pin = "D5"
kind = "digital_pullup"
"""


@pytest.fixture
def rig(tmp_path):
    path = tmp_path / "probe-and-door.toml"
    path.write_text(RECIPE)
    lines = ["ds18b20 D3 24.5", "ds18b20_fault D3 unplugged 0 10h"]
    sim = SimBoard(SimSpec(board="uno", runtime="native", eeprom=tmp_path / "board.eeprom",
                           extra=[a for line in lines for a in ("--set", line)]))
    sink = LogSink.open(tmp_path / "log.db")
    board = LiveBoard(sim.port, sink=sink).start()
    try:
        assert board.wait_online(10), board.view().error
        board.push(load(path)).result(20)
        yield board, sink, tmp_path / "log.db"
    finally:
        board.stop()
        sim.stop()
        sink.close()


def _export(db, *args) -> str:
    result = CliRunner().invoke(cli, ["export", "--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_unplugged_probe_shows_no_reading_and_its_fault_and_exports_no_number(rig):
    board, sink, db = rig

    async def scenario():
        from tendril.tui import MonitorApp
        app = MonitorApp([board], sink, db_path=db)
        async with app.run_test(size=SIZE) as pilot:
            cards = app.main.query_one(ChannelCards)
            water = lambda: next((c for c in cards.channels if c.name == "water"), None)  # noqa: E731
            await until(pilot, lambda: water() is not None and water().no_reading, 30, "water: no reading")
            assert card_words(water())[1] == "no reading"
            door = next(c for c in cards.channels if c.name == "door")
            assert not door.no_reading and card_words(door)[1] != "no reading"
            await pilot.press("e")
            log = app.main.query_one("#log-lines")
            # named by the pushed recipe, though the fault came right after the config applied
            await until(pilot, lambda: any("water: no answer from the sensor" in s.text for s in log.lines),
                        30, "the fault in the events view")
    run(scenario)
    wait(lambda: board.series_of(1).count >= 3, 30, "door samples")
    sink.flush()

    rows = list(csv.DictReader(io.StringIO(_export(db, "--format", "csv"))))
    assert rows and {r["name"] for r in rows} == {"door"}, rows[:5]  # the probe's samples: none
    lines = [json.loads(x) for x in _export(db, "--format", "jsonl").splitlines()]
    assert lines and all(x["name"] == "door" and x["value"] is not None for x in lines)
    wide = list(csv.DictReader(io.StringIO(_export(db, "--wide"))))
    assert wide and all(r.get("water", "") == "" and r["door"] != "" for r in wide), wide[:5]
    events = list(csv.DictReader(io.StringIO(_export(db, "--events"))))
    assert any(e["kind"] == "SENSOR" and "no answer" in e["text"] for e in events), events
