"""Commands through a running `tendril serve`: find it (route.py), talk to it over its broker
(client.py). Nothing here opens a serial port."""

from .client import ServeClient, ServeUnavailable
from .route import Target, find_target

__all__ = ["ServeClient", "ServeUnavailable", "Target", "find_target"]
