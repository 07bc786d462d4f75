"""A broker URL as tendril's MQTT commands take it: ``mqtt://[user[:password]@]host[:port]`` or
``mqtts://...`` (TLS). Pure: no sockets, no environment.

    broker = parse_url("mqtts://serve:secret@broker.lan")   # port 8883, tls True
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..errors import TendrilError

DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}


class BrokerUrlError(TendrilError):
    """A broker URL that cannot be used."""


@dataclass(frozen=True)
class BrokerUrl:
    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = None

    def __str__(self) -> str:  # for people: never the password
        user = f"{self.username}@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{self.host}:{self.port}"


def parse_url(text: str) -> BrokerUrl:
    """The broker in ``text``; BrokerUrlError (one line) for anything else."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError as exc:
        raise BrokerUrlError(f"broker URL {text!r}: {exc}") from None
    if parts.scheme not in DEFAULT_PORTS:
        raise BrokerUrlError(f"broker URL {text!r}: use mqtt://host[:port] or mqtts://host[:port]")
    if not parts.hostname:
        raise BrokerUrlError(f"broker URL {text!r}: no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise BrokerUrlError(f"broker URL {text!r}: a broker URL has no path or query")
    return BrokerUrl(parts.hostname, port or DEFAULT_PORTS[parts.scheme], parts.scheme == "mqtts",
                     unquote(parts.username) if parts.username else None,
                     unquote(parts.password) if parts.password is not None else None)
