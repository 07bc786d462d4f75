"""`tendril plot` on real log files: PNG and SVG files, the terminal, and its one-line errors."""

from __future__ import annotations

import struct

from click.testing import CliRunner
from tendril.cli import cli
from tendril.store import Store

from .conftest import T0


def run(*args):
    return CliRunner().invoke(cli, ["plot", *args])


def one_line_error(result, *words):
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(("tendril: ", "Error: ")), result.output
    assert "Traceback" not in result.output
    for w in words:
        assert w in lines[0]
    return lines[0]


def test_png_is_a_png_1400_wide_and_300_pixels_a_panel(log, tmp_path):
    out = tmp_path / "week.png"
    result = run("--db", str(log), "-o", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1400, 3 * 300 + 95)  # %, 0/1 and °C: three panels, title, time axis
    assert "3 channel(s)" in result.output and str(out) in result.output


def test_svg_names_every_channel_unit_threshold_and_actuator(log, tmp_path):
    out = tmp_path / "log.SVG"
    assert run("--db", str(log), "-o", str(out)).exit_code == 0
    svg = out.read_text()
    assert svg.startswith("<?xml") and "<svg" in svg
    for text in ("soil", "tank_empty", "air", "%", "°C", "0/1", "dry_threshold (threshold)",
                 "too_warm (threshold)", "pump on", "parameter set"):
        assert text in svg, text


def test_the_channel_option_picks_channels_and_their_panels(log, tmp_path):
    out = tmp_path / "soil.svg"
    assert run("--db", str(log), "--channel", "soil", "-o", str(out)).exit_code == 0
    svg = out.read_text()
    assert "soil" in svg and "dry_threshold" in svg
    assert "tank_empty" not in svg and "too_warm" not in svg and "°C" not in svg


def test_without_a_file_it_draws_in_the_terminal_without_colour_into_a_pipe(log):
    result = run("--db", str(log))
    assert result.exit_code == 0, result.output
    for name in ("soil", "tank_empty", "air", "pump on"):
        assert name in result.output
    assert "\x1b[" not in result.output
    only = run("--db", str(log), "--channel", "air", "--channel", "tank_empty")
    assert "air" in only.output and "tank_empty" in only.output and "soil" not in only.output


def test_device_picks_one_boards_channels(log, tmp_path):
    out = tmp_path / "vent.svg"
    assert run("--db", str(log), "--device", "000000b2", "-o", str(out)).exit_code == 0
    svg = out.read_text()
    assert "air" in svg and "too_warm" in svg and "soil" not in svg and "pump" not in svg


def test_the_window_limits_what_is_drawn(log, tmp_path):
    out = tmp_path / "late.svg"
    since = "2025-11-20T04:30+00:00"  # after the pause: the second boot of the waterer only
    assert run("--db", str(log), "--since", since, "--channel", "soil", "-o", str(out)).exit_code == 0
    assert "parameter set" not in out.read_text()  # the changes were before the window
    assert "dry_threshold" in out.read_text()  # the value it set is still drawn


def test_an_unknown_channel_is_one_line_naming_the_known_ones(log):
    line = one_line_error(run("--db", str(log), "--channel", "humidity"), "humidity")
    assert "soil" in line and "air" in line


def test_a_file_that_is_not_png_or_svg_is_one_line(log, tmp_path):
    one_line_error(run("--db", str(log), "-o", str(tmp_path / "plot.jpg")), "plot.jpg", ".png", ".svg")
    assert not (tmp_path / "plot.jpg").exists()


def test_an_empty_window_or_log_is_one_line(log, tmp_path):
    one_line_error(run("--db", str(log), "--since", "2030-01-01"), "no samples")
    empty = tmp_path / "empty.db"
    Store.open(empty).close()
    one_line_error(run("--db", str(empty)), "no samples")
    one_line_error(run("--db", str(tmp_path / "missing.db")), "missing.db")


def test_an_unwritable_path_is_one_line(log, tmp_path):
    (tmp_path / "file").write_text("x")
    one_line_error(run("--db", str(log), "-o", str(tmp_path / "file" / "p.png")), "cannot write")
    one_line_error(run("--db", str(log), "-o", str(tmp_path / "no" / "such" / "dir" / "p.svg")),
                   "cannot write")


def test_a_bad_time_is_one_line(log):
    one_line_error(run("--db", str(log), "--since", "yesterday"), "not a time")


