"""serve's MQTT edge: one paho-mqtt 2.x client, its broker URL, last will and reconnects.

    bus = Bus(BrokerUrl.parse("mqtt://user@host"), client_id="tendril-serve-pi",
              will=("tendril/serve/pi/availability", "offline"), password="...")
    bus.on_connected = lambda: ...           # every (re)connect: subscribe, republish
    bus.on_message = lambda topic, payload: ...
    bus.start(timeout=10)                    # TendrilError (one line) if it cannot connect
    bus.publish(topic, text, retain=True)    # from any thread; dropped while disconnected

While the broker is away nothing is queued (a long outage would fill memory): the retained state is
published again on every reconnect, and the log database keeps everything meanwhile.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt

from ..errors import TendrilError
from .outqueue import OutQueue


class BrokerError(TendrilError):
    """The broker cannot be reached, or refused us."""


@dataclass(frozen=True)
class BrokerUrl:
    host: str
    port: int
    tls: bool = False
    user: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> BrokerUrl:
        """``mqtt://[user[:pass]@]host[:port]`` (1883) or ``mqtts://...`` (TLS, 8883)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise BrokerError(f"broker URL {url!r}: {exc}") from None
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise BrokerError(f"broker URL {url!r}: use mqtt://[user[:password]@]host[:port] "
                              "or mqtts://... for TLS")
        if parts.path not in ("", "/") or parts.query:
            raise BrokerError(f"broker URL {url!r}: nothing may follow host[:port]")
        tls = parts.scheme == "mqtts"
        return cls(parts.hostname, port or (8883 if tls else 1883), tls,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password is not None else None)

    def public(self) -> str:
        """The URL without its password (for the runtime file and messages)."""
        user = f"{self.user}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{host}:{self.port}"


class Bus:
    def __init__(self, url: BrokerUrl, *, client_id: str, will: tuple[str, str],
                 password: str | None = None, ca_file: str | None = None,
                 max_queued: int = 50_000) -> None:
        self.url = url
        self.connected = threading.Event()
        self.on_connected: Callable[[], None] = lambda: None
        self.on_message: Callable[[str, bytes], None] = lambda topic, payload: None
        self.on_disconnected: Callable[[], None] = lambda: None
        self.published = 0
        # Board threads queue; one thread publishes. A hundred board threads calling paho's publish
        # themselves queued on paho's message lock, which its network thread also holds for every
        # PUBACK: that convoy, not CPU, was serve's latency at 100 boards (docs/benchmarks.md).
        self._out = OutQueue(max_queued)
        self._wake = threading.Event()  # set by a board thread that finds the publisher idle
        self._closing = False
        self._publisher = threading.Thread(target=self._publish_queued, name="mqtt publish",
                                           daemon=True)
        self._first: threading.Event = threading.Event()
        self._first_error: str | None = None
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                        protocol=mqtt.MQTTv311)
        user, pw = url.user, password if password is not None else url.password
        if user is not None:
            c.username_pw_set(user, pw)
        if url.tls:
            c.tls_set(ca_certs=ca_file, cert_reqs=ssl.CERT_REQUIRED)
        topic, payload = will
        c.will_set(topic, payload, qos=1, retain=True)
        c.reconnect_delay_set(min_delay=1, max_delay=15)
        # No cap on QoS 1 messages awaiting their PUBACK. With paho's default cap (20) the rest wait
        # in paho's queue, and paho walks that whole queue on every PUBACK: at a hundred boards'
        # rate the queue grew and the walks with it (docs/benchmarks.md, "serve at 100 boards").
        c.max_inflight_messages_set(0)
        c.on_connect = self._connected
        c.on_disconnect = self._disconnected
        c.on_message = self._message
        self.client = c

    def start(self, timeout: float = 10.0) -> None:
        """Connect once (one clear error if that fails), then keep connected in paho's thread."""
        try:
            self.client.connect(self.url.host, self.url.port, keepalive=30)
        except ssl.SSLError as exc:
            raise BrokerError(f"broker {self.url.public()}: TLS failed: {exc.reason or exc}") from None
        except OSError as exc:
            raise BrokerError(f"broker {self.url.public()}: cannot connect: "
                              f"{exc.strerror or exc}") from None
        self.client.loop_start()
        if not self._publisher.is_alive():
            self._publisher.start()
        if not self._first.wait(timeout) or self._first_error:
            why = self._first_error or f"no answer in {timeout:g} s"
            self.stop()
            raise BrokerError(f"broker {self.url.public()}: {why}")

    def _connected(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            if not self._first.is_set():
                self._first_error = f"refused the connection: {reason_code}"
                self._first.set()
            return
        self.connected.set()
        self._first.set()
        try:
            self.on_connected()
        except Exception as exc:  # noqa: BLE001 - never kill paho's thread
            print(f"tendril serve: republishing failed: {type(exc).__name__}: {exc}", flush=True)

    def _disconnected(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        self.on_disconnected()

    def _message(self, client, userdata, message) -> None:
        try:
            self.on_message(message.topic, message.payload)
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the bus
            print(f"tendril serve: message on {message.topic[:80]}: {type(exc).__name__}: {exc}",
                  flush=True)

    def subscribe(self, topic: str) -> None:
        self.client.subscribe(topic, qos=1)

    def publish(self, topic: str, payload: str | bytes, *, retain: bool = False, qos: int = 1,
                latest: bool = False) -> bool:
        """Queue for publishing, from any thread, in order; False (nothing queued) while the
        broker is away, or when ``max_queued`` messages already wait (dropped, counted, said once
        an episode). ``latest``: only the newest payload for this topic matters (a retained
        state): a newer one replaces it while it waits (outqueue.py)."""
        if not self.connected.is_set():
            return False
        if not self._out.put(topic, payload, retain=retain, qos=qos, latest=latest):
            return False
        if not self._wake.is_set():
            self._wake.set()
        return True

    def _publish_queued(self) -> None:
        # No lock of ours held across paho's publish (it is thread-safe): paho calls back under
        # its own callback lock, and holding one of ours in there while paho's thread publishes a
        # reply from on_message would deadlock the two.
        out = self._out
        while True:
            self._wake.clear()  # before looking: an append after this sets it again
            said = out.episode()
            if said:
                print(f"tendril serve: {said}", flush=True)
            if not out:
                if self._closing:
                    return
                self._wake.wait(0.5)
                continue
            taken = 0
            while taken < 1000 and (item := out.take()) is not None:  # then look at episodes
                taken += 1
                topic, payload, retain, qos = item
                if not self.connected.is_set():
                    continue  # the broker went away: dropped, republished on reconnect
                info = self.client.publish(topic, payload, qos=qos, retain=retain)
                self.published += info.rc == mqtt.MQTT_ERR_SUCCESS

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued has been handed to paho (True), or ``timeout``."""
        end = time.monotonic() + timeout
        while self._out and time.monotonic() < end:
            time.sleep(0.01)  # polling a queue another thread empties; bounded by timeout
        return not self._out

    def stop(self, final: list[tuple[str, str]] = ()) -> None:
        """Publish ``final`` (topic, payload) retained, wait for them to leave, disconnect."""
        self.drain()
        self._closing = True
        self._wake.set()
        if self._publisher.is_alive():
            self._publisher.join(10)
        infos = []
        if self.connected.is_set():
            infos = [self.client.publish(t, p, qos=1, retain=True) for t, p in final]
            for info in infos:
                try:
                    info.wait_for_publish(3)
                except (RuntimeError, ValueError):
                    break
        self.client.disconnect()
        self.client.loop_stop()
