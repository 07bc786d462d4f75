"""A client of `tendril serve` over its broker: the boards it owns (retained availability and
state), a command with an id on ``<prefix>/<board>/cmd/<command>`` and its reply from
``<prefix>/<board>/response``, and the live state/event/frames streams for a monitor.

    with ServeClient.connect("mqtt://user@host", password="...") as c:
        c.boards()                                   # {"de7a15c8": "online", ...}
        c.request("de7a15c8", "run", {"actuator": "pump", "for_s": 5})   # the reply's dict
        c.state("de7a15c8")                          # the retained state JSON, or None

An error reply raises ServeRefused with serve's one line; no reply in time, or serve (or the board)
going offline before it answered, ServeUnavailable.
"""

from __future__ import annotations

import itertools
import json
import os
import ssl
import threading
import time
from collections.abc import Callable

import paho.mqtt.client as mqtt

from ..errors import TendrilError
from ..mqtt.topics import DEFAULT_PREFIX, ONLINE, Topics
from ..mqtt.url import parse_url

REPLY_TIMEOUT = 30.0  # a push reads back and verifies on the board: seconds, not milliseconds
_ids = itertools.count(1)


class ServeUnavailable(TendrilError):
    """serve's broker cannot be reached, or serve did not answer in time."""


class ServeRefused(TendrilError):
    """serve (or the board behind it) refused a command; str() is serve's one line."""


class ServeClient:
    def __init__(self, url: str, *, prefix: str = DEFAULT_PREFIX, password: str | None = None,
                 ca_file: str | None = None) -> None:
        self.url = parse_url(url)
        self.topics = Topics(prefix)
        self.prefix = prefix
        self._cond = threading.Condition()
        self._replies: dict[str, dict] = {}
        self._avail: dict[str, str] = {}
        self._serves: dict[str, str] = {}  # serve name -> its availability (its last will)
        self._state: dict[str, dict] = {}
        self._subacks: set[int] = set()
        self._responses: set[str] = set()  # response topics subscribed to
        self._connected: str | None = None  # "ok" or why not
        self.listeners: list[Callable[[str, bytes], None]] = []  # (topic, payload) from paho's thread
        self.client_id = f"tendril-cli-{os.getpid()}-{next(_ids)}"
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id,
                        protocol=mqtt.MQTTv311)
        pw = password if password is not None else self.url.password
        if pw is None:
            pw = os.environ.get("TENDRIL_MQTT_PASSWORD")
        if self.url.username is not None:
            c.username_pw_set(self.url.username, pw)
        if self.url.tls:
            c.tls_set(ca_certs=ca_file, cert_reqs=ssl.CERT_REQUIRED)
        c.on_connect = self._on_connect
        c.on_message = self._on_message
        c.on_subscribe = self._on_subscribe
        self.client = c

    @classmethod
    def connect(cls, url: str, timeout: float = 10.0, **kw) -> ServeClient:
        client = cls(url, **kw)
        client.start(timeout)
        return client

    def __enter__(self) -> ServeClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- connection -------------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> None:
        try:
            self.client.connect(self.url.host, self.url.port, keepalive=30)
        except ssl.SSLError as exc:
            raise ServeUnavailable(f"broker {self.url}: TLS failed: {exc.reason or exc}") from None
        except OSError as exc:
            raise ServeUnavailable(f"broker {self.url}: cannot connect: {exc.strerror or exc}") from None
        self.client.loop_start()
        with self._cond:
            self._cond.wait_for(lambda: self._connected is not None, timeout)
            why = self._connected
        if why != "ok":
            self.close()
            raise ServeUnavailable(f"broker {self.url}: {why or f'no answer in {timeout:g} s'}")
        p = self.prefix
        self._subscribe([(f"{p}/+/availability", 1), (f"{p}/+/state", 1),
                         (f"{p}/serve/+/availability", 1)], timeout)
        self.sync(timeout)

    def sync(self, timeout: float = 10.0) -> None:
        """Return once the retained messages of earlier subscriptions are in: the broker sends
        them after the SUBACK, and answers a later subscribe only after that."""
        self._subscribe([(f"{self.prefix}/serve/{self.client_id}/sync", 0)], timeout)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _subscribe(self, topics: list[tuple[str, int]], timeout: float) -> None:
        """Subscribe and wait for the broker's SUBACK (the retained messages follow it: sync)."""
        rc, mid = self.client.subscribe(topics)
        if rc != mqtt.MQTT_ERR_SUCCESS:
            raise ServeUnavailable(f"broker {self.url}: subscribe failed ({mqtt.error_string(rc)})")
        with self._cond:
            if not self._cond.wait_for(lambda: mid in self._subacks, timeout):
                raise ServeUnavailable(f"broker {self.url}: no answer to a subscribe in {timeout:g} s")

    def subscribe(self, *topics: str, timeout: float = 10.0) -> None:
        self._subscribe([(t, 1) for t in topics], timeout)

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        with self._cond:
            self._connected = "ok" if not reason_code.is_failure else f"refused: {reason_code}"
            self._cond.notify_all()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        with self._cond:
            self._subacks.add(mid)
            self._cond.notify_all()

    def _on_message(self, client, userdata, msg) -> None:
        parts = msg.topic[len(self.prefix) + 1:].split("/") if msg.topic.startswith(self.prefix + "/") else []
        with self._cond:
            if len(parts) == 2 and parts[1] == "availability" and parts[0] != "serve":
                self._avail[parts[0]] = msg.payload.decode("utf-8", "replace")
            elif len(parts) == 3 and parts[0] == "serve" and parts[2] == "availability":
                self._serves[parts[1]] = msg.payload.decode("utf-8", "replace")
            elif len(parts) == 2 and parts[1] == "state":
                body = _json(msg.payload)
                if body is not None:
                    self._state[parts[0]] = body
            elif len(parts) == 2 and parts[1] == "response":
                body = _json(msg.payload)
                if body is not None and isinstance(body.get("id"), str):
                    self._replies[body["id"]] = body
            self._cond.notify_all()
        for listener in list(self.listeners):
            try:
                listener(msg.topic, msg.payload)
            except Exception:  # noqa: BLE001 - a listener's bug must not stop paho's thread
                pass

    # -- what serve publishes ---------------------------------------------------------------
    def boards(self) -> dict[str, str]:
        """Board id -> "online"/"offline", from the retained availability."""
        with self._cond:
            return dict(sorted(self._avail.items()))

    def online(self) -> list[str]:
        return [b for b, a in self.boards().items() if a == ONLINE]

    def serves(self) -> dict[str, str]:
        """serve name -> "online"/"offline", from each serve's retained availability."""
        with self._cond:
            return dict(sorted(self._serves.items()))

    def state(self, board: str) -> dict | None:
        with self._cond:
            return self._state.get(board)

    # -- commands ---------------------------------------------------------------------------
    def request(self, board: str, command: str, body: dict | None = None,
                timeout: float = REPLY_TIMEOUT, serve: str | None = None) -> dict:
        """Send ``command`` to ``board`` and wait for its reply; ServeRefused with serve's line.
        ServeUnavailable at once when, before the reply, the board goes offline or the serve that
        owns it does (``serve``, its name; by default the only serve online on the broker)."""
        response = self.topics.response(board)
        if response not in self._responses:
            self.subscribe(response)
            self._responses.add(response)
        with self._cond:
            online = [name for name, a in self._serves.items() if a == ONLINE]
            owner = serve or (online[0] if len(online) == 1 else None)
            before = self._gone(board, owner)  # already so: serve's reply says it (not online here)
        rid = f"cli-{os.getpid()}-{next(_ids)}"
        payload = json.dumps({**(body or {}), "id": rid}, ensure_ascii=False)
        info = self.client.publish(self.topics.command(board, command), payload, qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise ServeUnavailable(f"{command}: cannot publish to {self.url}")
        end = time.monotonic() + timeout
        with self._cond:
            while rid not in self._replies:
                gone = self._gone(board, owner)
                if gone and gone != before:
                    raise ServeUnavailable(f"{command}: {gone} before it answered; whether the board "
                                           f"did it, `tendril status` tells once it is back")
                left = end - time.monotonic()
                if left <= 0:
                    raise ServeUnavailable(f"{command}: no reply from tendril serve for board {board} "
                                           f"in {timeout:g} s")
                self._cond.wait(left)
            answer = self._replies.pop(rid)
        if not answer.get("ok"):
            raise ServeRefused(str(answer.get("error") or f"{command}: refused"))
        return answer

    def _gone(self, board: str, owner: str | None) -> str | None:
        """Why no reply can come any more (under the lock), or None."""
        if owner is not None and self._serves.get(owner, ONLINE) != ONLINE:
            return f"tendril serve {owner} went offline"
        if self._avail.get(board, ONLINE) != ONLINE:
            return f"board {board} went offline at tendril serve"
        return None


def _json(payload: bytes) -> dict | None:
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None
