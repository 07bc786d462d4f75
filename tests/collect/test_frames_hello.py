"""One FramesSink carries many boards (serve has one for all): a collector that subscribes after the
boards' first HELLOs still opens every board's session from its repeated HELLO, and a board's
CONFIG record names its own boot. A real mosquitto and the real collector."""

from __future__ import annotations

from tendril.collect import FramesSink
from tendril.mqtt import frames

from ..store.conftest import hello, telemetry
from .conftest import collector, content, publisher, wait_for


def test_each_board_says_hello_again_for_a_late_collector(broker, tmp_path):
    with publisher(broker.url) as (publish, _):
        infos = []
        sink = FramesSink(lambda topic, payload: infos.append(publish(topic, payload)),
                          hello_every=0.0)
        a = sink.begin_session(hello(device_id=0xA1, boot_count=3))
        b = sink.begin_session(hello(device_id=0xB2, boot_count=9))
        quiet = sink.begin_session(hello(device_id=0xC3, boot_count=1))  # never speaks again
        for info in infos:  # the first HELLOs are on the broker before the collector subscribes
            info.wait_for_publish(10)
        with collector(broker.url, tmp_path / "late.db", name="late") as c:
            for t in range(100, 600, 100):  # before any HELLO reached the collector: held by it
                sink.telemetry(a, telemetry(t, 1), 0.0 + t, t // 100)
                sink.telemetry(b, telemetry(t, 2), 0.0 + t, t // 100)
            sink.flush_due()  # both boards spoke: both announced again; the quiet one is not
            for t in range(600, 1100, 100):
                sink.telemetry(a, telemetry(t, 10), 1.0 + t, t // 100)
                sink.telemetry(b, telemetry(t, 20), 1.0 + t, t // 100)
            sink.config(0xB2, b"\x01\x02", "read")

            def logged() -> bool:
                c.tick()
                return len(content(c.logger.sink.path)["samples"]) >= 20
            wait_for(logged, what="both boards' samples after their repeated HELLOs")
        got = content(tmp_path / "late.db")
        assert sorted(s[:2] for s in got["sessions"]) == [(0xA1, 3), (0xB2, 9)]
        assert sorted((s[0], s[4]) for s in got["samples"]) == sorted(
            [(0xA1, t) for t in range(100, 1100, 100)] + [(0xB2, t) for t in range(100, 1100, 100)])
        assert quiet == (0xC3, 1)


def test_hellos_again_only_for_boards_that_spoke_and_a_config_names_its_own_boot():
    sent = []
    sink = FramesSink(lambda topic, payload: sent.append(frames.decode(payload)), hello_every=0.0)
    a = sink.begin_session(hello(device_id=0xA1, boot_count=3))
    sink.begin_session(hello(device_id=0xB2, boot_count=9))
    sink.telemetry(a, telemetry(100, 1), 1.0, 1)
    sink.config(0xA1, b"\x01", "read")
    sink.config(0xB2, b"\x02", "pushed")
    sink.config(0xEE, b"\x03", "read")  # a board this sink never saw: boot 0
    del sent[:]
    sink.flush_due()
    sink.flush_due()  # A has not spoken since: not again
    assert [(r.kind, r.board) for r in sent] == [(frames.HELLO, (0xA1, 3))]
    sent.clear()
    sink.config(0xB2, b"\x02", "pushed")
    assert [(r.kind, r.board) for r in sent] == [(frames.CONFIG, (0xB2, 9))]
