"""A session with a board: handshake, requests with retries, link health, config push, reconnect."""

from .nacks import explain
from .push import PushResult, push, read_config, read_params
from .session import LinkHealth, Session
from .text import TextScanner

__all__ = ["LinkHealth", "PushResult", "Session", "TextScanner", "explain", "push", "read_config", "read_params"]
