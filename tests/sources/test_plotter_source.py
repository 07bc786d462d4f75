"""PlotterSource on the in-memory loop:// transport: when the first line heard is trusted."""

from __future__ import annotations

import threading

import pytest
from tendril.errors import TransportError
from tendril.sources import PlotterSource
from tendril.sources.plotter import QUIET_AFTER_OPEN


def test_a_board_silent_after_open_keeps_its_boot_header():
    # A real Uno resets when its port opens and says nothing in its boot loader, then prints its
    # header line once: that line starts a line, so it names the bare values that follow.
    src = PlotterSource("loop://")
    info = src.open()
    assert (info.kind, info.device_key) == ("plotter", "loop://")
    assert src.read(QUIET_AFTER_OPEN + 0.05) == []
    src._transport.peer_write(b"soil light\r\n41.5 512\r\n")
    rows = src.read(0.5)
    assert [r.values for r in rows] == [{"soil": 41.5, "light": 512.0}]
    assert src.stats["rejected"] == 0 and src.stats["headers"] == 1
    src.close()


def test_a_board_already_talking_at_open_loses_its_first_line():
    src = PlotterSource("loop://")
    src.open()
    src._transport.peer_write(b"ght\r\n41.5 512\r\n")  # there at once: maybe the tail of a line
    rows = src.read(0.5)
    assert [r.values for r in rows] == [{"value 1": 41.5, "value 2": 512.0}]
    assert src.stats["rejected"] == 1


def test_a_gap_in_listening_means_the_silence_is_not_proven():
    src = PlotterSource("loop://")
    src.open()
    timer = threading.Timer(QUIET_AFTER_OPEN + 0.2, src._transport.peer_write, [b"x:1\nx:2\n"])
    timer.start()
    assert src.read(0.01) == []  # then nobody listens for a while
    timer.join()
    assert [r.values for r in src.read(0.5)] == [{"x": 2.0}]
    src.close()
    with pytest.raises(TransportError, match="not open"):
        src.read(0.1)
