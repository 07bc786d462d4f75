"""Plays the device-level vectors (tests/vectors/device/*.json) against a whole simulated device.

Two devices, both on a held clock, both over a real pty:

- ``NativeDevice``: the native C build (firmware/build/native/tendril-native-test: the firmware with
  the debug-only hang command, ASan and UBSan) started ``--hold --fast --step PASS_MS``;
- ``MpyDevice``: the MicroPython firmware under CPython (tendril.sim.mpy_board.VirtualBoard, held),
  whose loop passes every 10 board ms while a `run` lasts (``RUN_STEP_MS``).

Each step of a vector is one of: the boot (a fresh device), ``send`` (wire bytes at the held time),
``run`` (board ms), ``reset`` (a watchdog reset: the native board hangs on the debug command and its
watchdog, counting CPU time, resets it; the virtual board is stopped and booted again on the same
files with the watchdog as its reset cause). After each step the runner reads every frame the
device sent up to a barrier (a PING whose PONG comes after all earlier output; it is taken out),
and ``compare`` names the first frame that differs from the vector's.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import termios
import threading
import time
import tty
from dataclasses import fields, is_dataclass
from pathlib import Path

from tendril.contract import MsgType
from tendril.protocol import FrameDecoder, Ping, UnknownCommand, decode_message, encode
from tendril.sim.clock import BoardClock

ROOT = Path(__file__).resolve().parents[2]
DEVICE_VECTORS = ROOT / "tests" / "vectors" / "device"
ANY = "*"
REPLIES = {"ACK", "NACK", "PONG", "CONFIG_DATA", "PARAMS", "STATUS", "HELLO", "ROM_CODES", "I2C_SCAN", "I2C_DATA"}
BARRIER_SEQ = 0xFFF0  # the runner's own PINGs; no vector uses these seqs
HANG = UnknownCommand(0xF0)  # the native debug build's hang (docs/firmware.md, TD_DEBUG_HANG)


def vector_paths() -> list[Path]:
    return sorted(DEVICE_VECTORS.glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# --- the link: a pty read and written directly (no flush on open: the boot frames are kept) ------


class PtyLink:
    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd, termios.TCSANOW)
        self.dec = FrameDecoder()
        self.frames: list = []  # (type name, seq, message) in arrival order

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            select.select([], [self.fd], [], 1.0)
            try:
                n = os.write(self.fd, view)
            except BlockingIOError:
                continue
            view = view[n:]

    def pump(self, wait: float) -> bool:
        if not select.select([self.fd], [], [], wait)[0]:
            return False
        try:
            data = os.read(self.fd, 4096)
        except (BlockingIOError, OSError):
            return False
        for frame in self.dec.feed(data):
            self.frames.append((MsgType(frame.type).name, frame.seq, decode_message(frame)))
        return bool(data)

    def until(self, check, timeout: float, what: str, alive=lambda: True) -> None:
        """Read until ``check()`` holds; the timeout only guards against a hang."""
        end = time.monotonic() + timeout
        while not check():
            if time.monotonic() > end or not alive():
                raise TimeoutError(f"the device never sent {what}")
            self.pump(0.05)

    def close(self) -> None:
        os.close(self.fd)


class Device:
    """What a runner needs of a device (and ``run(ms)``, ``reset(cause)``, ``close()``); the link
    collects every frame it sends."""

    link: PtyLink
    _barriers = 0

    def alive(self) -> bool:
        return True

    def send(self, wire: bytes) -> None:
        self.link.write(wire)

    def barrier(self, timeout: float = 30.0) -> None:
        """Every frame the device sent before now has been read (a PING's PONG comes after them)."""
        Device._barriers += 1
        seq = BARRIER_SEQ + 1 + Device._barriers % 15  # 0xFFF0 is the hang command's
        data = b"barrier"
        self.link.write(encode(Ping(data), seq))
        found = []

        def pong():
            for i, (name, s, m) in enumerate(self.link.frames):
                if name == "PONG" and s == seq and m.data == data:
                    found.append(i)
                    return True
            return False

        self.link.until(pong, timeout, "the barrier PONG", self.alive)
        del self.link.frames[found[0]]

    def reply(self, seq: int, timeout: float = 30.0) -> None:
        """Wait for the reply to request ``seq``: the barrier goes out only after it, so it reaches
        the device in a later pass than the request (whose pass may still send events)."""
        self.link.until(lambda: any(n in REPLIES and s == seq for n, s, _m in self.link.frames),
                        timeout, f"a reply to request {seq}", self.alive)

    def take(self) -> list:
        out, self.link.frames = self.link.frames, []
        return out


class NativeDevice(Device):
    def __init__(self, binary: Path, workdir: Path, pass_ms: int) -> None:
        self.binary, self.workdir, self.pass_ms = binary, workdir, pass_ms
        self._start()

    def _start(self) -> None:
        self.proc = subprocess.Popen(
            [str(self.binary), "--eeprom", str(self.workdir / "device.eeprom"), "--hold", "--fast",
             "--step", str(self.pass_ms), "--seed", "1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stderr: list[str] = []
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()
        line = self.proc.stdout.readline()
        if not line.startswith("port: "):
            raise RuntimeError(f"no port line from the native board: {line!r}")
        self.clock = BoardClock(self.proc)
        self.link = PtyLink(line.split(" ", 1)[1].strip())

    def alive(self) -> bool:
        return self.proc.poll() is None

    def run(self, ms: int) -> None:
        self.clock.start_run(ms)
        end = time.monotonic() + 300
        while not self.clock.done():  # read while it runs: a fast board waits for its reader
            if time.monotonic() > end or not self.alive():
                raise TimeoutError(f"{ms} board ms did not pass")
            self.link.pump(0.01)

    def reset(self, cause: str) -> None:
        if cause != "watchdog":  # a power cycle: the process ends, the EEPROM file stays
            self.close()
            self._start()
            return
        resets = self.stderr.count("reset: watchdog\n")
        self.link.write(encode(HANG, BARRIER_SEQ))  # hangs the loop: the watchdog (CPU time) fires
        self.link.until(lambda: self.stderr.count("reset: watchdog\n") > resets, 60,
                        "a watchdog reset", self.alive)
        self.link.until(lambda: any(n == "HELLO" and s == 0 for n, s, _m in self.link.frames), 30,
                        "a HELLO after the reset", self.alive)
        # The hang command's own ACK (sent before the hang) is the runner's, not the vector's.
        self.link.frames = [f for f in self.link.frames if not (f[0] == "ACK" and f[1] == BARRIER_SEQ)]

    def close(self) -> None:
        self.link.close()
        for stream in (self.proc.stdin,):
            try:
                stream.close()
            except OSError:
                pass
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


class MpyDevice(Device):
    def __init__(self, storage: Path, pass_ms: int, cause: str = "power_on") -> None:
        from tendril.sim import mpy_board

        if mpy_board.RUN_STEP_MS != pass_ms:
            raise RuntimeError(f"the virtual board passes every {mpy_board.RUN_STEP_MS} ms, "
                               f"the vector every {pass_ms}")
        self.storage, self.pass_ms = storage, pass_ms
        self.vb = mpy_board.VirtualBoard("pico", storage=storage, hold=True, reset_cause=cause)
        self.link = PtyLink(self.vb.start())

    def alive(self) -> bool:
        return self.vb.alive

    def run(self, ms: int) -> None:
        self.vb.clock_command(f"run {int(ms)}")
        end = time.monotonic() + 300
        while self.vb.clock_answers.empty():
            if time.monotonic() > end or not self.alive():
                raise TimeoutError(f"{ms} board ms did not pass ({self.vb.crash!r})")
            self.link.pump(0.01)
        self.vb.clock_answers.get_nowait()

    def reset(self, cause: str) -> None:
        """The board stops where it stands and boots again on the same files."""
        self.close()
        self.__init__(self.storage, self.pass_ms, cause)

    def close(self) -> None:
        self.link.close()
        self.vb.close()


# --- comparing -------------------------------------------------------------------------------------


def as_json(value):
    """A decoded message's field as the vectors write it."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, (tuple, list)):
        return [as_json(v) for v in value]
    if is_dataclass(value):
        return {f.name: as_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return int(value)
    return value


def _field_differs(want, got, seen: dict) -> bool:
    """Whether ``got`` breaks ``want``; ``seen`` keeps the first value of every {"same": name}."""
    if want == ANY:
        return False
    if isinstance(want, dict) and set(want) == {"within"}:
        lo, hi = want["within"]
        return not (isinstance(got, int) and lo <= got <= hi)
    if isinstance(want, dict) and set(want) == {"bits"}:
        return not (isinstance(got, int) and got & want["bits"] == want["bits"])
    if isinstance(want, dict) and set(want) == {"same"}:
        return seen.setdefault(want["same"], got) != got
    if isinstance(want, dict) and isinstance(got, dict):
        return set(want) != set(got) or any(_field_differs(want[k], got[k], seen) for k in want)
    if isinstance(want, list) and isinstance(got, list):
        return len(want) != len(got) or any(_field_differs(w, g, seen) for w, g in zip(want, got))
    return want != got


def compare_frames(want: list[dict], got: list, seen: dict | None = None) -> str | None:
    """The first difference between expected frames and what the device sent, or None; ``seen``
    carries the values of {"same": name} from step to step."""
    seen = {} if seen is None else seen
    for i, expect in enumerate(want):
        if i >= len(got):
            return (f"frame {i}: expected {expect['type']} seq {expect['seq']} {expect['fields']}, "
                    "the device sent no more")
        name, seq, msg = got[i]
        actual = as_json(msg)
        if name != expect["type"] or seq != expect["seq"] or _field_differs(expect["fields"], actual, seen):
            return (f"frame {i}: expected {expect['type']} seq {expect['seq']} {expect['fields']}, "
                    f"got {name} seq {seq} {actual}")
    if len(got) > len(want):
        name, seq, msg = got[len(want)]
        return f"frame {len(want)}: expected no more, got {name} seq {seq} {as_json(msg)}"
    return None


def play(vector: dict, start, board: str) -> str | None:
    """Plays ``vector`` on the device ``start()`` gives (fresh, booted, clock held at 0), which
    speaks as ``board`` (the wire to send when a step's differs by board). The first difference,
    named by step, or None."""
    device = start()
    seen: dict = {}
    try:
        for n, step in enumerate(vector["steps"]):
            if "boot" in step and n:
                device.reset(step["boot"])
            elif "run" in step:
                device.run(step["run"])
            elif "send" in step:
                wire = step["send"]["wire"]
                device.send(bytes.fromhex(wire if isinstance(wire, str) else wire[board]))
                device.reply(step["send"]["seq"])
            device.barrier()
            problem = compare_frames(step["expect"], device.take(), seen)
            if problem is not None:
                what = {k: v for k, v in step.items() if k != "expect"}
                return f"{vector['name']} step {n} ({json.dumps(what)[:200]}): {problem}"
        return None
    finally:
        device.close()
