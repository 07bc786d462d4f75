"""The sink seam: a board's thread hands what it hears to one Sink; a FanOut feeds several, and
one sink's trouble (a bug, a full disk) stops neither the others nor the board."""

from __future__ import annotations

import pytest

from tendril.live import FanOut, LiveBoard, LogSink, Sink
from tendril.mqtt.state import BoardState
from tendril.sim.feeder import Feeder

from ..store.conftest import event, hello, telemetry
from .conftest import count, fast_recipe, wait_until


class Broken(Sink):
    """A sink whose every call fails (an MQTT client gone, a bug)."""

    def begin_session(self, hello):
        raise RuntimeError("broken begin")

    def telemetry(self, session, msg, host_time, seq):
        raise RuntimeError("broken telemetry")

    def event(self, session, msg, host_time, seq):
        raise RuntimeError("broken event")

    def flush_due(self):
        raise OSError("broken flush")


class Counting(Sink):
    """What a monitor would keep: how many samples and events it was handed, per session."""

    def __init__(self) -> None:
        self.samples = 0
        self.events = 0
        self.sessions: list[object] = []

    def begin_session(self, hello):
        self.sessions.append(("boot", hello.device_id, hello.boot_count))
        return len(self.sessions)

    def telemetry(self, session, msg, host_time, seq):
        assert session == len(self.sessions)  # its own session value comes back
        self.samples += len(msg.values)

    def event(self, session, msg, host_time, seq):
        self.events += 1


class State(Sink):
    """The retained MQTT state of one board (mqtt.state.BoardState) fed through the seam: what an
    MQTT sink will keep, without a broker."""

    def __init__(self, board: str) -> None:
        self.board = board
        self.state: BoardState | None = None
        self._hello = None

    def begin_session(self, hello):
        self._hello = hello
        return hello.device_id

    def recipe(self, session, recipe):
        self.state = BoardState(self.board, recipe) if recipe is not None else None
        if self.state is not None:
            self.state.hello(self._hello)

    def telemetry(self, session, msg, host_time, seq):
        if self.state is not None:
            self.state.telemetry(msg)

    def event(self, session, msg, host_time, seq):
        if self.state is not None:
            self.state.event(msg)

    def status(self, session, page):
        if self.state is not None:
            self.state.status(page)

    def params(self, session, msg):
        if self.state is not None:
            self.state.params_msg(msg)


def test_a_failing_sink_stops_neither_the_log_nor_the_others(tmp_path):
    log = LogSink.open(tmp_path / "log.db")
    counting = Counting()
    fan = FanOut([Broken(), log, counting])
    session = fan.begin_session(hello())
    assert session[0] is None and isinstance(session[1], int) and session[2] == 1
    for i in range(50):
        fan.telemetry(session, telemetry(i * 100, 35_000 + i, 0), 1000.0 + i / 10, i)
    assert "broken telemetry" in str(fan.errors[0])  # kept: the last error of that sink
    fan.event(session, event(5000), 1005.0, 50)
    fan.flush_due()
    assert fan.flush() == 101  # the log's rows: 100 samples and 1 event
    fan.close()
    assert "broken flush" in str(fan.errors[0]) and set(fan.errors) == {0}
    assert counting.samples == 100 and counting.events == 1
    assert count(tmp_path / "log.db") == 100


def test_recipe_text_comes_from_the_sink_that_remembers_it(tmp_path):
    from tendril.boards import load_board
    from tendril.image import recipe_hash
    from tendril.recipes import compile_recipe

    recipe = fast_recipe()
    image = compile_recipe(recipe, load_board("uno"))
    log = LogSink.open(tmp_path / "log.db")
    try:
        log.config(0xC0FFEE, image, "pushed", recipe_text=recipe.text)
        fan = FanOut([Sink(), Broken(), log])
        assert fan.recipe_text(0xC0FFEE, recipe_hash(image)) == recipe.text
        assert fan.recipe_text(0xBEEF, recipe_hash(image)) is None
    finally:
        log.close()


@pytest.mark.slow
def test_a_native_board_feeds_the_log_and_the_mqtt_state_through_one_fan_out(fast_board, tmp_path):
    log = LogSink.open(tmp_path / "log.db")
    state = State("balcony")
    fan = FanOut([log, state, Broken()])
    board = LiveBoard(fast_board.port, sink=fan, recipes=[fast_recipe()], status_every=0.3).start()
    try:
        assert board.wait_online(10), board.view().error
        wait_until(lambda: board.view().actuators, 10)
        board.lease(0, 1000).result(5)

        def leased():
            s = state.state
            return s is not None and s.actuator_state.get("pump", {}).get("by") == "lease"
        assert wait_until(leased, 5)
        assert wait_until(lambda: not board.view().actuators[0].on, 5)
        payload = wait_until(lambda: (p := state.state.payload())["parameters"]["pulse"] is not None
                             and p["channels"]["soil"] is not None and p, 5)
        assert payload["recipe"] == "plant-waterer" and payload["board"] == "balcony"
        assert payload["firmware"].startswith("tendril")
        assert set(payload["parameters"]) == {"dry_threshold", "pulse"}
        assert payload["units"]["soil"] == "%"
        view = board.view()
        assert payload["channels"]["soil"] == pytest.approx(view.channels[0].value, abs=5)
        assert board.view().state == "online"  # the broken sink never stopped the thread
    finally:
        board.stop()
        fan.close()
    assert set(fan.errors) == {2}
    assert board.session_ids and all(len(s) == 3 for s in board.session_ids)
    assert count(tmp_path / "log.db") == board.rows - board.events


@pytest.mark.slow
def test_a_full_disk_behind_a_fan_out_holds_rows_while_the_others_keep_getting_them(tmp_path):
    with Feeder(channels=4, rate_hz=200) as feeder:
        log = LogSink.open(tmp_path / "log.db")
        counting = Counting()
        board = LiveBoard(feeder.port, sink=FanOut([log, counting])).start()
        try:
            assert board.wait_online(10)
            wait_until(lambda: log.committed > 0, 5)
            with log.lock:  # the "disk" ends here (SQLite's page limit)
                pages = log.store.conn.execute("PRAGMA page_count").fetchone()[0]
                log.store.conn.execute(f"PRAGMA max_page_count={pages}")
            assert wait_until(lambda: log.error is not None and log.pending > 2000, 10)
            during = counting.samples
            assert wait_until(lambda: counting.samples > during + 1000, 10)  # the monitor goes on
            with log.lock:  # space again
                log.store.conn.execute("PRAGMA max_page_count=1073741823")
            assert wait_until(lambda: log.error is None and log.pending < 1000, 5)
            feeder.finish()
            assert wait_until(lambda: count(tmp_path / "log.db") == feeder.samples_sent, 30)
        finally:
            board.stop()
            log.close()
        assert count(tmp_path / "log.db") == feeder.samples_sent == counting.samples


def test_a_log_that_cannot_flush_is_let_go_without_losing_what_was_committed(tmp_path):
    from tendril.errors import StorageError

    log = LogSink.open(tmp_path / "log.db")
    session = log.begin_session(hello())
    log.telemetry(session, telemetry(0, 35_000), 1000.0, 0)
    assert log.flush() == 1
    with log.lock:  # the "disk" ends here (SQLite's page limit)
        pages = log.store.conn.execute("PRAGMA page_count").fetchone()[0]
        log.store.conn.execute(f"PRAGMA max_page_count={pages}")
    for i in range(1, 20_000):  # more than the free pages hold
        values = tuple((i * 7919 + k * 104_729) % 1_000_000 for k in range(8))
        log.telemetry(session, telemetry(i * 100, *values), 1000.0 + i / 10, i)
    with pytest.raises(StorageError):
        log.flush()
    assert log.rows_since([session], 1000.0) == 1
    log.abandon()
    assert count(tmp_path / "log.db") == 1
