"""The topic design: names built under a prefix, and command topics parsed back or refused."""

from __future__ import annotations

import pytest

from tendril.mqtt.topics import COMMANDS, Topics, TopicError, board_id
from tendril.store.db import device_id_text


def test_board_id_is_the_device_id_as_every_tendril_command_writes_it():
    for device_id in (0, 0xDE7A15C8, 0xFFFFFFFF, 42):
        assert board_id(device_id) == device_id_text(device_id)
    with pytest.raises(TopicError):
        board_id(1 << 32)


def test_topics_sit_under_the_prefix_per_board():
    t = Topics()
    assert t.state("de7a15c8") == "tendril/de7a15c8/state"
    assert t.event("de7a15c8") == "tendril/de7a15c8/event"
    assert t.availability("de7a15c8") == "tendril/de7a15c8/availability"
    assert t.response("de7a15c8") == "tendril/de7a15c8/response"
    assert t.command("de7a15c8", "run") == "tendril/de7a15c8/cmd/run"
    assert t.serve_availability("greenhouse-pi") == "tendril/serve/greenhouse-pi/availability"
    assert Topics("home/garden").state("00000001") == "home/garden/00000001/state"


def test_every_command_topic_parses_back_to_its_board_and_command():
    t = Topics("site/a")
    for command in COMMANDS:
        assert t.parse_command(t.command("0badf00d", command)) == ("0badf00d", command)


@pytest.mark.parametrize("topic, words", [
    ("other/de7a15c8/cmd/run", "not under"),
    ("tendril/de7a15c8/state", "not a command topic"),
    ("tendril/de7a15c8/cmd/run/extra", "not a command topic"),
    ("tendril/serve/cmd/run", "not a device id"),
    ("tendril/DE7A15C8/cmd/run", "not a device id"),
    ("tendril/de7a15c8/cmd/explode", "no command 'explode'"),
    ("tendril/de7a15c8/cmd/", "no command ''"),
    ("tendril/+/cmd/run", "not a device id"),
])
def test_anything_but_a_command_topic_is_refused_with_a_reason(topic, words):
    with pytest.raises(TopicError, match=words):
        Topics().parse_command(topic)


def test_names_that_would_break_a_topic_are_refused():
    for prefix in ("", "a/+", "a/#", "a//b", "/a"):
        with pytest.raises(TopicError):
            Topics(prefix)
    with pytest.raises(TopicError):
        Topics().state("pump")
    with pytest.raises(TopicError):
        Topics().serve_availability("a/b")
    with pytest.raises(TopicError):
        Topics().command("de7a15c8", "reboot")
