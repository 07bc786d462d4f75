"""`tendril export --daily`: a counting channel's rise per day (litres a day from a flow meter's
total), from a real log database: a total that climbs through two days, starts again at a reboot
and at a push, and whose first sample is only the baseline. Days are UTC here (TZ set for the run)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from tendril.cli import cli
from tendril.image import decode
from tendril.recipes import compile_recipe
from tendril.store import Store
from tendril.store.daily import daily_rises
from tendril.store.query import Sample

from ..conftest import ROOT
from .conftest import T0, hello, telemetry

FLOW = ROOT / "boards" / "recipes" / "plant-waterer-flow.toml"
TOTAL = 2  # flow_total, in the recipe's order
DAY = 86_400
MIDNIGHT = (int(T0) // DAY + 1) * DAY  # the first UTC midnight after T0 (2025-11-21)


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    import time
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _log(tmp_path):
    """Boot 1: 0.5 L before midnight, 0.3 L after; a push (the total starts again) and 0.2 L more.
    Boot 2 (a power cut): 0.4 L. Litres in thousandths, as the board sends them."""
    text = FLOW.read_text()
    image = compile_recipe(text, "uno")
    db = tmp_path / "log.db"
    points = {1: [(MIDNIGHT - 3600, 1_000), (MIDNIGHT - 60, 1_500), (MIDNIGHT + 60, 1_700),
                  (MIDNIGHT + 3600, 1_800), (MIDNIGHT + 7200, 50), (MIDNIGHT + 7300, 200)],
              2: [(MIDNIGHT + 9000, 100), (MIDNIGHT + 9100, 400)]}
    with Store.open(db) as store:
        store.record_config(7, image, "read", recipe_text=text, host_time=T0)
        for boot, rows in points.items():
            sid = store.begin_session(hello(device_id=7, boot_count=boot,
                                            recipe_hash=decode(image).recipe_hash))
            for i, (t, litres) in enumerate(rows):
                store.add_telemetry(sid, telemetry(i * 1000, 22_000, 0, litres), t, i)
    return db


def test_litres_a_day_count_restarts_and_split_at_midnight(tmp_path):
    db = _log(tmp_path)
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--daily", "--channel", "flow_total"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows == [
        {"day": "2025-11-20", "device_id": "00000007", "channel": "2", "name": "flow_total",
         "rise": "0.5", "samples": "2"},  # the first sample is the baseline
        # 0.2 + 0.1, the push: 0.05 counted since it, +0.15; the reboot: 0.1 since it, +0.3
        {"day": "2025-11-21", "device_id": "00000007", "channel": "2", "name": "flow_total",
         "rise": "0.9", "samples": "6"},
    ], rows
    jl = CliRunner().invoke(cli, ["export", "--db", str(db), "--daily", "--channel", "flow_total",
                                  "--format", "jsonl"])
    assert [json.loads(x)["rise"] for x in jl.output.splitlines()] == [0.5, 0.9]


def test_daily_needs_a_channel_and_names_a_wrong_one_in_one_line(tmp_path):
    db = _log(tmp_path)
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--daily"])
    assert result.exit_code == 2 and "--daily needs --channel" in result.output
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--daily", "--channel", "flow_totl"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "flow_totl" in result.output and len(result.output.strip().splitlines()) == 1, result.output


def test_two_boards_are_counted_apart():
    def s(dev, boot, t, v):
        return Sample(dev, boot, 1, TOTAL, "flow_total", 0, t, v, False)
    got = list(daily_rises([s(1, 1, 10, 100), s(2, 1, 11, 5_000), s(1, 1, 12, 300), s(2, 1, 13, 5_100)],
                           day_of=lambda t: "d"))
    assert sorted((d.device_id, d.rise, d.samples) for d in got) == [(1, 200, 2), (2, 100, 2)]
