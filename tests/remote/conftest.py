"""Commands through a real `tendril serve`: the serve tests' broker, serve subprocess and boards."""

from ..serve.conftest import broker, fast_board, start_serve, watcher  # noqa: F401 - fixtures
