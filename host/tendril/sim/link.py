"""A protocol link to a simulated board over its pty: send requests, match replies, collect the rest.

Used by the simulator tests, which need frame-level control (raw bytes, seqs, unsolicited frames in
order); `tendril sim` and every other command use tendril.session.
No pyserial: a pty has no baud rate, so plain file descriptors in raw mode do. Framing and messages
are tendril.protocol's; this only moves bytes and matches replies by seq (docs/protocol.md).
"""

from __future__ import annotations

import os
import select
import termios
import time
import tty
from typing import Self

from ..errors import TransportError
from ..protocol import REPLY_TYPES, FrameDecoder, Message, decode_message, encode
from ..protocol.framing import Frame



class PtyLink:
    """One open pty. ``request`` returns the reply; device-initiated frames pile up in ``unsolicited``
    (as (arrival wall time, Frame)) until a caller takes them."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as exc:
            raise TransportError(f"cannot open {path}: {exc.strerror}") from exc
        tty.setraw(self.fd, termios.TCSANOW)
        self.decoder = FrameDecoder()
        self.unsolicited: list[tuple[float, Frame]] = []
        self._seq = 0
        self._waiting: int | None = None
        self._replies: list[Frame] = []

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send_raw(self, data: bytes) -> None:
        view = memoryview(data)
        deadline = time.monotonic() + 5
        while view:
            try:
                view = view[os.write(self.fd, view):]
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TransportError(f"{self.path}: the board does not take bytes") from None
                select.select([], [self.fd], [], 0.05)
            except OSError as exc:  # EIO: the board is gone (powered off)
                raise TransportError(f"{self.path}: {exc.strerror}") from exc

    def poll(self, timeout: float) -> int:
        """Read what arrives within ``timeout`` seconds (returns once something came); frames go to
        the reply queue or ``unsolicited``. Returns the number of frames read."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return 0
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return 0
        except OSError as exc:
            raise TransportError(f"{self.path}: {exc.strerror}") from exc
        now = time.monotonic()
        frames = self.decoder.feed(data)
        for frame in frames:
            # A reply echoes the seq of the request waiting for it. Anything else (TELEMETRY, EVENT,
            # a boot HELLO with the device's own counter, a late reply to an earlier try) is kept
            # for the caller in arrival order.
            if frame.type in REPLY_TYPES and frame.seq == self._waiting:
                self._replies.append(frame)
            else:
                self.unsolicited.append((now, frame))
        return len(frames)

    def request(self, msg: Message, timeout: float = 1.0, tries: int = 3) -> Message:
        """Send ``msg`` and return the device's reply, resending with the same seq on a timeout."""
        self._seq = (self._seq + 1) & 0xFFFF
        seq = self._seq
        wire = encode(msg, seq)
        self._waiting = seq
        self._replies.clear()
        try:
            for _ in range(tries):
                self.send_raw(wire)
                deadline = time.monotonic() + timeout
                while (left := deadline - time.monotonic()) > 0:
                    if self._replies:
                        return decode_message(self._replies.pop(0))
                    self.poll(left)
        finally:
            self._waiting = None
        raise TransportError(f"{self.path}: no reply to {type(msg).__name__} after {tries} tries")

    def messages(self, duration: float) -> list[tuple[float, Message]]:
        """Everything the device sends by itself during the next ``duration`` seconds (and before)."""
        deadline = time.monotonic() + duration
        while (left := deadline - time.monotonic()) > 0:
            self.poll(left)
        return self.take()

    def take(self) -> list[tuple[float, Message]]:
        out = [(t, decode_message(f)) for t, f in self.unsolicited]
        self.unsolicited.clear()
        return out
