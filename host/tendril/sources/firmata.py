"""A board running a Firmata firmware (StandardFirmata, or tendril's firmware/sketches/firmata), read
through pyfirmata2.

pyfirmata2 reads the port in its own thread and calls a callback per analog message; the callbacks
only queue (time, channel, value) and ``read()`` turns the queue into rows on the caller's thread.

Values are **raw ADC counts** (0..1023 on an Uno), what a maker sees from ``analogRead``.
pyfirmata2 hands over ``round(count / 1023, 4)``; ``round(v * 1023)`` gives the count back exactly
(the rounding error, at most 0.00005 * 1023 = 0.05, is far below 0.5). A count outside 0..1023
(a damaged 14-bit message) is counted as rejected and never becomes a row.

Rows: Firmata sends one message per analog pin per sampling interval, in pin order. Messages are
gathered into one row per interval: a row is complete when it has every reported pin, and is cut
early when a pin comes again before the others did (a lost message) or when its first value is
older than two sampling intervals.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque

from ..errors import TendrilError, TransportError
from .rows import SourceInfo, SourceRow, device_key

ADC_MAX = 1023
REPORT_VERSION = 0xF9
REPORT_FIRMWARE = 0x79


class _CountingSerial:
    """pyserial's Serial as pyfirmata2 uses it, counting the bytes read."""

    def __init__(self, ser) -> None:
        self._ser = ser
        self.bytes = 0

    def read(self, size: int = 1) -> bytes:
        data = self._ser.read(size)
        self.bytes += len(data)
        return data

    def __getattr__(self, name):
        return getattr(self._ser, name)


def _board_class():
    """pyfirmata2's Board with a quiet ``__del__``: pyfirmata2 calls ``exit()`` from it, on a board
    whose constructor failed (no pins yet) or that was closed already, and prints the errors."""
    import pyfirmata2

    class QuietBoard(pyfirmata2.Board):
        closed = False

        def __del__(self) -> None:
            if not self.closed and hasattr(self, "analog"):
                with contextlib.suppress(Exception):
                    self.exit()

    return QuietBoard


class FirmataSource:
    """Analog inputs ``analog_pins`` (channels ``A<n>``) of a Firmata board on ``port``, sampled every
    ``sampling_ms`` by the board, and its digital outputs through ``digital_write``."""

    kind = "firmata"

    def __init__(self, port: str, analog_pins=(0, 1, 2), sampling_ms: int = 19,
                 baud: int = 57_600) -> None:
        if not analog_pins:
            raise ValueError("a Firmata source needs at least one analog pin")
        if not 1 <= sampling_ms <= 16383:
            raise ValueError("sampling_ms must be 1..16383 (a 14-bit Firmata value)")
        self.port = port
        self.analog_pins = tuple(int(p) for p in analog_pins)
        self.sampling_ms = int(sampling_ms)
        self.baud = baud
        self.board = None
        self._names = {p: f"A{p}" for p in self.analog_pins}
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._queue: deque[tuple[float, str, float]] = deque()
        self._row: dict[str, float] = {}
        self._row_time = 0.0
        self._outputs: dict[int, object] = {}
        self._serial: _CountingSerial | None = None
        self._stats = {"messages": 0, "rows": 0, "rejected": 0}

    # --- opening --------------------------------------------------------------------------------

    def open(self) -> SourceInfo:
        """Connect (pyfirmata2 waits 5 s for a real Uno to finish its reset), ask the board for its
        pins, start streaming the analog inputs."""
        import serial

        try:
            board = _board_class()(self.port, baudrate=self.baud)
        except (serial.SerialException, OSError) as exc:
            # pyfirmata2 raises IOError "Board detection failed." when nothing answers its
            # capability query: no Firmata firmware on the board, or the wrong baud rate.
            why = str(exc) or type(exc).__name__
            if "detection failed" in why:
                why = (f"no Firmata firmware answered at {self.baud} baud (upload StandardFirmata"
                       " or firmware/sketches/firmata, or check --baud)")
            raise TransportError(f"cannot open {self.port} as a Firmata board: {why}") from exc
        self.board = board
        self._serial = _CountingSerial(board.sp)
        board.sp = self._serial
        try:
            for pin in self.analog_pins:
                if pin >= len(board.analog):
                    raise TendrilError(f"the board has {len(board.analog)} analog inputs, no A{pin}")
            # Ask who it is: a board whose boot greeting was lost (opened late, no reset) says
            # it again.
            board.sp.write(bytes([REPORT_VERSION]))
            board.send_sysex(REPORT_FIRMWARE, [])
            for pin in self.analog_pins:
                p = board.get_pin(f"a:{pin}:i")
                p.register_callback(self._callback(self._names[pin]))
            board.samplingOn(self.sampling_ms)
        except TendrilError:
            self.close()
            raise
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise TransportError(f"{self.port}: the port went away ({exc})") from exc
        deadline = time.monotonic() + 0.5
        while board.firmware is None and time.monotonic() < deadline:
            time.sleep(0.01)
        return SourceInfo(self.kind, device_key(self.port), self._describe())

    def _describe(self) -> str:
        b = self.board
        proto = "{}.{}".format(*b.firmata_version) if b.firmata_version else "unknown"
        fw = (f"{b.firmware} {b.firmware_version[0]}.{b.firmware_version[1]}" if b.firmware
              else "unnamed firmware")
        return f"Firmata {proto} board ({fw}) on {self.port} at {self.baud} baud"

    def _callback(self, name: str):
        def on_value(value: float) -> None:  # pyfirmata2's thread
            count = round(value * ADC_MAX)
            with self._arrived:
                if not 0 <= count <= ADC_MAX:
                    self._stats["rejected"] += 1
                    return
                self._stats["messages"] += 1
                self._queue.append((time.time(), name, float(count)))
                self._arrived.notify_all()
        return on_value

    # --- reading --------------------------------------------------------------------------------

    def read(self, timeout: float) -> list[SourceRow]:
        """Rows completed within ``timeout`` s (returns as soon as any came)."""
        if self.board is None:
            raise TransportError(f"{self.port} is not open")
        end = time.monotonic() + timeout
        with self._arrived:
            while not self._queue:
                if not self._reader_alive():
                    break
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._arrived.wait(min(left, 0.1))
            items = list(self._queue)
            self._queue.clear()
        rows = self._gather(items, time.time())
        if not items and not self._reader_alive():
            self.close()
            raise TransportError(f"{self.port}: the port went away")
        return rows

    def _reader_alive(self) -> bool:
        thread = self.board.samplerThread if self.board is not None else None
        return thread is not None and thread.is_alive()

    def _gather(self, items, now: float) -> list[SourceRow]:
        rows = []
        for t, name, value in items:
            if name in self._row:
                rows.append(self._take_row())
            if not self._row:
                self._row_time = t
            self._row[name] = value
            if len(self._row) == len(self._names):
                rows.append(self._take_row())
        if self._row and now - self._row_time > 2 * self.sampling_ms / 1000:
            rows.append(self._take_row())
        return rows

    def _take_row(self) -> SourceRow:
        row = SourceRow(self._row_time, self._row)
        self._row = {}
        self._stats["rows"] += 1
        return row

    # --- outputs and the rest -------------------------------------------------------------------

    def digital_write(self, pin: int, value: bool) -> None:
        """Drive digital pin ``pin`` (an actuator) high or low; it becomes an output the first time."""
        if self.board is None:
            raise TransportError(f"{self.port} is not open")
        import pyfirmata2
        import serial

        try:
            out = self._outputs.get(pin)
            if out is None:
                try:
                    out = self.board.get_pin(f"d:{int(pin)}:o")
                except (pyfirmata2.InvalidPinDefError, pyfirmata2.PinAlreadyTakenError) as exc:
                    raise TendrilError(f"pin {pin} cannot be a digital output: {exc}") from None
                self._outputs[pin] = out
            out.write(1 if value else 0)
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise TransportError(f"{self.port}: the port went away ({exc})") from exc

    @property
    def stats(self) -> dict:
        with self._lock:
            out = dict(self._stats)
        out["bytes"] = self._serial.bytes if self._serial is not None else 0
        return out

    def close(self) -> None:
        board, self.board = self.board, None
        if board is None:
            return
        board.closed = True
        try:
            board.exit()  # stops reporting, joins pyfirmata2's thread, closes the port
        except Exception:  # noqa: BLE001 - the port is gone already: stop the thread, close it
            with contextlib.suppress(Exception):
                board.samplingOff()
            with contextlib.suppress(Exception):
                board.sp.close()
