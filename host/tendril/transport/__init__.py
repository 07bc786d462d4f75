"""Byte transports behind one interface, chosen by the port string (docs/host.md, *Transport*).

- a device path (/dev/ttyACM0, /dev/serial/by-id/..., a pty's /dev/pts/N) -> pyserial ``Serial``
- ``loop://`` -> an in-memory loopback for unit tests: ``peer`` is the other end (a fake device)

A transport only moves bytes: framing is tendril.protocol's, requests are tendril.session's.
"""

from __future__ import annotations

import contextlib
import os
import select
import termios
import threading
import time
from typing import Protocol

from ..errors import TransportError

DEFAULT_BAUD = 115_200


class Transport(Protocol):
    port: str

    @property
    def is_open(self) -> bool: ...

    def open(self) -> None: ...

    def read(self, timeout: float) -> bytes:
        """What arrives within ``timeout`` s (returns as soon as something came; b"" if nothing).
        Raises TransportError when the port is gone."""
        ...

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class SerialTransport:
    """A real serial port (or a pty) through pyserial."""

    def __init__(self, port: str, baud: int = DEFAULT_BAUD) -> None:
        self.port = port
        self.baud = baud
        self._ser = None
        self._poll = None

    @property
    def is_open(self) -> bool:
        return self._ser is not None and self._ser.is_open

    def open(self) -> None:
        import serial

        try:
            self._ser = serial.Serial(self.port, self.baud, timeout=0)
        except (serial.SerialException, OSError, ValueError) as exc:
            self._ser = None
            raise TransportError(f"cannot open {self.port}: {_why(exc)}") from exc
        self._poll = None
        if hasattr(select, "poll") and hasattr(self._ser, "fileno"):  # POSIX: wait on the fd
            self._poll = select.poll()
            self._poll.register(self._ser.fileno(), select.POLLIN)

    def read(self, timeout: float) -> bytes:
        ser = self._need()
        try:
            if self._poll is not None:
                return self._read_fd(timeout)
            ser.timeout = max(0.0, timeout)
            first = ser.read(1)  # blocks up to timeout for the first byte
            if not first:
                return b""
            ser.timeout = 0
            return first + ser.read(max(ser.in_waiting, 4096))
        except Exception as exc:  # SerialException, OSError, termios.error: the port went away
            self.close()
            raise TransportError(f"{self.port}: the port went away ({_why(exc)})") from exc

    def _read_fd(self, timeout: float) -> bytes:
        # pyserial's read sets the port's timeout with termios calls (twice a read here, and much
        # Python around them): a hundred boards' reads through serve spent more in that than in
        # the frames (docs/benchmarks.md). Waiting on the descriptor does the same job.
        fd = self._ser.fileno()
        if not self._poll.poll(max(0, int(timeout * 1000 + 0.999))):
            return b""
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            return b""
        if not data:  # readable but empty: what a tty says when its device is gone
            raise OSError("the device reports data but returns none (unplugged?)")
        return data

    def write(self, data: bytes) -> None:
        ser = self._need()
        try:
            ser.write(data)
            ser.flush()
        except Exception as exc:
            self.close()
            raise TransportError(f"{self.port}: the port went away ({_why(exc)})") from exc

    def close(self) -> None:
        if self._ser is not None:
            # Closing a port that vanished may fail; it is gone either way.
            with contextlib.suppress(OSError, termios.error):
                self._ser.close()
            self._ser = None

    def _need(self):
        if not self.is_open:
            raise TransportError(f"{self.port} is not open")
        return self._ser


class LoopTransport:
    """An in-memory pair of byte pipes. What the host writes, ``peer`` reads, and the other way.

    ``on_write``, when set, is called with every chunk the host writes (a fake device answers from
    it by calling ``peer_write``)."""

    def __init__(self, port: str = "loop://") -> None:
        self.port = port
        self._open = False
        self._cond = threading.Condition()
        self._to_host = bytearray()
        self.on_write = None
        self.written: list[bytes] = []

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        self._open = True

    def peer_write(self, data: bytes) -> None:
        with self._cond:
            self._to_host += data
            self._cond.notify_all()

    def read(self, timeout: float) -> bytes:
        if not self._open:
            raise TransportError(f"{self.port} is not open")
        end = time.monotonic() + timeout
        with self._cond:
            while not self._to_host:
                left = end - time.monotonic()
                if left <= 0:
                    return b""
                self._cond.wait(left)
            data = bytes(self._to_host)
            self._to_host.clear()
            return data

    def write(self, data: bytes) -> None:
        if not self._open:
            raise TransportError(f"{self.port} is not open")
        self.written.append(bytes(data))
        if self.on_write is not None:
            self.on_write(bytes(data))

    def close(self) -> None:
        self._open = False


def open_transport(port: str, baud: int = DEFAULT_BAUD) -> Transport:
    """A transport for ``port`` (not opened yet)."""
    if port.startswith("loop://"):
        return LoopTransport(port)
    if "://" in port:
        raise TransportError(f"unknown port {port!r}: give a device path (/dev/ttyACM0) or loop://")
    return SerialTransport(port, baud)


def _why(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
