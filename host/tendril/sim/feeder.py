"""A fast fake tendril board on a pty, for load tests and benchmarks.

It answers the host like a board with no config (HELLO without HAS_CONFIG, so a LiveBoard asks
for nothing else), ACKs or answers whatever else it is sent, and once it has answered a HELLO it
streams real TELEMETRY frames (tendril.protocol's encoder): ``channels`` values a tick at
``rate_hz`` ticks a second, or as fast as the pty takes them (``rate_hz=None``). Writes block
when the host does not read, so every frame counted in ``frames_sent`` reached the pty whole.

    feeder = Feeder(channels=16, rate_hz=1000).start()
    board = LiveBoard(feeder.port, ...)
    ...
    feeder.stop(); feeder.samples_sent
"""

from __future__ import annotations

import os
import select
import threading
import time
import tty
from collections.abc import Callable
from typing import Self

from ..contract import TELEMETRY_MAX_VALUES, MsgType
from ..protocol import (
    Ack,
    FrameDecoder,
    Hello,
    Pong,
    RequestHello,
    Telemetry,
    decode_message,
    encode,
)
from ..protocol._base import BadPayload

_BATCH = 64  # frames joined into one write when streaming flat out


def default_values(tick: int, channel: int) -> int:
    """A value the test can recompute from (tick, channel): thousandths, within i32."""
    return (tick * 7 + channel * 1000) % 1_000_000


class Feeder:
    def __init__(self, channels: int = 16, rate_hz: float | None = 1000.0,
                 values: Callable[[int, int], int] = default_values, *, device_id: int = 0xFEED01,
                 boot_count: int = 1, max_ticks: int | None = None) -> None:
        self.channels, self.rate_hz, self.values = channels, rate_hz, values
        self.max_ticks = max_ticks
        self.hello = Hello(protocol_version=1, board_class=1, fw_major=1, fw_minor=0, fw_patch=0,
                           reset_cause=1, flags=0, device_id=device_id, boot_count=boot_count,
                           capabilities=0, config_generation=0, recipe_hash=bytes(8),
                           max_payload=64, max_image=1024, text="tendril-feeder")
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self.master, False)
        self.port = os.ttyname(self._slave)
        self.frames_sent = 0
        self.samples_sent = 0
        self.bytes_sent = 0
        self.ticks = 0
        self.requests = 0
        self.streaming = threading.Event()
        self.done = threading.Event()  # max_ticks reached
        self._stop = threading.Event()
        self._finish = threading.Event()  # stream no more, keep answering
        self._wlock = threading.Lock()
        self._seq = 0
        # channel groups of at most 14 values a frame, as even as possible (16 -> 8 + 8)
        n_frames = max(1, -(-channels // TELEMETRY_MAX_VALUES))
        size = -(-channels // n_frames)
        self._groups = [(first, min(size, channels - first)) for first in range(0, channels, size)]
        self._threads: list[threading.Thread] = []

    # --- life -----------------------------------------------------------------------------------
    def start(self) -> Self:
        for target, name in ((self._serve, "feeder requests"), (self._stream, "feeder stream")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def finish(self) -> None:
        """Send no more telemetry (the frame being written completes); requests are still
        answered and the pty stays open, so the host can read what is in flight."""
        self._finish.set()
        self._write([])  # waits for a write in progress

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(5)
        for fd in (self.master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what the host asks ---------------------------------------------------------------------
    def _serve(self) -> None:
        decoder = FrameDecoder()
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                return
            for frame in decoder.feed(data):
                try:
                    msg = decode_message(frame)
                except BadPayload:
                    continue
                self.requests += 1
                if isinstance(msg, RequestHello):
                    reply = self.hello
                elif frame.type == MsgType.PING:
                    reply = Pong(msg.data)
                else:
                    reply = Ack(frame.type)
                self._write([(encode(reply, frame.seq), 0)])
                if isinstance(msg, RequestHello):
                    self.streaming.set()

    # --- what the board says by itself ----------------------------------------------------------
    def _next_seq(self) -> int:
        self._seq = (self._seq + 1) & 0xFFFF
        return self._seq

    def _tick_frames(self, tick: int, t_ms: int) -> list[tuple[bytes, int]]:
        values = self.values
        return [(encode(Telemetry(t_ms, first, 0, tuple(values(tick, c) for c in range(first, first + n))),
                        self._next_seq()), n)
                for first, n in self._groups]

    def _stream(self) -> None:
        while not self.streaming.wait(0.05):
            if self._stop.is_set():
                return
        start = time.monotonic()
        period = 1.0 / self.rate_hz if self.rate_hz else 0.0
        while not self._stop.is_set() and not self._finish.is_set():
            if self.max_ticks is not None and self.ticks >= self.max_ticks:
                self.done.set()
                self._stop.wait(0.05)
                continue
            if period:
                due = start + self.ticks * period
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(min(wait, 0.05))
                    continue
                # behind schedule: catch up in one write, at most 100 ms worth
                ticks = max(1, min(int(-wait / period) + 1, int(0.1 / period) + 1))
            else:
                ticks = _BATCH // len(self._groups) or 1
            if self.max_ticks is not None:
                ticks = min(ticks, self.max_ticks - self.ticks)
            frames: list[tuple[bytes, int]] = []
            for k in range(ticks):
                tick = self.ticks + k
                t_ms = int(tick * period * 1000) if period else tick
                frames += self._tick_frames(tick, t_ms & 0xFFFFFFFF)
            if not self._write(frames):
                return
            self.ticks += ticks

    def _write(self, frames: list[tuple[bytes, int]]) -> bool:
        """Write whole frames (blocking while the pty is full); False when stopped part way."""
        with self._wlock:
            data = memoryview(b"".join(f for f, _ in frames))
            while data:
                try:
                    n = os.write(self.master, data)
                except BlockingIOError:
                    n = 0
                except OSError:
                    return False
                data = data[n:]
                if data:
                    if self._stop.is_set():
                        self._count(frames, len(data))
                        return False
                    select.select([], [self.master], [], 0.05)
            self._count(frames, 0)
        return True

    def _count(self, frames: list[tuple[bytes, int]], unwritten: int) -> None:
        written = sum(len(f) for f, _ in frames) - unwritten
        for wire, samples in frames:
            if written < len(wire):
                break
            written -= len(wire)
            self.bytes_sent += len(wire)
            if samples:  # a telemetry frame; replies carry none
                self.frames_sent += 1
                self.samples_sent += samples
