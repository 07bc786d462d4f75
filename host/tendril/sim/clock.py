"""The clock of a simulated board started held (``--hold``): the host decides how much board time
passes, so what a test sees does not depend on how fast the machine runs it.

Every runtime takes the same commands, one a line on its stdin, and answers on its stdout
(firmware/sim/README.md, "Holding the clock"): ``go``, ``hold``, ``run MS``, ``time``; the answer is
``held t=<ms>`` or ``running t=<ms>``. A held board still answers its host.

    clock = BoardClock(proc)        # proc: started with --hold, stdin and stdout pipes,
                                    # its `port:` line already read
    clock.run(60_000)               # one board minute, flat out; returns the board's ms
    clock.start_run(3_600_000)      # or: start it, keep reading the port, then
    clock.wait(timeout=30)          # the board's ms once the hour has passed
    clock.go()                      # free running from now on
"""

from __future__ import annotations

import math
import queue
import subprocess
import threading

from ..errors import SimError


class BoardClock:
    def __init__(self, proc: subprocess.Popen, timeout: float = 60.0) -> None:
        if proc.stdin is None or proc.stdout is None:
            raise SimError("a held board needs its stdin and stdout as pipes")
        self.proc = proc
        self.timeout = timeout
        self._answers: queue.Queue[tuple[str, int] | None] = queue.Queue()
        self._pending = 0
        self.last = 0  # the board's ms in its latest answer
        self._reader = threading.Thread(target=self._read, daemon=True, name="board-clock")
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            word, _, t = line.strip().partition(" t=")
            if word in ("held", "running") and t.isdigit():
                self._answers.put((word, int(t)))
        self._answers.put(None)

    def _send(self, line: str) -> None:
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError) as exc:
            raise SimError(f"the simulated board is gone (clock command {line!r})") from exc
        self._pending += 1

    def wait(self, timeout: float | None = None) -> int:
        """The board's ms once the last command is done (a `run` when its time has passed)."""
        while self._pending:
            try:
                answer = self._answers.get(timeout=self.timeout if timeout is None else timeout)
            except queue.Empty:
                raise TimeoutError("the simulated board's clock did not answer") from None
            if answer is None:
                self._answers.put(None)
                raise SimError(f"the simulated board is gone (status {self.proc.poll()})")
            self._pending -= 1
            self.last = answer[1]
        return self.last

    def done(self) -> bool:
        """Whether every command sent so far has been answered (never blocks)."""
        while self._pending and not self._answers.empty():
            answer = self._answers.get_nowait()
            if answer is None:
                self._answers.put(None)
                return True
            self._pending -= 1
            self.last = answer[1]
        return not self._pending

    def go(self) -> int:
        self._send("go")
        return self.wait()

    def hold(self) -> int:
        self._send("hold")
        return self.wait()

    def time(self) -> int:
        self._send("time")
        return self.wait()

    def start_run(self, ms: int) -> None:
        if ms < 0:
            raise ValueError("a run is 0 ms or more")
        self._send(f"run {int(ms)}")

    def run(self, ms: int, timeout: float | None = None) -> int:
        """Run ``ms`` board ms and hold; the board's ms after. Only for a board whose output
        nobody needs to read meanwhile (else: start_run, read, wait)."""
        self.start_run(ms)
        return self.wait(timeout)


FOREVER = math.inf


class ClockState:
    """What a board's clock has been told: firmware/sim/sim_clock.c for the runtime written in
    Python (the MicroPython virtual board). Pure: ``command`` and ``allowance`` take the board's
    ms and return the answer line to print, if any."""

    def __init__(self, held: bool = False) -> None:
        self.held = held
        self.until = FOREVER

    def _answer(self, now_ms: int) -> str:
        return f"{'held' if self.held else 'running'} t={int(now_ms)}"

    def command(self, line: str, now_ms: int) -> str | None:
        """Acts on one command line; its answer now (None: `run` answers later, or a bad line)."""
        word, _, arg = line.strip().partition(" ")
        if word == "go" and not arg:
            self.held, self.until = False, FOREVER
        elif word == "hold" and not arg:
            self.held = True
        elif word == "run" and arg.isdigit():
            self.held, self.until = int(arg) == 0, now_ms + int(arg)
            if not self.held:
                return None
        elif word != "time" or arg:
            return None
        return self._answer(now_ms)

    def allowance(self, now_ms: int) -> tuple[float, str | None]:
        """(ms the clock may move from now_ms, an answer to print now: a `run` that is done)."""
        if self.held:
            return 0, None
        if self.until == FOREVER:
            return FOREVER, None
        if now_ms >= self.until:
            self.held, self.until = True, FOREVER
            return 0, self._answer(now_ms)
        return self.until - now_ms, None
