"""`tendril log`: a headless logger for one or more boards (docs/host.md, *tendril log*).

One LiveBoard per port, all writing into one LogSink. This module only starts them, prints what
they say and stops them: on a terminal a status line rewritten in place, otherwise plain lines
(every event and device log line as it happens, a status line every few seconds)."""

from __future__ import annotations

import json
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

import click

from ..errors import StorageError, TendrilError
from ..live import LinkState, LiveBoard, LiveSource, LogSink
from ..words import log_text

START_GRACE = 1.0  # seconds beyond the hello timeout a port gets to come online at the start


class _Rate:
    """Samples a second over the last status period."""

    def __init__(self) -> None:
        self.last: dict[str, tuple[float, int]] = {}

    def of(self, board: LiveBoard, now: float) -> float:
        t0, n0 = self.last.get(board.port, (now, board.samples))
        self.last[board.port] = (now, board.samples)
        return (board.samples - n0) / (now - t0) if now > t0 else 0.0


def _port_status(board: LiveBoard, rate: float) -> dict:
    view = board.view()
    health = view.health or {}
    return {"port": board.port, "state": str(view.state), "samples_per_s": round(rate, 1),
            "samples": board.samples, "events": board.events,
            "crc_errors": health.get("crc_errors", 0), "resyncs": health.get("resyncs", 0),
            "reconnects": view.reconnects, "error": view.error if view.state != LinkState.ONLINE else ""}


def _status_text(ports: list[dict], sink: LogSink) -> str:
    parts = []
    for p in ports:
        state = p["state"] if p["state"] == "online" else p["state"].upper()
        parts.append(f"{p['port']} {state} {p['samples_per_s']:.0f} samples/s, {p['events']} events,"
                     f" {p['crc_errors']} CRC errors")
    text = "; ".join(parts) + f" | {sink.committed} rows committed to {sink.path}"
    if sink.error is not None:
        text += f" | STORAGE ERROR, {sink.pending} rows held in memory: {sink.error}"
    return text


class _Printer:
    """Where the lines go: a live status line on a terminal, plain or JSON lines otherwise."""

    def __init__(self, json_lines: bool) -> None:
        self.out = sys.stdout
        self.json = json_lines
        self.tty = self.out.isatty() and not json_lines
        self.shown = False

    def line(self, board: LiveBoard, entry) -> None:
        if self.json:
            self._print(json.dumps({"time": round(entry.host_time, 3), "port": board.port,
                                    "kind": entry.kind, "text": log_text(entry)}))
        else:
            stamp = time.strftime("%H:%M:%S", time.localtime(entry.host_time))
            self._print(f"{stamp} {board.port} {entry.kind}: {log_text(entry)}")

    def status(self, ports: list[dict], sink: LogSink) -> None:
        if self.json:
            self._print(json.dumps({"time": round(time.time(), 3), "kind": "status", "ports": ports,
                                    "committed": sink.committed, "pending": sink.pending,
                                    "db": str(sink.path),
                                    "storage_error": str(sink.error) if sink.error else None}))
        elif self.tty:
            width = shutil.get_terminal_size((120, 24)).columns
            self.out.write("\r" + _status_text(ports, sink)[: width - 1] + "\x1b[K")
            self.out.flush()
            self.shown = True
        else:
            self._print(time.strftime("%H:%M:%S ") + "status: " + _status_text(ports, sink))

    def _print(self, text: str) -> None:
        if self.shown:  # print above the live status line; the next status redraws it
            self.out.write("\r\x1b[K")
            self.shown = False
        self.out.write(text + "\n")
        self.out.flush()

    def end(self) -> None:
        if self.shown:
            self.out.write("\n")
            self.shown = False


def _make_boards(ports, fmt, protocol, sink, recipes, baud, hello_timeout, analog, sampling_ms):
    """A LiveBoard per port for tendril boards; a LiveSource for plotter text or Firmata."""
    if fmt == "plotter" and protocol == "firmata":
        raise TendrilError("--format plotter and --protocol firmata exclude each other: a Firmata"
                           " board speaks binary messages, not text")
    if fmt == "plotter":
        from ..sources import PlotterSource
        return [LiveSource(PlotterSource(p, baud=baud or 115_200), sink=sink) for p in ports]
    if protocol == "firmata":
        from ..sources import FirmataSource
        try:
            pins = tuple(int(x.strip().upper().removeprefix("A")) for x in analog.split(",")
                         if x.strip())
        except ValueError:
            raise TendrilError(f"--analog {analog!r}: give pin numbers like 0,1,2 or A0,A1") from None
        try:
            sources = [FirmataSource(p, analog_pins=pins, sampling_ms=sampling_ms,
                                     baud=baud or 57_600, answer_timeout=hello_timeout)
                       for p in ports]
        except ValueError as exc:  # no pins, or a pin Firmata cannot name
            raise TendrilError(f"--analog {analog!r}: {exc}") from None
        return [LiveSource(src, sink=sink) for src in sources]
    return [LiveBoard(p, sink=sink, recipes=recipes, baud=baud or 115_200,
                      hello_timeout=hello_timeout) for p in ports]


def _install_stop(stop: threading.Event) -> list[tuple[int, object]]:
    """SIGINT and SIGTERM set ``stop``: the main loop then flushes and exits 0."""
    old = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            old.append((sig, signal.signal(sig, lambda *_: stop.set())))
        except ValueError:  # not the main thread (an embedding caller): Ctrl-C stays as it was
            pass
    return old


def _rows_by_port(boards: list[LiveBoard], sink: LogSink, since: float) -> dict[str, int]:
    """Rows in the database this run wrote for each board (after the final flush)."""
    return {b.port: sink.rows_since(b.session_ids, since) for b in boards}


@click.command("log")
@click.option("--port", "-p", "ports", multiple=True,
              help="Serial port (or by-id path) of a board; repeat for several boards.")
@click.option("--mqtt", "mqtt_url", metavar="URL",
              help="Collect instead: log the boards of `tendril serve` hosts from this broker"
              " (mqtt://[user[:password]@]host[:port], mqtts:// for TLS). Not with --port: one"
              " process is either a logger of its own ports or a collector.")
@click.option("--prefix", default="tendril", show_default=True,
              help="With --mqtt: the topic prefix the serve hosts publish under.")
@click.option("--name", default="tendril-collector", show_default=True,
              help="With --mqtt: this collector's MQTT client id. Keep it stable: the broker"
              " queues frames for it under this name while it is away.")
@click.option("--ca-file", type=click.Path(exists=True, dir_okay=False),
              help="With an mqtts:// URL: the CA certificate to trust (default: the system's).")
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False),
              help="With --mqtt: read the broker password from this file (else"
              " $TENDRIL_MQTT_PASSWORD, else the URL's).")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="Log database (default: $TENDRIL_DB, else tendril.db in the user data folder).")
@click.option("--duration", type=click.FloatRange(min=0), help="Stop after this many seconds.")
@click.option("--recipe", "recipe_paths", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A recipe a board may run (names in lines); repeatable.")
@click.option("--baud", type=int, help="Baud rate of real serial ports [default: 115200; 57600 with"
              " --protocol firmata].")
@click.option("--json-lines", is_flag=True, help="Print JSON objects, one a line (events and status).")
@click.option("--format", "fmt", type=click.Choice(["tendril", "plotter"]), default="tendril",
              show_default=True, help="What the port carries: tendril frames, or Arduino Serial"
              " Plotter text lines from any sketch (label:value pairs or bare values).")
@click.option("--protocol", type=click.Choice(["tendril", "firmata"]), default="tendril",
              show_default=True, help="The protocol the board speaks: firmata for StandardFirmata"
              " (analog inputs become channels A0, A1, ... in ADC counts).")
@click.option("--analog", default="0,1,2,3,4,5", show_default=True,
              help="With --protocol firmata: the analog inputs to log.")
@click.option("--sampling-ms", default=19, show_default=True, type=click.IntRange(1, 16383),
              help="With --protocol firmata: the board's sampling interval.")
@click.option("--hello-timeout", default=5.0, show_default=True, type=click.FloatRange(min=0.5),
              help="Seconds a port has to answer HELLO at the start (with --protocol firmata: to"
              " answer the capability and analog-mapping queries).")
@click.option("--status-every", default=5.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds between status lines when the output is not a terminal.")
def log(ports, mqtt_url, prefix, name, ca_file, password_file, db, duration, recipe_paths, baud,
        json_lines, fmt, protocol, analog, sampling_ms, hello_timeout, status_every) -> None:
    """Log every sample and event of the boards on PORTs into the database until Ctrl-C.

    A board that goes away is waited for and logged again when it is back (same path, or the
    same USB serial number). Every port must answer at the start, or nothing is logged.
    Boards that do not run tendril: --format plotter, --protocol firmata.

    With --mqtt URL it is a collector: it logs every board that `tendril serve` hosts publish on
    that broker (docs/fleet.md), so one database holds a whole fleet.
    """
    if mqtt_url:
        if ports:
            raise TendrilError("--mqtt and --port exclude each other: run one `tendril log` for the"
                               " local ports and one `tendril log --mqtt` for the fleet")
        _collect(mqtt_url, prefix, name, ca_file, password_file, db, duration, json_lines,
                status_every)
        return
    if not ports:
        raise TendrilError("give a board's --port (repeat for several), or --mqtt URL to collect"
                           " a fleet from a broker")
    from ..recipes import load
    recipes = [load(p) for p in recipe_paths]
    ports = list(dict.fromkeys(ports))
    sink = LogSink.open(db)
    started = time.time()
    try:
        boards = _make_boards(ports, fmt, protocol, sink, recipes, baud, hello_timeout, analog,
                              sampling_ms)
    except TendrilError:
        sink.close()
        raise
    stop = threading.Event()
    old_handlers = _install_stop(stop)
    printer = _Printer(json_lines)
    online = False
    try:
        for b in boards:
            b.start()
        deadline = time.monotonic() + hello_timeout + START_GRACE
        failed = [b for b in boards if not b.wait_online(max(0.0, deadline - time.monotonic()))]
        if failed:
            for b in failed:
                click.echo(f"tendril: {b.view().error or b.port + ': no answer'}", err=True)
            raise click.exceptions.Exit(1)
        online = True
        _loop(boards, sink, printer, stop, duration, 0.25 if printer.tty else status_every)
    finally:
        for b in boards:
            b.stop()
        for sig, handler in old_handlers:
            signal.signal(sig, handler)
        printer.end()
        if online:
            _finish(boards, sink, started)
        else:
            sink.close()


def _loop(boards, sink, printer, stop, duration, every) -> None:
    end = time.monotonic() + duration if duration is not None else None
    seen = {b.port: 0 for b in boards}
    rate = _Rate()
    next_status = time.monotonic() + (0.25 if printer.tty else every)
    for b in boards:
        rate.of(b, time.monotonic())
    while not stop.is_set():
        now = time.monotonic()
        if end is not None and now >= end:
            break
        for b in boards:
            lines, seen[b.port] = b.log_since(seen[b.port])
            for entry in lines:
                printer.line(b, entry)
        if now >= next_status:
            next_status = now + every
            printer.status([_port_status(b, rate.of(b, now)) for b in boards], sink)
        stop.wait(min(0.1, max(0.0, end - now)) if end is not None else 0.1)


def _finish(boards: list[LiveBoard], sink: LogSink, started: float) -> None:
    """Flush what is queued and say what this run wrote."""
    try:
        sink.flush()
    except StorageError as exc:
        pending = sink.pending
        try:
            sink.abandon()
        finally:
            raise TendrilError(f"{exc} ({pending} rows received could not be written)") from exc
    counts = _rows_by_port(boards, sink, started)
    sink.close()
    for port, n in counts.items():
        click.echo(f"{port}: {n} rows committed")
    click.echo(f"{sink.committed} rows committed to {sink.path}")


# --- the collector role (`tendril log --mqtt URL`) ------------------------------------------------
def _broker(url: str, password_file) -> object:
    import os
    from dataclasses import replace

    from ..mqtt.url import parse_url
    broker = parse_url(url)
    if password_file:
        try:
            password = Path(password_file).read_text().strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise TendrilError(f"--password-file {password_file}: {exc}") from None
    else:
        password = os.environ.get("TENDRIL_MQTT_PASSWORD") or broker.password
    return replace(broker, password=password)


def _collect_status(collector, logger, sink: LogSink, rate: float) -> dict:
    return {"broker": str(collector.broker), "state": "online" if collector.connected.is_set()
            else "reconnecting", "boards": len(logger.boards), "samples_per_s": round(rate, 1),
            "samples": logger.samples, "events": logger.events, "duplicates": logger.duplicates,
            "malformed": logger.malformed, "error": collector.error}


def _collect(url, prefix, name, ca_file, password_file, db, duration, json_lines,
             status_every) -> None:
    from ..collect.collector import Collector, FrameLogger, log_session_lookup
    from ..mqtt.topics import Topics, TopicError
    broker = _broker(url, password_file)
    try:
        Topics(prefix)
    except TopicError as exc:
        raise TendrilError(f"--prefix: {exc}") from None
    sink = LogSink.open(db)
    printer = _Printer(json_lines)

    def say(text: str) -> None:
        if printer.json:
            printer._print(json.dumps({"time": round(time.time(), 3), "kind": "mqtt", "text": text}))
        else:
            printer._print(time.strftime("%H:%M:%S ") + f"mqtt: {text}")

    logger = FrameLogger(sink, lookup=log_session_lookup(sink), say=say)
    collector = Collector(broker, logger, name=name, prefix=prefix, ca_file=ca_file, on_state=say)
    stop = threading.Event()
    old_handlers = _install_stop(stop)
    every = 0.25 if printer.tty else status_every
    end = time.monotonic() + duration if duration is not None else None
    last = (time.monotonic(), 0)
    next_status = time.monotonic() + every
    try:
        collector.start()
        while not stop.is_set() and (end is None or time.monotonic() < end):
            stop.wait(0.1)
            collector.tick()
            now = time.monotonic()
            if now >= next_status:
                next_status = now + every
                rate = (logger.samples - last[1]) / (now - last[0]) if now > last[0] else 0.0
                last = (now, logger.samples)
                st = _collect_status(collector, logger, sink, rate)
                if printer.json:
                    printer._print(json.dumps({"time": round(time.time(), 3), "kind": "status",
                                               **st, "committed": sink.committed,
                                               "pending": sink.pending, "db": str(sink.path)}))
                else:
                    text = (f"{st['broker']} {st['state'] if st['state'] == 'online' else 'RECONNECTING'}"
                            f" {st['boards']} boards {rate:.0f} samples/s, {st['events']} events,"
                            f" {st['malformed']} malformed | {sink.committed} rows committed to"
                            f" {sink.path}")
                    if printer.tty:
                        width = shutil.get_terminal_size((120, 24)).columns
                        printer.out.write("\r" + text[: width - 1] + "\x1b[K")
                        printer.out.flush()
                        printer.shown = True
                    else:
                        printer._print(time.strftime("%H:%M:%S ") + "status: " + text)
    finally:
        try:
            collector.stop()
        finally:
            for sig, handler in old_handlers:
                signal.signal(sig, handler)
            printer.end()
            try:
                sink.flush()
            except StorageError as exc:
                pending = sink.pending
                sink.abandon()
                raise TendrilError(f"{exc} ({pending} rows received could not be written;"
                                   " the broker sends them again)") from exc
            sink.close()
    click.echo(f"{len(logger.boards)} boards, {logger.samples} samples,"
               f" {logger.events} events, {logger.duplicates} duplicates dropped,"
               f" {logger.malformed} malformed records")
    click.echo(f"{sink.committed} rows committed to {sink.path}")
