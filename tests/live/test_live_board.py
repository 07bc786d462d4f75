"""LiveBoard against the native simulated board on a real pty: what the UI shows and what its
commands do, and a full disk that only delays the log."""

from __future__ import annotations

import pytest

import time

from tendril.contract import RuleState, Unit
from tendril.live import LinkState, LiveBoard, LogSink
from tendril.protocol import Log, encode
from tendril.recipes import load, parse
from tendril.sim.feeder import Feeder
from tendril.words import log_text

from .conftest import FAST_TEXT, count, fast_recipe, wait_until
from .relay import Relay


pytestmark = pytest.mark.slow  # live boards on ptys, reconnects


def live(port: str, tmp_path, **kw) -> tuple[LiveBoard, LogSink]:
    sink = LogSink.open(tmp_path / "log.db")
    board = LiveBoard(port, sink=sink, status_every=0.3, **kw).start()
    assert board.wait_online(10), board.view().error
    return board, sink


def test_a_pushed_recipe_names_channels_actuators_rules_and_params(native, tmp_path):
    board, sink = live(native.port, tmp_path)
    try:
        assert board.view().recipe == "" and board.view().board == "uno"
        outcome = board.push(fast_recipe()).result(20)
        assert outcome.generation == 1 and not outcome.already_active
        view = wait_until(lambda: (v := board.view()).actuators and v.channels[0].count and v, 10)
        assert view.recipe == "plant-waterer"
        assert view.channels[0].name == "soil"
        assert view.channels[0].unit == Unit.PERCENT and view.channels[0].value is not None
        assert [a.name for a in view.actuators] == ["pump"]
        assert {p.name for p in view.params} == {"dry_threshold", "pulse"}
        assert board.push(fast_recipe()).result(20).already_active
    finally:
        board.stop()
        sink.close()
    assert count(tmp_path / "log.db", "SELECT count(*) FROM config_history WHERE recipe_text"
                                      " IS NOT NULL") >= 1


def test_a_lease_shows_the_actuator_on_then_it_ends_on_its_own(fast_board, tmp_path):
    board, sink = live(fast_board.port, tmp_path, recipes=[fast_recipe()])
    try:
        wait_until(lambda: board.view().actuators, 10)
        board.lease(0, 1000).result(5)
        on = wait_until(lambda: (a := board.view().actuators[0]).on and a.owner.lease and a, 5)
        assert on and on.name == "pump"
        assert wait_until(lambda: not board.view().actuators[0].on, 5)
        lines = wait_until(lambda: [t for e in board.log if "lease ended" in (t := log_text(e))], 5)
        assert lines and lines[0].startswith("pump OFF")
    finally:
        board.stop()
        sink.close()


def test_set_param_is_read_back_and_pause_resume_show_in_the_flags(fast_board, tmp_path):
    board, sink = live(fast_board.port, tmp_path, recipes=[fast_recipe()])
    try:
        wait_until(lambda: board.view().params, 10)
        assert board.set_param(0, 42_000).result(5) == 42_000
        assert wait_until(lambda: board.view().params[0].value == 42_000, 5)
        board.pause().result(5)
        assert wait_until(lambda: board.view().paused, 5)
        assert wait_until(lambda: any(r.state == RuleState.PAUSED for r in board.view().rules), 5)
        board.resume().result(5)
        assert wait_until(lambda: not board.view().paused, 5)
    finally:
        board.stop()
        sink.close()


def test_pull_round_trips_the_active_recipe_with_its_names(fast_board, tmp_path):
    board, sink = live(fast_board.port, tmp_path, recipes=[fast_recipe()])
    try:
        text = board.pull().result(10)
    finally:
        board.stop()
        sink.close()
    out = tmp_path / "pulled.toml"
    out.write_text(text)
    pulled = load(out)
    assert pulled.channels[0].name == "soil" and pulled.actuators[0].name == "pump"


def test_device_log_lines_and_text_outside_frames_reach_the_log(fast_board, tmp_path):
    relay = Relay(fast_board.port, tmp_path / "by-id")
    relay.plug()
    board, sink = live(str(relay.link), tmp_path)
    try:
        # a frame, then a line of text ended by the delimiter a frame would start with
        relay.inject(encode(Log(1, "hello from the firmware"), 7) + b"booting sketch v2\n\x00")
        assert wait_until(lambda: {(e.kind, e.text) for e in board.log}
                          >= {("text", "booting sketch v2"), ("log", "hello from the firmware")}, 5)
    finally:
        board.stop()
        sink.close()
        relay.close()


def test_the_view_while_reconnecting_keeps_the_last_state_and_commands_wait(fast_board, tmp_path):
    relay = Relay(fast_board.port, tmp_path / "by-id")
    relay.plug()
    board, sink = live(str(relay.link), tmp_path, recipes=[fast_recipe()])
    try:
        wait_until(lambda: board.view().actuators, 10)
        relay.unplug()
        view = wait_until(lambda: (v := board.view()).state == LinkState.RECONNECTING and v, 5)
        assert view and view.recipe == "plant-waterer" and view.channels and view.error
        pending = board.pause()  # queued while the board is away
        time.sleep(0.5)
        assert not pending.done()
        relay.plug()
        pending.result(10)
        assert wait_until(lambda: board.view().state == LinkState.ONLINE and board.view().paused, 5)
        assert any("link lost" in e.text for e in board.log)
    finally:
        board.stop()
        sink.close()
        relay.close()


def test_a_full_disk_keeps_rows_in_memory_shows_the_error_and_writes_them_later(tmp_path):
    with Feeder(channels=4, rate_hz=200) as feeder:
        sink = LogSink.open(tmp_path / "log.db")
        board = LiveBoard(feeder.port, sink=sink).start()
        try:
            assert board.wait_online(10)
            wait_until(lambda: sink.committed > 0, 5)
            with sink.lock:  # the "disk" ends here (SQLite's page limit)
                pages = sink.store.conn.execute("PRAGMA page_count").fetchone()[0]
                sink.store.conn.execute(f"PRAGMA max_page_count={pages}")
            assert wait_until(lambda: sink.error is not None and sink.pending > 2000, 10)
            assert "full" in str(sink.error)
            with sink.lock:  # space again
                sink.store.conn.execute("PRAGMA max_page_count=1073741823")
            assert wait_until(lambda: sink.error is None and sink.pending < 1000, 5)
            feeder.finish()
            assert wait_until(lambda: count(tmp_path / "log.db") == feeder.samples_sent, 30)
        finally:
            board.stop()
            sink.close()
        assert count(tmp_path / "log.db") == feeder.samples_sent


def test_the_tuis_pull_and_load_keep_what_was_tuned(fast_board, tmp_path):
    # Seen: the TUI's pull wrote the recipe's default while the board ran a tuned value, and a
    # load of a recipe dropped the tuned value.
    board, sink = live(fast_board.port, tmp_path, recipes=[fast_recipe()])
    try:
        wait_until(lambda: board.view().params, 10)
        assert board.set_param(0, 38_000).result(5) == 38_000
        out = tmp_path / "pulled.toml"
        out.write_text(board.pull().result(10))
        assert load(out).params[0].default == 38_000
        changed = parse(FAST_TEXT.replace('default = "35 %"', 'default = "30 %"'), "basil.toml")
        outcome = board.push(changed).result(20)
        assert "dry_threshold: tuned to 38 % on the board: kept (the recipe says 30 %)" in outcome.changes
        assert wait_until(lambda: board.view().params[0].value == 38_000, 5)
    finally:
        board.stop()
        sink.close()
