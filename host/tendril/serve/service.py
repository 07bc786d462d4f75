"""`tendril serve`'s process: the boards it owns, the sinks each board hands what it hears to, the
bus, the runtime file, and an orderly stop.

    serve = Serve(options)        # Options below
    serve.start()                 # TendrilError (one line) when the broker cannot be used
    serve.run(stop_event)         # until the event is set (SIGTERM / SIGINT)
    serve.stop()                  # flush the log, boards and serve offline, disconnect

Every board: one LiveBoard (links held open), its thread handing messages to one FanOut over
``sinks()``: the log database first, then MQTT (and any sink added there).
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..collect.sink import FramesSink
from ..errors import StorageError, TendrilError
from ..live import FanOut, LinkState, LiveBoard, Sink
from ..mqtt.discovery import BIRTH, DEFAULT_DISCOVERY_PREFIX
from ..mqtt.topics import DEFAULT_PREFIX, OFFLINE, ONLINE, Topics, board_id
from .bus import Bus, BrokerUrl
from .commands import Commands
from .logwriter import QueuedLog
from .runtime import remove_runtime, write_runtime
from .sink import MqttSink

log = logging.getLogger("tendril.serve")

RESCAN_S = 3.0  # how often serve looks for boards plugged in (with no ports given)


@dataclass
class Options:
    broker: str
    ports: list[str] = field(default_factory=list)  # empty: every tendril board found
    name: str = field(default_factory=socket.gethostname)
    prefix: str = DEFAULT_PREFIX
    discovery_prefix: str = DEFAULT_DISCOVERY_PREFIX
    read_only: bool = False
    db: Path | None = None
    board: str | None = None
    password: str | None = None
    ca_file: str | None = None
    birth_delay: tuple[float, float] = (1.0, 5.0)
    recipes: list = field(default_factory=list)
    hello_timeout: float = 5.0
    # STATUS + PARAMS of every board this often. A board's EVENTs (actuator on/off, mode, a
    # parameter) make it read them at once, so a slow poll only slows the countdowns (ms_left,
    # today's on-time) in the retained state; at 1 s, a hundred boards' polls were half of serve's
    # busy time (docs/benchmarks.md).
    status_every: float = 5.0


SCAN_DIR_ENV = "TENDRIL_SERVE_SCAN_DIR"  # tests: scan the links in this folder instead


def scan_ports() -> list[str]:
    """Serial ports whose USB ids belong to a board tendril knows (as `tendril ports` lists); with
    $TENDRIL_SERVE_SCAN_DIR set, every entry of that folder whose target exists (links to the
    simulated boards' ptys: tests make boards appear and disappear there)."""
    where = os.environ.get(SCAN_DIR_ENV)
    if where:
        return sorted(str(p) for p in Path(where).iterdir() if p.exists())
    from ..transport.discover import list_ports
    return [p.path for p in list_ports() if p.boards]


class Serve:
    def __init__(self, options: Options) -> None:
        self.o = options
        self.topics = Topics(options.prefix)
        self.topics.serve_availability(options.name)  # a bad name: one line now
        self.url = BrokerUrl.parse(options.broker)
        self.board_name = options.board
        self.lock = threading.Lock()
        self.boards: dict[str, LiveBoard] = {}  # port -> its LiveBoard
        self.stopping = False  # SIGTERM came: commands are refused, those in flight say why
        self.log_sink: QueuedLog | None = None
        self.bus = Bus(self.url, client_id=f"tendril-serve-{options.name}"[:64],
                       will=(self.topics.serve_availability(options.name), OFFLINE),
                       password=options.password, ca_file=options.ca_file)
        self.sink = MqttSink(self.bus, self.topics,
                             {"serve": options.name, "discovery_prefix": options.discovery_prefix,
                              "commands": not options.read_only}, version=__version__)
        self.commands = Commands(self)
        self.bus.on_connected = self._on_connected
        self.bus.on_message = self._on_message
        # More consumers of every board: the frames a collector records (`tendril log --mqtt`).
        self.extra_sinks: list[Sink] = [
            FramesSink(lambda topic, payload: self.bus.publish(topic, payload), options.prefix)]
        self._runtime_written: dict | None = None
        self._next_scan = 0.0
        self._birth_timer: threading.Timer | None = None

    # --- the sinks every board hands its messages to: add one here --------------------------------
    def sinks(self) -> list[Sink]:
        return [self.log_sink, self.sink, *self.extra_sinks]

    def start(self) -> None:
        self.log_sink = QueuedLog.open(self.o.db)
        try:
            self.bus.start()
        except TendrilError:
            self.log_sink.close()
            raise
        for port in self.o.ports:
            self._add(port)
        self.write_runtime()

    def _add(self, port: str) -> None:
        live = LiveBoard(port, sink=FanOut(self.sinks()), recipes=self.o.recipes,
                         board=self.o.board, hello_timeout=self.o.hello_timeout,
                         status_every=self.o.status_every)
        with self.lock:
            self.boards[port] = live
        live.start()
        log.info("serving %s", port)

    def _drop(self, port: str) -> None:
        with self.lock:
            live = self.boards.pop(port, None)
        if live is not None:
            live.stop()
            hello = live.view().hello
            if hello is not None:
                self.sink.set_online(board_id(hello.device_id), False)
            log.info("let go of %s (unplugged)", port)

    # --- MQTT -------------------------------------------------------------------------------------
    def _on_connected(self) -> None:
        self.bus.publish(self.topics.serve_availability(self.o.name), ONLINE, retain=True)
        if not self.o.read_only:
            self.bus.subscribe(self.topics.command_filter())
        self.bus.subscribe(self.topics.birth(self.o.discovery_prefix))
        self.sink.republish()

    def _on_message(self, topic: str, payload: bytes) -> None:
        if topic == self.topics.birth(self.o.discovery_prefix):
            if payload.strip() == BIRTH.encode():
                lo, hi = self.o.birth_delay
                timer = threading.Timer(random.uniform(lo, hi), self.sink.republish)
                timer.daemon = True
                timer.start()
                self._birth_timer = timer
            return
        if self.o.read_only:  # never subscribed; a stray message still does nothing
            return
        self.commands.handle(topic, payload)

    def live_of(self, board: str) -> LiveBoard | None:
        with self.lock:
            boards = list(self.boards.values())
        for live in boards:
            hello = live.view().hello
            if hello is not None and board_id(hello.device_id) == board:
                return live
        return None

    # --- the main loop ----------------------------------------------------------------------------
    def run(self, stop: threading.Event, every: float = 0.2) -> None:
        while not stop.is_set():
            self.tick()
            stop.wait(every)

    def tick(self) -> None:
        """Availability follows each link; held-back states; the port scan; the runtime file."""
        self.sink.publish_held()
        if not self.o.ports and time.monotonic() >= self._next_scan:
            self._next_scan = time.monotonic() + RESCAN_S
            self._rescan()
        with self.lock:
            boards = list(self.boards.values())
        for live in boards:
            view = live.view()
            if view.hello is None:
                continue
            board = board_id(view.hello.device_id)
            online = view.state == LinkState.ONLINE
            entry = self.sink.boards.get(board)
            if entry is not None and entry.online != online:
                self.sink.set_online(board, online)
                log.info("board %s %s", board, ONLINE if online else OFFLINE)
        self.write_runtime()

    def _rescan(self) -> None:
        try:
            found = set(scan_ports())
        except Exception as exc:  # noqa: BLE001 - a scan that fails now may work next time
            log.warning("port scan failed: %s", exc)
            return
        with self.lock:
            have = set(self.boards)
        for port in sorted(found - have):
            self._add(port)
        for port in sorted(have - found):
            self._drop(port)

    def runtime_info(self) -> dict:
        boards = {}
        with self.lock:
            items = list(self.boards.items())
        for port, live in items:
            view = live.view()
            key = board_id(view.hello.device_id) if view.hello is not None else port
            boards[key] = {"port": port, "state": str(view.state)}
        return {"name": self.o.name, "pid": os.getpid(), "broker": self.url.public(),
                "prefix": self.o.prefix, "read_only": self.o.read_only,
                "discovery_prefix": self.o.discovery_prefix, "boards": boards}

    def write_runtime(self) -> None:
        info = self.runtime_info()
        if info != self._runtime_written:
            try:
                write_runtime(info)
                self._runtime_written = info
            except OSError as exc:
                log.warning("cannot write the runtime file: %s", exc)

    def stop(self) -> int:
        """Stop every board, flush the log, publish boards and serve offline, disconnect. The
        rows committed by this run."""
        if self._birth_timer is not None:
            self._birth_timer.cancel()
        self.stopping = True
        with self.lock:
            boards = list(self.boards.values())
        for live in boards:  # all at once: a hundred boards stopped one by one took minutes
            live.request_stop()
        for live in boards:
            live.stop()
        committed = 0
        try:
            if self.log_sink is not None:
                self.log_sink.flush()
                committed = self.log_sink.committed
                self.log_sink.close()
        except StorageError as exc:
            log.error("the final flush failed: %s", exc)
            raise
        finally:
            self.sink.publish_held(force=True)  # the last samples' state, before offline
            final = self.sink.offline_messages()
            final.append((self.topics.serve_availability(self.o.name), OFFLINE))
            self.bus.stop(final)
            remove_runtime(pid=os.getpid())
        return committed
