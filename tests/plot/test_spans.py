from tendril.contract import EventKind
from tendril.plotting.spans import Span, actuator_spans
from tendril.store.query import LoggedEvent


def ev(t, kind, a=0, session=1):
    return LoggedEvent(device_id=5, boot_count=1, session_id=session, device_ms=int(t * 1000),
                       host_time=t, kind=int(kind), a=a, b=0, c=0, value=0)


def test_on_off_pairs_become_spans_per_actuator_and_session():
    events = [ev(10, EventKind.ACT_ON), ev(12, EventKind.ACT_ON, a=1),
              ev(15, EventKind.ACT_OFF), ev(20, EventKind.ACT_OFF, a=1),
              ev(11, EventKind.ACT_ON, session=2), ev(13, EventKind.ACT_OFF, session=2),
              ev(14, EventKind.PARAM)]
    assert actuator_spans(events, until=100) == [
        Span(1, 0, 10, 15), Span(2, 0, 11, 13), Span(1, 1, 12, 20)]


def test_an_on_with_no_off_runs_to_the_end_of_the_window():
    events = [ev(10, EventKind.ACT_ON), ev(15, EventKind.ACT_OFF), ev(30, EventKind.ACT_ON)]
    assert actuator_spans(events, until=50) == [Span(1, 0, 10, 15), Span(1, 0, 30, 50, open=True)]


def test_an_off_before_any_on_is_ignored():
    assert actuator_spans([ev(3, EventKind.ACT_OFF)], until=10) == []
