"""The terminal renderer: colour only when asked for, on the terminal's own background."""

from __future__ import annotations

import re

from tendril.plotting.figure import layout
from tendril.plotting.load import read
from tendril.plotting.render_text import render_text, time_ticks
from tendril.store.db import connect_ro


def test_colour_is_foreground_only_and_absent_when_not_asked(log):
    conn = connect_ro(log)
    try:
        fig = layout(read(conn), 200)
    finally:
        conn.close()
    coloured = render_text(fig, 100, 45, color=True)
    codes = set(re.findall(r"\x1b\[[0-9;]*m", coloured))
    assert any(c.startswith("\x1b[38;5;") for c in codes)
    assert not any(";48;" in c or c.startswith("\x1b[48;") for c in codes)  # no painted background
    plain = render_text(fig, 100, 45, color=False)
    assert "\x1b[" not in plain
    assert len(plain.splitlines()) == 45 and max(len(x) for x in plain.splitlines()) <= 100


def test_time_ticks_fall_on_round_local_times():
    from datetime import datetime

    t0 = datetime(2026, 3, 2, 9, 17).timestamp()
    ticks, labels = time_ticks(t0, t0 + 6 * 3600, 8)
    assert labels == ["10:00", "11:00", "12:00", "13:00", "14:00", "15:00"]
    assert all(t0 <= t <= t0 + 6 * 3600 for t in ticks)
    _, labels = time_ticks(t0, t0 + 7 * 86400, 8)
    assert labels == ["Tue 03 Mar", "Wed 04 Mar", "Thu 05 Mar", "Fri 06 Mar", "Sat 07 Mar", "Sun 08 Mar",
                      "Mon 09 Mar"]
