"""The session against a fake device on the loop:// transport: retries, corrupt bytes, text."""

from __future__ import annotations

import pytest
from tendril.errors import TransportError
from tendril.protocol import FrameDecoder, Hello, Ping, Pong, RequestHello, decode_message, encode
from tendril.session import Session, TextScanner
from tendril.transport import LoopTransport, open_transport

HELLO = Hello(protocol_version=1, board_class=1, fw_major=0, fw_minor=1, fw_patch=0, reset_cause=1,
              flags=0, device_id=0xABCD, boot_count=3, capabilities=0, config_generation=0,
              recipe_hash=bytes(8), max_payload=64, max_image=480, text="fake")


class FakeDevice:
    """Answers HELLO and PING; ignores the first ``drop`` copies of each request."""

    def __init__(self, loop: LoopTransport, drop: int = 0, noise: bytes = b"") -> None:
        self.loop, self.drop, self.noise = loop, drop, noise
        self.decoder = FrameDecoder()
        self.seen: list[int] = []
        loop.on_write = self.receive

    def receive(self, data: bytes) -> None:
        for frame in self.decoder.feed(data):
            self.seen.append(frame.seq)
            if self.seen.count(frame.seq) <= self.drop:
                continue
            msg = decode_message(frame)
            reply = HELLO if isinstance(msg, RequestHello) else Pong(msg.data)
            self.loop.peer_write(self.noise + encode(reply, frame.seq))


def session(noise: bytes = b"") -> tuple[Session, FakeDevice]:
    loop = open_transport("loop://")
    dev = FakeDevice(loop, 0, noise)
    s = Session(loop, timeout=0.1, retries=3, hello_timeout=1.0)
    s.open()
    return s, dev


def test_a_dropped_request_is_resent_with_the_same_seq_and_succeeds():
    s, dev = session()
    dev.drop = 1
    dev.seen.clear()
    reply = s.request(Ping(b"x"))
    assert reply == Pong(b"x")
    assert len(dev.seen) == 2 and dev.seen[0] == dev.seen[1]
    assert s.health.retries >= 1


def test_no_reply_after_every_try_is_a_transport_error():
    s, dev = session()
    dev.drop = 99
    with pytest.raises(TransportError, match="after 2 tries"):
        s.request(Ping(b"x"), retries=2)


def test_corrupt_bytes_between_frames_are_counted_and_never_crash():
    s, _dev = session(noise=b"\x05\xff\x13\x00garbage\x00\x02\x01\x00")
    for i in range(20):
        assert s.request(Ping(bytes([i + 1]))) == Pong(bytes([i + 1]))
    assert s.health.resyncs >= 40
    assert s.health.as_dict()["decoder"]["frames"] >= 20


def test_text_outside_frames_becomes_device_output_lines():
    s, _dev = session()
    s.transport.peer_write(b"booting v1\r\nready\n" + encode(Pong(b"z"), 1))
    s.poll(0.05)
    assert list(s.lines) == ["booting v1", "ready"]


def test_a_frame_is_never_taken_for_text():
    scanner = TextScanner()
    wire = b"".join(encode(Pong(b"ab\ncd\n"), i) for i in range(50))
    assert scanner.feed(wire) == []


def test_unknown_port_scheme_is_refused():
    with pytest.raises(TransportError):
        open_transport("tcp://x")
