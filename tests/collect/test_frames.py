"""The frames record: every kind round-trips; anything else is refused with the module's one error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tendril.mqtt import frames
from tendril.mqtt.frames import FrameRecordError, Record
from tendril.mqtt.topics import Topics
from tendril.mqtt.url import BrokerUrlError, parse_url
from tendril.protocol import ActuatorEntry, Params, Status

from ..store.conftest import event, hello, telemetry

BOARD = (0xC0FFEE, 7)


def records() -> list[Record]:
    common = dict(board=BOARD, run=0xDEADBEEF, number=41)
    return [
        Record(frames.HELLO, 1000.25, 0, msg=hello(), **common),
        Record(frames.TELEMETRY, 1000.5, 65535, msg=telemetry(1234, 35_000, None, -7, first=2),
               **common),
        Record(frames.TELEMETRY, 1000.5, 3, msg=telemetry(99, 512, 1023, raw=True), **common),
        Record(frames.EVENT, 1001.0, 12, msg=event(5000, kind=2, a=1, b=0, c=3, value=-4), **common),
        Record(frames.STATUS, 1002.0, msg=Status(7000, 4, 0, 0, 1,
                                                 (ActuatorEntry(1, 255, 0xFE, 900, 12_000),)),
               **common),
        Record(frames.PARAMS, 1003.0, msg=Params(0, 2, (40_000, 3000)), **common),
        Record(frames.CONFIG, 1004.0, direction="pushed", image=bytes(range(256)) * 3,
               text="[recipe]\nname = \"x\" # é\n", **common),
        Record(frames.CONFIG, 1004.0, direction="read", image=b"\x01\x02", text=None, **common),
        Record(frames.CONFIG, 1004.0, direction="read", image=b"", text="", **common),
        Record(frames.RECIPE, 1005.0, known=True, name="plant-waterer", text="[recipe]\n",
               **common),
        Record(frames.RECIPE, 1005.0, known=False, **common),
    ]


@pytest.mark.parametrize("record", records(), ids=lambda r: frames.KINDS[r.kind])
def test_every_kind_round_trips(record):
    data = frames.encode(record)
    back = frames.decode(data)
    if record.kind == frames.RECIPE and not record.known:
        assert back == Record(frames.RECIPE, record.host_time, board=BOARD, run=record.run,
                              number=record.number, text="")
    else:
        assert back == record
    assert frames.decode(bytearray(data)) == back


def test_a_telemetry_record_is_compact():
    data = frames.encode(records()[1])
    assert len(data) < 64


@pytest.mark.parametrize("data, words", [
    (b"", "truncated"),
    (b"TR\x01", "truncated"),
    (b"XX" + bytes(40), "bad magic"),
    (frames.encode(records()[0])[:2] + b"\x09" + frames.encode(records()[0])[3:], "version 9"),
    (frames.encode(records()[0])[:3] + b"\x63" + frames.encode(records()[0])[4:], "unknown kind"),
    (frames.encode(records()[3])[:-3], "does not decode"),
    (frames.encode(records()[0])[:34], "no message"),
    (bytes(frames.MAX_RECORD + 1), "more than"),
    (frames.encode(records()[6])[:40], "truncated"),
])
def test_garbage_is_refused_in_one_line(data, words):
    with pytest.raises(FrameRecordError) as err:
        frames.decode(data)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_a_record_that_does_not_fit_is_refused():
    with pytest.raises(FrameRecordError, match="more than"):
        frames.encode(Record(frames.CONFIG, 0.0, direction="read", image=bytes(frames.MAX_RECORD)))
    with pytest.raises(FrameRecordError, match="not Telemetry"):
        frames.encode(Record(frames.TELEMETRY, 0.0, msg=event(1)))
    with pytest.raises(FrameRecordError, match="header field"):
        frames.encode(Record(frames.EVENT, 0.0, seq=70_000, msg=event(1)))
    with pytest.raises(FrameRecordError, match="no kind"):
        frames.encode(Record(42, 0.0))


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=600))
def test_fuzz_random_bytes_raise_only_the_record_error(data):
    try:
        frames.decode(data)
    except FrameRecordError:
        pass


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from([frames.encode(r) for r in records()]), st.data())
def test_fuzz_damaged_records_raise_only_the_record_error(data, draw):
    buf = bytearray(data)
    for _ in range(draw.draw(st.integers(1, 6))):
        i = draw.draw(st.integers(0, len(buf) - 1))
        buf[i] = draw.draw(st.integers(0, 255))
    cut = draw.draw(st.integers(0, len(buf)))
    try:
        frames.decode(bytes(buf[:cut]))
    except FrameRecordError:
        pass


def test_the_frames_topic():
    assert Topics("home/t").frames("00c0ffee") == "home/t/00c0ffee/frames"


@pytest.mark.parametrize("text, want", [
    ("mqtt://broker.lan", ("broker.lan", 1883, False, None, None)),
    ("mqtts://broker.lan", ("broker.lan", 8883, True, None, None)),
    ("mqtt://serve:p%40ss@10.0.0.2:1884", ("10.0.0.2", 1884, False, "serve", "p@ss")),
    ("mqtt://only@h", ("h", 1883, False, "only", None)),
])
def test_broker_urls(text, want):
    b = parse_url(text)
    assert (b.host, b.port, b.tls, b.username, b.password) == want
    assert "p@ss" not in str(b) and "%40" not in str(b)


@pytest.mark.parametrize("text", ["http://h", "mqtt://", "mqtt://h:99999", "mqtt://h/x", "h:1883"])
def test_bad_broker_urls_are_one_line(text):
    with pytest.raises(BrokerUrlError):
        parse_url(text)
