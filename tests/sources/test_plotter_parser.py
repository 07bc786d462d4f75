"""PlotterParser: Arduino Serial Plotter text in, rows out; a damaged line never gives a value."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tendril.sources import PlotterParser, SourceRow
from tendril.sources.plotter import MAX_LINE, format_row


def parse(data: bytes, skip_first_line: bool = False) -> tuple[list[dict], dict]:
    p = PlotterParser(skip_first_line=skip_first_line)
    rows = p.feed(data, 1.0)
    return [r.values for r in rows], p.stats


def test_label_value_pairs_separated_by_spaces_tabs_and_commas():
    rows, stats = parse(b"soil:41.5 light:512\ttemp:-3.25,hum:60\r\n")
    assert rows == [{"soil": 41.5, "light": 512.0, "temp": -3.25, "hum": 60.0}]
    assert stats["rows"] == 1 and stats["rejected"] == 0


def test_bare_values_are_value_1_value_2_until_a_header_names_them():
    rows, stats = parse(b"1 2\nsoil light\n3 4 5\nx y\n6\n")
    assert rows == [{"value 1": 1.0, "value 2": 2.0},
                    {"soil": 3.0, "light": 4.0, "value 3": 5.0},
                    {"x": 6.0}]
    assert stats["headers"] == 2


def test_numbers_as_serial_print_writes_them_and_nothing_else():
    good = [b"-12", b"+3", b"3.", b".5", b"1.5e3", b"2E-2", b"0.00"]
    bad = [b"nan", b"inf", b"ovf", b"-inf", b"1_000", b"0x10", b"1e999", b"2e15", b"--1", b"1.2.3"]
    for text in good:
        rows, _ = parse(b"v:" + text + b"\n")
        assert rows == [{"v": float(text)}], text
    for text in bad:
        rows, stats = parse(b"v:" + text + b"\n")
        assert rows == [] and stats["rejected"] == 1, text


def test_a_line_that_breaks_a_rule_is_rejected_whole():
    lines = [b"a:1 b", b"a:1 2", b"1 a", b"a 1", b":3", b"a:b:1", b"a:1 a:2", b"a:1\rb:2",
             b"a:1\x00", b"t\xe9:1", b"x x"]
    for line in lines:
        rows, stats = parse(line + b"\n")
        assert rows == [] and stats["rejected"] >= 1, line


def test_a_partial_line_waits_for_its_newline():
    p = PlotterParser(skip_first_line=False)
    assert p.feed(b"soil:4", 1.0) == []
    assert p.feed(b"1.5 light:", 2.0) == []
    assert p.feed(b"7\r", 3.0) == []
    assert p.feed(b"\nsoil:1", 4.0) == [SourceRow(4.0, {"soil": 41.5, "light": 7.0})]


def test_the_first_line_heard_may_be_a_tail_and_is_dropped():
    p = PlotterParser()
    assert p.feed(b"ht:512 temp:21.5\nsoil:40 light:512 temp:21.5\n", 1.0) == [
        SourceRow(1.0, {"soil": 40.0, "light": 512.0, "temp": 21.5})]
    assert p.stats["rejected"] == 1
    clean = PlotterParser()
    assert clean.feed(b"\nsoil:40\n", 1.0) == [SourceRow(1.0, {"soil": 40.0})]
    assert clean.stats["rejected"] == 0  # the board's first byte was the start of a line


def test_a_line_too_long_is_dropped_up_to_its_newline_and_counted_once():
    junk = b"7" * (MAX_LINE + 10)
    p = PlotterParser(skip_first_line=False)
    rows = [r.values for r in p.feed(junk[:600], 1.0) + p.feed(junk[600:] + b" a:1\nb:2\n", 2.0)]
    assert rows == [{"b": 2.0}]
    assert p.stats["too_long"] == 1 and p.stats["rejected"] == 1
    longest = b"a:" + b"1" * 13 + b" " * (MAX_LINE - 15)
    assert len(longest) == MAX_LINE
    assert parse(longest + b"\n")[0] == [{"a": 1111111111111.0}]
    assert parse(longest + b" \n") == ([], {"bytes": MAX_LINE + 2, "lines": 0, "rows": 0,
                                            "headers": 0, "rejected": 1, "too_long": 1})


# --- properties --------------------------------------------------------------------------------

labels = st.text(st.characters(codec="ascii", categories=("L", "N"), include_characters="_-."),
                 min_size=1, max_size=8)
values = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)
rows_st = st.lists(st.dictionaries(labels, values, min_size=1, max_size=5), max_size=20)


@given(rows_st)
def test_formatted_rows_parse_back_to_the_same_values(rows):
    text = "".join(format_row(r) + "\n" for r in rows).encode()
    got, stats = parse(text)
    assert got == rows
    assert stats["rejected"] == 0


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.lists(st.integers(0, 3000), max_size=30), st.booleans())
def test_rows_do_not_depend_on_how_the_stream_is_cut(data, cuts, skip_first):
    whole = PlotterParser(skip_first_line=skip_first)
    expect = [r.values for r in whole.feed(data, 0.0)]
    pieces = PlotterParser(skip_first_line=skip_first)
    got, last = [], 0
    for cut in sorted({c for c in cuts if c <= len(data)}) + [len(data)]:
        got += [r.values for r in pieces.feed(data[last:cut], 0.0)]
        last = cut
    assert got == expect
    assert pieces.stats == whole.stats


plotterish = st.lists(st.one_of(
    st.sampled_from([b"soil:41.5", b"light:512", b"1", b"-2.5e3", b"a", b"b", b":", b"nan", b" ",
                     b",", b"\t", b"\r", b"\n", b"\r\n", b"\x00", b"\xff", b"1e308", b"9e15"]),
    st.binary(max_size=4)), max_size=300).map(b"".join)


@given(st.one_of(st.binary(max_size=5000), plotterish))
def test_arbitrary_bytes_never_crash_and_every_value_is_finite_and_from_a_valid_line(data):
    p = PlotterParser(skip_first_line=False)
    rows = p.feed(data, 0.0)
    lines = data.split(b"\n")[:-1]
    assert p.stats["rows"] == len(rows) <= len(lines)
    assert p.stats["rows"] + p.stats["rejected"] + p.stats["headers"] <= len(lines)
    for row in rows:
        assert row.values
        for label, v in row.values.items():
            assert label and math.isfinite(v) and abs(v) <= 1e15
            # the value is spelled in the input, as this label's value or as a bare field
            assert label.encode() in data or label.startswith("value ") or p.header


def test_the_first_line_is_kept_when_the_caller_knows_it_starts_a_line():
    p = PlotterParser()
    p.at_line_start()
    assert p.feed(b"soil light\n1 2\n", 1.0) == [SourceRow(1.0, {"soil": 1.0, "light": 2.0})]
    late = PlotterParser()
    late.feed(b"ght", 1.0)  # bytes of the first line already heard: too late to know
    late.at_line_start()
    assert late.feed(b" temp\n1 2\n", 1.0) == [SourceRow(1.0, {"value 1": 1.0, "value 2": 2.0})]
    assert late.stats["rejected"] == 1
