"""Shared helpers for the test suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .support.boards import Boards

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT / "tests" / "vectors"


def load_vectors(rel: str) -> list[dict]:
    """The cases of one vector file; a missing file is a failure, not a skip."""
    path = VECTORS / rel
    if not path.exists():
        pytest.fail(f"vector file {rel} is missing: run python tests/vectors/generate.py")
    return json.loads(path.read_text(encoding="utf-8"))["cases"]


@pytest.fixture
def native(tmp_path):
    """The native simulated Uno (tendril-native) on a pty, stopped at teardown."""
    boards = Boards(tmp_path, "native")
    boards.start()
    yield boards
    boards.stop()
