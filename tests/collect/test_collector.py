"""A board's thread feeds its own log (db A) and the broker through one FanOut; a collector on the
broker writes db B. B ends up with what A holds: sessions, every sample (device time, host time,
value), events, and the recipe text of each boot."""

from __future__ import annotations

import pytest

from tendril.boards import load_board
from tendril.collect import FramesSink
from tendril.collect.collector import FrameLogger
from tendril.live import FanOut, LiveBoard, LogSink
from tendril.mqtt import frames
from tendril.mqtt.frames import Record
from tendril.recipes import compile_recipe

from ..live.conftest import fast_recipe
from ..store.conftest import event, hello, telemetry
from .conftest import collector, content, publisher, wait_for


def drive(sim, board: LiveBoard, ms: int) -> None:
    """Run ``ms`` board ms and wait until the LiveBoard has read the last TELEMETRY of it."""
    target = sim.clock.run(ms)
    wait_for(lambda: board.device_ms is not None and board.device_ms >= target - 100,
             what=f"the board's telemetry up to {target} ms")


def finish(board: LiveBoard, fan: FanOut, log_a: LogSink) -> None:
    board.stop()
    fan.flush()
    assert not fan.errors, fan.errors


def same_content(db_a, c) -> dict:
    a = content(db_a)
    assert a["samples"], "db A holds no samples: the test proves nothing"

    def logged() -> bool:
        c.tick()  # commit what came (the CLI's loop does this)
        return len(content(c.logger.sink.path)["samples"]) >= len(a["samples"])
    wait_for(logged, what="the collector's samples")
    assert content(c.logger.sink.path) == a
    return a


@pytest.mark.slow
def test_a_collector_logs_what_the_local_log_holds(held_board, broker, tmp_path):
    with publisher(broker.url) as (publish, _), collector(broker.url, tmp_path / "b.db") as c:
        log_a = LogSink.open(tmp_path / "a.db")
        fan = FanOut([log_a, FramesSink(publish)])
        board = LiveBoard(held_board.port, sink=fan, recipes=[fast_recipe()],
                          status_every=0.3).start()
        try:
            assert board.wait_online(10), board.view().error
            drive(held_board, board, 2000)
            board.lease(0, 1000).result(10)  # events: the pump on, then off
            drive(held_board, board, 3000)
        finally:
            finish(board, fan, log_a)
        log_a.close()
        a = same_content(tmp_path / "a.db", c)
        assert len(a["samples"]) >= 40 and len(a["events"]) >= 2
        assert a["recipes"] == [fast_recipe().text]
        assert c.logger.malformed == 0


@pytest.mark.slow
def test_frames_queued_while_the_collector_is_away_are_logged_when_it_is_back(held_board, broker,
                                                                              tmp_path):
    with collector(broker.url, tmp_path / "b.db", name="away") as c:
        pass  # its persistent session (and subscription) now lives on the broker
    with publisher(broker.url) as (publish, _):
        log_a = LogSink.open(tmp_path / "a.db")
        fan = FanOut([log_a, FramesSink(publish)])
        board = LiveBoard(held_board.port, sink=fan, recipes=[fast_recipe()]).start()
        try:
            assert board.wait_online(10), board.view().error
            drive(held_board, board, 2000)
            with collector(broker.url, tmp_path / "b.db", name="away") as c:  # back for a while
                wait_for(lambda: c.logger.samples >= 20, what="the queued samples")
            drive(held_board, board, 3000)  # away again, the broker queues
        finally:
            finish(board, fan, log_a)
        log_a.close()
    with collector(broker.url, tmp_path / "b.db", name="away") as c:
        same_content(tmp_path / "a.db", c)
        assert any("session resumed" in line for line in c.lines)


@pytest.mark.slow
def test_a_broker_restart_loses_nothing_it_had(held_board, broker, tmp_path):
    with publisher(broker.url) as (publish, client), collector(broker.url, tmp_path / "b.db") as c:
        log_a = LogSink.open(tmp_path / "a.db")
        fan = FanOut([log_a, FramesSink(publish)])
        board = LiveBoard(held_board.port, sink=fan, recipes=[fast_recipe()]).start()
        try:
            assert board.wait_online(10), board.view().error
            drive(held_board, board, 2000)
            wait_for(lambda: c.logger.samples >= 20, what="samples before the restart")
            broker.stop()
            drive(held_board, board, 1000)  # published while the broker is away: paho holds them
            broker.start()
            wait_for(c.subscribed.is_set, what="the collector back on the broker")
            drive(held_board, board, 2000)
        finally:
            finish(board, fan, log_a)
        log_a.close()
        same_content(tmp_path / "a.db", c)


def test_duplicates_and_garbage_are_not_logged_twice_and_do_not_stop_the_log(tmp_path):
    sink = LogSink.open(tmp_path / "b.db")
    lines: list[str] = []
    logger = FrameLogger(sink, say=lines.append)
    board = (0xC0FFEE, 7)
    recs = [Record(frames.HELLO, 100.0, 0, board, 5, 1, msg=hello())]
    recs += [Record(frames.TELEMETRY, 100.0 + i, i, board, 5, 2 + i, msg=telemetry(i * 100, i))
             for i in range(10)]
    recs.append(Record(frames.EVENT, 111.0, 10, board, 5, 12, msg=event(1000)))
    image = compile_recipe(fast_recipe(), load_board("uno"))
    recs.append(Record(frames.CONFIG, 112.0, 0, board, 5, 13, direction="read", image=image,
                       text=fast_recipe().text))
    for r in recs:
        logger.feed("tendril/00c0ffee/frames", frames.encode(r))
        logger.feed("tendril/00c0ffee/frames", frames.encode(r))  # QoS 1 delivered it twice
        logger.feed("tendril/00c0ffee/frames", b"TR\x01\x02 garbage")
    sink.close()
    assert (logger.samples, logger.events, logger.duplicates, logger.malformed) == (10, 1, 13, 13)
    assert len(lines) == 13 and all("tendril/00c0ffee/frames: frames record" in x for x in lines)
    got = content(tmp_path / "b.db")
    assert [s[4] for s in got["samples"]] == [i * 100 for i in range(10)]
    assert len(got["events"]) == 1 and len(got["sessions"]) == 1


def test_a_record_the_log_refuses_is_counted_and_the_rest_goes_on(tmp_path):
    sink = LogSink.open(tmp_path / "b.db")
    lines: list[str] = []
    logger = FrameLogger(sink, say=lines.append)
    board = (0xC0FFEE, 7)
    logger.feed("t", frames.encode(Record(frames.HELLO, 1.0, 0, board, 1, 1, msg=hello())))
    logger.feed("t", frames.encode(Record(frames.CONFIG, 1.0, 0, board, 1, 2, direction="read",
                                          image=b"\x01\x02")))
    logger.feed("t", frames.encode(Record(frames.TELEMETRY, 1.0, 1, board, 1, 3,
                                          msg=telemetry(5, 5))))
    sink.close()
    assert logger.malformed == 1 and logger.samples == 1
    assert len(lines) == 1 and "config record refused" in lines[0] and "\n" not in lines[0]


def test_records_before_their_hello_wait_for_it(tmp_path):
    sink = LogSink.open(tmp_path / "b.db")
    logger = FrameLogger(sink)
    board = (0xC0FFEE, 7)
    for i in range(5):
        logger.feed("t", frames.encode(Record(frames.TELEMETRY, 1.0, i, board, 1, 10 + i,
                                              msg=telemetry(i, i))))
    assert logger.samples == 0 and len(logger.held[board]) == 5
    logger.feed("t", frames.encode(Record(frames.HELLO, 1.0, 0, board, 1, 20, msg=hello())))
    assert logger.samples == 5 and not logger.held
    sink.close()
    assert len(content(tmp_path / "b.db")["samples"]) == 5
