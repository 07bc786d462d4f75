"""`tendril replay`: a changed recipe replayed on logged data waters at different times."""

from __future__ import annotations

import pytest

import json

from click.testing import CliRunner
from tendril.cli import cli
from tendril.image import decode
from tendril.recipes import compile_recipe, load
from tendril.store import Store
from tendril.store.replay import replay

from .conftest import T0, WATERER, hello, telemetry


pytestmark = pytest.mark.slow  # days of replays through the engine


def _variant(tmp_path, old: str, new: str):
    text = WATERER.read_text()
    assert old in text
    path = tmp_path / "variant.toml"
    path.write_text(text.replace(old, new))
    return path


def _replay(db, recipe_path):
    recipe = load(recipe_path)
    image = decode(compile_recipe(recipe, "uno"))
    with Store.open(db) as store:
        return replay(store.conn, image, recipe)


def test_the_logged_recipe_waters_when_the_soil_has_been_below_35_percent_for_5_s(waterer_log):
    db, _ = waterer_log
    runs = _replay(db, WATERER).runs
    # The soil falls below 35 % after 15,000 s; `for = "5 s"` holds it until the sample at 15,006.
    assert runs[0].start == T0 + 15_006
    assert (runs[0].actuator, runs[0].rule, runs[0].duration_s) == ("pump", "water", 4.0)
    # Then every 4 s pulse + 2 min cooldown while dry: 124 s apart.
    assert runs[1].start - runs[0].start == 124
    assert all(r.ended for r in runs)


def test_a_higher_threshold_waters_earlier_on_the_same_data(waterer_log):
    db, _ = waterer_log
    base = _replay(db, WATERER).runs
    wetter = _replay(db, _variant(db.parent, 'default = "35 %"', 'default = "40 %"')).runs
    assert wetter[0].start == T0 + 12_006  # below 40 % after 12,000 s, held for 5 s
    assert len(wetter) > len(base)
    drier = _replay(db, _variant(db.parent, 'default = "35 %"', 'default = "25 %"')).runs
    assert drier == []  # the log never goes below 30 %


def test_a_longer_pulse_changes_durations_and_spacing(waterer_log):
    db, _ = waterer_log
    runs = _replay(db, _variant(db.parent, 'default = "4 s"', 'default = "9 s"')).runs
    assert runs[0].start == T0 + 15_006
    assert runs[1].start - runs[0].start == 129
    # 33 full pulses, then the 5 min daily cap cuts the 34th to 3 s: 300 s of pumping in total.
    assert [r.duration_s for r in runs[:34]] == [9.0] * 33 + [3.0]


def test_the_interlock_channel_is_replayed_too(tmp_path):
    recipe = load(WATERER)
    image = compile_recipe(recipe, "uno")
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        store.record_config(1, image, "pushed", recipe_text=WATERER.read_text(), host_time=T0)
        sid = store.begin_session(hello(device_id=1, recipe_hash=decode(image).recipe_hash))
        for s in range(600):  # dry soil all along; the tank is empty for the first 300 s
            store.add_telemetry(sid, telemetry(s * 1000, 20_000, 1000 if s < 300 else 0),
                                T0 + s, s)
    runs = _replay(db, WATERER).runs
    assert runs[0].start >= T0 + 300


def test_raw_telemetry_goes_through_the_new_recipes_calibration(tmp_path):
    db = tmp_path / "log.db"
    with Store.open(db) as store:  # no recipe known: channels match by index
        sid = store.begin_session(hello(device_id=2))
        # 600 counts is 44.4 % with the 800 -> 0 %, 350 -> 100 % calibration; the float switch pin
        # reads 1 (open: the tank has water).
        for s in range(120):
            store.add_telemetry(sid, telemetry(s * 1000, 600, 1, raw=True), T0 + s, s)
    assert _replay(db, WATERER).runs == []
    # A recipe calibrated so that 600 counts reads drier than 35 % waters.
    moved = _variant(tmp_path, 'uno = [{ reading = 800, value = "0 %" }, { reading = 350',
                     'uno = [{ reading = 650, value = "0 %" }, { reading = 350')
    result = _replay(db, moved)
    assert result.raw_channels == {"soil", "tank_empty"}
    assert result.runs[0].start == T0 + 5  # 16.7 % from the first sample, held 5 s
    assert result.runs[0].duration_s == 4.0


def test_replay_command_prints_runs_in_words_and_json(waterer_log, tmp_path):
    db, _ = waterer_log
    variant = _variant(tmp_path, 'default = "35 %"', 'default = "40 %"')
    words = CliRunner().invoke(cli, ["replay", str(variant), "--db", str(db),
                                     "--until", "2025-11-20T04:15:00+00:00"])
    assert words.exit_code == 0, words.output
    lines = words.output.splitlines()
    assert lines[0].startswith("plant-waterer on uno: ")
    assert lines[1].endswith("pump for 4 s by rule water")
    as_json = CliRunner().invoke(cli, ["replay", str(variant), "--db", str(db), "--json"])
    assert as_json.exit_code == 0, as_json.output
    doc = json.loads(as_json.output)
    assert doc["board"] == "uno" and doc["samples"] == 2 * 12 * 3600
    assert doc["runs"][0] == {"actuator": "pump", "rule": "water",
                              "start": "2025-11-20T04:13:26.000+00:00", "duration_s": 4.0,
                              "ended": True, "device_id": "00c0ffee", "session": 1}


def test_replay_of_an_empty_window_says_nothing_would_run(waterer_log):
    db, _ = waterer_log
    result = CliRunner().invoke(cli, ["replay", str(WATERER), "--db", str(db), "--since", "-1h"])
    assert result.exit_code == 0
    assert "no actuator would have run" in result.output


def test_replay_guesses_the_board_past_a_plotter_board_in_the_same_log(waterer_log):
    db, _ = waterer_log
    with Store.open(db) as store:  # a Serial Plotter sketch logged into the same file
        sid = store.begin_source_session("plotter", "/dev/ttyUSB7", host_time=T0)
        store.add_row(sid, T0 + 1, {"soil": 40.5})
    done = CliRunner().invoke(cli, ["replay", str(WATERER), "--db", str(db), "--json"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.output)
    assert doc["board"] == "uno" and doc["samples"] == 2 * 12 * 3600


def test_set_replays_a_changed_parameter_without_editing_the_recipe(waterer_log, tmp_path):
    db, _ = waterer_log
    edited = _variant(tmp_path, 'default = "35 %"', 'default = "40 %"')
    by_file = CliRunner().invoke(cli, ["replay", str(edited), "--db", str(db), "--json"])
    by_set = CliRunner().invoke(cli, ["replay", str(WATERER), "--db", str(db), "--json",
                                      "--set", "dry_threshold=40 %"])
    assert by_set.exit_code == 0, by_set.output
    assert json.loads(by_set.output)["runs"] == json.loads(by_file.output)["runs"]
    words = CliRunner().invoke(cli, ["replay", str(WATERER), "--db", str(db), "--set", "pulse=9 s",
                                     "--until", "2025-11-20T05:10:00+00:00"])
    assert words.output.startswith("plant-waterer with pulse=9 s on uno: "), words.output
    assert "pump for 9 s by rule water" in words.output
    out_of_range = CliRunner().invoke(cli, ["replay", str(WATERER), "--db", str(db),
                                            "--set", "dry_threshold=95 %"])
    assert out_of_range.exit_code == 1
    assert "dry_threshold: 95 % is outside 10 % .. 80 %" in out_of_range.output
    unknown = CliRunner().invoke(cli, ["replay", str(WATERER), "--db", str(db), "--set", "speed=3"])
    assert unknown.exit_code == 1 and "no parameter named 'speed'" in unknown.output


def test_a_fast_boards_log_replays_on_the_hosts_clock_beside_what_it_did(tmp_path):
    # Seen: data logged from a `tendril sim --fast` board (board time ~1000x the host's) replayed
    # with times hours in the future, and without what the board really did.
    from tendril.contract import EventKind
    from .conftest import event

    recipe = load(WATERER)
    image = compile_recipe(recipe, "uno")
    db = tmp_path / "log.db"
    seconds = 3 * 3600
    with Store.open(db) as store:
        store.record_config(1, image, "pushed", recipe_text=WATERER.read_text(), host_time=T0)
        sid = store.begin_session(hello(device_id=1, recipe_hash=decode(image).recipe_hash), host_time=T0)
        seq = 0
        for s in range(seconds):  # three board hours of dry soil in 10.8 host seconds
            store.add_telemetry(sid, telemetry(s * 1000, 20_000, 0), T0 + s / 1000, seq)
            seq += 1
            if s == 10:
                store.add_event(sid, event(s * 1000, EventKind.ACT_ON, 0, 0, 0, 255), T0 + s / 1000, seq)
                seq += 1
            if s == 14:
                store.add_event(sid, event(s * 1000, EventKind.ACT_OFF, 0, 1, 0, 4000), T0 + s / 1000, seq)
                seq += 1
    last = T0 + (seconds - 1) / 1000
    result = _replay(db, WATERER)
    assert len(result.runs) > 10
    assert all(T0 <= r.start <= last for r in result.runs)
    assert [(r.actuator, r.rule, r.duration_s) for r in result.logged] == [("pump", "water", 4.0)]
    replayed, logged = result.totals()["pump"]
    assert logged == 4.0 and replayed == sum(r.duration_s for r in result.runs)
    words = CliRunner().invoke(cli, ["replay", str(WATERER), "--db", str(db)])
    assert words.exit_code == 0, words.output
    assert "what the board really did (logged):" in words.output
    assert f"pump total: {replayed:g} s replayed, 4 s logged" in words.output
