"""A small test host: the host's real codec (tendril.protocol) over a real pty to a virtual board."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import serial
from tendril.boards import load_board
from tendril.image import with_generation
from tendril.protocol import (
    Ack,
    ConfigBegin,
    ConfigChunk,
    ConfigCommit,
    Event,
    FrameDecoder,
    Hello,
    RequestHello,
    Telemetry,
    decode_message,
    encode,
)
from tendril.recipes import compile_recipe, parse
from tendril.sim.mpy_board import VirtualBoard
from tendril.sim.scenario import Scenario


class Link:
    """Requests with replies matched by seq; everything the board sends by itself is kept."""

    def __init__(self, board: VirtualBoard) -> None:
        self.board = board
        self.port = serial.Serial(board.path, timeout=0.02)
        self.port.reset_input_buffer()
        self.dec = FrameDecoder()
        self.seq = 0
        self.unsolicited: list = []  # (frame seq, message) of TELEMETRY, EVENT, LOG, HELLO at boot

    def close(self) -> None:
        self.port.close()

    def _pump(self) -> list:
        frames = self.dec.feed(self.port.read(512))
        return [(f.seq, f.type, decode_message(f)) for f in frames]

    def request(self, msg, timeout: float = 2.0):
        self.seq = (self.seq + 1) & 0xFFFF
        self.port.write(encode(msg, self.seq))
        end = time.monotonic() + timeout
        reply = None
        while reply is None and time.monotonic() < end:
            for seq, _type, m in self._pump():
                if reply is None and seq == self.seq and self._answers(msg, m):
                    reply = m
                else:
                    self.unsolicited.append(m)
        if reply is not None:
            return reply
        raise AssertionError(f"no reply to {msg!r} within {timeout} s")

    @staticmethod
    def _answers(request, m) -> bool:
        """Whether ``m`` can be the reply to ``request`` (device frames have their own seq)."""
        if isinstance(m, (Telemetry, Event)) or type(m).__name__ == "Log":
            return False
        return not isinstance(m, Hello) or isinstance(request, RequestHello)

    def run(self, ms: int, timeout: float = 60.0) -> list:
        """A held board runs ``ms`` board ms while everything it sends is read; then it holds."""
        self.board.clock_command(f"run {int(ms)}")
        end = time.monotonic() + timeout
        while self.board.clock_answers.empty():
            assert time.monotonic() < end, f"{ms} board ms did not pass in {timeout} s"
            self.unsolicited.extend(m for _s, _t, m in self._pump())
        self.board.clock_answers.get()
        self.unsolicited.extend(m for _s, _t, m in self._pump())
        return self.unsolicited

    def listen(self, seconds: float) -> list:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.unsolicited.extend(m for _s, _t, m in self._pump())
        return self.unsolicited

    def events(self) -> list[Event]:
        return [m for m in self.unsolicited if isinstance(m, Event)]

    def hello(self) -> Hello:
        reply = self.request(RequestHello())
        assert isinstance(reply, Hello), reply
        return reply

    def push(self, image: bytes, generation: int | None = None, damage: int | None = None) -> list:
        """CONFIG_BEGIN, CHUNKs, COMMIT as a host does; returns every reply. ``damage``: flip the
        byte at that offset on the way, after the CRC was computed (a line error)."""
        if generation is None:
            generation = self.hello().config_generation + 1
        image = with_generation(image, generation)
        replies = [self.request(ConfigBegin(len(image), zlib.crc32(image[6:]), image[14:22], generation))]
        if not isinstance(replies[0], Ack) or replies[0].detail:
            return replies
        if damage is not None:
            image = image[:damage] + bytes([image[damage] ^ 0xFF]) + image[damage + 1 :]
        for off in range(0, len(image), 56):
            replies.append(self.request(ConfigChunk(off, image[off : off + 56])))
        replies.append(self.request(ConfigCommit()))
        return replies


@contextmanager
def held_board(tmp_path, lines: list[str], board: str = "pico") -> Iterator[Link]:
    """A virtual board in the world of scenario ``lines``, its clock held, and a Link to it; both
    closed after."""
    world = Scenario(board)
    for line in lines:
        world.line(line)
    vb = VirtualBoard(board, storage=tmp_path, hold=True, world=world)
    vb.start()
    lk = Link(vb)
    try:
        yield lk
    finally:
        lk.close()
        vb.close()


def play(tmp_path, recipe: str, lines: list[str], ms: int, board: str = "pico") -> tuple:
    """A virtual board in the world of scenario ``lines``, its clock held: HELLO, ``recipe`` pushed
    and committed, then ``ms`` board ms run. (HELLO, everything the board sent by itself.)"""
    with held_board(tmp_path, lines, board) as lk:
        hello = lk.request(RequestHello())
        assert isinstance(lk.push(with_generation(compile_recipe(parse(recipe), load_board(board)), 1))[-1], Ack)
        lk.run(ms, timeout=600)
    return hello, lk.unsolicited
