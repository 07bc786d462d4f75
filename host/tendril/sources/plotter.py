"""Arduino Serial Plotter text: a pure line parser, and the source that feeds it from a port.

The rules (docs/host.md, *Serial Plotter text*), after the Arduino IDE 2 Serial Plotter:

- A line ends with ``\\n``; a ``\\r`` before it is dropped. Bytes wait until their line is whole.
- Fields are separated by runs of spaces, tabs and commas.
- A line is either ``label:value`` fields or bare ``value`` fields, not both. Bare values are
  named by their position in the line: the label at that position in the last header line, else
  ``value 1``, ``value 2``...
- A header line is a line of labels only (no field is a number, no colon): it names later bare
  values.
- A value is a decimal number as ``Serial.print`` writes it (``-12``, ``3.14``, ``1.5e3``); not
  ``nan``, ``inf`` or ``ovf``, and at most ``MAX_ABS`` in size.

A line that breaks a rule is dropped whole and counted as rejected, so a damaged line never gives
a value: text outside the rules (control bytes, invalid UTF-8, a field that is neither, a label
twice, two colons in a field, pairs mixed with bare values, words mixed with numbers), and the
first line heard, which may be the tail of a line cut by connecting mid-line. A line longer than
``MAX_LINE`` bytes is dropped with everything up to its newline. So noise bytes, a line cut short
(its rest lost with its newline) and a separator thrown into a ``label:value`` line are caught.
Text has no checksum, though: a printable character changed into another on the wire (``41.2``
into ``41.7``) cannot be noticed.
"""

from __future__ import annotations

import math
import re
import time

from ..transport import open_transport
from .rows import SourceInfo, SourceRow, device_key

MAX_LINE = 1024  # bytes without a newline before the line is dropped as garbage
MAX_ABS = 1e15  # larger values are rejected: they cannot be logged to 0.001 in a 64-bit integer
QUIET_AFTER_OPEN = 0.25  # s of silence after opening that proves the first byte starts a line
_SEP = re.compile(r"[ \t,]+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # everything below space but tab, and DEL


class PlotterParser:
    """Serial Plotter text in, rows out; no I/O and no clock (the caller passes ``host_time``).

    ``skip_first_line``: drop the first line (counted as rejected unless empty): after connecting
    to a running board, it is most likely the tail of a line sent before.
    """

    def __init__(self, skip_first_line: bool = True) -> None:
        self._buf = bytearray()
        # Dropping bytes up to the next newline: "first" (the first line heard, maybe half a
        # line) or "long" (the rest of a line already dropped as too long).
        self._skip: str | None = "first" if skip_first_line else None
        self._skipped_bytes = False
        self._header: list[str] = []
        self.stats = {"bytes": 0, "lines": 0, "rows": 0, "headers": 0, "rejected": 0,
                      "too_long": 0}

    def at_line_start(self) -> None:
        """The next byte starts a line (the caller knows the board was silent when listening
        began), so the first line is kept like any other."""
        if self._skip == "first" and not self._skipped_bytes:
            self._skip = None

    @property
    def header(self) -> list[str]:
        """The labels of the last header line (empty until one came)."""
        return list(self._header)

    def feed(self, data: bytes, host_time: float) -> list[SourceRow]:
        """Take ``data`` (any chunk of the stream); return a row for every whole valid line in it.
        The rows do not depend on how the stream is cut into chunks (only their host_time does)."""
        self.stats["bytes"] += len(data)
        *whole, rest = bytes(data).split(b"\n")
        rows = []
        for chunk in whole:
            row = self._end_line(chunk, host_time)
            if row is not None:
                rows.append(row)
        if rest:
            self._more(rest)
        return rows

    def _more(self, chunk: bytes) -> None:
        """Bytes of a line whose newline has not come yet."""
        if self._skip:
            self._skipped_bytes = True
        elif len(self._buf) + len(chunk) > MAX_LINE:
            self._too_long()
            self._skip = "long"
        else:
            self._buf += chunk

    def _end_line(self, chunk: bytes, host_time: float) -> SourceRow | None:
        """A newline came: ``chunk`` is the end of the line."""
        skip, self._skip = self._skip, None
        if skip == "first":
            if chunk or self._skipped_bytes:
                self.stats["rejected"] += 1
            self._skipped_bytes = False
            return None
        if skip == "long":
            return None  # counted when it became too long
        if len(self._buf) + len(chunk) > MAX_LINE:
            self._too_long()
            return None
        line = bytes(self._buf) + chunk
        self._buf.clear()
        return self._line(line, host_time)

    def _too_long(self) -> None:
        self._buf.clear()
        self.stats["too_long"] += 1
        self.stats["rejected"] += 1

    def _line(self, raw: bytes, host_time: float) -> SourceRow | None:
        self.stats["lines"] += 1
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return self._reject()
        if _CONTROL.search(text):
            return self._reject()
        fields = [f for f in _SEP.split(text) if f]
        if not fields:
            self.stats["lines"] -= 1  # an empty line is no line at all
            return None
        colons = {f.count(":") for f in fields}
        if colons == {1}:
            values = {}
            for label, _, number in (f.partition(":") for f in fields):
                value = _number(number)
                if not label or value is None or label in values:
                    return self._reject()  # ":12", "temp:abc", the same label twice
                values[label] = value
        elif colons == {0}:
            numbers = [_number(f) for f in fields]
            if all(n is None for n in numbers):
                if len(set(fields)) != len(fields):
                    return self._reject()
                self._header = fields
                self.stats["headers"] += 1
                return None
            if any(n is None for n in numbers):
                return self._reject()  # words mixed with numbers
            # Header labels hold no space, so they never clash with "value N".
            values = {self._name(i): n for i, n in enumerate(numbers)}
        else:
            return self._reject()  # "a:b:1", or pairs mixed with bare values
        self.stats["rows"] += 1
        return SourceRow(host_time, values)

    def _name(self, i: int) -> str:
        return self._header[i] if i < len(self._header) else f"value {i + 1}"

    def _reject(self) -> None:
        self.stats["rejected"] += 1


def _number(text: str) -> float | None:
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    if not math.isfinite(value) or abs(value) > MAX_ABS:
        return None
    return value


def format_row(values: dict[str, float]) -> str:
    """One Serial Plotter line (no newline) for ``values``: ``label:value`` pairs, space separated.
    The inverse of the parser, for tests and for tools that write plotter text."""
    return " ".join(f"{k}:{v!r}" for k, v in values.items())


class PlotterSource:
    """A board printing Serial Plotter text on ``port`` (a path as for open_transport, or loop://)."""

    kind = "plotter"

    def __init__(self, port: str, baud: int = 115_200) -> None:
        self.port = port
        self.baud = baud
        self._transport = None
        self.parser = PlotterParser()
        self._opened_at = self._quiet_until = 0.0
        self._heard = False

    def open(self) -> SourceInfo:
        """Open the port. A real Uno resets now and prints its header again.

        The first line heard is dropped as a possible tail, unless the board stayed silent for
        QUIET_AFTER_OPEN s while ``read`` was listening from the start (a reset Uno is silent in
        its boot loader): then it starts at a line start, and a header line printed once at boot
        names the columns."""
        self.parser = PlotterParser()
        self._transport = open_transport(self.port, self.baud)
        self._transport.open()
        self._opened_at = self._quiet_until = time.monotonic()
        self._heard = False
        return SourceInfo(self.kind, device_key(self.port),
                          f"Serial Plotter text on {self.port} at {self.baud} baud")

    def read(self, timeout: float) -> list[SourceRow]:
        """The rows of the lines completed within ``timeout`` s (returns when bytes arrived)."""
        if self._transport is None:
            from ..errors import TransportError
            raise TransportError(f"{self.port} is not open")
        start = time.monotonic()
        data = self._transport.read(timeout)
        if not self._heard:
            if not data:
                if start <= self._quiet_until + 0.05:  # listening without a gap since open
                    self._quiet_until = time.monotonic()
                return []
            self._heard = True
            if self._quiet_until - self._opened_at >= QUIET_AFTER_OPEN:
                self.parser.at_line_start()
        return self.parser.feed(data, time.time()) if data else []

    @property
    def stats(self) -> dict:
        return dict(self.parser.stats)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None
