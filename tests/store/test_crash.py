"""A logger killed with SIGKILL mid-stream leaves a sound database with every committed row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from .conftest import rows

CHILD = Path(__file__).with_name("logger_child.py")


def test_a_logger_killed_with_sigkill_keeps_every_committed_row(tmp_path):
    db = tmp_path / "log.db"
    proc = subprocess.Popen([sys.executable, str(CHILD), str(db)], stdout=subprocess.PIPE,
                            text=True)
    committed = []
    try:
        for line in proc.stdout:
            committed.append(int(line))
            if len(committed) >= 8:  # several commits in, rows still pouring in
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert len(committed) >= 8
    last = committed[-1]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    # Every row the logger said it committed is there, whole: three channels per frame, 1..last.
    got = rows(db, f"SELECT count(*), min(seq), max(seq) FROM samples WHERE seq <= {last}")
    assert got == [(3 * last, 1, last)]
    assert rows(db, f"SELECT count(*) FROM samples WHERE seq <= {last} AND"
                    " value != CASE channel WHEN 0 THEN seq WHEN 1 THEN -seq ELSE seq * 3 END"
                    ) == [(0,)]
