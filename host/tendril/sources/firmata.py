"""A board running a Firmata firmware (StandardFirmata, or tendril's firmware/sketches/firmata).

Opening is tendril's own (firmata_handshake): it opens the port, asks the board for its pins
(capability and analog-mapping replies), its protocol version and firmware name, waits for whole
replies and asks again until they came. Streaming is pyfirmata2's: a ``Board`` built on that open
port with the layout learned, whose reader thread calls a callback per analog message; the
callbacks only queue (time, channel, value) and ``read()`` turns the queue into rows on the
caller's thread.

Why not pyfirmata2's own ``Board(port)``: its auto_setup sends CAPABILITY_QUERY, waits 0.1 s and
parses what has come, and its parser counts a pin as digital only where the reply lists INPUT and
OUTPUT next to each other. StandardFirmata 2.5 lists INPUT, PULLUP, OUTPUT, so pyfirmata2 finds 2
digital pins on an Uno and fails with IndexError on PWM pin 3. Its constructor also opens the port
itself and sleeps 5 s, so the port cannot be opened and asked first and then handed over.

Values are **raw ADC counts** (0..1023 on an Uno), what a maker sees from ``analogRead``.
pyfirmata2 hands over ``round(count / 1023, 4)``; ``round(v * 1023)`` gives the count back exactly
(the rounding error, at most 0.00005 * 1023 = 0.05, is far below 0.5). A count outside 0..1023
(a damaged 14-bit message) is counted as rejected and never becomes a row.

Rows: Firmata sends one message per analog pin per sampling interval, in pin order. Messages are
gathered into one row per interval: a row is complete when it has every reported pin, and is cut
early when a pin comes again before the others did (a lost message), or when no message came for
STALL_S (or two intervals, if longer): the board stopped between two messages of a row.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque

from ..errors import TendrilError, TransportError
from .firmata_handshake import BoardFacts, handshake
from .firmata_wire import MODE_OUTPUT, MODE_PWM, MODE_SERVO, REPORT_ANALOG
from .rows import SourceInfo, SourceRow, device_key

ADC_MAX = 1023
ANSWER_TIMEOUT_S = 5.0  # a real Uno: boot loader, then StandardFirmata blinks its version ~2 s
STALL_S = 1.0
JOIN_S = 2.0


class _CountingSerial:
    """pyserial's Serial, counting the bytes read."""

    def __init__(self, ser) -> None:
        self._ser = ser
        self.bytes = 0

    def read(self, size: int = 1) -> bytes:
        data = self._ser.read(size)
        self.bytes += len(data)
        return data

    def __getattr__(self, name):
        return getattr(self._ser, name)

    def __setattr__(self, name, value):
        if name in ("_ser", "bytes"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._ser, name, value)


def _board_class():
    """pyfirmata2's Board on a port tendril opened, with a layout tendril learned."""
    import pyfirmata2
    import serial
    from pyfirmata2.util import Iterator

    class TendrilBoard(pyfirmata2.Board):
        # Board.__init__ is skipped on purpose: it would open the port again (a real Uno resets),
        # sleep 5 s and run auto_setup. What it sets up is set up here.
        def __init__(self, ser, layout: dict, facts: BoardFacts, on_damage) -> None:
            self._command_handlers = {}  # pyfirmata2's is a class attribute shared by every Board
            self.sp = ser
            self.name = ser.port
            self._layout = layout
            self._on_damage = on_damage
            self.samplerThread = Iterator(self)
            self.firmata_version = facts.version
            if facts.firmware is not None:
                self.firmware_version, self.firmware = facts.firmware[:2], facts.firmware[2]
            self.setup_layout(layout)

        def iterate(self) -> None:
            # pyfirmata2's reader thread re-raises anything but port errors (a traceback, and the
            # thread ends): a message it cannot handle is counted and skipped instead.
            try:
                super().iterate()
            except (serial.SerialException, OSError, AttributeError):
                raise  # the port went away or is closing: the thread ends quietly
            except Exception:  # noqa: BLE001 - whatever pyfirmata2 trips on in a damaged message
                self._on_damage()

        def __del__(self) -> None:
            pass  # pyfirmata2's calls exit() on a port FirmataSource.close() handles

    return TendrilBoard


def _pyfirmata_layout(facts: BoardFacts) -> dict:
    """The layout dict pyfirmata2's setup_layout takes: every pin is a digital pin by number, its
    ports of 8 pins are Firmata's ports; pins with no modes are unavailable."""
    layout = facts.layout
    return {"digital": tuple(range(len(layout.modes))), "analog": layout.analog_channels,
            "pwm": layout.pins_with(MODE_PWM), "servo": layout.pins_with(MODE_SERVO),
            "disabled": tuple(pin for pin, modes in enumerate(layout.modes) if not modes)}


class FirmataSource:
    """Analog inputs ``analog_pins`` (channels ``A<n>``) of a Firmata board on ``port``, sampled
    every ``sampling_ms`` by the board, and its digital outputs through ``digital_write``.
    ``open()`` gives the board ``answer_timeout`` s to answer."""

    kind = "firmata"

    def __init__(self, port: str, analog_pins=(0, 1, 2), sampling_ms: int = 19,
                 baud: int = 57_600, answer_timeout: float = ANSWER_TIMEOUT_S) -> None:
        if not analog_pins:
            raise ValueError("a Firmata source needs at least one analog pin")
        if not all(0 <= int(p) <= 15 for p in analog_pins):
            raise ValueError("Firmata analog pins are 0..15 (REPORT_ANALOG's 4-bit channel)")
        if not 1 <= sampling_ms <= 16383:
            raise ValueError("sampling_ms must be 1..16383 (a 14-bit Firmata value)")
        self.port = port
        self.analog_pins = tuple(dict.fromkeys(int(p) for p in analog_pins))
        self.sampling_ms = int(sampling_ms)
        self.baud = baud
        self.answer_timeout = answer_timeout
        self.board = None
        self.facts: BoardFacts | None = None
        self._names = {p: f"A{p}" for p in self.analog_pins}
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._queue: deque[tuple[float, str, float]] = deque()
        self._row: dict[str, float] = {}
        self._row_time = 0.0
        self._last_time = 0.0
        self._outputs: dict[int, object] = {}
        self._serial: _CountingSerial | None = None
        self._stats = {"messages": 0, "rows": 0, "rejected": 0}

    # --- opening --------------------------------------------------------------------------------

    def open(self) -> SourceInfo:
        """Open the port, ask the board what it is until it answered (firmata_handshake), then set
        the sampling interval and start streaming the analog inputs."""
        import serial

        try:
            ser = serial.Serial(self.port, self.baud, timeout=0.05)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise TransportError(f"cannot open {self.port} as a Firmata board: {exc}") from exc
        self._serial = _CountingSerial(ser)
        self._outputs.clear()  # pins of an earlier connection
        self._row = {}
        try:
            self.facts = facts = handshake(self._serial, self.port, self.baud, self.answer_timeout)
            have = facts.layout.analog_channels
            for pin in self.analog_pins:
                if pin not in have:
                    raise TendrilError(f"{self.port}: the board has analog inputs "
                                       f"{', '.join(f'A{c}' for c in have) or 'none'}, no A{pin}")
            # pyfirmata2 reads a message's bytes one at a time with no timeout; close() cancels it
            ser.timeout = None
            self.board = board = _board_class()(self._serial, _pyfirmata_layout(facts), facts,
                                                self._count_damaged)
            board.setSamplingInterval(self.sampling_ms)  # before any report: every row at this pace
            for pin in self.analog_pins:
                board.get_pin(f"a:{pin}:i").register_callback(self._callback(self._names[pin]))
            board.samplingOn(self.sampling_ms)
        except TendrilError:
            self._abandon(ser)
            raise
        except (serial.SerialException, OSError) as exc:
            self._abandon(ser)
            raise TransportError(f"{self.port}: the port went away ({exc})") from exc
        except Exception as exc:  # noqa: BLE001 - pyfirmata2's failures: one line, no traceback
            self._abandon(ser)
            raise TransportError(f"{self.port}: pyfirmata2 could not set up the board "
                                 f"({type(exc).__name__}: {exc})") from exc
        return SourceInfo(self.kind, device_key(self.port), self._describe())

    def _abandon(self, ser) -> None:
        if self.board is not None:
            self.close()
        with contextlib.suppress(Exception):
            ser.close()

    def _describe(self) -> str:
        facts = self.facts
        proto = "{}.{}".format(*facts.version) if facts.version else "unknown"
        fw = ("{2} {0}.{1}".format(*facts.firmware) if facts.firmware else "unnamed firmware")
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

    def _count_damaged(self) -> None:  # pyfirmata2's thread
        with self._lock:
            self._stats["rejected"] += 1

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
            self._last_time = t
            if len(self._row) == len(self._names):
                rows.append(self._take_row())
        stall = max(STALL_S, 2 * self.sampling_ms / 1000)
        if self._row and now - self._last_time > stall:
            rows.append(self._take_row())
        return rows

    def _take_row(self) -> SourceRow:
        row = SourceRow(self._row_time, self._row)
        self._row = {}
        self._stats["rows"] += 1
        return row

    # --- outputs and the rest -------------------------------------------------------------------

    def digital_write(self, pin: int, value: bool) -> None:
        """Drive digital pin ``pin`` (an actuator) high or low; an output from its first use."""
        if self.board is None:
            raise TransportError(f"{self.port} is not open")
        import serial

        pin = int(pin)
        try:
            out = self._outputs.get(pin)
            if out is None:
                if pin not in self.facts.layout.pins_with(MODE_OUTPUT):
                    raise TendrilError(f"pin {pin} cannot be a digital output on this board")
                out = self._outputs[pin] = self.board.get_pin(f"d:{pin}:o")
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
        """Stop the reports (if the port is still there), end the reader thread, close the port."""
        board, self.board = self.board, None
        if board is None:
            return
        ser = board.sp
        with contextlib.suppress(Exception):  # a port that went away cannot be told anything
            ser.write(bytes(b for pin in self.analog_pins for b in (REPORT_ANALOG | pin, 0)))
        thread = board.samplerThread
        thread.stop()
        with contextlib.suppress(Exception):
            ser.cancel_read()  # a read waiting for the rest of a message returns now
        if thread.is_alive():
            thread.join(JOIN_S)
        with contextlib.suppress(Exception):
            ser.close()
