"""The plot as data, from a real log: panels per unit, bands or lines, gaps, runs and thresholds."""

from __future__ import annotations


import numpy as np
import pytest
from tendril.plotting.figure import layout
from tendril.plotting.load import read
from tendril.store.db import connect_ro

from .conftest import BOOTS, PARAM_AT, PULSE_AT, PUMP_EVERY, T0, VENT, hello, soil
from ..support.imports import loaded_by


@pytest.fixture
def data(log):
    conn = connect_ro(log)
    try:
        yield read(conn)
    finally:
        conn.close()


def test_one_panel_per_unit_and_a_unitless_channel_alone(data):
    fig = layout(data, 1000)
    assert [(p.unit, p.ylabel, [t.label for t in p.traces]) for p in fig.panels] == [
        ("%", "%", ["soil"]), ("bool", "0/1", ["tank_empty"]), ("°C", "°C", ["air"])]
    assert fig.points == 2 * (3 + 2) * 3600 + 6 * 360
    assert (fig.t0, fig.t1) == (T0, T0 + BOOTS[-1][2] - 1)


def test_more_points_than_columns_is_a_band_and_fewer_a_plain_line(data):
    banded = layout(data, 1000).panels[0].traces[0]
    logged = [soil(s) / 1000 for _, a, b in BOOTS for s in range(int(a), int(b))]
    assert banded.lo is not None and np.nanmin(banded.lo) == min(logged) and np.nanmax(banded.hi) == max(logged)
    assert np.all((banded.lo <= banded.ys) | np.isnan(banded.ys))
    plain = layout(data, 20_000).panels[2].traces[0]
    assert plain.lo is None and len(plain.xs) == 6 * 360


def test_the_pause_between_boots_is_a_gap_not_a_line_across(data):
    for columns in (1000, 20_000):
        soil = layout(data, columns).panels[0].traces[0]
        holes = soil.xs[np.isnan(soil.ys)]
        assert len(holes) == 1 and T0 + BOOTS[0][2] - 1 < holes[0] < T0 + BOOTS[1][1]


def test_pump_runs_are_spans_on_the_waterers_panels_only(data):
    fig = layout(data, 1000)
    device, runs = fig.spans["pump"]
    per_boot = [len(range(600 + a, int(b), PUMP_EVERY)) for _, a, b in
                ((None, int(x), y) for _, x, y in BOOTS)]
    assert len(runs) == sum(per_boot)
    width = (fig.t1 - fig.t0) / 1000  # a 4 s run is widened to a column
    assert all(b - a == pytest.approx(max(4.0, width)) for a, b in runs)
    assert device in fig.panels[0].devices and device not in fig.panels[2].devices


def test_the_threshold_steps_at_the_parameter_change_and_survives_the_reboot(data):
    soil = layout(data, 1000).panels[0]
    [line] = soil.thresholds
    assert line.label == "dry_threshold (threshold)"
    pairs = list(zip(line.xs.tolist(), line.ys.tolist()))
    assert pairs[:4] == [(T0, 35.0), (T0 + PARAM_AT, 35.0), (T0 + PARAM_AT, 30.0),
                         (T0 + BOOTS[0][2] - 1, 30.0)]
    assert np.isnan(pairs[4][1]) and pairs[5][1] == 30.0  # kept across the reboot
    assert soil.marks == [(T0 + PARAM_AT, 30.0, "dry_threshold set to 30 %")]


def test_a_change_with_no_line_to_sit_on_is_a_note_along_the_top(data):
    assert layout(data, 1000).notes == [(T0 + PULSE_AT, "param", "pulse set to 6 s")]


def test_raw_readings_are_a_series_of_their_own_with_no_unit(tmp_path):
    from tendril.protocol import Telemetry
    from tendril.store import Store

    db = tmp_path / "raw.db"
    with Store.open(db) as store:
        sid = store.begin_session(hello(VENT, 1, bytes(8)), host_time=T0)
        for s in range(100):
            store.add_telemetry(sid, Telemetry(s * 1000, 0, 1 if s >= 50 else 0, (700 - s,)), T0 + s, s + 1)
    conn = connect_ro(db)
    try:
        fig = layout(read(conn), 1000)
    finally:
        conn.close()
    assert [(p.unit, p.ylabel, [t.label for t in p.traces]) for p in fig.panels] == [
        ("", "0", ["0"]), ("", "0 (raw)", ["0 (raw)"])]  # no recipe known: the index names it
    raw = fig.panels[1].traces[0]
    assert raw.ys.tolist() == [float(700 - s) for s in range(50, 100)]  # readings as logged
    assert fig.panels[0].traces[0].ys.tolist() == [(700 - s) / 1000 for s in range(50)]


def test_the_pure_core_imports_no_plotting_library_and_no_database():
    assert loaded_by(["tendril.plotting.buckets", "tendril.plotting.spans", "tendril.plotting.thresholds",
                      "tendril.plotting.figure"], ["matplotlib", "plotext", "sqlite3", "textual"]) == []


def test_two_boards_logging_the_same_name_are_told_apart(tmp_path):
    from tendril.protocol import Telemetry
    from tendril.store import Store

    from .conftest import _configured

    db = tmp_path / "two.db"
    with Store.open(db) as store:
        for device in (0xA1, 0xA2):
            h = _configured(store, device, "plant-waterer.toml")
            sid = store.begin_session(hello(device, 1, h), host_time=T0)
            for s in range(60):
                store.add_telemetry(sid, Telemetry(s * 1000, 0, 0, (40_000 + device, 0)), T0 + s, s + 1)
    conn = connect_ro(db)
    try:
        fig = layout(read(conn), 1000)
    finally:
        conn.close()
    soil = fig.panels[0]
    assert [t.label for t in soil.traces] == ["soil@000000a1", "soil@000000a2"]
    assert [t.label for t in soil.thresholds] == ["dry_threshold (threshold) on soil@000000a1",
                                                  "dry_threshold (threshold) on soil@000000a2"]


@pytest.mark.parametrize("columns", [300, 1000, 30_000])
@pytest.mark.parametrize("window", [(None, None), (T0 + 3600.5, None), (None, T0 + 5 * 3600)])
def test_reducing_while_reading_draws_the_same_figure_as_reading_everything(log, columns, window):
    conn = connect_ro(log)
    try:
        whole = layout(read(conn, since=window[0], until=window[1]), columns)
        streamed = layout(read(conn, since=window[0], until=window[1], columns=columns), columns)
    finally:
        conn.close()
    assert (streamed.t0, streamed.t1, streamed.points) == (whole.t0, whole.t1, whole.points)
    for a, b in zip(streamed.panels, whole.panels, strict=True):
        assert [t.label for t in a.traces] == [t.label for t in b.traces]
        for x, y in zip(a.traces, b.traces):
            assert np.array_equal(x.xs, y.xs, equal_nan=True)
            np.testing.assert_allclose(x.ys, y.ys, rtol=1e-12)
            assert (x.lo is None) == (y.lo is None)
            if x.lo is not None:
                assert np.array_equal(x.lo, y.lo, equal_nan=True) and np.array_equal(x.hi, y.hi, equal_nan=True)
        assert [(t.label, t.xs.tolist()) for t in a.thresholds] == [(t.label, t.xs.tolist()) for t in b.thresholds]
        assert a.marks == b.marks and a.ylim == pytest.approx(b.ylim)
    assert streamed.spans == whole.spans and streamed.notes == whole.notes


def test_a_figure_is_drawn_at_the_columns_it_was_read_for(log):
    conn = connect_ro(log)
    try:
        data = read(conn, columns=500)
    finally:
        conn.close()
    with pytest.raises(ValueError):
        layout(data, 600)


def test_the_tendril_command_loads_no_plotting_library_until_a_plot_is_drawn():
    assert loaded_by(["tendril.cli"], ["matplotlib", "plotext"]) == []
