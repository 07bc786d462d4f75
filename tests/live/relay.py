"""A pty relay that can be unplugged: a simulated board's pty on one side, a pty of its own on the
other, published as a stable symlink (like /dev/serial/by-id/usb-...).

"Unplug" closes the outer pty and removes the symlink: the host's open port hangs up, as when a
USB cable is pulled. "Replug" makes a new pty (a new /dev/pts/N) and points the symlink at it.
The board never notices: its boot goes on, so the host must log into the same session without
duplicates. Every frame the board sends is decoded here before any corruption is injected, so a
test knows exactly what the board said (``telemetry``: seq -> (time_ms, first_channel, values)).
"""

from __future__ import annotations

import os
import random
import select
import termios
import threading
import tty
from pathlib import Path

from tendril.contract import MsgType
from tendril.protocol import FrameDecoder, decode_message


class Relay:
    def __init__(self, inner: str, link: Path, seed: int = 1) -> None:
        self.inner = os.open(inner, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.inner, termios.TCSANOW)
        self.link = Path(link)
        self.master = -1
        self._slave = -1
        self.lock = threading.Lock()
        self.tap = FrameDecoder()
        self.telemetry: dict[int, tuple[int, int, tuple[int, ...]]] = {}
        self.corrupt_left = 0
        self._injects: list[bytes] = []
        self.corrupted = 0  # chunks forwarded with a byte changed or garbage added
        self.rng = random.Random(seed)
        self.plugs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._pump, name="relay", daemon=True)
        self._thread.start()

    @property
    def plugged(self) -> bool:
        return self.master >= 0

    def plug(self) -> str:
        """A new outer pty and the symlink to it; returns the pty's own path."""
        with self.lock:
            master, slave = os.openpty()
            tty.setraw(slave, termios.TCSANOW)
            os.set_blocking(master, False)
            path = os.ttyname(slave)
            tmp = self.link.with_name(self.link.name + ".new")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(path)
            os.replace(tmp, self.link)
            self.master, self._slave = master, slave
            self.plugs += 1
            return path

    def unplug(self) -> None:
        with self.lock:
            self.link.unlink(missing_ok=True)
            for fd in (self.master, self._slave):
                if fd >= 0:
                    os.close(fd)
            self.master = self._slave = -1

    def corrupt(self, chunks: int) -> None:
        """Damage the next ``chunks`` reads forwarded to the host (a flipped byte or noise)."""
        with self.lock:
            self.corrupt_left += chunks

    def inject(self, data: bytes) -> None:
        """Bytes to the host as if the board sent them (text, a crafted frame), put in at the
        next frame boundary of the board's stream so no real frame is cut in two."""
        with self.lock:
            self._injects.append(data)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.unplug()
        os.close(self.inner)

    def _pump(self) -> None:
        while not self._stop.is_set():
            with self.lock:
                fds = [self.inner] + ([self.master] if self.master >= 0 else [])
            try:
                ready, _, _ = select.select(fds, [], [], 0.02)
            except OSError:  # unplugged (its fd closed) between taking the fds and the select
                continue
            for fd in ready:
                try:
                    data = os.read(fd, 4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:  # the outer side was just unplugged, or the board is gone
                    continue
                if not data:
                    continue
                if fd == self.inner:
                    self._from_board(data)
                else:
                    self._write(self.inner, data)

    def _from_board(self, data: bytes) -> None:
        for frame in self.tap.feed(data):
            if frame.type == MsgType.TELEMETRY:
                msg = decode_message(frame)
                self.telemetry.setdefault(frame.seq, (msg.time_ms, msg.first_channel, msg.values))
        with self.lock:
            if self.master < 0:
                return  # unplugged: what the board says now is lost, as on a real cable
            if self.corrupt_left:
                self.corrupt_left -= 1
                self.corrupted += 1
                data = self._damage(data)
            if self._injects and (end := data.rfind(b"\x00")) >= 0:
                data = data[:end + 1] + b"".join(self._injects) + data[end + 1:]
                self._injects.clear()
            self._write(self.master, data)

    def _damage(self, data: bytes) -> bytes:
        buf = bytearray(data)
        if self.rng.random() < 0.5:
            i = self.rng.randrange(len(buf))
            buf[i] ^= self.rng.randrange(1, 256)
        else:
            i = self.rng.randrange(len(buf) + 1)
            buf[i:i] = bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(1, 12)))
        return bytes(buf)

    @staticmethod
    def _write(fd: int, data: bytes) -> None:
        try:
            os.write(fd, data)  # a full pty drops the rest, like a UART nobody reads
        except OSError:
            pass
