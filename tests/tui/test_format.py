"""The words and numbers the screens show, and what they accept."""

from __future__ import annotations

import pytest
from tendril.contract import Unit
from tendril.live import ActuatorView, Bucket, Owner, ParamView
from tendril.recipes.units import UnitError
from tendril.tui.format import (
    actuator_state,
    hex_dump,
    limits_text,
    ms_text,
    param_value,
    parse_param,
    parse_seconds,
)
from tendril.tui.widgets.chart import plot_rows

THRESHOLD = ParamView(0, "dry_threshold", 35000, 10000, 80000, Unit.PERCENT, False)
PULSE = ParamView(1, "pulse", 4000, 1000, 10000, None, True)


def test_parameter_values_are_typed_in_their_unit():
    assert parse_param("40", THRESHOLD) == 40000
    assert parse_param("42.5 %", THRESHOLD) == 42500
    assert parse_param("2.5", PULSE) == 2500  # seconds
    assert parse_param("1500 ms", PULSE) == 1500
    assert param_value(PULSE) == "4 s" and param_value(THRESHOLD) == "35 %"


@pytest.mark.parametrize("text, words", [("90", "outside 10 % .. 80 %"), ("40 °C", "not in %"),
                                         ("0.5", "outside 1 s .. 10 s"), ("", "type a value"),
                                         ("1.0001", "more than 3 decimals")])
def test_parameter_values_outside_the_rules_are_refused_with_a_reason(text, words):
    p = PULSE if words.startswith("outside 1 s") else THRESHOLD
    with pytest.raises(UnitError, match=words):
        parse_param(text, p)


def test_run_time_in_seconds_or_with_a_unit():
    assert parse_seconds("5") == 5000
    assert parse_seconds("2 min") == 120_000
    for bad in ("0", "-1", "soon"):
        with pytest.raises(UnitError):
            parse_seconds(bad)


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_run_time_asks_for_one_in_words(empty):
    with pytest.raises(UnitError) as err:
        parse_seconds(empty)
    assert str(err.value) == "enter how long to run, like 5 s"


def test_actuator_words_show_the_limits_and_todays_use():
    a = ActuatorView(0, "pump", True, 255, Owner(lease=True), 1500, 61_000, 300_000, 10_000, 30_000, False, False)
    assert actuator_state(a) == "ON (lease, 1.5 s left)"
    assert limits_text(a) == ("max on 10 s · rest 30 s between runs · daily cap 5 min · used today"
                              " 1 min 01 s (left 3 min 59 s)")
    assert ms_text(7_500_000) == "2 h 05 min"


def test_hex_dump_shows_bytes_and_printable_text():
    assert hex_dump(b"ok\x00\xff") == ["6f 6b 00 ff" + " " * 36 + "  |ok..|"]


def test_chart_band_spans_min_to_max_in_half_cells():
    rows = plot_rows([Bucket(0, 0, 0, 0, 1), None, Bucket(2, 0, 10, 5, 2)], 2, 0, 10)
    assert rows == ["  █", "▄ █"]  # a flat line is half a cell; 0..10 fills the column


def test_a_channel_with_no_reading_shows_it_in_words_not_a_number():
    from tendril.live import ChannelView
    from tendril.tui.widgets.cards import card_words

    good = ChannelView(0, "soil", Unit.PERCENT, 35.5, 30.0, 40.0, 12)
    dead = ChannelView(0, "soil", Unit.PERCENT, 35.5, 30.0, 40.0, 12, no_reading=True)
    assert card_words(good)[1] == "35.5 %"
    assert card_words(dead) == ("soil", "no reading", "min 30 · max 40")
