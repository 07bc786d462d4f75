"""The collector: frames records from the broker into a Sink (a LogSink: the log database), called
as a LiveBoard would call it, so the database holds what `tendril log` would have written had the
boards been local.

``FrameLogger`` is the part without a client: ``feed(topic, payload)`` per MQTT message. It drops a
record it has seen (QoS 1 may deliver one twice), counts and reports a malformed one in one line,
and holds records of a boot it has no session for until that boot's HELLO comes (the sink sends it
again every minute). ``Collector`` is the edge: a paho-mqtt 2.x client with a persistent session
(a stable client id, clean_session off), so the broker queues frames while the collector is away.
It acknowledges a message only after the rows it carried are committed: a collector killed at any
moment gets again from the broker whatever it had not written.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from ..errors import StorageError, TendrilError
from ..live.sinks import Sink
from ..mqtt import frames
from ..mqtt.frames import FrameRecordError, Record
from ..mqtt.topics import DEFAULT_PREFIX, Topics
from ..mqtt.url import BrokerUrl

HOLD_MAX = 100_000  # records held for boots whose HELLO has not come yet
SEEN_MAX = 200_000  # record names remembered to drop duplicates
ACK_EVERY = 16  # commit and acknowledge after this many messages (mosquitto sends 20 unacknowledged)


class FrameLogger:
    def __init__(self, sink: Sink, *, lookup: Callable[[tuple[int, int]], object] | None = None,
                 say: Callable[[str], None] = lambda line: None) -> None:
        self.sink = sink
        self.lookup = lookup  # (device_id, boot_count) -> a session the sink already has, or None
        self.say = say
        self.sessions: dict[tuple[int, int], object] = {}
        self.held: dict[tuple[int, int], list[Record]] = {}
        self.seen: set[tuple[int, int]] = set()
        self._seen_order: deque[tuple[int, int]] = deque()
        self.records = 0  # records logged
        self.samples = 0
        self.events = 0
        self.duplicates = 0
        self.malformed = 0
        self.dropped = 0  # held records beyond HOLD_MAX
        self.boards: set[int] = set()

    def feed(self, topic: str, payload: bytes) -> None:
        try:
            record = frames.decode(payload)
        except FrameRecordError as exc:
            self.malformed += 1
            self.say(f"{topic}: {exc}")
            return
        name = (record.run, record.number)
        if name in self.seen:
            self.duplicates += 1
            return
        self.seen.add(name)
        self._seen_order.append(name)
        if len(self._seen_order) > SEEN_MAX:
            self.seen.discard(self._seen_order.popleft())
        try:
            self._apply(record)
        except StorageError:
            raise  # the database's trouble, not the record's: the caller keeps it unacknowledged
        except TendrilError as exc:  # a config image the log refuses, say: this record only
            self.malformed += 1
            self.say(f"{topic}: {frames.KINDS[record.kind]} record refused: {exc}")

    def _apply(self, r: Record) -> None:
        self.boards.add(r.board[0])
        if r.kind == frames.HELLO:
            self.sessions[r.board] = self.sink.begin_session(r.msg)
            self.records += 1
            for held in self.held.pop(r.board, []):
                self._apply(held)
            return
        if r.kind == frames.CONFIG:
            self.sink.config(r.board[0], r.image, r.direction, recipe_text=r.text)
            self.records += 1
            return
        session = self._session(r.board)
        if session is None:
            if sum(map(len, self.held.values())) < HOLD_MAX:
                self.held.setdefault(r.board, []).append(r)
            else:
                self.dropped += 1
            return
        self.records += 1
        if r.kind == frames.TELEMETRY:
            self.sink.telemetry(session, r.msg, r.host_time, r.seq)
            self.samples += len(r.msg.values)
        elif r.kind == frames.EVENT:
            self.sink.event(session, r.msg, r.host_time, r.seq)
            self.events += 1
        elif r.kind == frames.STATUS:
            self.sink.status(session, r.msg)
        elif r.kind == frames.PARAMS:
            self.sink.params(session, r.msg)
        elif r.kind == frames.RECIPE:
            recipe = _recipe(r) if r.known else None
            if recipe is not None or not r.known:
                self.sink.recipe(session, recipe)

    def _session(self, board: tuple[int, int]):
        session = self.sessions.get(board)
        if session is None and self.lookup is not None:
            session = self.lookup(board)
            if session is not None:
                self.sessions[board] = session
        return session


def _recipe(r: Record):
    """The Recipe a RECIPE record names, or None when its text is not there or does not parse."""
    from ..recipes import parse
    if not r.text:
        return None
    try:
        return parse(r.text, (r.name or "recipe") + ".toml")
    except Exception:  # noqa: BLE001 - a sink that wants the recipe gets None; the log goes on
        return None


def log_session_lookup(log_sink) -> Callable[[tuple[int, int]], object]:
    """For a LogSink: the session id the database already has for a boot (a collector coming back
    finds the sessions it logged before it went away)."""
    from ..store.db import connect_ro
    from ..store.query import sessions

    def lookup(board: tuple[int, int]):
        conn = connect_ro(log_sink.path)
        try:
            return next((s.id for s in sessions(conn, board[0]) if s.boot_count == board[1]), None)
        finally:
            conn.close()
    return lookup


class Collector:
    """The MQTT edge: subscribe ``<prefix>/+/frames`` at QoS 1 with a persistent session and feed
    a FrameLogger; ``tick()`` from the caller's loop commits and acknowledges what waits."""

    def __init__(self, broker: BrokerUrl, logger: FrameLogger, *, name: str,
                 prefix: str = DEFAULT_PREFIX, ca_file: str | None = None,
                 on_state: Callable[[str], None] = lambda text: None) -> None:
        import paho.mqtt.client as mqtt

        self.broker = broker
        self.logger = logger
        self.topics = Topics(prefix)
        self.filter = f"{self.topics.prefix}/+/frames"
        self.on_state = on_state
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.lock = threading.Lock()
        self.unacked: list[tuple[int, int]] = []
        self.error = ""
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=name,
                                  clean_session=False, protocol=mqtt.MQTTv311, manual_ack=True)
        if broker.username:
            self.client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            self.client.tls_set(ca_certs=ca_file)
        self.client.reconnect_delay_set(0.5, 10)
        self.client.max_inflight_messages_set(100)
        self.client.on_connect = self._connected
        self.client.on_disconnect = self._disconnected
        self.client.on_subscribe = lambda *a: self.subscribed.set()
        self.client.on_message = self._message

    def start(self) -> Collector:
        self.client.connect_async(self.broker.host, self.broker.port, keepalive=30)
        self.client.loop_start()
        return self

    def _connected(self, client, userdata, flags, reason, properties) -> None:
        if reason.is_failure:
            self.error = f"the broker refused the connection: {reason}"
            self.on_state(self.error)
            return
        self.error = ""
        self.connected.set()
        # Always subscribe: a broker that lost its sessions (restarted without persistence) must
        # learn the subscription again; one that kept it sends what it queued either way.
        client.subscribe(self.filter, qos=1)
        self.on_state(f"connected to {self.broker}"
                      + (" (session resumed)" if flags.session_present else ""))

    def _disconnected(self, client, userdata, flags, reason, properties) -> None:
        self.connected.clear()
        self.subscribed.clear()
        self.error = f"broker connection lost ({reason}); reconnecting"
        self.on_state(self.error)

    def _message(self, client, userdata, msg) -> None:
        with self.lock:
            try:
                self.logger.feed(msg.topic, msg.payload)
            except Exception as exc:  # noqa: BLE001 - never let it end paho's network thread
                self.error = f"{msg.topic}: {type(exc).__name__}: {exc}"
                self.on_state(self.error)
                return  # unacknowledged: a broker that keeps the session sends it again
            self.unacked.append((msg.mid, msg.qos))
            if len(self.unacked) >= ACK_EVERY:
                self._commit_and_ack()
            else:
                self.logger.sink.flush_due()
                if getattr(self.logger.sink, "pending", 0) == 0:
                    self._ack()

    def tick(self) -> None:
        """Commit what is queued and acknowledge the messages it came in (from the main loop)."""
        with self.lock:
            if self.unacked:
                self._commit_and_ack()

    def _commit_and_ack(self) -> None:
        try:
            self.logger.sink.flush()
        except StorageError as exc:  # unacknowledged: the broker sends them again after a restart
            self.error = str(exc)
            return
        self._ack()

    def _ack(self) -> None:
        for mid, qos in self.unacked:
            if qos > 0:
                self.client.ack(mid, qos)
        self.unacked.clear()

    def stop(self) -> None:
        """Commit, acknowledge and disconnect (the broker keeps the session and queues on)."""
        try:
            self.tick()
        finally:
            self.client.disconnect()
            self.client.loop_stop()
