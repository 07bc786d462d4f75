"""Shared helpers for the test suite."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from .support.boards import Boards

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config) -> None:
    """Ctrl-C means stop, whoever started the suite: a shell without job control starts background
    jobs with SIGINT ignored, and children would inherit that (the tests send SIGINT to `tendril
    sim`, `tendril log` and the simulated boards as a maker's Ctrl-C)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
VECTORS = ROOT / "tests" / "vectors"


def load_vectors(rel: str) -> list[dict]:
    """The cases of one vector file; a missing file is a failure, not a skip."""
    path = VECTORS / rel
    if not path.exists():
        pytest.fail(f"vector file {rel} is missing: run python tests/vectors/generate.py")
    return json.loads(path.read_text(encoding="utf-8"))["cases"]


@pytest.fixture(autouse=True)
def _own_log_database(tmp_path, monkeypatch):
    """Every test's log database (what `tendril push` remembers, what `tendril log` writes by
    default) is its own, never the user's."""
    monkeypatch.setenv("TENDRIL_DB", str(tmp_path / "tendril-default.db"))


@pytest.fixture
def native(tmp_path):
    """The native simulated Uno (tendril-native) on a pty, stopped at teardown."""
    boards = Boards(tmp_path, "native")
    boards.start()
    yield boards
    boards.stop()
