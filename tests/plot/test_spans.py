from tendril.contract import EventKind
from tendril.plotting.spans import Span, actuator_spans
from tendril.store.query import LoggedEvent


def ev(t, kind, a=0, session=1, value=0):
    return LoggedEvent(device_id=5, boot_count=1, session_id=session, device_ms=int(t * 1000),
                       host_time=t, kind=int(kind), a=a, b=0, c=0, value=value)


def test_on_off_pairs_become_spans_per_actuator_and_session():
    events = [ev(10, EventKind.ACT_ON), ev(12, EventKind.ACT_ON, a=1),
              ev(15, EventKind.ACT_OFF, value=5000), ev(20, EventKind.ACT_OFF, a=1, value=8000),
              ev(11, EventKind.ACT_ON, session=2), ev(13, EventKind.ACT_OFF, session=2, value=2000),
              ev(14, EventKind.PARAM)]
    assert actuator_spans(events, until=100) == [
        Span(1, 0, 10, 15), Span(2, 0, 11, 13), Span(1, 1, 12, 20)]


def test_an_on_with_no_off_runs_to_the_end_of_its_session_or_of_the_window():
    events = [ev(10, EventKind.ACT_ON), ev(15, EventKind.ACT_OFF, value=5000),
              ev(30, EventKind.ACT_ON), ev(40, EventKind.ACT_ON, session=2)]
    assert actuator_spans(events, until=50) == [
        Span(1, 0, 10, 15), Span(1, 0, 30, 50, open=True), Span(2, 0, 40, 50, open=True)]
    assert actuator_spans(events, until=50, session_ends={1: 33.0}) == [
        Span(1, 0, 10, 15), Span(1, 0, 30, 33.0, open=True), Span(2, 0, 40, 50, open=True)]


def test_an_off_with_no_on_began_as_long_ago_as_it_says_clipped_to_the_window():
    events = [ev(3, EventKind.ACT_OFF, value=2500), ev(9, EventKind.ACT_OFF, a=1, value=20_000)]
    assert actuator_spans(events, until=10) == [Span(1, 1, -11.0, 9), Span(1, 0, 0.5, 3)]
    assert actuator_spans(events, until=10, since=1.0) == [Span(1, 0, 1.0, 3), Span(1, 1, 1.0, 9)]


def test_an_off_with_no_on_and_no_duration_draws_nothing():
    assert actuator_spans([ev(3, EventKind.ACT_OFF)], until=10) == []


def test_a_second_on_while_on_keeps_the_first_start():
    events = [ev(1, EventKind.ACT_ON), ev(2, EventKind.ACT_ON), ev(4, EventKind.ACT_OFF, value=3000)]
    assert actuator_spans(events, until=10) == [Span(1, 0, 1, 4)]
