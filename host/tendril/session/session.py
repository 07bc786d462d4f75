"""A session with one board over one transport (docs/host.md, *Session*).

Single-threaded: requests read the port while they wait; ``poll`` reads it otherwise. Replies are
matched by seq and type; everything the device sends by itself goes to ``on_message(msg, seq)``
(or the ``messages`` queue), text outside frames to ``on_line`` (or ``lines``)."""

from __future__ import annotations

import os
import random
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Self

from ..contract import MsgType
from ..errors import TransportError
from ..protocol import (
    SPONTANEOUS_TYPES,
    Ack,
    FrameDecoder,
    Hello,
    Message,
    NackMsg,
    Ping,
    Pong,
    RequestHello,
    decode_message,
    encode,
)
from ..protocol._base import BadPayload
from ..transport import Transport, open_transport
from .nacks import device_error
from .text import TextScanner

_ALWAYS = (int(MsgType.ACK), int(MsgType.NACK))
_DATA_REPLY = {
    "Ping": MsgType.PONG, "ConfigRead": MsgType.CONFIG_DATA, "GetParams": MsgType.PARAMS,
    "RequestStatus": MsgType.STATUS, "RequestHello": MsgType.HELLO,
    "ScanOneWire": MsgType.ROM_CODES, "ScanI2c": MsgType.I2C_SCAN, "I2cRead": MsgType.I2C_DATA,
}
_SPONTANEOUS = {int(t) for t in SPONTANEOUS_TYPES}


@dataclass
class LinkHealth:
    opened_at: float = field(default_factory=time.monotonic)
    frames: int = 0
    bytes: int = 0
    requests: int = 0
    retries: int = 0
    timeouts: int = 0
    late_replies: int = 0  # replies to a try already given up on
    device_gaps: int = 0  # frames the device numbered but that never arrived
    reconnects: int = 0
    latency_ms: float | None = None  # round trip of the last PING
    decoder: dict = field(default_factory=dict)

    @property
    def resyncs(self) -> int:
        """Chunks the decoder dropped and recovered from at the next delimiter."""
        d = self.decoder
        return sum(d.get(k, 0) for k in ("cobs", "short", "crc", "version", "oversize"))

    def rates(self) -> tuple[float, float]:
        span = max(time.monotonic() - self.opened_at, 1e-6)
        return self.frames / span, self.bytes / span

    def as_dict(self) -> dict:
        fps, bps = self.rates()
        return {"frames_per_s": round(fps, 1), "bytes_per_s": round(bps, 1), "frames": self.frames,
                "bytes": self.bytes, "crc_errors": self.decoder.get("crc", 0),
                "resyncs": self.resyncs, "requests": self.requests, "retries": self.retries,
                "timeouts": self.timeouts, "late_replies": self.late_replies,
                "device_gaps": self.device_gaps, "reconnects": self.reconnects,
                "latency_ms": self.latency_ms, "decoder": dict(self.decoder)}


class Session:
    """``with Session("/dev/ttyACM0") as s: s.hello; s.call(Pause())``."""

    def __init__(self, port: str | Transport, *, timeout: float = 0.5, retries: int = 3,
                 hello_timeout: float = 5.0, baud: int = 115_200,
                 on_message: Callable[[Message, int], None] | None = None,
                 on_line: Callable[[str], None] | None = None,
                 candidates: Callable[[], Iterable[str]] | None = None,
                 auto_reconnect: bool = False) -> None:
        self.transport = open_transport(port, baud) if isinstance(port, str) else port
        self.port = self.transport.port
        self.baud = baud
        self.timeout, self.retries, self.hello_timeout = timeout, retries, hello_timeout
        self.on_message, self.on_line = on_message, on_line
        self.on_data: Callable[[bytes], None] | None = None  # every chunk read (a raw console)
        self.candidates = candidates
        self.auto_reconnect = auto_reconnect
        self.messages: deque[Message] = deque(maxlen=10_000)
        self.lines: deque[str] = deque(maxlen=1_000)
        self.decoder = FrameDecoder()
        self.text = TextScanner()
        self.health = LinkHealth()
        self.hello: Hello | None = None
        self.serial_number: str | None = None
        self._seq = random.randrange(1, 0xFFFF)
        self._waiting: tuple[int, tuple[int, ...]] | None = None
        self._reply: Message | None = None
        self._device_seq: int | None = None
        self.held_messages: list[tuple[Message, int]] = []  # spontaneous, during reconnect()

    # --- open, close, reconnect -------------------------------------------------------------
    def open(self) -> Hello:
        if not self.transport.is_open:
            self.transport.open()
        self.serial_number = _serial_number(self.port)
        self.decoder.reset()
        return self.handshake()

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def handshake(self) -> Hello:
        """Wait for the board's HELLO, asking for it: opening a port resets an Uno (DTR), and a
        HELLO sent before we opened is lost. Keeps asking until ``hello_timeout``."""
        end = time.monotonic() + self.hello_timeout
        while True:
            try:
                hello = self.request(RequestHello(), timeout=min(0.5, self.timeout), retries=1)
                break
            except TransportError:
                if self.decoder.foreign_hello is not None:
                    raise TransportError(
                        f"{self.port}: the board speaks protocol version "
                        f"{self.decoder.foreign_hello.version}; update tendril") from None
                if time.monotonic() > end:
                    raise TransportError(
                        f"{self.port}: no tendril board answered HELLO within "
                        f"{self.hello_timeout:g} s (is it running tendril firmware?)") from None
        if not isinstance(hello, Hello):
            raise TransportError(f"{self.port}: the board answered HELLO with {type(hello).__name__}")
        self.hello = hello
        return hello

    def reconnect(self, timeout: float = 10.0) -> Hello:
        """Close and reopen until the same board (HELLO device_id) answers: on the same path, on
        the port with the same USB serial number, or on any port ``candidates`` names (a new pty of
        a restarted simulated board)."""
        want = self.hello.device_id if self.hello else None
        self.transport.close()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for port in self._ports_to_try():
                if not os.path.exists(port) and not port.startswith("loop://"):
                    continue
                held: list[tuple[Message, int]] = []
                trial = Session(port, timeout=self.timeout, retries=self.retries,
                                hello_timeout=min(2.0, self.hello_timeout), baud=self.baud,
                                on_message=lambda msg, seq, held=held: held.append((msg, seq)))
                try:
                    hello = trial.open()
                except TransportError:
                    trial.close()
                    continue
                if want is not None and hello.device_id != want:
                    trial.close()
                    continue
                self.transport, self.port, self.hello = trial.transport, port, hello
                self.serial_number = trial.serial_number
                # what the board said while its HELLO was awaited: the caller takes it once it
                # knows which boot it is (a logger would lose these frames otherwise)
                self.held_messages = held
                self.decoder.reset()
                self.health.reconnects += 1
                return hello
            time.sleep(0.2)
        raise TransportError(f"{self.port}: the board did not come back within {timeout:g} s")

    def _ports_to_try(self) -> list[str]:
        ports = [self.port]
        if self.serial_number:
            from ..transport.discover import list_ports
            ports += [p.path for p in list_ports() if p.serial_number == self.serial_number]
        if self.candidates is not None:
            ports += list(self.candidates())
        return list(dict.fromkeys(ports))

    # --- requests -----------------------------------------------------------------------------
    def next_seq(self) -> int:
        self._seq = (self._seq + 1) & 0xFFFF
        return self._seq

    def request(self, msg: Message, timeout: float | None = None, retries: int | None = None) -> Message:
        """Send ``msg`` and return its reply (ACK, NACK or the data asked for). A try without a
        reply is resent with the SAME seq (protocol.md, *Sequence numbers*)."""
        timeout = self.timeout if timeout is None else timeout
        tries = self.retries if retries is None else retries
        seq = self.next_seq()
        wire = encode(msg, seq)
        data_type = _DATA_REPLY.get(type(msg).__name__)
        types = _ALWAYS + ((int(data_type),) if data_type is not None else ())
        self.health.requests += 1
        try:
            return self._exchange(msg, wire, seq, types, timeout, tries)
        except TransportError:
            if not self.auto_reconnect or self.hello is None or isinstance(msg, RequestHello):
                raise
            self.reconnect()
            return self._exchange(msg, wire, seq, types, timeout, tries)

    def _exchange(self, msg, wire, seq, types, timeout, tries) -> Message:
        self._waiting, self._reply = (seq, types), None
        try:
            for attempt in range(tries):
                if attempt:
                    self.health.retries += 1
                self.transport.write(wire)
                end = time.monotonic() + timeout
                while (left := end - time.monotonic()) > 0:
                    self._read(left)
                    if self._reply is not None:
                        return self._reply
                self.health.timeouts += 1
        finally:
            self._waiting = None
        raise TransportError(f"{self.port}: no reply to {type(msg).__name__} after {tries} tries")

    def call(self, msg: Message, what: str | None = None, expect: type = Ack, timeout: float | None = None):
        """``request``, raising DeviceError (the NACK code explained) on a refusal."""
        reply = self.request(msg, timeout)
        what = what or type(msg).__name__
        if isinstance(reply, NackMsg):
            raise device_error(what, reply.code, reply.detail)
        if not isinstance(reply, expect):
            raise TransportError(f"{self.port}: the board answered {what} with {type(reply).__name__}")
        return reply

    def ping(self, data: bytes = b"tendril") -> float:
        """Round-trip time in ms (kept in health.latency_ms)."""
        start = time.perf_counter()
        reply = self.request(Ping(data))
        if not isinstance(reply, Pong) or reply.data != data:
            raise TransportError(f"{self.port}: a wrong answer to PING: {reply!r}")
        self.health.latency_ms = round((time.perf_counter() - start) * 1000, 3)
        return self.health.latency_ms

    # --- receiving ----------------------------------------------------------------------------
    def poll(self, duration: float = 0.0) -> None:
        """Read and dispatch what arrives during ``duration`` seconds."""
        end = time.monotonic() + duration
        while True:
            try:
                self._read(max(0.0, end - time.monotonic()))
            except TransportError:
                if not self.auto_reconnect or self.hello is None:
                    raise
                self.reconnect()
            if time.monotonic() >= end:
                return

    def wait_for(self, predicate: Callable[[Message], bool], timeout: float) -> Message | None:
        """The first queued or arriving spontaneous message that satisfies ``predicate`` (the
        messages before it are taken off the queue)."""
        end = time.monotonic() + timeout
        while True:
            while self.messages:
                msg = self.messages.popleft()
                if predicate(msg):
                    return msg
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.poll(min(left, 0.05))

    def _read(self, timeout: float) -> None:
        data = self.transport.read(timeout)
        if not data:
            return
        self.health.bytes += len(data)
        if self.on_data is not None:
            self.on_data(data)
        for line in self.text.feed(data):
            (self.on_line or self.lines.append)(line)
        frames = self.decoder.feed(data)
        self.health.decoder = self.decoder.stats.as_dict()
        for frame in frames:
            self.health.frames += 1
            try:
                msg = decode_message(frame)
            except BadPayload:
                continue  # counted by nobody else: a frame too short for its type
            w = self._waiting
            if w is not None and frame.seq == w[0] and frame.type in w[1] and self._reply is None:
                self._reply = msg
            elif frame.type in _SPONTANEOUS:
                self._count_gap(frame.seq)
                if self.on_message is not None:
                    self.on_message(msg, frame.seq)
                else:
                    self.messages.append(msg)
            else:
                self.health.late_replies += 1

    def _count_gap(self, seq: int) -> None:
        if self._device_seq is not None:
            gap = (seq - self._device_seq - 1) & 0xFFFF
            if 0 < gap < 1000:  # a big jump is a reboot, not a loss
                self.health.device_gaps += gap
        self._device_seq = seq


def _serial_number(port: str) -> str | None:
    if "://" in port or not port.startswith("/dev/"):
        return None
    try:
        from serial.tools import list_ports
        real = os.path.realpath(port)
        for p in list_ports.comports():
            if os.path.realpath(p.device) == real:
                return p.serial_number
    except (ImportError, OSError):  # discovery is a nicety here; a port it cannot see still works
        return None
    return None
