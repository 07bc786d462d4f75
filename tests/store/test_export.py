"""`tendril export`: CSV and JSON lines, channel names from the logged recipe, time filters."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner
from tendril.cli import cli
from tendril.store import Store

from .conftest import T0, hello, telemetry


def _log(tmp_path):
    """Two boots, three channels, 10 frames each, with the logged recipe's names known."""
    from tendril.image import decode
    from tendril.recipes import compile_recipe

    from .conftest import WATERER
    image = compile_recipe(WATERER.read_text(), "uno")
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        store.record_config(5, image, "read", recipe_text=WATERER.read_text(), host_time=T0)
        for boot in (1, 2):
            sid = store.begin_session(hello(device_id=5, boot_count=boot,
                                            recipe_hash=decode(image).recipe_hash))
            for i in range(10):
                store.add_telemetry(sid, telemetry(i * 1000, 40_000 + i, 1000 * (i % 2)),
                                    T0 + boot * 100 + i, i)
            store.add_telemetry(sid, telemetry(99_000, 812, first=0, raw=True),
                                T0 + boot * 100 + 50, 20)
    return db


def _run(*args):
    result = CliRunner().invoke(cli, ["export", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_csv_has_a_header_and_every_sample_with_names_and_units(tmp_path):
    db = _log(tmp_path)
    out = list(csv.DictReader(io.StringIO(_run("--db", str(db), "--format", "csv"))))
    assert len(out) == 2 * (10 * 2 + 1)
    first = out[0]
    assert first == {"time": "2025-11-20T00:55:00.000+00:00", "device_id": "00000005", "boot": "1",
                     "channel": "0", "name": "soil", "device_ms": "0", "value": "40.0",
                     "raw": "0"}
    assert out[1]["name"] == "tank_empty"
    raw = [r for r in out if r["raw"] == "1"]
    assert [(r["value"], r["name"]) for r in raw] == [("812", "soil")] * 2


def test_jsonl_round_trips_the_logged_values(tmp_path):
    db = _log(tmp_path)
    lines = [json.loads(x) for x in _run("--db", str(db), "--format", "jsonl").splitlines()]
    soil = [x["value"] for x in lines if x["name"] == "soil" and not x["raw"] and x["boot"] == 2]
    assert soil == [(40_000 + i) / 1000 for i in range(10)]


def test_channel_filter_takes_names_or_indexes(tmp_path):
    db = _log(tmp_path)
    by_name = _run("--db", str(db), "--format", "jsonl", "--channel", "tank_empty")
    by_index = _run("--db", str(db), "--format", "jsonl", "--channel", "1")
    assert by_name == by_index
    assert {json.loads(x)["channel"] for x in by_name.splitlines()} == {1}
    assert len(by_name.splitlines()) == 20


def test_an_unknown_channel_name_is_one_clear_line(tmp_path):
    db = _log(tmp_path)
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--channel", "humidity"])
    assert result.exit_code == 1
    assert "no channel named 'humidity'" in result.output
    assert "soil" in result.output
    assert "time,device_id" not in result.output  # refused before writing anything


def test_a_time_that_is_not_a_time_is_one_clear_line(tmp_path):
    db = _log(tmp_path)
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--since", "last tuesday"])
    assert result.exit_code == 1
    assert "not a time: 'last tuesday'" in result.output


def test_since_and_until_cut_by_host_time(tmp_path):
    db = _log(tmp_path)
    since = "2025-11-20T00:56:42+00:00"  # T0 + 102
    until = "2025-11-20T00:56:45+00:00"  # T0 + 105
    lines = _run("--db", str(db), "--format", "jsonl", "--channel", "soil", "--since", since,
                 "--until", until).splitlines()
    assert [json.loads(x)["device_ms"] for x in lines] == [2000, 3000, 4000]


def test_relative_since_and_output_file(tmp_path):
    db = _log(tmp_path)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--since", "-1h", "-o", str(out)])
    assert result.exit_code == 0
    assert "0 samples written" in result.output  # the synthetic log is from 2025
    assert out.read_text().splitlines() == ["time,device_id,boot,channel,name,device_ms,value,raw"]


def test_events_export_with_kinds_and_words_from_the_logged_recipe(tmp_path):
    from tendril.contract import EventKind, OffReason

    from .conftest import event
    db = _log(tmp_path)
    with Store.open(db) as store:
        sid = store.conn.execute("SELECT id FROM sessions WHERE boot_count = 2").fetchone()[0]
        store.add_event(sid, event(5_000, EventKind.ACT_ON, a=0, b=0, c=0, value=255), T0 + 205, 30)
        store.add_event(sid, event(9_000, EventKind.ACT_OFF, a=0, b=OffReason.RULE_DONE, c=0,
                                   value=4_000), T0 + 209, 31)
        store.add_event(sid, event(9_500, EventKind.PARAM, a=1, b=0, c=255, value=6_000), T0 + 210, 32)
    out = list(csv.DictReader(io.StringIO(_run("--db", str(db), "--events"))))
    assert [(r["boot"], r["device_ms"], r["kind"], r["value"]) for r in out] == [
        ("2", "5000", "ACT_ON", "255"), ("2", "9000", "ACT_OFF", "4000"), ("2", "9500", "PARAM", "6000")]
    assert [r["text"] for r in out] == [
        "pump ON (rule water)", "pump OFF after 4 s: rule done", "pulse set to 6 s"]  # in its unit
    lines = _run("--db", str(db), "--events", "--format", "jsonl", "--since", "2025-11-20T00:56:50Z")
    assert [json.loads(x)["kind"] for x in lines.splitlines()] == ["PARAM"]
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--events", "--channel", "soil"])
    assert result.exit_code == 2 and "does not go with --events" in result.output


def test_a_missing_database_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(cli, ["export", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "no such log database" in result.output
    assert not (tmp_path / "none.db").exists()


def test_export_streams_rows_instead_of_loading_the_log(tmp_path):
    from tendril.store import iter_samples
    db = _log(tmp_path)
    with Store.open(db) as store:
        it = iter_samples(store.conn)
        assert next(it).value == 40_000  # a generator: rows come one at a time from the cursor
        assert type(it).__name__ == "generator"


def test_the_store_imports_no_cli_tui_or_serial_code():
    from ..support.imports import loaded_by

    assert loaded_by(["tendril.store", "tendril.store.replay", "tendril.store.export"],
                     ["click", "textual", "serial", "rich"]) == []


def test_a_board_that_booted_empty_is_named_by_the_recipe_pushed_to_it_after(tmp_path):
    """The demo's case: the board says hello with no config (a zero hash), then gets the recipe."""
    from tendril.contract import EventKind
    from tendril.recipes import compile_recipe

    from .conftest import WATERER, event
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        sid = store.begin_session(hello(device_id=9, boot_count=1, recipe_hash=bytes(8)), host_time=T0)
        store.record_config(9, compile_recipe(WATERER.read_text(), "uno"), "pushed",
                            recipe_text=WATERER.read_text(), host_time=T0 + 1)
        store.add_telemetry(sid, telemetry(2_000, 33_000, 0), T0 + 2, 1)
        store.add_event(sid, event(3_000, EventKind.ACT_ON, a=0, b=1, c=0), T0 + 3, 2)
    samples = list(csv.DictReader(io.StringIO(_run("--db", str(db)))))
    assert [r["name"] for r in samples] == ["soil", "tank_empty"]
    events = list(csv.DictReader(io.StringIO(_run("--db", str(db), "--events"))))
    assert [r["text"] for r in events] == ["pump ON (rule water)"]
