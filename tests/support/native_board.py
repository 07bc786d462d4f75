"""The native simulated board (firmware/build/native/tendril-native*) driven over its real pty with
the host's real protocol codec (tendril.protocol) and pyserial.

NativeBoard starts the binary, reads `port: ...` from its first stdout line, opens the port, and
offers `request(msg)` (one reply, matched by seq) while it collects everything the device sends by
itself (HELLO, EVENT, LOG, TELEMETRY) and every line of stderr (pin changes, resets, power cuts).
Started with ``--hold`` its clock stands still until the test moves it (``go()``, ``run(ms)``,
tendril.sim.clock), so what the test sees does not depend on the machine's speed.
"""

from __future__ import annotations

import struct
import subprocess
import threading
import time
from pathlib import Path

import serial
from tendril.contract import CONFIG_CHUNK_MAX, RECIPE_HASH_SIZE, MsgType
from tendril.image.codec import crc32 as image_crc32
from tendril.sim.clock import BoardClock
from tendril.protocol import (
    REPLY_TYPES,
    ConfigBegin,
    ConfigChunk,
    ConfigCommit,
    FrameDecoder,
    decode_message,
    encode,
)

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "firmware" / "build" / "native"
REPLIES = REPLY_TYPES - {MsgType.HELLO}  # a HELLO with seq >= 100 answers COMMAND HELLO


class NativeBoard:
    def __init__(self, binary: Path, eeprom: Path, *args: str, env: dict | None = None) -> None:
        import os

        self.held = "--hold" in args
        self.proc = subprocess.Popen(
            [str(binary), "--eeprom", str(eeprom), *args],
            stdin=subprocess.PIPE if self.held else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.stderr: list[str] = []
        self._err_thread = threading.Thread(target=self._read_stderr, daemon=True)
        self._err_thread.start()
        line = self.proc.stdout.readline()
        if not line.startswith("port: "):
            self.proc.wait(timeout=5)
            raise RuntimeError(f"no port line (exit {self.proc.returncode}): {line!r} {self.stderr}")
        self.port = line.split(" ", 1)[1].strip()
        self.clock = BoardClock(self.proc) if self.held else None
        try:
            self.ser = serial.Serial(self.port, 115200, timeout=0.02)
        except (serial.SerialException, OSError) as exc:
            # It died while booting (a power cut there, say): opening the pty then fails with a
            # SerialException, or with EIO from the termios set-up if the board went between the two.
            self.proc.wait(timeout=5)
            raise ConnectionError(f"the board is gone (exit {self.proc.returncode})") from exc
        self.decoder = FrameDecoder()
        self.own: list = []  # (frame seq, message) of HELLO, EVENT, LOG, TELEMETRY in order
        self._replies: list = []
        self.seq = 100
        self.bytes_in = 0

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip("\n"))

    # --- receiving -----------------------------------------------------------------------------
    def pump(self, seconds: float = 0.0) -> None:
        """Read whatever arrives for ``seconds`` (at least one read)."""
        end = time.monotonic() + seconds
        while True:
            try:
                data = self.ser.read(4096)
            except Exception as exc:  # the pty went away with the process
                try:
                    self.proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    raise exc from None
                raise ConnectionError(f"the board is gone (exit {self.proc.returncode})") from exc
            self.bytes_in += len(data)
            for frame in self.decoder.feed(data):
                msg = decode_message(frame)
                if frame.type in REPLIES or (frame.type == MsgType.HELLO and frame.seq >= 100):
                    self._replies.append((frame.seq, frame.type, msg))
                else:
                    self.own.append((frame.seq, msg))
            if time.monotonic() >= end:
                return

    def wait_for(self, predicate, timeout: float = 5.0, since: int = 0):
        """The first device message (own, from index ``since`` on) that satisfies ``predicate``."""
        end = time.monotonic() + timeout
        seen = since
        while time.monotonic() < end:
            for _seq, msg in self.own[seen:]:
                if predicate(msg):
                    return msg
            seen = len(self.own)
            self.pump(0.02)
        raise TimeoutError("the device never sent what was waited for")

    # --- the clock (boards started with --hold) ------------------------------------------------
    def go(self) -> int:
        """Let the held clock run freely; the board's ms then."""
        return self.clock.go()

    def run(self, ms: int, timeout: float = 120.0) -> int:
        """Run ``ms`` board ms, reading everything the board sends meanwhile; then hold."""
        self.clock.start_run(ms)
        end = time.monotonic() + timeout
        while not self.clock.done():
            if time.monotonic() > end or self.proc.poll() is not None:
                raise TimeoutError(f"{ms} board ms did not pass (exit {self.proc.poll()})")
            self.pump(0.01)
        self.drain()
        return self.clock.last

    def drain(self) -> None:
        """Read until the port is quiet (all a held board sent before its answer)."""
        while True:
            before = self.bytes_in
            self.pump()
            if self.bytes_in == before:
                return

    def wait_until(self, check, timeout: float = 15.0) -> None:
        """Read the port until ``check()`` holds (a guard timeout only against a hang)."""
        end = time.monotonic() + timeout
        while not check():
            if time.monotonic() > end:
                raise TimeoutError("the board never got there")
            self.pump(0.02)

    def messages(self, cls) -> list:
        return [m for _s, m in self.own if isinstance(m, cls)]

    # --- requests --------------------------------------------------------------------------------
    def send_raw(self, wire: bytes) -> None:
        try:
            self.ser.write(wire)
            self.ser.flush()
        except Exception as exc:  # SerialException, OSError, termios.error: the pty went away
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                raise exc from None
            raise ConnectionError(f"the board is gone (exit {self.proc.returncode})") from exc

    def request(self, msg, timeout: float = 5.0, seq: int | None = None):
        """Send ``msg``; its one reply (matched by seq)."""
        if seq is None:
            self.seq = (self.seq + 1) & 0xFFFF or 100
            seq = self.seq
        self.send_raw(encode(msg, seq))
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for i, (rseq, _rtype, reply) in enumerate(self._replies):
                if rseq == seq:
                    del self._replies[i]
                    return reply
            if self.proc.poll() is not None:
                raise ConnectionError(f"the board is gone (exit {self.proc.returncode})")
            self.pump(0.01)
        raise TimeoutError(f"no reply to {msg}")

    def push(self, image: bytes, generation: int | None = None) -> list:
        """CONFIG_BEGIN, CHUNKs of 56, COMMIT; every reply in order."""
        from tendril.image.codec import GENERATION_OFFSET, HASH_OFFSET, with_generation

        if generation is not None:
            image = with_generation(image, generation)
        gen = struct.unpack_from("<I", image, GENERATION_OFFSET)[0]
        rhash = image[HASH_OFFSET : HASH_OFFSET + RECIPE_HASH_SIZE]
        replies = [self.request(ConfigBegin(len(image), image_crc32(image), rhash, gen))]
        if getattr(replies[0], "code", None) is not None or getattr(replies[0], "detail", 0) == 1:
            return replies
        for off in range(0, len(image), CONFIG_CHUNK_MAX):
            replies.append(self.request(ConfigChunk(off, image[off : off + CONFIG_CHUNK_MAX])))
        replies.append(self.request(ConfigCommit()))
        return replies

    def pins(self, pin: int) -> list[tuple[int, int]]:
        """(device ms, level) of every change the board reported on ``pin``."""
        out = []
        for line in list(self.stderr):
            parts = line.split()
            if len(parts) == 4 and parts[0].startswith("t=") and int(parts[2]) == pin:
                out.append((int(parts[0][2:]), int(parts[3])))
        return out

    def close(self, timeout: float = 10.0) -> int:
        try:
            self.ser.close()
        except Exception:
            pass
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        rc = None
        for _ in range(3):  # a SIGTERM that lands in a hung loop is lost with the watchdog reset
            if self.proc.poll() is not None:
                break
            self.proc.terminate()
            try:
                rc = self.proc.wait(timeout=timeout / 3)
            except subprocess.TimeoutExpired:
                continue
        if self.proc.poll() is None:
            self.proc.kill()
        rc = self.proc.wait(timeout=timeout)
        self._err_thread.join(timeout=2)
        return rc


def build_native() -> tuple[Path, Path]:
    result = subprocess.run(
        ["make", "-s", "-C", str(ROOT / "firmware" / "native"), "all", "test"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"building the native board failed:\n{result.stdout}\n{result.stderr}")
    return BUILD / "tendril-native", BUILD / "tendril-native-test"


def play_recipe(binary: Path, tmp_path: Path, recipe: str, lines: list[str], ms: int, board: str = "uno") -> NativeBoard:
    """A held native board with scenario ``lines`` (``--set``), the recipe pushed, ``ms`` board ms run;
    the board closed, its messages kept."""
    from tendril.boards import load_board
    from tendril.image.codec import with_generation
    from tendril.protocol import Ack
    from tendril.recipes import compile_recipe, parse

    args = [a for line in lines for a in ("--set", line)]
    native = NativeBoard(binary, tmp_path / "ee.bin", "--fast", "--hold", *args)
    try:
        assert isinstance(native.push(with_generation(compile_recipe(parse(recipe), load_board(board)), 1))[-1], Ack)
        native.run(ms)
    finally:
        native.close()
    return native
